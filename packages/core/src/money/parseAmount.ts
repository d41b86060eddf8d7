/**
 * Reads an amount typed in a form or found in a CSV file into integer minor units:
 * "1,234.56" CNY → 123456n, "1234.5" → 123450n, "12" → 1200n. Strict on purpose, since
 * a misread amount is a wrong entry in a public ledger: only digits, "," between groups
 * of three digits, and at most the currency's decimals after one ".". No currency
 * symbols, no signs, no spaces, no exponents. Every refusal is an `AmountParseError`
 * whose `reason` says which rule was broken and whose message says how to fix it.
 * Surrounding whitespace is ignored.
 */
import { AmountParseError, type AmountParseErrorReason } from "../errors.ts";
import type { CurrencyCode } from "./currencies.ts";
import { currencyDecimals } from "./currencyDecimals.ts";

export type ParseAmountParameters = Parameters<typeof parseAmount>;
export type ParseAmountReturnType = bigint;

const GROUPED_UNITS = /^[1-9]\d{0,2}(,\d{3})+$/;
const ALLOWED_CHARS = /^[0-9.,]+$/;
const NEGATIVE_SIGNS = "-\u2212\uff0d"; // hyphen-minus, minus sign, full-width hyphen-minus

export function parseAmount(text: string, currency: CurrencyCode): ParseAmountReturnType {
  const decimals = currencyDecimals(currency);
  const fail = (reason: AmountParseErrorReason, problem: string): never => {
    throw new AmountParseError(`${JSON.stringify(text)} is not a valid amount: ${problem}.`, {
      reason,
      input: String(text),
    });
  };

  if (typeof text !== "string") {
    return fail("characters", `expected text, got ${typeof text}`);
  }
  const trimmed = text.trim();
  if (trimmed === "") return fail("empty", "it is empty");
  if (NEGATIVE_SIGNS.includes(trimmed[0] as string)) {
    return fail("negative", "amounts cannot be negative");
  }

  if (!ALLOWED_CHARS.test(trimmed)) {
    // One test for the usual case; the character at fault is looked for only when there is one.
    const chars = Array.from(trimmed);
    const badIndex = chars.findIndex((char) => !/^[0-9.,]$/.test(char));
    const char = chars[badIndex] as string;
    const shown = /\s/u.test(char) ? "a space" : `'${char}'`;
    const hint = /\p{Sc}/u.test(char)
      ? "write the amount without a currency symbol"
      : /\s/u.test(char)
        ? "do not put spaces inside an amount; group thousands with ','"
        : "use only digits, ',' between thousands and '.' before the decimals";
    return fail("characters", `${shown} at position ${badIndex + 1} is not allowed; ${hint}`);
  }

  const parts = trimmed.split(".");
  if (parts.length > 2) return fail("separators", "it has more than one decimal point");
  const [units = "", fraction] = parts;
  if (units === "") return fail("separators", "there must be a digit before the decimal point");
  if (fraction === "") {
    return fail("separators", "there must be digits after the decimal point");
  }
  if (fraction?.includes(",")) {
    return fail("separators", "',' cannot appear after the decimal point");
  }
  if (units.includes(",") && !GROUPED_UNITS.test(units)) {
    return fail("separators", "',' must separate groups of exactly three digits, as in 1,234,567.89");
  }
  if (fraction !== undefined && fraction.length > decimals) {
    return fail(
      "decimals",
      decimals === 0
        ? `${currency} has no minor unit, so its amounts have no decimals`
        : `${currency} amounts have at most ${decimals} decimal place${decimals === 1 ? "" : "s"}, this one has ${fraction.length}`,
    );
  }

  const scale = 10n ** BigInt(decimals);
  const minorPart = decimals === 0 ? 0n : BigInt((fraction ?? "").padEnd(decimals, "0"));
  return BigInt(units.replaceAll(",", "")) * scale + minorPart;
}
