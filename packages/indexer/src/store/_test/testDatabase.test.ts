import pg from "pg";
import { expect, test } from "vitest";
import { loadMigrations } from "../migrations/loadMigrations.ts";
import { describeEachBackend, freshPostgresDatabase, postgresUrl } from "./testDatabase.ts";

const migrations = await loadMigrations();

describeEachBackend("testDatabase", (backend) => {
  test("behavior: emptyStore is a database without tables", async () => {
    const store = await backend.emptyStore();
    expect(store.dialect).toBe(backend.name);
    expect(
      await store.query("select count(*) as n from information_schema.tables where table_schema = current_schema()"),
    ).toStrictEqual([{ n: 0n }]);
  });

  test("behavior: freshStore holds the schema of every migration, and no rows", async () => {
    const store = await backend.freshStore();
    const rows = await store.query<{ version: number }>("select version from schema_migrations order by version");
    expect(rows.map((row) => row.version)).toStrictEqual(migrations.map((migration) => migration.version));
    expect(await store.query("select count(*) as n from entries")).toStrictEqual([{ n: 0n }]);
  });

  test("behavior: stores are independent of each other", async () => {
    const first = await backend.freshStore();
    const second = await backend.freshStore();
    await first.query("insert into streams (stream_id, count, last_idx) values ('\\x01', 1, 0)");
    expect(await second.query("select * from streams")).toStrictEqual([]);
  });
});

test.skipIf(!postgresUrl)("behavior: freshPostgresDatabase creates a database and drop removes it", async () => {
  const database = await freshPostgresDatabase();
  const name = new URL(database.url).pathname.slice(1);
  expect(name).toMatch(/^shanji_test_[0-9a-f]{12}$/);
  const exists = async () => {
    const client = new pg.Client({ connectionString: postgresUrl });
    await client.connect();
    try {
      return (await client.query("select 1 from pg_database where datname = $1", [name])).rowCount === 1;
    } finally {
      await client.end();
    }
  };
  // A connection still open does not stop the drop.
  const open = new pg.Client({ connectionString: database.url });
  await open.connect();
  open.on("error", () => {});
  expect(await exists()).toBe(true);
  await database.drop();
  await database.drop();
  expect(await exists()).toBe(false);
  await open.end().catch(() => {});
});
