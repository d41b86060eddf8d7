/**
 * The store over PGlite (PostgreSQL compiled to WebAssembly, in this process): the embedded default
 * that needs no server. Persisted in `dataDir`, or in memory when there is none. `createStore` wraps
 * it with migrations; tests use it directly to reach a database before migrating. A folder is open
 * in one store at a time, across processes too (lockDataDir.ts).
 *
 * PGlite has one connection and serialises everything on it: a transaction holds it until commit,
 * and other queries wait their turn, so "nothing is visible to others until commit" holds trivially.
 */
import { mkdir } from "node:fs/promises";
import { PGlite, type PGliteOptions, type QueryOptions, type Transaction } from "@electric-sql/pglite";
import { createStoreGuard } from "./createStoreGuard.ts";
import { cursorStatements } from "./cursorStatements.ts";
import { lockDataDir } from "./lockDataDir.ts";
import { normalizeParams } from "./normalizeParams.ts";
import type { Queryable, Row, Store } from "./types.ts";

export type CreatePgliteStoreParameters = {
  /** Folder holding the database; created if missing. In memory when undefined. */
  dataDir?: string | undefined;
  /**
   * A tarball from `PGlite.dumpDataDir()` to start from instead of running initdb. Tests use it:
   * initdb takes PGlite 0.5 about a second, loading a tarball a quarter of that.
   */
  loadDataDir?: Blob | undefined;
};
export type CreatePgliteStoreReturnType = Promise<Store>;

const DEFAULT_PAGE_SIZE = 1_000;

const OID = { bytea: 17, int8: 20, text: 25 } as const;

/**
 * Options for every query with parameters: bytea and text parameters go to PGlite as bytes, which
 * it sends in the binary format (for these two types, the bytes themselves). Its own serializers
 * spell each byte of a bytea out in hex with a JavaScript call per byte, and count a string's UTF-8
 * length in a JavaScript loop over its characters, twice, before encoding it. For a batch's leaves
 * (about 2 MB) and records (about 3 MB of JSON), that took more than half of a backfill's time.
 * Given per query rather than as the database's serializers, which PGlite also uses for the
 * elements of arrays (bytea[], text[]): those have to be text.
 */
const QUERY_OPTIONS: QueryOptions = { serializers: { [OID.bytea]: bytesAsTheyAre, [OID.text]: textAsUtf8 } };

export async function createPgliteStore(parameters: CreatePgliteStoreParameters = {}): CreatePgliteStoreReturnType {
  const { dataDir, loadDataDir } = parameters;
  let unlock: (() => Promise<void>) | undefined;
  if (dataDir !== undefined) {
    await mkdir(dataDir, { recursive: true });
    unlock = await lockDataDir(dataDir);
  }
  const options: PGliteOptions = {
    // int8 as bigint always; PGlite's default gives a number when the value fits, a bigint otherwise.
    // PGlite derives its array parsers from these, so int8[] follows.
    parsers: { [OID.int8]: (text: string) => BigInt(text), [OID.bytea]: bytesFromHex },
    ...(dataDir === undefined ? {} : { dataDir }),
    ...(loadDataDir === undefined ? {} : { loadDataDir }),
  };
  let db: PGlite;
  try {
    db = await PGlite.create(options);
  } catch (error) {
    await unlock?.();
    throw error;
  }
  const guard = createStoreGuard();
  let cursorCount = 0;

  return {
    dialect: "pglite",

    async query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]> {
      guard.assertUsable("query");
      const result = await db.query<T>(sql, normalizeParams(params), QUERY_OPTIONS);
      return result.rows;
    },

    async exec(sql) {
      guard.assertUsable("exec");
      await db.exec(sql);
    },

    async transaction(fn) {
      guard.assertUsable("transaction");
      return await guard.inTransaction((scope) => db.transaction((tx) => fn(transactionQueryable(tx, guard, scope))));
    },

    // A WITH HOLD cursor: PostgreSQL materialises the result when the DECLARE commits (spilling to
    // temporary files past work_mem), and each page is then one FETCH. Unlike a cursor inside an open
    // transaction, it does not hold PGlite's only connection between pages, so the loop body may use
    // the store; the rows are still one snapshot.
    async *stream<T extends Row = Row>(
      sql: string,
      params: readonly unknown[],
      pageSize = DEFAULT_PAGE_SIZE,
    ): AsyncGenerator<T> {
      guard.assertUsable("stream");
      const cursor = cursorStatements({ name: `shanji_stream_${++cursorCount}`, sql, pageSize, withHold: true });
      await db.query(cursor.declare, normalizeParams(params), QUERY_OPTIONS);
      try {
        for (;;) {
          guard.assertUsable("stream");
          const { rows } = await db.query<T>(cursor.fetch);
          yield* rows;
          if (rows.length < pageSize) break;
        }
      } finally {
        // Reached on error and when the consumer breaks out of its loop; after close() there is nothing to free.
        if (!db.closed) await db.query(cursor.close);
      }
    },

    async close() {
      guard.markClosed();
      if (!db.closed) await db.close();
      await unlock?.();
      unlock = undefined;
    },
  };
}

/**
 * A bytea parameter as it is (see QUERY_OPTIONS). The declared type says a serializer returns a
 * string, but PGlite's bind message takes any ArrayBuffer view as a binary parameter.
 */
function bytesAsTheyAre(value: unknown): string {
  if (!(value instanceof Uint8Array)) throw new TypeError("Invalid input for bytea type: expected a Uint8Array");
  return value as unknown as string;
}

/**
 * A text parameter as its UTF-8 bytes (see QUERY_OPTIONS), from what PGlite's own serializer would
 * write; given as bytes already (a Uint8Array), as they are, as `pg` sends them to PostgreSQL.
 */
function textAsUtf8(value: unknown): string {
  if (value instanceof Uint8Array) return value as unknown as string;
  const text = value instanceof Date ? value.toISOString() : String(value);
  return Buffer.from(text, "utf8") as unknown as string;
}

/** A bytea column's text form (`\x` and hex) as bytes, decoded natively rather than a byte at a time as PGlite does. */
function bytesFromHex(text: string): Uint8Array {
  // Copied out of the Buffer, which for small values is a slice of a shared pool.
  return new Uint8Array(Buffer.from(text.slice(2), "hex"));
}

function transactionQueryable(
  tx: Transaction,
  guard: ReturnType<typeof createStoreGuard>,
  scope: { readonly isOpen: boolean },
): Queryable {
  return {
    async query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]> {
      guard.assertOpen(scope, "query");
      const result = await tx.query<T>(sql, normalizeParams(params), QUERY_OPTIONS);
      return result.rows;
    },
    async exec(sql) {
      guard.assertOpen(scope, "exec");
      await tx.exec(sql);
    },
  };
}
