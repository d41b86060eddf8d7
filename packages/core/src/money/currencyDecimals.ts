/**
 * How many decimal places a currency's amounts have (its ISO 4217 minor units): 2 for
 * CNY, 0 for JPY, 3 for KWD. Throws `CurrencyError` for a code it does not know rather
 * than guess, since a wrong guess would scale an amount by a power of ten.
 */
import { CurrencyError } from "../errors.ts";
import type { CurrencyCode } from "./currencies.ts";
import { currencies } from "./currencies.ts";
import { isCurrencyCode } from "./isCurrencyCode.ts";

export type CurrencyDecimalsParameters = Parameters<typeof currencyDecimals>;
export type CurrencyDecimalsReturnType = number;

export function currencyDecimals(code: CurrencyCode): CurrencyDecimalsReturnType {
  if (!isCurrencyCode(code)) throw new CurrencyError(String(code));
  return currencies[code];
}
