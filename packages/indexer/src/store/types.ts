/**
 * The indexer's view of its database: one small interface over PostgreSQL (`pg`) and PGlite, so
 * that the sync engine, the views and the API run the same SQL on both.
 *
 * SQL is PostgreSQL's dialect with `$1` placeholders. Values come back as the same JavaScript
 * types from both backends:
 *
 * | column type                     | JavaScript                                      |
 * |---------------------------------|-------------------------------------------------|
 * | bigint, bigserial (int8)        | `bigint` (also `count(*)`, `sum(int)`)          |
 * | smallint, integer               | `number`                                        |
 * | numeric                         | `string`, exact decimal as PostgreSQL prints it |
 * | bytea                           | `Uint8Array` (never a Node `Buffer`)            |
 * | jsonb, json                     | parsed JSON                                     |
 * | text, varchar                   | `string`                                        |
 * | boolean                         | `boolean`                                       |
 * | timestamptz                     | `Date` (millisecond precision)                  |
 * | arrays of the above             | arrays of the mapped type                       |
 *
 * Parameters: `bigint`, `number`, `string`, `boolean`, `Uint8Array`, `Date`, `null`, JS arrays (sent
 * as PostgreSQL arrays, for `= any($1)`), and plain objects (sent as JSON text). A `Uint8Array` is
 * sent in the binary format: for a bytea, its bytes; for a text parameter, the text it encodes as
 * UTF-8 (bytes that are not UTF-8 are refused by the database). JSON cannot hold a bigint, so
 * inside a plain-object parameter every bigint is written as its decimal string, and reads
 * give that string back: a writer that puts amounts or indexes into a `jsonb` column gets them back as
 * strings and converts them with `BigInt()`. Numbers in JSON beyond 2^53 lose precision when read, on
 * both backends, which is why we never store them as JSON numbers. A JSON array parameter must be
 * passed as a string (`JSON.stringify(list)`), because a JS array means a PostgreSQL array.
 */

export type Row = Record<string, unknown>;

export interface Queryable {
  /** Runs one statement (extended protocol, `$1` placeholders) and returns its rows. */
  query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs a script of one or more statements without parameters (simple protocol), such as a migration. */
  exec(sql: string): Promise<void>;
}

export interface Store extends Queryable {
  readonly dialect: "postgres" | "pglite";
  /**
   * Runs fn in one transaction (BEGIN … COMMIT, ROLLBACK on throw); nothing is visible to others until
   * commit. Use only `tx` inside fn: calling the store itself there throws a `StoreError` (on PGlite,
   * which has a single connection, it would otherwise wait for the transaction forever).
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Rows of a query streamed in pages (for exports and digests) without holding them all in memory.
   * All rows come from one snapshot taken when iteration starts. Give the query an ORDER BY if the
   * order matters. Breaking out of the loop releases the cursor.
   */
  stream<T extends Row = Row>(sql: string, params: readonly unknown[], pageSize?: number): AsyncIterable<T>;
  close(): Promise<void>;
}

/** What the store logs: migrations applied, connections lost. `console` fits. */
export type StoreLogger = {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
};
