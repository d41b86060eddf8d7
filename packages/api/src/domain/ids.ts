/** Ids in paths and queries: u64 on chain, stored as PostgreSQL bigint (signed). */
import { badRequest } from "../problem.ts";

const MAX_BIGINT = 9_223_372_036_854_775_807n;

/** A decimal id the schema already checked; above the database's range it names no record. */
export function parseId(value: string, field: string): bigint {
  const id = BigInt(value);
  if (id > MAX_BIGINT) throw badRequest(field, "is larger than any id the ledger can hold");
  return id;
}

/** The pattern of an id in schemas: a decimal without leading zeros. */
export const ID_PATTERN = "^(0|[1-9][0-9]{0,19})$";
