import { describe, expect, test } from "vitest";
import { CoreError, CurrencyError } from "../errors.ts";
import type { CurrencyCode } from "./currencies.ts";
import { currencyDecimals } from "./currencyDecimals.ts";

describe("currencyDecimals", () => {
  test.each([
    ["CNY", 2],
    ["HKD", 2],
    ["MOP", 2],
    ["TWD", 2],
    ["USD", 2],
    ["EUR", 2],
    ["GBP", 2],
    ["JPY", 0],
    ["KRW", 0],
    ["VND", 0],
    ["IDR", 2],
    ["KWD", 3],
    ["BHD", 3],
    ["JOD", 3],
    ["OMR", 3],
    ["TND", 3],
    ["CLF", 4],
  ] as const)("behavior: %s has %i decimals", (code, decimals) => {
    expect(currencyDecimals(code)).toBe(decimals);
  });

  test.each(["XYZ", "cny", "", "CNY ", "toString", "__proto__"])("error: rejects unknown code %j", (code) => {
    expect(() => currencyDecimals(code as CurrencyCode)).toThrow(CurrencyError);
  });

  test("error: the error names the code and is a CoreError", () => {
    const error = (() => {
      try {
        currencyDecimals("RMB" as CurrencyCode);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(CoreError);
    expect(error).toMatchObject({
      name: "CurrencyError",
      currency: "RMB",
      shortMessage: 'Unknown currency code "RMB".',
    });
  });
});
