import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hexToBytes } from "viem";
import { afterAll, describe, expect, test } from "vitest";
import { describeEachBackend, freshPostgresDatabase, postgresUrl } from "./_test/testDatabase.ts";
import { createStore } from "./createStore.ts";
import { digestStore } from "./digest.ts";
import { StoreError } from "./errors.ts";
import { loadMigrations } from "./migrations/loadMigrations.ts";
import type { Queryable, Store } from "./types.ts";

const migrations = await loadMigrations();
const codeVersion = migrations.length;
const appliedMigrations = migrations.map(({ version, name }) => ({ version, name }));

// One row of every column type the schema uses, at the edges of each type's range.
const entry = {
  idx: 9_223_372_036_854_775_807n, // int8 max: beyond what a JS number holds exactly
  block_number: 0n,
  tx_hash: hexToBytes(`0x${"ab".repeat(32)}`),
  log_index: 2_147_483_647,
  kind: 32_767,
  actor_org: 1n,
  ts: 1_700_000_000n,
  leaf: new Uint8Array([0x00, 0xff, 0x00, 0x7f]),
  leaf_hash: new Uint8Array(32),
  record: { amount: "123456789012345678901234567890", memo: "善迹 ✓", nested: { z: [true, null, 1.5], a: "" } },
};

