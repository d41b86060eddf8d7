/**
 * Opaque pagination cursors: base64url of a small JSON value (usually the last key of the page).
 * Keyset pagination on immutable keys (entry indexes, ids) keeps pages stable while entries arrive.
 */
import { badRequest } from "./problem.ts";

export function encodeCursor(value: unknown): string {
  return Buffer.from(JSON.stringify(value), "utf8").toString("base64url");
}

/** Decodes a cursor that `check` accepts, else answers 400 naming `querystring.cursor`. */
export function decodeCursor<T>(cursor: string | undefined, check: (value: unknown) => value is T): T | undefined {
  if (cursor === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw badRequest("querystring.cursor", "is not a cursor this API gave out");
  }
  if (!check(value)) throw badRequest("querystring.cursor", "is not a cursor this API gave out");
  return value;
}

/** A cursor holding one decimal string: the last index or id of the previous page. */
export const isDecimalString = (value: unknown): value is string =>
  typeof value === "string" && /^(0|[1-9][0-9]{0,19})$/.test(value);
