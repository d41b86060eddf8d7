/**
 * An amount in minor units as people read it: 123456n CNY → "1,234.56", with
 * `symbol: true` "¥1,234.56", a negative amount "-¥1,234.56". Deterministic (no Intl,
 * whose output changes with the ICU version), and without `symbol` its output is
 * exactly what `parseAmount` reads back.
 *
 * The locale only picks the symbol, following CLDR: "zh-CN" (the default) writes CNY
 * as "¥" and USD as "US$"; "en" writes CNY as "CN¥" and USD as "$". Currencies
 * without a well-known symbol are written with their code and a no-break space:
 * "KWD 1.500".
 */
import type { CurrencyCode } from "./currencies.ts";
import { toDecimalString } from "./toDecimalString.ts";

export type FormatAmountOptions = {
  /** Which conventions to follow for symbols. Default "zh-CN". */
  locale?: "zh-CN" | "en";
  /** Separate thousands with ",". Default true. */
  grouping?: boolean;
  /** Prefix the currency symbol (or code). Default false. */
  symbol?: boolean;
};

export type FormatAmountParameters = Parameters<typeof formatAmount>;
export type FormatAmountReturnType = string;

const NO_BREAK_SPACE = "\u00a0";

// Symbols from CLDR for the two locales; anything missing is written as its code.
const SYMBOLS: Readonly<Record<"zh-CN" | "en", Partial<Record<CurrencyCode, string>>>> = {
  "zh-CN": {
    CNY: "¥",
    HKD: "HK$",
    TWD: "NT$",
    USD: "US$",
    EUR: "€",
    GBP: "£",
    JPY: "JP¥",
    KRW: "₩",
    VND: "₫",
    AUD: "AU$",
    CAD: "CA$",
    INR: "₹",
  },
  en: {
    CNY: "CN¥",
    HKD: "HK$",
    TWD: "NT$",
    USD: "$",
    EUR: "€",
    GBP: "£",
    JPY: "¥",
    KRW: "₩",
    VND: "₫",
    AUD: "A$",
    CAD: "CA$",
    INR: "₹",
    PHP: "₱",
  },
};

export function formatAmount(
  minor: bigint,
  currency: CurrencyCode,
  options: FormatAmountOptions = {},
): FormatAmountReturnType {
  const { locale = "zh-CN", grouping = true, symbol = false } = options;
  const plain = toDecimalString(minor, currency);
  const negative = plain.startsWith("-");
  const unsigned = negative ? plain.slice(1) : plain;
  const point = unsigned.indexOf(".");
  const units = point === -1 ? unsigned : unsigned.slice(0, point);
  const fraction = point === -1 ? "" : unsigned.slice(point);
  const groupedUnits = grouping ? units.replace(/\B(?=(\d{3})+$)/g, ",") : units;
  const prefix = symbol ? (SYMBOLS[locale]?.[currency] ?? `${currency}${NO_BREAK_SPACE}`) : "";
  return `${negative ? "-" : ""}${prefix}${groupedUnits}${fraction}`;
}
