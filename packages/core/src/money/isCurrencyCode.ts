/**
 * Whether a string (from a form, a CSV file, the database) is a currency code the
 * money module knows; narrows it to `CurrencyCode` for the other money functions.
 * Codes are upper case, as ISO 4217 writes them: "cny" is not one.
 */
import { type CurrencyCode, currencies } from "./currencies.ts";

export type IsCurrencyCodeParameters = Parameters<typeof isCurrencyCode>;
export type IsCurrencyCodeReturnType = boolean;

export function isCurrencyCode(code: unknown): code is CurrencyCode {
  return typeof code === "string" && Object.hasOwn(currencies, code);
}
