/**
 * The store over a PostgreSQL server, through a small `pg` connection pool. `createStore` wraps it
 * with migrations; tests use it directly to reach a database before migrating.
 *
 * Type parsing is set on this pool only (never `pg.types.setTypeParser`, which would change every
 * `pg` user in the process) so that values come back as PGlite gives them; see `types.ts`.
 */

import type { CustomTypesConfig, PoolClient, QueryConfig } from "pg";
import pg from "pg";
import { createStoreGuard } from "./createStoreGuard.ts";
import { cursorStatements } from "./cursorStatements.ts";
import { normalizeParams } from "./normalizeParams.ts";
import type { Queryable, Row, Store, StoreLogger } from "./types.ts";

export type CreatePostgresStoreParameters = {
  /** `postgres://user:password@host:port/database` */
  databaseUrl: string;
  logger?: StoreLogger | undefined;
  /** Pool size. Four is plenty for one indexer (one writer, a stream, a few reads). */
  maxConnections?: number | undefined;
};
export type CreatePostgresStoreReturnType = Store;

const DEFAULT_PAGE_SIZE = 1_000;

export function createPostgresStore(parameters: CreatePostgresStoreParameters): CreatePostgresStoreReturnType {
  const { databaseUrl, logger, maxConnections = 4 } = parameters;
  const pool = new pg.Pool({ connectionString: databaseUrl, max: maxConnections, types: postgresTypes });
  // An idle connection that dies (server restart) is reported here; unhandled, it would crash the process.
  pool.on("error", (error) => logger?.warn("an idle PostgreSQL connection failed", { error: error.message }));
  const guard = createStoreGuard();
  let cursorCount = 0;

  return {
    dialect: "postgres",

    async query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]> {
      guard.assertUsable("query");
      const result = await pool.query<T>(extended(sql, params));
      return result.rows;
    },

    async exec(sql) {
      guard.assertUsable("exec");
      await pool.query(sql);
    },

    async transaction(fn) {
      guard.assertUsable("transaction");
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query("begin");
        try {
          const result = await guard.inTransaction((scope) => fn(transactionQueryable(client, guard, scope)));
          await client.query("commit");
          return result;
        } catch (error) {
          await client.query("rollback").catch((rollbackError: Error) => {
            broken = rollbackError;
          });
          throw error;
        }
      } finally {
        // A connection whose ROLLBACK failed is in an unknown state: destroy it rather than reuse it.
        client.release(broken);
      }
    },

    // A server-side cursor in a read-only REPEATABLE READ transaction on a connection of its own:
    // one snapshot for the whole export, `pageSize` rows in memory at a time, and no OFFSET rescans.
    // The connection stays checked out until the loop ends, so at most `maxConnections` streams run at once.
    async *stream<T extends Row = Row>(
      sql: string,
      params: readonly unknown[],
      pageSize = DEFAULT_PAGE_SIZE,
    ): AsyncGenerator<T> {
      guard.assertUsable("stream");
      const cursor = cursorStatements({ name: `shanji_stream_${++cursorCount}`, sql, pageSize, withHold: false });
      const client = await pool.connect();
      let finished = false;
      let broken: Error | undefined;
      try {
        await client.query("begin isolation level repeatable read read only");
        await client.query(extended(cursor.declare, params));
        for (;;) {
          const { rows } = await client.query<T>(cursor.fetch);
          yield* rows;
          if (rows.length < pageSize) break;
        }
        await client.query("commit");
        finished = true;
      } finally {
        // Reached on error and when the consumer breaks out of its loop.
        if (!finished) {
          await client.query("rollback").catch((rollbackError: Error) => {
            broken = rollbackError;
          });
        }
        client.release(broken);
      }
    },

    async close() {
      guard.markClosed();
      if (!pool.ended) await pool.end();
    },
  };
}

function transactionQueryable(
  client: PoolClient,
  guard: ReturnType<typeof createStoreGuard>,
  scope: { readonly isOpen: boolean },
): Queryable {
  return {
    async query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]> {
      guard.assertOpen(scope, "query");
      const result = await client.query<T>(extended(sql, params));
      return result.rows;
    },
    async exec(sql) {
      guard.assertOpen(scope, "exec");
      await client.query(sql);
    },
  };
}

/**
 * Always the extended protocol, as PGlite's `query` uses: one statement per call, even without
 * parameters (`pg` would otherwise send a parameterless query as a simple-protocol script).
 */
function extended(sql: string, params: readonly unknown[] | undefined): QueryConfig {
  const config: QueryConfig & { queryMode: "extended" } = {
    text: sql,
    values: normalizeParams(params),
    queryMode: "extended",
  };
  return config;
}

// --- type parsers: the same JavaScript values as PGlite -------------------------------------------

const OID = {
  bytea: 17,
  int8: 20,
  numeric: 1700,
  byteaArray: 1001,
  textArray: 1009,
  int8Array: 1016,
  numericArray: 1231,
} as const;

// @types/pg types the oid as pg-types' enum of builtins, which lacks most array types.
const defaultParser = pg.types.getTypeParser as (oid: number, format?: "text" | "binary") => (text: string) => unknown;

const identity = (text: string): string => text;
const parseInt8 = (text: string): bigint => BigInt(text);
const parseByteaAsBuffer = defaultParser(OID.bytea) as (text: string) => Buffer;
// A plain Uint8Array (a copy), not pg's Buffer: a Buffer is a Uint8Array too, but compares and serialises differently.
const parseBytea = (text: string): Uint8Array => new Uint8Array(parseByteaAsBuffer(text));

// pg's text[] parser splits any array literal into (nested) arrays of strings and nulls; the
// element parser then maps each string.
type NestedStrings = (string | null | NestedStrings)[];
const parseTextArray = defaultParser(OID.textArray) as (text: string) => NestedStrings;
const arrayOf =
  <T>(parseElement: (text: string) => T) =>
  (text: string): unknown[] => {
    const map = (list: NestedStrings): unknown[] =>
      list.map((item) => (item === null ? null : Array.isArray(item) ? map(item) : parseElement(item)));
    return map(parseTextArray(text));
  };

const textParsers = new Map<number, (text: string) => unknown>([
  [OID.int8, parseInt8],
  [OID.numeric, identity],
  [OID.bytea, parseBytea],
  [OID.int8Array, arrayOf(parseInt8)],
  [OID.numericArray, arrayOf(identity)],
  [OID.byteaArray, arrayOf(parseBytea)],
]);

const postgresTypes: CustomTypesConfig = {
  getTypeParser: ((oid: number, format: "text" | "binary" = "text") =>
    (format === "text" ? textParsers.get(oid) : undefined) ??
    defaultParser(oid, format)) as CustomTypesConfig["getTypeParser"],
};
