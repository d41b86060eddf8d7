import { describe, expect, test } from "vitest";
import { CreditCodeError } from "../errors.ts";
import { generateCreditCode } from "./generateCreditCode.ts";
import { validateCreditCode } from "./validateCreditCode.ts";

describe("generateCreditCode", () => {
  test("behavior: completes the worked examples from their first 17 characters", () => {
    expect(generateCreditCode("91350200776049653")).toBe("91350200776049653A");
    expect(generateCreditCode("91440101MA5CJQ4N5")).toBe("91440101MA5CJQ4N59");
    expect(generateCreditCode("53100000500021676")).toBe("53100000500021676K");
  });

  test("args: builds a code from its parts", () => {
    const code = generateCreditCode({
      authority: "5",
      kind: "3",
      region: "100000",
      organization: "500021676",
    });
    expect(code).toBe("53100000500021676K");
  });

  test("args: normalises lower case and full-width input", () => {
    expect(generateCreditCode("91440101ma5cjq4n5")).toBe("91440101MA5CJQ4N59");
    expect(generateCreditCode({ authority: "５", kind: "3", region: "100000", organization: "500021676" })).toBe(
      "53100000500021676K",
    );
  });

  test("behavior: its codes validate", () => {
    const code = generateCreditCode({
      authority: "5",
      kind: "1",
      region: "440300",
      organization: "MA5DEM001",
    });
    expect(validateCreditCode(code)).toMatchObject({
      valid: true,
      kind: { name: "social organisation" },
    });
  });

  test("error: rejects a part of the wrong length", () => {
    expect(() => generateCreditCode({ authority: "5", kind: "3", region: "10000", organization: "500021676" })).toThrow(
      'The region part of a credit code must be 6 characters long, got "10000".',
    );
  });

  test("error: rejects a letter in the region", () => {
    expect(() =>
      generateCreditCode({ authority: "5", kind: "3", region: "1000A0", organization: "500021676" }),
    ).toThrow(CreditCodeError);
  });

  test("error: rejects a prefix of the wrong length or with bad characters", () => {
    expect(() => generateCreditCode("5310000050002167")).toThrow(CreditCodeError);
    expect(() => generateCreditCode("5310000050002167I")).toThrow("position 17: 'I' is not allowed");
  });
});
