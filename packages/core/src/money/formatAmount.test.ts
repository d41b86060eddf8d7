import { describe, expect, test } from "vitest";
import { CurrencyError } from "../errors.ts";
import type { CurrencyCode } from "./currencies.ts";
import { formatAmount } from "./formatAmount.ts";

describe("formatAmount", () => {
  test.each([
    [123456n, "CNY", "1,234.56"],
    [5n, "CNY", "0.05"],
    [100n, "CNY", "1.00"],
    [123456789012n, "CNY", "1,234,567,890.12"],
    [100000n, "CNY", "1,000.00"],
    [99999n, "CNY", "999.99"],
    [1234567n, "JPY", "1,234,567"],
    [1234n, "KWD", "1.234"],
    [12345678n, "CLF", "1,234.5678"],
    [-123456n, "CNY", "-1,234.56"],
  ] as const)("behavior: formats %s minor units of %s as %j", (minor, currency, text) => {
    expect(formatAmount(minor, currency)).toBe(text);
  });

  test("args: grouping false leaves out the thousands separators", () => {
    expect(formatAmount(123456789n, "CNY", { grouping: false })).toBe("1234567.89");
  });

  test.each([
    [123456n, "CNY", "zh-CN", "¥1,234.56"],
    [-123456n, "CNY", "zh-CN", "-¥1,234.56"],
    [123456n, "CNY", "en", "CN¥1,234.56"],
    [123456n, "USD", "zh-CN", "US$1,234.56"],
    [123456n, "USD", "en", "$1,234.56"],
    [123456n, "HKD", "en", "HK$1,234.56"],
    [1234n, "JPY", "zh-CN", "JP¥1,234"],
    [1234n, "JPY", "en", "¥1,234"],
    [1500n, "KWD", "en", "KWD\u00a01.500"],
    [-1500n, "MOP", "zh-CN", "-MOP\u00a015.00"],
  ] as const)("args: with a symbol, %s %s in %s is %j", (minor, currency, locale, text) => {
    expect(formatAmount(minor, currency, { symbol: true, locale })).toBe(text);
  });

  test("args: the default locale is zh-CN", () => {
    expect(formatAmount(123456n, "CNY", { symbol: true })).toBe("¥1,234.56");
  });

  test("error: rejects an unknown currency", () => {
    expect(() => formatAmount(1n, "ABC" as CurrencyCode)).toThrow(CurrencyError);
  });
});
