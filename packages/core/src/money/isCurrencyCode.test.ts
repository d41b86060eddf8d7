import { describe, expect, test } from "vitest";
import { isCurrencyCode } from "./isCurrencyCode.ts";

describe("isCurrencyCode", () => {
  test.each(["CNY", "HKD", "JPY", "KWD", "CLF"])("behavior: knows %s", (code) => {
    expect(isCurrencyCode(code)).toBe(true);
  });

  test.each(["cny", "RMB", "XYZ", "", " CNY", "constructor", "hasOwnProperty", "__proto__"])(
    "behavior: does not know %j",
    (code) => {
      expect(isCurrencyCode(code)).toBe(false);
    },
  );

  test.each([null, undefined, 156, {}, ["CNY"]])("args: answers false for %j", (value) => {
    expect(isCurrencyCode(value)).toBe(false);
  });
});
