import { describe, expect, test } from "vitest";
import { CoreError, CurrencyError } from "../errors.ts";
import type { CurrencyCode } from "./currencies.ts";
import { toDecimalString } from "./toDecimalString.ts";

describe("toDecimalString", () => {
  test.each([
    [123456n, "CNY", "1234.56"],
    [123450n, "CNY", "1234.50"],
    [5n, "CNY", "0.05"],
    [0n, "CNY", "0.00"],
    [1000n, "JPY", "1000"],
    [0n, "JPY", "0"],
    [1500n, "KWD", "1.500"],
    [7n, "CLF", "0.0007"],
    [-250n, "CNY", "-2.50"],
    [-1n, "KWD", "-0.001"],
    [10n ** 30n + 1n, "CNY", "10000000000000000000000000000.01"],
  ] as const)("behavior: %s minor units of %s are %j", (minor, currency, text) => {
    expect(toDecimalString(minor, currency)).toBe(text);
  });

  test("error: rejects an unknown currency", () => {
    expect(() => toDecimalString(1n, "XXX" as CurrencyCode)).toThrow(CurrencyError);
  });

  test.each([1234.56, 100, "100"])("error: rejects %j, which is not a bigint", (minor) => {
    expect(() => toDecimalString(minor as unknown as bigint, "CNY")).toThrow(CoreError);
  });
});
