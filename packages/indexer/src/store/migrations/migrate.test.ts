import { expect, test } from "vitest";
import { storeLeaves } from "../../proofs/_test/storeLeaves.ts";
import { inclusionProofAt } from "../../proofs/treeProofs.ts";
import { deferIndexes, restoreIndexes } from "../../sync/deferIndexes.ts";
import { describeEachBackend } from "../_test/testDatabase.ts";
import { SchemaTooNewError, StoreError } from "../errors.ts";
import type { Store } from "../types.ts";
import { loadMigrations, type Migration } from "./loadMigrations.ts";
import { migrate } from "./migrate.ts";

const migrations = await loadMigrations();

// Migrations of our own, so that the runner is tested on several steps whatever this folder holds.
const synthetic: Migration[] = [
  // The sleep makes two concurrent runs overlap, so that only the advisory lock keeps them apart.
  { version: 1, name: "first", sql: "select pg_sleep(0.2); create table a (id int primary key);" },
  { version: 2, name: "second", sql: "alter table a add column note text; create index a_note on a (note);" },
  { version: 3, name: "third", sql: "create table b (id bigint primary key, a_id int not null references a (id));" },
];

/** Everything about the schema that a migration can change, in a stable order. */
async function schemaOf(store: Store) {
  return {
    columns: await store.query(
      `select table_name, column_name, ordinal_position, data_type, is_nullable, column_default
         from information_schema.columns where table_schema = current_schema()
        order by table_name, ordinal_position`,
    ),
    indexes: await store.query(
      "select tablename, indexname, indexdef from pg_indexes where schemaname = current_schema() order by indexname",
    ),
    constraints: await store.query(
      `select conrelid::regclass::text as table_name, conname, pg_get_constraintdef(oid) as definition
         from pg_constraint where connamespace = current_schema()::regnamespace order by 1, 2`,
    ),
  };
}

async function versionsOf(store: Store) {
  return await store.query<{ version: number; name: string }>(
    "select version, name from schema_migrations order by version",
  );
}

