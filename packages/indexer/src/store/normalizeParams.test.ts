import { describe, expect, test } from "vitest";
import { normalizeParams } from "./normalizeParams.ts";

describe("normalizeParams", () => {
  test("behavior: a plain object becomes JSON text, with bigints as decimal strings", () => {
    expect(normalizeParams([{ amount: 2n ** 64n, nested: { list: [1n, "x", null] } }])).toStrictEqual([
      '{"amount":"18446744073709551616","nested":{"list":["1","x",null]}}',
    ]);
    expect(normalizeParams([Object.assign(Object.create(null), { a: 1 })])).toStrictEqual(['{"a":1}']);
  });

  test("behavior: every other value passes through unchanged", () => {
    const bytes = new Uint8Array([1]);
    const date = new Date(0);
    const list = [1n, 2n];
    const params = [1n, 1, "x", true, null, bytes, date, list, undefined];
    const normalized = normalizeParams(params);
    expect(normalized).toStrictEqual(params);
    expect(normalized[5]).toBe(bytes);
    expect(normalized[7]).toBe(list);
  });

  test("args: no parameters", () => {
    expect(normalizeParams(undefined)).toStrictEqual([]);
  });
});
