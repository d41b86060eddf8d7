import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { StoreError } from "../errors.ts";
import { loadMigrations } from "./loadMigrations.ts";

describe("loadMigrations", () => {
  let directory: string | undefined;
  afterEach(async () => {
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  async function folder(files: Record<string, string>): Promise<string> {
    directory = await mkdtemp(join(tmpdir(), "shanji-migrations-"));
    for (const [name, content] of Object.entries(files)) await writeFile(join(directory, name), content);
    return directory;
  }

  test("behavior: this folder's migrations are numbered from 1 without gaps, starting with the core tables", async () => {
    const migrations = await loadMigrations();
    expect(migrations.map((migration) => migration.version)).toStrictEqual(migrations.map((_, index) => index + 1));
    expect(migrations[0]).toMatchObject({ version: 1, name: "init" });
    expect(migrations[0]?.sql).toContain("create table chain_meta");
  });

  test("behavior: files are read in numeric order, and files that are not SQL are ignored", async () => {
    const path = await folder({
      "0002_second.sql": "select 2;",
      "0001_first.sql": "select 1;",
      "README.md": "not a migration",
      "migrate.ts": "",
    });
    expect(await loadMigrations({ directory: path })).toStrictEqual([
      { version: 1, name: "first", sql: "select 1;" },
      { version: 2, name: "second", sql: "select 2;" },
    ]);
  });

  test("args: an empty folder has no migrations", async () => {
    expect(await loadMigrations({ directory: await folder({}) })).toStrictEqual([]);
  });

  test("error: a gap in the numbering", async () => {
    const path = await folder({ "0001_first.sql": "", "0003_third.sql": "" });
    await expect(loadMigrations({ directory: path })).rejects.toThrow(
      "migration file 0003_third.sql should be numbered 0002",
    );
  });

  test("error: a file name that is not NNNN_name.sql", async () => {
    const path = await folder({ "0001_first.sql": "", "2_Second.sql": "" });
    await expect(loadMigrations({ directory: path })).rejects.toThrow(StoreError);
    await expect(loadMigrations({ directory: path })).rejects.toThrow(
      "migration file 2_Second.sql is not named NNNN_name.sql",
    );
  });
});
