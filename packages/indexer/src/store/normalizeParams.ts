/**
 * Query parameters as both drivers should see them. The one conversion: a plain object becomes JSON
 * text, with every bigint inside it written as its decimal string. PGlite does that on its own;
 * `pg` would throw on the bigint, so without this the same write would succeed on one backend only.
 */

export type NormalizeParamsParameters = readonly unknown[] | undefined;
export type NormalizeParamsReturnType = unknown[];

export function normalizeParams(params: NormalizeParamsParameters): NormalizeParamsReturnType {
  if (params === undefined) return [];
  return params.map((value) => (isPlainObject(value) ? JSON.stringify(value, bigintAsString) : value));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function bigintAsString(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}
