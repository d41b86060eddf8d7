import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { generateCreditCode } from "./generateCreditCode.ts";
import { validateCreditCode } from "./validateCreditCode.ts";

const ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/** A random valid code: alphabet characters everywhere but the six region digits. */
const validCode = fc
  .tuple(
    fc.array(fc.constantFrom(...ALPHABET), { minLength: 2, maxLength: 2 }),
    fc.array(fc.constantFrom(..."0123456789"), { minLength: 6, maxLength: 6 }),
    fc.array(fc.constantFrom(...ALPHABET), { minLength: 9, maxLength: 9 }),
  )
  .map(([head, region, organization]) => generateCreditCode([...head, ...region, ...organization].join("")));

describe("validateCreditCode", () => {
  test.each([
    ["91350200776049653A", "9", "market regulation", "1", "350200"],
    ["91440101MA5CJQ4N59", "9", "market regulation", "1", "440101"],
    ["53100000500021676K", "5", "civil affairs", "3", "100000"],
  ])("behavior: accepts the worked example %s", (code, authority, name, kind, region) => {
    const result = validateCreditCode(code);
    expect(result).toMatchObject({
      valid: true,
      code,
      authority: { code: authority, name },
      kind: { code: kind },
      region,
      organization: code.slice(8, 17),
    });
  });

  test("behavior: describes a foundation registered with civil affairs", () => {
    expect(validateCreditCode("53100000500021676K")).toEqual({
      valid: true,
      code: "53100000500021676K",
      authority: { code: "5", name: "civil affairs", nameZh: "民政" },
      kind: { code: "3", name: "foundation", nameZh: "基金会" },
      region: "100000",
      organization: "500021676",
    });
  });

  test("behavior: leaves out the kind where the authority's table does not list it", () => {
    const code = generateCreditCode("94440300MA5XXXXX0");
    const result = validateCreditCode(code);
    expect(result).toMatchObject({ valid: true, authority: { code: "9" } });
    expect(result).not.toHaveProperty("kind");
  });

  test("behavior: accepts an authority the table does not name, without a name", () => {
    const result = validateCreditCode(generateCreditCode("A1110000MA0000000"));
    expect(result).toMatchObject({
      valid: true,
      authority: { code: "A", name: undefined, nameZh: undefined },
    });
  });

  test.each([
    ["lower case", "91440101ma5cjq4n59", "91440101MA5CJQ4N59"],
    ["surrounding spaces", "  91350200776049653A\n", "91350200776049653A"],
    ["full-width characters", "９１３５０２００７７６０４９６５３Ａ", "91350200776049653A"],
    ["an ideographic space", "\u300053100000500021676k\u3000", "53100000500021676K"],
  ])("args: normalises %s", (_, input, code) => {
    expect(validateCreditCode(input)).toMatchObject({ valid: true, code });
  });

  test("behavior: accepts every code generateCreditCode makes", () => {
    fc.assert(
      fc.property(validCode, (code) => {
        expect(validateCreditCode(code)).toMatchObject({ valid: true, code });
      }),
    );
  });

  test("behavior: catches every single-character substitution", () => {
    fc.assert(
      fc.property(validCode, fc.nat(16), fc.nat(30), (code, index, shift) => {
        const chars = Array.from(code);
        const isRegion = index >= 2 && index <= 7;
        const pool = isRegion ? "0123456789" : ALPHABET;
        const original = pool.indexOf(chars[index] as string);
        chars[index] = pool[(original + 1 + (shift % (pool.length - 1))) % pool.length] as string;
        expect(validateCreditCode(chars.join(""))).toMatchObject({ valid: false, reason: "check" });
      }),
    );
  });

  test("behavior: catches every transposition of two different neighbours", () => {
    fc.assert(
      fc.property(validCode, fc.nat(15), (code, index) => {
        const chars = Array.from(code);
        fc.pre(chars[index] !== chars[index + 1]);
        [chars[index], chars[index + 1]] = [chars[index + 1] as string, chars[index] as string];
        expect(validateCreditCode(chars.join(""))).toMatchObject({ valid: false });
      }),
    );
  });

  test.each([
    ["", "the code is empty; a Unified Social Credit Code has 18 characters"],
    ["   ", "the code is empty; a Unified Social Credit Code has 18 characters"],
    ["91350200776049653", "the code has 17 characters; a Unified Social Credit Code has 18"],
    ["91350200776049653AA", "the code has 19 characters; a Unified Social Credit Code has 18"],
    ["9", "the code has 1 character; a Unified Social Credit Code has 18"],
    ["9135 0200 7760 4965 3A", "the code has 22 characters; a Unified Social Credit Code has 18"],
  ])("error: reports the length of %j", (input, message) => {
    const result = validateCreditCode(input);
    expect(result).toEqual({ valid: false, code: input.trim(), reason: "length", message });
  });

  test.each([
    ["91350200776O49653A", 12, "position 12: 'O' is not allowed (the code alphabet has no I, O, S, V, Z)"],
    ["I1350200776049653A", 1, "position 1: 'I' is not allowed (the code alphabet has no I, O, S, V, Z)"],
    ["913502007760496S3A", 16, "position 16: 'S' is not allowed (the code alphabet has no I, O, S, V, Z)"],
    ["91350200776049653Z", 18, "position 18: 'Z' is not allowed (the code alphabet has no I, O, S, V, Z)"],
    [
      "9135020077604-653A",
      14,
      "position 14: '-' is not allowed (only digits and the capital letters A–Y other than I, O, S, V are allowed)",
    ],
    [
      "91350200 76049653A",
      9,
      "position 9: a space (U+0020) is not allowed (only digits and the capital letters A–Y other than I, O, S, V are allowed)",
    ],
    [
      "9135020077\u200B049653A",
      11,
      "position 11: an invisible character (U+200B) is not allowed (only digits and the capital letters A–Y other than I, O, S, V are allowed)",
    ],
    [
      "913502007760496é3A",
      16,
      "position 16: 'É' is not allowed (only digits and the capital letters A–Y other than I, O, S, V are allowed)",
    ],
    ["9135O20077604965IA", 5, "position 5: 'O' is not allowed (the code alphabet has no I, O, S, V, Z)"],
  ])("error: names the bad character in %j", (input, position, message) => {
    expect(validateCreditCode(input)).toMatchObject({ valid: false, reason: "character", position, message });
  });

  test("error: counts positions in characters the user sees, not UTF-16 units", () => {
    const result = validateCreditCode("91350200776049653😀");
    expect(result).toMatchObject({ valid: false, reason: "character", position: 18 });
  });

  test.each([
    [
      "9135A200776049653A",
      5,
      "position 5: 'A' is not a digit (positions 3–8 are the six-digit administrative region code)",
    ],
    [
      "91X50200776049653A",
      3,
      "position 3: 'X' is not a digit (positions 3–8 are the six-digit administrative region code)",
    ],
    [
      "9135020Y776049653A",
      8,
      "position 8: 'Y' is not a digit (positions 3–8 are the six-digit administrative region code)",
    ],
  ])("error: names a letter among the region digits of %j", (input, position, message) => {
    expect(validateCreditCode(input)).toMatchObject({ valid: false, reason: "region", position, message });
  });

  test("error: a letter missing from the alphabet among the region digits is a character problem", () => {
    expect(validateCreditCode("9135O200776049653A")).toMatchObject({
      valid: false,
      reason: "character",
      position: 5,
    });
  });

  test.each([
    ["91350200776049653B", "B", "A"],
    ["91440101MA5CJQ4N5A", "A", "9"],
    ["531000005000216760", "0", "K"],
  ])("error: reports the wrong check character of %s", (input, actual, expected) => {
    expect(validateCreditCode(input)).toEqual({
      valid: false,
      code: input,
      reason: "check",
      position: 18,
      expected,
      message: `check character is '${actual}' but should be '${expected}'`,
    });
  });

  test("error: reports the check character of a normalised code in upper case", () => {
    expect(validateCreditCode("91350200776049653b")).toMatchObject({
      reason: "check",
      message: "check character is 'B' but should be 'A'",
    });
  });
});
