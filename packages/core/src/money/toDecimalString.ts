/**
 * An amount in minor units as a plain decimal string with all of the currency's
 * decimals and nothing else, for CSV exports and JSON: 123456n CNY → "1234.56",
 * 5n CNY → "0.05", 1000n JPY → "1000", -250n CNY → "-2.50". Pure integer arithmetic
 * on the digits; no floating point.
 */
import { CoreError } from "../errors.ts";
import type { CurrencyCode } from "./currencies.ts";
import { currencyDecimals } from "./currencyDecimals.ts";

export type ToDecimalStringParameters = Parameters<typeof toDecimalString>;
export type ToDecimalStringReturnType = string;

export function toDecimalString(minor: bigint, currency: CurrencyCode): ToDecimalStringReturnType {
  if (typeof minor !== "bigint") {
    throw new CoreError(`Amounts are bigint counts of minor units, got ${typeof minor}.`, {
      details: "Convert with parseAmount; never pass amounts as JavaScript numbers.",
    });
  }
  const decimals = currencyDecimals(currency);
  const sign = minor < 0n ? "-" : "";
  const digits = (minor < 0n ? -minor : minor).toString().padStart(decimals + 1, "0");
  if (decimals === 0) return `${sign}${digits}`;
  const units = digits.slice(0, -decimals);
  const fraction = digits.slice(-decimals);
  return `${sign}${units}.${fraction}`;
}
