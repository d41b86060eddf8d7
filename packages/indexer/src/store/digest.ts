/**
 * A fingerprint of table contents: SHA-256 over every row of the given tables, in primary-key order,
 * with values written canonically. Tests use it to prove that rebuilding the database from the chain
 * gives byte-identical tables, and that PostgreSQL and PGlite hold the same data.
 *
 * Canonical form, one line per row after a header per table:
 *   table <name>\n  columns <a>,<b>,…\n  [v1,v2,…]\n …
 * where each value is JSON-like: bigint as bare decimal digits, bytes as "\x<hex>", JSON values
 * re-serialised with object keys sorted, timestamps as ISO 8601 strings, other values as JSON.
 * Volatile columns (when a migration ran, when a self-check failed and its serial id) are left out,
 * since they differ between two rebuilds with the same content.
 */
import { createHash } from "node:crypto";
import { StoreError } from "./errors.ts";
import type { Store } from "./types.ts";

export type DigestStoreParameters = {
  /** Tables to digest, in this order. Each must have a primary key. */
  tables: readonly string[];
  /** More columns to leave out, by table, besides the volatile ones always left out. */
  excludeColumns?: Readonly<Record<string, readonly string[]>> | undefined;
};
/** Lower-case hex SHA-256, 64 characters. */
export type DigestStoreReturnType = Promise<string>;

const VOLATILE_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  schema_migrations: ["applied_at"],
  self_check_failures: ["id", "at"],
};

export async function digestStore(store: Store, parameters: DigestStoreParameters): DigestStoreReturnType {
  const hash = createHash("sha256");
  for (const table of parameters.tables) {
    const excluded = new Set([...(VOLATILE_COLUMNS[table] ?? []), ...(parameters.excludeColumns?.[table] ?? [])]);
    const { columns, orderBy } = await describeTable(store, table);
    const included = columns.filter((column) => !excluded.has(column));
    hash.update(`table ${table}\ncolumns ${included.join(",")}\n`);
    const select = included.length === 0 ? "1" : included.map(quoteIdentifier).join(", ");
    // Rows as arrays, so that a column named like a JS property of objects cannot confuse anything.
    const rows = store.stream<Record<string, unknown>>(
      `select ${select} from ${quoteIdentifier(table)} order by ${orderBy}`,
      [],
      1_000,
    );
    for await (const row of rows) {
      hash.update(`[${included.map((column) => canonical(row[column])).join(",")}]\n`);
    }
  }
  return hash.digest("hex");
}

async function describeTable(store: Store, table: string): Promise<{ columns: string[]; orderBy: string }> {
  const columns = await store.query<{ column_name: string }>(
    `select column_name from information_schema.columns
      where table_schema = current_schema() and table_name = $1 order by ordinal_position`,
    [table],
  );
  if (columns.length === 0) throw new StoreError(`cannot digest table ${table}: no such table`);
  const key = await store.query<{ column_name: string; data_type: string }>(
    `select k.column_name, c.data_type
       from information_schema.table_constraints t
       join information_schema.key_column_usage k
         on k.constraint_schema = t.constraint_schema and k.constraint_name = t.constraint_name
       join information_schema.columns c
         on c.table_schema = k.table_schema and c.table_name = k.table_name and c.column_name = k.column_name
      where t.table_schema = current_schema() and t.table_name = $1 and t.constraint_type = 'PRIMARY KEY'
      order by k.ordinal_position`,
    [table],
  );
  if (key.length === 0)
    throw new StoreError(`cannot digest table ${table}: it has no primary key to order its rows by`);
  // Text sorts by the database's collation, which PostgreSQL and PGlite need not share; "C" sorts by bytes.
  const orderBy = key
    .map(({ column_name, data_type }) =>
      /^(text|character varying|character)$/.test(data_type)
        ? `${quoteIdentifier(column_name)} collate "C"`
        : quoteIdentifier(column_name),
    )
    .join(", ");
  return { columns: columns.map((column) => column.column_name), orderBy };
}

function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function canonical(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Uint8Array)
    return `"\\\\x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("hex")}"`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, entry]) => `${JSON.stringify(key)}:${canonical(entry)}`).join(",")}}`;
  }
  if (typeof value === "number" && !Number.isFinite(value)) return JSON.stringify(String(value));
  return JSON.stringify(value);
}
