import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { CreditCodeError } from "../errors.ts";
import { creditCodeCheckCharacter } from "./creditCodeCheckCharacter.ts";

const ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/** The DOMAIN.md formula written out independently: weights 3^(i-1) mod 31. */
function expectedCheck(first17: string): string {
  let sum = 0;
  let weight = 1;
  for (const char of first17) {
    sum += ALPHABET.indexOf(char) * weight;
    weight = (weight * 3) % 31;
  }
  return ALPHABET.charAt((31 - (sum % 31)) % 31);
}

describe("creditCodeCheckCharacter", () => {
  test.each([
    ["91350200776049653", "A"],
    ["91440101MA5CJQ4N5", "9"],
    ["53100000500021676", "K"],
  ])("behavior: computes the check character of the worked example %s", (first17, check) => {
    expect(creditCodeCheckCharacter(first17)).toBe(check);
  });

  test("behavior: agrees with the formula for random codes", () => {
    const first17 = fc
      .tuple(
        fc.array(fc.constantFrom(...ALPHABET), { minLength: 2, maxLength: 2 }),
        fc.array(fc.constantFrom(..."0123456789"), { minLength: 6, maxLength: 6 }),
        fc.array(fc.constantFrom(...ALPHABET), { minLength: 9, maxLength: 9 }),
      )
      .map((parts) => parts.flat().join(""));
    fc.assert(
      fc.property(first17, (prefix) => {
        expect(creditCodeCheckCharacter(prefix)).toBe(expectedCheck(prefix));
      }),
    );
  });

  test("args: normalises lower case", () => {
    expect(creditCodeCheckCharacter("91440101ma5cjq4n5")).toBe("9");
  });

  test("error: rejects a prefix that is not 17 characters", () => {
    expect(() => creditCodeCheckCharacter("91350200776049653A")).toThrow(CreditCodeError);
    expect(() => creditCodeCheckCharacter("9135")).toThrow("got 4");
  });

  test("error: rejects a character outside the alphabet", () => {
    expect(() => creditCodeCheckCharacter("9135020077604965O")).toThrow(
      "Cannot compute a check character: position 17: 'O' is not allowed",
    );
  });
});
