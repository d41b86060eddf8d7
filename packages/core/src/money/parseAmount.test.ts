import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { AmountParseError, CoreError, CurrencyError } from "../errors.ts";
import { type CurrencyCode, currencies } from "./currencies.ts";
import { formatAmount } from "./formatAmount.ts";
import { parseAmount } from "./parseAmount.ts";
import { toDecimalString } from "./toDecimalString.ts";

/** The error parseAmount throws for `text`, for looking at its fields. */
function parseError(text: string, currency: CurrencyCode = "CNY"): AmountParseError {
  try {
    parseAmount(text, currency);
  } catch (error) {
    if (error instanceof AmountParseError) return error;
    throw error;
  }
  throw new Error(`parseAmount accepted ${JSON.stringify(text)}`);
}

const currencyCodes = Object.keys(currencies) as CurrencyCode[];

describe("parseAmount", () => {
  test.each([
    ["1234.56", "CNY", 123456n],
    ["1,234.56", "CNY", 123456n],
    ["1234.5", "CNY", 123450n],
    ["12", "CNY", 1200n],
    ["0", "CNY", 0n],
    ["0.05", "CNY", 5n],
    ["0.5", "CNY", 50n],
    ["007", "CNY", 700n],
    ["1,234,567.89", "CNY", 123456789n],
    ["999", "CNY", 99900n],
    ["1,000", "JPY", 1000n],
    ["1234", "JPY", 1234n],
    ["1.5", "KWD", 1500n],
    ["1.234", "KWD", 1234n],
    ["0.0001", "CLF", 1n],
    ["  1,234.56\n", "CNY", 123456n],
    ["123456789012345678901234567890.12", "CNY", 12345678901234567890123456789012n],
  ] as const)("behavior: reads %j in %s as %s", (text, currency, minor) => {
    expect(parseAmount(text, currency)).toBe(minor);
  });

  test("behavior: reads back what formatAmount writes, for amounts up to 10^30", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 30n }),
        fc.constantFrom(...currencyCodes),
        fc.boolean(),
        (minor, currency, grouping) => {
          expect(parseAmount(formatAmount(minor, currency, { grouping }), currency)).toBe(minor);
        },
      ),
      { numRuns: 500 },
    );
  });

  test("behavior: reads back what toDecimalString writes, for amounts up to 10^30", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 30n }), fc.constantFrom(...currencyCodes), (minor, currency) => {
        expect(parseAmount(toDecimalString(minor, currency), currency)).toBe(minor);
      }),
      { numRuns: 500 },
    );
  });

  test.each(["", "   ", "\n\t"])("error: rejects empty input %j", (text) => {
    expect(parseError(text)).toMatchObject({ reason: "empty", input: text });
  });

  test.each(["-1", "-0", "−12.50", "－5", " -1,234.56"])("error: rejects negative %j", (text) => {
    expect(parseError(text).reason).toBe("negative");
  });

  test.each([
    ["¥1,234.56", "'¥' at position 1 is not allowed; write the amount without a currency symbol"],
    ["$12", "'$' at position 1 is not allowed; write the amount without a currency symbol"],
    ["12元", "'元' at position 3 is not allowed; use only digits, ',' between thousands and '.' before the decimals"],
    ["1 234", "a space at position 2 is not allowed; do not put spaces inside an amount; group thousands with ','"],
    ["+12", "'+' at position 1 is not allowed; use only digits, ',' between thousands and '.' before the decimals"],
    ["1e5", "'e' at position 2 is not allowed; use only digits, ',' between thousands and '.' before the decimals"],
    ["１２", "'１' at position 1 is not allowed; use only digits, ',' between thousands and '.' before the decimals"],
    ["NaN", "'N' at position 1 is not allowed; use only digits, ',' between thousands and '.' before the decimals"],
    ["12'345", "''' at position 3 is not allowed; use only digits, ',' between thousands and '.' before the decimals"],
  ])("error: rejects the characters of %j", (text, problem) => {
    const error = parseError(text);
    expect(error.reason).toBe("characters");
    expect(error.shortMessage).toBe(`${JSON.stringify(text)} is not a valid amount: ${problem}.`);
  });

  test.each([
    ["1,23.45", "',' must separate groups of exactly three digits, as in 1,234,567.89"],
    ["12,34", "',' must separate groups of exactly three digits, as in 1,234,567.89"],
    ["1234,567", "',' must separate groups of exactly three digits, as in 1,234,567.89"],
    [",123", "',' must separate groups of exactly three digits, as in 1,234,567.89"],
    ["1,234,", "',' must separate groups of exactly three digits, as in 1,234,567.89"],
    ["1,,234", "',' must separate groups of exactly three digits, as in 1,234,567.89"],
    ["0,001", "',' must separate groups of exactly three digits, as in 1,234,567.89"],
    ["1,5", "',' must separate groups of exactly three digits, as in 1,234,567.89"],
    ["1.234.56", "it has more than one decimal point"],
    [".5", "there must be a digit before the decimal point"],
    ["5.", "there must be digits after the decimal point"],
    ["1.2,3", "',' cannot appear after the decimal point"],
  ])("error: rejects the separators of %j", (text, problem) => {
    const error = parseError(text);
    expect(error.reason).toBe("separators");
    expect(error.shortMessage).toBe(`${JSON.stringify(text)} is not a valid amount: ${problem}.`);
  });

  test.each([
    ["1.234", "CNY", "CNY amounts have at most 2 decimal places, this one has 3"],
    ["0.001", "USD", "USD amounts have at most 2 decimal places, this one has 3"],
    ["1.0", "JPY", "JPY has no minor unit, so its amounts have no decimals"],
    ["1.2345", "KWD", "KWD amounts have at most 3 decimal places, this one has 4"],
  ] as const)("error: rejects too many decimals in %j for %s", (text, currency, problem) => {
    const error = parseError(text, currency);
    expect(error.reason).toBe("decimals");
    expect(error.shortMessage).toBe(`${JSON.stringify(text)} is not a valid amount: ${problem}.`);
  });

  test("error: the error is a CoreError with the input", () => {
    const error = parseError("1,23");
    expect(error).toBeInstanceOf(CoreError);
    expect(error).toMatchObject({ name: "AmountParseError", input: "1,23" });
  });

  test("error: rejects an unknown currency before reading the text", () => {
    expect(() => parseAmount("12", "RMB" as CurrencyCode)).toThrow(CurrencyError);
  });

  test("error: rejects input that is not text", () => {
    expect(() => parseAmount(12.5 as unknown as string, "CNY")).toThrow(AmountParseError);
  });
});
