/**
 * How the portal writes amounts, dates and counts. Amounts arrive as decimal strings of minor units
 * and are formatted with @shanji/core's integer arithmetic: never through a floating-point number.
 * Dates are written in China Standard Time (Asia/Shanghai), whatever the reader's own time zone.
 */
import { formatAmount, isCurrencyCode } from "@shanji/core";
import type { Lang } from "../i18n/messages.ts";

/** "¥1,234.56" (zh-CN) or "CN¥1,234.56" (en); an unknown currency as "XYZ 123456 (minor units)". */
export function formatMoney(amount: string | bigint, currency: string, lang: Lang): string {
  const minor = typeof amount === "bigint" ? amount : BigInt(amount);
  if (!isCurrencyCode(currency)) return `${currency} ${minor}`;
  return formatAmount(minor, currency, { locale: lang === "zh" ? "zh-CN" : "en", symbol: true });
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();

function dateFormat(lang: Lang, withTime: boolean): Intl.DateTimeFormat {
  const key = `${lang}:${withTime}`;
  let format = dateFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(lang === "zh" ? "zh-CN" : "en-GB", {
      timeZone: "Asia/Shanghai",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      ...(withTime ? { hour: "2-digit", minute: "2-digit", hour12: false } : {}),
    });
    dateFormats.set(key, format);
  }
  return format;
}

/**
 * A time as a date in Beijing time: unix seconds (a decimal string, as leaves carry them) or an ISO
 * 8601 string (as the domain routes answer).
 */
export function formatDate(time: string | number | bigint, lang: Lang, withTime = false): string {
  const millis = typeof time === "string" && !/^\d+$/.test(time) ? Date.parse(time) : Number(time) * 1000;
  if (!Number.isFinite(millis) || millis <= 0) return "—";
  return dateFormat(lang, withTime).format(new Date(millis));
}

/** A day number (days since 1970-01-01, as serviceDate is stored) as a date. */
export function formatDay(day: number, lang: Lang): string {
  return formatDate(day * 86_400, lang);
}

/** A count (decimal string or bigint) with the locale's grouping; exact for any size. */
export function formatCount(value: string | bigint | number): string {
  const text = String(value);
  if (!/^-?\d+$/.test(text)) return text;
  return text.replace(/\B(?=(\d{3})+$)/g, ",");
}

/** Minutes as hours with one decimal, computed on integers: 95 → "1.6". */
export function formatHours(minutes: string | bigint | number): string {
  const m = BigInt(minutes);
  const tenths = (m * 10n + 30n) / 60n; // rounded to the nearest tenth
  return `${tenths / 10n}.${tenths % 10n}`;
}

/**
 * part/whole as a percentage with one decimal, rounded half up, by integer arithmetic:
 * (1, 3) → "33.3%". null when the whole is zero.
 */
export function formatPercent(part: string | bigint, whole: string | bigint): string | null {
  const p = BigInt(part);
  const w = BigInt(whole);
  if (w === 0n) return null;
  const tenths = (p * 2000n + w) / (2n * w);
  return `${tenths / 10n}.${tenths % 10n}%`;
}

/** part/whole in basis points (integer), for bars and comparisons. */
export function basisPoints(part: string | bigint, whole: string | bigint): number {
  const w = BigInt(whole);
  if (w === 0n) return 0;
  return Number((BigInt(part) * 10_000n) / w);
}

/** A long hex value shortened for reading: 0x1234…abcd (the full value stays in the title). */
export function shortHex(hex: string, keep = 6): string {
  return hex.length <= 2 + 2 * keep ? hex : `${hex.slice(0, 2 + keep)}…${hex.slice(-keep)}`;
}