describeEachBackend("migrate", (backend) => {
  test("behavior: a new database gets every migration of this folder, each recorded", async () => {
    const store = await backend.emptyStore();
    const all = migrations.map((migration) => migration.version);
    expect(await migrate(store)).toStrictEqual({ fromVersion: 0, toVersion: all.length, applied: all });
    expect(await versionsOf(store)).toStrictEqual(migrations.map(({ version, name }) => ({ version, name })));
    const [row] = await store.query("select applied_at from schema_migrations");
    expect(row?.applied_at).toBeInstanceOf(Date);
  });

  test("behavior: an up-to-date database is left alone", async () => {
    const store = await backend.freshStore();
    const before = await store.query("select * from schema_migrations order by version");
    const latest = migrations.length;
    expect(await migrate(store)).toStrictEqual({ fromVersion: latest, toVersion: latest, applied: [] });
    expect(await store.query("select * from schema_migrations order by version")).toStrictEqual(before);
  });

  test("behavior: upgrading in place gives the schema of a fresh migration", async () => {
    const fresh = await backend.emptyStore();
    await migrate(fresh);
    const expected = await schemaOf(fresh);
    for (let version = 1; version < migrations.length; version++) {
      const store = await backend.emptyStore();
      expect(await migrate(store, { to: version })).toMatchObject({ toVersion: version });
      expect(await migrate(store)).toMatchObject({ fromVersion: version, toVersion: migrations.length });
      expect(await schemaOf(store)).toStrictEqual(expected);
      await store.close();
    }
  });

  test("behavior: upgrading in place step by step gives the schema of a fresh migration (three steps)", async () => {
    const fresh = await backend.emptyStore();
    await migrate(fresh, { migrations: synthetic });
    const store = await backend.emptyStore();
    expect(await migrate(store, { migrations: synthetic, to: 1 })).toStrictEqual({
      fromVersion: 0,
      toVersion: 1,
      applied: [1],
    });
    expect(await migrate(store, { migrations: synthetic, to: 2 })).toMatchObject({ applied: [2] });
    expect(await migrate(store, { migrations: synthetic })).toMatchObject({ applied: [3] });
    expect(await schemaOf(store)).toStrictEqual(await schemaOf(fresh));
    expect(await versionsOf(store)).toStrictEqual(await versionsOf(fresh));
  });

  test("behavior: migration 6 removes the tree's nodes below level 4, and the proofs stay the same", async () => {
    const store = await backend.emptyStore();
    await migrate(store, { to: 5 });
    // A log of 40 entries as the indexer stored it before: every completed interior node.
    await storeLeaves(
      store,
      Array.from({ length: 40 }, (_, i) => new Uint8Array([i])),
      { lowestLevel: 1 },
    );
    const proofs = async () => await Promise.all([0n, 13n, 38n].map((index) => inclusionProofAt(store, index, 40n)));
    const before = await proofs();
    const countBelow4 = "select count(*) as n from tree_nodes where level < 4";
    expect(await store.query(countBelow4)).toStrictEqual([{ n: 35n }]);
    expect(await migrate(store, { to: 6 })).toMatchObject({ fromVersion: 5, applied: [6] });
    expect(await store.query(countBelow4)).toStrictEqual([{ n: 0n }]);
    expect(await store.query("select level, pos from tree_nodes order by level, pos")).toStrictEqual([
      { level: 4, pos: 0n },
      { level: 4, pos: 1n },
      { level: 5, pos: 0n },
    ]);
    expect(await proofs()).toStrictEqual(before);
    await store.close();
  });

  test("behavior: migration 7 gives the receipt lookup's index the collation C, built or set aside by a backfill", async () => {
    const definition = async (store: Store) => {
      const built = await store.query<{ definition: string }>(
        "select indexdef as definition from pg_indexes where indexname = 'entries_receipt_donor'",
      );
      const aside = await store.query<{ definition: string }>(
        "select definition from deferred_indexes where name = 'entries_receipt_donor'",
      );
      return { built: built.map((r) => r.definition), aside: aside.map((r) => r.definition) };
    };
    for (const setAside of [false, true]) {
      const store = await backend.emptyStore();
      await migrate(store, { to: 6 });
      if (setAside) await deferIndexes(store);
      const before = await definition(store);
      expect(before[setAside ? "aside" : "built"][0]).not.toMatch(/COLLATE/i);
      expect(await migrate(store, { to: 7 })).toMatchObject({ fromVersion: 6, applied: [7] });
      const after = await definition(store);
      expect(after[setAside ? "built" : "aside"]).toStrictEqual([]);
      expect(after[setAside ? "aside" : "built"][0]).toMatch(/COLLATE "C"/i);
      if (setAside) {
        await restoreIndexes(store);
        expect((await definition(store)).built[0]).toMatch(/COLLATE "C"/);
      }
      await store.close();
    }
  });

  test("behavior: migration 8 drops the blocks' parent hashes and keeps the blocks", async () => {
    const store = await backend.emptyStore();
    await migrate(store, { to: 7 });
    await store.query(
      `insert into blocks (number, hash, parent_hash, log_size, log_root)
       values (5, '\\x05', '\\x04', 12, '\\x0c')`,
    );
    expect(await migrate(store, { to: 8 })).toMatchObject({ fromVersion: 7, applied: [8] });
    const columns = await store.query<{ name: string }>(
      "select column_name as name from information_schema.columns where table_name = 'blocks' order by ordinal_position",
    );
    expect(columns.map((c) => c.name)).toStrictEqual(["number", "hash", "log_size", "log_root"]);
    const rows = await store.query<{ number: bigint; hash: Uint8Array; log_size: bigint }>(
      "select number, hash, log_size from blocks",
    );
    expect(rows.map((r) => [r.number, Buffer.from(r.hash).toString("hex"), r.log_size])).toStrictEqual([
      [5n, "05", 12n],
    ]);
    await store.close();
  });

  test("behavior: migration 9 drops the index of entries by block, built or set aside by a backfill", async () => {
    const named = async (store: Store) => ({
      built: (await store.query("select 1 from pg_indexes where indexname = 'entries_block'")).length,
      aside: (await store.query("select 1 from deferred_indexes where name = 'entries_block'")).length,
    });
    for (const setAside of [false, true]) {
      const store = await backend.emptyStore();
      await migrate(store, { to: 8 });
      if (setAside) await deferIndexes(store);
      expect(await named(store)).toStrictEqual(setAside ? { built: 0, aside: 1 } : { built: 1, aside: 0 });
      expect(await migrate(store, { to: 9 })).toMatchObject({ fromVersion: 8, applied: [9] });
      expect(await named(store)).toStrictEqual({ built: 0, aside: 0 });
      if (setAside) {
        // The other indexes set aside are still built when the backfill ends.
        expect(await restoreIndexes(store)).toContain("entries_kind");
        expect(await store.query("select name from deferred_indexes")).toStrictEqual([]);
      }
      await store.close();
    }
  });

  test("behavior: two runs started together apply each migration once", async () => {
    const store = await backend.emptyStore();
    const [first, second] = await Promise.all([
      migrate(store, { migrations: synthetic }),
      migrate(store, { migrations: synthetic }),
    ]);
    expect([...(first?.applied ?? []), ...(second?.applied ?? [])].sort()).toStrictEqual([1, 2, 3]);
    expect((await versionsOf(store)).map((row) => row.version)).toStrictEqual([1, 2, 3]);
  });

  test("behavior: each migration applied is logged", async () => {
    const store = await backend.emptyStore();
    const logged: string[] = [];
    await migrate(store, {
      migrations: synthetic,
      logger: { info: (message) => logged.push(message), warn: () => {} },
    });
    expect(logged).toStrictEqual([
      "applied database migration 0001_first.sql",
      "applied database migration 0002_second.sql",
      "applied database migration 0003_third.sql",
    ]);
  });

  test("error: a database migrated by a newer Shanji", async () => {
    const store = await backend.emptyStore();
    await migrate(store, { migrations: synthetic });
    const older = synthetic.slice(0, 2);
    const failure = migrate(store, { migrations: older });
    await expect(failure).rejects.toThrow(SchemaTooNewError);
    await expect(failure).rejects.toThrow("database schema version 3 is newer than this indexer (2); upgrade Shanji");
    await expect(failure).rejects.toMatchObject({ databaseVersion: 3, codeVersion: 2 });
  });

  test("error: a failing migration is rolled back whole and not recorded", async () => {
    const store = await backend.emptyStore();
    const broken: Migration = { version: 2, name: "second", sql: "create table half (x int); select 1 / 0;" };
    await expect(migrate(store, { migrations: [synthetic[0] as Migration, broken] })).rejects.toThrow(
      "division by zero",
    );
    expect((await versionsOf(store)).map((row) => row.version)).toStrictEqual([1]);
    expect(await store.query("select to_regclass('half') as half")).toStrictEqual([{ half: null }]);
    // Fixed, it applies.
    expect(await migrate(store, { migrations: synthetic })).toMatchObject({ fromVersion: 1, applied: [2, 3] });
  });

  test("error: a recorded migration with another name than this code's", async () => {
    const store = await backend.emptyStore();
    await migrate(store, { migrations: synthetic.slice(0, 1) });
    const renamed = [{ ...(synthetic[0] as Migration), name: "renamed" }, ...synthetic.slice(1)];
    await expect(migrate(store, { migrations: renamed })).rejects.toThrow(
      `database schema version 1 is "first", but this indexer's is "renamed"`,
    );
  });

  test("args: a target version outside the known ones", async () => {
    const store = await backend.emptyStore();
    await expect(migrate(store, { migrations: synthetic, to: 4 })).rejects.toThrow(StoreError);
    await expect(migrate(store, { migrations: synthetic, to: -1 })).rejects.toThrow(
      "cannot migrate to schema version -1",
    );
    expect(await store.query("select to_regclass('schema_migrations') as t")).toStrictEqual([{ t: null }]);
  });
});
