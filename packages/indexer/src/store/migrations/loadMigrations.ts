/**
 * Reads the numbered SQL files of this folder (`0001_init.sql`, `0002_….sql`, …) at run time. The
 * numbers must run 1, 2, 3 … without gaps: a migration's number is the schema version it produces.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { StoreError } from "../errors.ts";

export type Migration = {
  /** The schema version this migration produces: the file's number. */
  version: number;
  /** The rest of the file name: `init` for `0001_init.sql`. */
  name: string;
  sql: string;
};

export type LoadMigrationsParameters = {
  /** Folder to read; this folder when undefined. Tests pass their own. */
  directory?: string | URL | undefined;
};
export type LoadMigrationsReturnType = Promise<Migration[]>;

const FILE_NAME = /^(\d{4})_([a-z0-9_]+)\.sql$/;

export async function loadMigrations(parameters: LoadMigrationsParameters = {}): LoadMigrationsReturnType {
  const directory = parameters.directory ?? new URL(".", import.meta.url);
  const path = typeof directory === "string" ? directory : fileURLToPath(directory);
  const files = (await readdir(path)).filter((file) => file.endsWith(".sql")).sort();

  const migrations: Migration[] = [];
  for (const file of files) {
    const match = FILE_NAME.exec(file);
    if (!match?.[1] || !match[2]) {
      throw new StoreError(`migration file ${file} is not named NNNN_name.sql`, {
        details: `Rename it to four digits, an underscore and a lower-case name, such as 0002_add_views.sql (in ${path}).`,
      });
    }
    const version = Number(match[1]);
    const expected = migrations.length + 1;
    if (version !== expected) {
      throw new StoreError(`migration file ${file} should be numbered ${String(expected).padStart(4, "0")}`, {
        details: `Migrations are numbered 0001, 0002, … without gaps or repeats (in ${path}).`,
      });
    }
    migrations.push({ version, name: match[2], sql: await readFile(join(path, file), "utf8") });
  }
  return migrations;
}