async function insertEntry(db: Queryable, row: typeof entry): Promise<void> {
  await db.query(
    `insert into entries (idx, block_number, tx_hash, log_index, kind, actor_org, ts, leaf, leaf_hash, record)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      row.idx,
      row.block_number,
      row.tx_hash,
      row.log_index,
      row.kind,
      row.actor_org,
      row.ts,
      row.leaf,
      row.leaf_hash,
      row.record,
    ],
  );
}

async function insertNumbers(store: Store, count: number): Promise<void> {
  await store.query(
    `insert into tree_nodes (level, pos, hash) select 0, g, '\\x00'::bytea from generate_series(0, $1::int - 1) g`,
    [count],
  );
}

/** A promise and the function that resolves it. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

describeEachBackend("createStore", (backend) => {
  test("behavior: values come back as the documented JavaScript types", async () => {
    const store = await backend.freshStore();
    await insertEntry(store, entry);
    expect(await store.query("select * from entries")).toStrictEqual([entry]);

    const [values] = await store.query(
      `select count(*) as count, 1.50::numeric as numeric, null::bigint as nothing, true as yes, 'x'::text as text,
              array[1, -9223372036854775808]::int8[] as int8s, array['\\x01', null]::bytea[] as byteas,
              array[1.5, 2]::numeric[] as numerics, '[1, "2"]'::jsonb as json_array, 7::int2 as small,
              $1::bytea as bytes_param, $2::int8 as bigint_param`,
      [new Uint8Array([1, 2]), -5n],
    );
    expect(values).toStrictEqual({
      count: 1n,
      numeric: "1.50",
      nothing: null,
      yes: true,
      text: "x",
      int8s: [1n, -9_223_372_036_854_775_808n],
      byteas: [new Uint8Array([1]), null],
      numerics: ["1.5", "2"],
      json_array: [1, "2"],
      small: 7,
      bytes_param: new Uint8Array([1, 2]),
      bigint_param: -5n,
    });

    await store.query(
      `insert into self_check_failures (from_block, to_block, expected_root, computed_root, message)
       values (1, 2, '\\x01', '\\x02', 'root mismatch')`,
    );
    const [failure] = await store.query<{ id: unknown; at: unknown }>("select id, at from self_check_failures");
    expect(failure?.id).toBe(1n);
    expect(failure?.at).toBeInstanceOf(Date);
  });

  test("behavior: bytes and text parameters arrive as given, alone, in arrays and in a transaction", async () => {
    // PGlite's store passes bytea and text parameters to it as bytes (createPgliteStore.ts); arrays
    // of them still go as text. Every byte value, a batch-sized value, and text past ASCII.
    const store = await backend.freshStore();
    const everyByte = Uint8Array.from({ length: 256 }, (_, i) => i);
    const large = Uint8Array.from({ length: 3 * 1024 * 1024 + 1 }, (_, i) => (i * 7919) % 251);
    const texts = ["", "善迹 ✓ 😀", 'a "quoted" \\ back\\slash', "\x1e{}\x1e", "x".repeat(1_000_000)];
    const sql = `select $1::bytea as every_byte, $2::bytea as large, $3::bytea as empty, $4::text as a, $5::text as b,
                        $6::text as c, $7::text as d, $8::text as e, $9::text[] as texts, $10::bytea[] as byteas,
                        length($2::bytea) as large_length`;
    const params = [everyByte, large, new Uint8Array(), ...texts, texts, [everyByte, new Uint8Array([0])]];
    const expected = {
      every_byte: everyByte,
      large,
      empty: new Uint8Array(),
      a: texts[0],
      b: texts[1],
      c: texts[2],
      d: texts[3],
      e: texts[4],
      texts,
      byteas: [everyByte, new Uint8Array([0])],
      large_length: large.length,
    };
    expect(await store.query(sql, params)).toStrictEqual([expected]);
    expect(await store.transaction((tx) => tx.query(sql, params))).toStrictEqual([expected]);
  });

  test("behavior: bytes given for a text parameter are the text they encode as UTF-8; bytes that are not UTF-8 are refused", async () => {
    // How the indexer sends a batch's records (prepareBatch.ts): one text parameter given as bytes,
    // its type inferred from where it is used, as in writeBatch's string_to_array.
    const store = await backend.freshStore();
    const texts = ["善迹 ✓ 😀", '{"a":"\\u001e"}', "x".repeat(100_000)];
    const utf8 = Buffer.from(texts.join("\x1e"), "utf8");
    const sql = "select string_to_array($1, $2) as parts, $3::text as one";
    const params = [utf8, "\x1e", new Uint8Array(Buffer.from("ü", "utf8"))];
    const expected = [{ parts: texts, one: "ü" }];
    expect(await store.query(sql, params)).toStrictEqual(expected);
    expect(await store.transaction((tx) => tx.query(sql, params))).toStrictEqual(expected);
    await expect(store.query("select $1::text as t", [new Uint8Array([0x61, 0xff])])).rejects.toThrow(
      /invalid byte sequence for encoding "UTF8"/,
    );
  });

  test("behavior: a bigint inside a JSON parameter is stored as its decimal string", async () => {
    const store = await backend.freshStore();
    await insertEntry(store, { ...entry, record: { amount: 2n ** 70n, list: [1n] } as never });
    const [row] = await store.query("select record from entries");
    expect(row?.record).toStrictEqual({ amount: "1180591620717411303424", list: ["1"] });
  });

  test("behavior: a transaction commits what its callback wrote and returns its result", async () => {
    const store = await backend.freshStore();
    const result = await store.transaction(async (tx) => {
      await insertEntry(tx, entry);
      return (await tx.query<{ n: bigint }>("select count(*) as n from entries"))[0]?.n;
    });
    expect(result).toBe(1n);
    expect(await store.query("select idx from entries")).toStrictEqual([{ idx: entry.idx }]);
  });

  test("behavior: a transaction whose callback throws is rolled back and the error passes through", async () => {
    const store = await backend.freshStore();
    const failure = new Error("stop");
    await expect(
      store.transaction(async (tx) => {
        await insertEntry(tx, entry);
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await store.query("select * from entries")).toStrictEqual([]);
  });

  test("behavior: a transaction's rows are visible to others only after commit", async () => {
    const store = await backend.freshStore();
    const written = deferred();
    const release = deferred();
    let committed = false;
    const transaction = store.transaction(async (tx) => {
      await insertEntry(tx, entry);
      written.resolve();
      await release.promise;
      committed = true;
    });
    await written.promise;
    // PostgreSQL answers at once from another connection; PGlite's single connection answers after the commit.
    const outside = store.query("select idx from entries").then((rows) => ({ rows, afterCommit: committed }));
    setTimeout(release.resolve, 50);
    const seen = await outside;
    await transaction;
    expect(seen.rows.length === 0 || seen.afterCommit).toBe(true);
    expect(await store.query("select idx from entries")).toStrictEqual([{ idx: entry.idx }]);
  });

  test("error: using the store itself inside its transaction", async () => {
    const store = await backend.freshStore();
    await expect(store.transaction(() => store.query("select 1"))).rejects.toThrow(
      "store.query() called inside store.transaction()",
    );
    await expect(store.transaction(() => store.transaction(async () => 1))).rejects.toThrow(StoreError);
    // The store is still usable afterwards.
    expect(await store.query("select 1 as one")).toStrictEqual([{ one: 1 }]);
  });

  test("error: using a transaction's tx after the transaction ended", async () => {
    const store = await backend.freshStore();
    const tx = await store.transaction(async (tx) => tx);
    await expect(tx.query("select 1")).rejects.toThrow("tx.query() called after its transaction ended");
  });

  test("behavior: exec runs a script of several statements, in or out of a transaction", async () => {
    const store = await backend.freshStore();
    await store.exec("create table t (x int primary key); insert into t values (1); insert into t values (2);");
    await store.transaction((tx) => tx.exec("insert into t values (3); insert into t values (4)"));
    expect(await store.query("select count(*) as n from t")).toStrictEqual([{ n: 4n }]);
  });

  test("behavior: stream yields every row in order, across pages, with parameters", async () => {
    const store = await backend.freshStore();
    await insertNumbers(store, 2_500);
    for (const pageSize of [1, 7, 1_000, 2_500, 10_000]) {
      const positions: bigint[] = [];
      for await (const row of store.stream<{ pos: bigint }>(
        "select pos from tree_nodes where pos >= $1 order by pos;",
        [100n],
        pageSize,
      )) {
        positions.push(row.pos);
      }
      expect(positions.length).toBe(2_400);
      expect(positions[0]).toBe(100n);
      expect(positions.at(-1)).toBe(2_499n);
    }
    const empty = [];
    for await (const row of store.stream("select * from entries", [])) empty.push(row);
    expect(empty).toStrictEqual([]);
  });

  test("behavior: stream reads one snapshot, and its loop may use the store", async () => {
    const store = await backend.freshStore();
    await insertNumbers(store, 10);
    let count = 0;
    for await (const _row of store.stream("select pos from tree_nodes order by pos", [], 3)) {
      count += 1;
      if (count === 1) await store.query("insert into tree_nodes (level, pos, hash) values (0, 100, '\\x00')");
    }
    expect(count).toBe(10);
    expect(await store.query("select count(*) as n from tree_nodes")).toStrictEqual([{ n: 11n }]);
  });

  test("behavior: breaking out of a stream releases its cursor and connection", async () => {
    const store = await backend.freshStore();
    await insertNumbers(store, 50);
    // More streams than the PostgreSQL pool has connections: a leaked connection would hang the fifth.
    for (let round = 0; round < 6; round++) {
      for await (const _row of store.stream("select pos from tree_nodes order by pos", [], 10)) break;
    }
    const cursors = await store.query("select count(*) as n from pg_cursors where name like 'shanji_stream_%'");
    expect(cursors).toStrictEqual([{ n: 0n }]);
  });

  test("error: stream with a page size that is not a positive integer", async () => {
    const store = await backend.freshStore();
    const iterate = async (pageSize: number) => {
      for await (const _row of store.stream("select 1", [], pageSize)) {
        // nothing
      }
    };
    await expect(iterate(0)).rejects.toThrow("stream page size must be a positive integer, got 0");
    await expect(iterate(1.5)).rejects.toThrow(StoreError);
  });

  test("error: a failing stream query rejects the loop and leaves the store usable", async () => {
    const store = await backend.freshStore();
    const iterate = async () => {
      for await (const _row of store.stream("select 1 / (pos - 3) from tree_nodes order by pos", [], 2)) {
        // nothing
      }
    };
    await insertNumbers(store, 5);
    await expect(iterate()).rejects.toThrow("division by zero");
    expect(await store.query("select 1 as one")).toStrictEqual([{ one: 1 }]);
  });

  test("behavior: close is idempotent, and a closed store refuses queries", async () => {
    const store = await backend.freshStore();
    await store.close();
    await store.close();
    await expect(store.query("select 1")).rejects.toThrow("store.query() called after store.close()");
  });
});

describe("createStore", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  test("behavior: without a database URL or a data folder, an in-memory PGlite with the schema", async () => {
    const store = await createStore();
    cleanups.push(() => store.close());
    expect(store.dialect).toBe("pglite");
    expect(await store.query("select version, name from schema_migrations order by version")).toStrictEqual(
      appliedMigrations,
    );
  });

  test("behavior: a PGlite data folder keeps its rows across close and reopen", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "shanji-store-"));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const logged: string[] = [];
    const logger = { info: (message: string) => logged.push(message), warn: () => {} };

    const first = await createStore({ dataDir: join(dataDir, "db"), logger });
    await insertEntry(first, entry);
    await first.close();
    expect(logged[0]).toBe("applied database migration 0001_init.sql");
    expect(logged).toHaveLength(codeVersion);

    const second = await createStore({ dataDir: join(dataDir, "db"), logger });
    cleanups.push(() => second.close());
    expect(await second.query("select * from entries")).toStrictEqual([entry]);
    expect(logged).toHaveLength(codeVersion);
  });

  test.skipIf(!postgresUrl)("behavior: with a database URL, PostgreSQL with the schema", async () => {
    const database = await freshPostgresDatabase();
    cleanups.push(() => database.drop());
    const store = await createStore({ databaseUrl: database.url, dataDir: "/nonexistent/ignored" });
    cleanups.push(() => store.close());
    expect(store.dialect).toBe("postgres");
    expect(await store.query("select version, name from schema_migrations order by version")).toStrictEqual(
      appliedMigrations,
    );
  });

  test.skipIf(!postgresUrl)("behavior: PGlite and PostgreSQL give back identical rows and digests", async () => {
    const database = await freshPostgresDatabase();
    cleanups.push(() => database.drop());
    const postgres = await createStore({ databaseUrl: database.url });
    cleanups.push(() => postgres.close());
    const pglite = await createStore();
    cleanups.push(() => pglite.close());

    const results = [];
    for (const store of [pglite, postgres]) {
      await insertEntry(store, entry);
      await insertEntry(store, { ...entry, idx: 0n, record: { b: [2n], a: { y: 1, x: 2 } } as never });
      await store.query(
        `insert into self_check_failures (from_block, to_block, expected_root, computed_root, message)
         values (1, 2, '\\x01', '\\x02', '根不一致 — root mismatch')`,
      );
      results.push({
        entries: await store.query("select * from entries order by idx"),
        failures: await store.query("select from_block, expected_root, message from self_check_failures"),
        digest: await digestStore(store, { tables: ["entries", "self_check_failures", "schema_migrations"] }),
      });
    }
    expect(results[0]).toStrictEqual(results[1]);
  });

  test.skipIf(!postgresUrl)("error: a database migrated by a newer Shanji is refused", async () => {
    const database = await freshPostgresDatabase();
    cleanups.push(() => database.drop());
    const store = await createStore({ databaseUrl: database.url });
    await store.query("insert into schema_migrations (version, name) values ($1, 'future')", [codeVersion + 1]);
    await store.close();
    await expect(createStore({ databaseUrl: database.url })).rejects.toThrow(
      `database schema version ${codeVersion + 1} is newer than this indexer (${codeVersion}); upgrade Shanji`,
    );
  });
});
