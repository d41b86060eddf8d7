/**
 * Brings a database's schema up to this indexer's version by applying the migrations it lacks, in
 * order, each in a transaction of its own, and recording each in `schema_migrations`.
 *
 * Two processes that start together (an indexer and an API on the same PostgreSQL) must not both
 * migrate: every migration transaction first takes a transaction-level advisory lock, then reads which
 * versions are applied. The second process waits for the lock and then finds nothing left to do.
 * PGlite supports advisory locks too (it is a single connection, so they never wait there).
 */
import { SchemaTooNewError, StoreError } from "../errors.ts";
import type { Queryable, Store, StoreLogger } from "../types.ts";
import { loadMigrations, type Migration } from "./loadMigrations.ts";

export type MigrateParameters = {
  /** The migrations this code knows; this folder's files when undefined. */
  migrations?: readonly Migration[] | undefined;
  /** Stop at this schema version instead of the newest (tests of upgrades). */
  to?: number | undefined;
  logger?: StoreLogger | undefined;
};
export type MigrateReturnType = Promise<{
  /** The schema version found, 0 for a database never migrated. */
  fromVersion: number;
  /** The schema version now. */
  toVersion: number;
  /** Versions applied by this call, in order; empty when another process got there first. */
  applied: number[];
}>;

/** "SHANJI" in ASCII: the advisory-lock key taken by whoever migrates a Shanji database. */
const MIGRATION_LOCK_KEY = 0x5348_414e_4a49n;

export async function migrate(store: Store, parameters: MigrateParameters = {}): MigrateReturnType {
  const migrations = parameters.migrations ?? (await loadMigrations());
  const codeVersion = migrations.at(-1)?.version ?? 0;
  const target = parameters.to ?? codeVersion;
  if (!Number.isSafeInteger(target) || target < 0 || target > codeVersion) {
    throw new StoreError(`cannot migrate to schema version ${target}`, {
      details: `This indexer knows versions 0 to ${codeVersion}.`,
    });
  }

  let fromVersion: number | undefined;
  const applied: number[] = [];
  for (;;) {
    const step = await store.transaction(async (tx) => {
      await tx.query(`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
      const versions = await appliedVersions(tx, migrations, codeVersion);
      fromVersion ??= Math.max(0, ...versions);
      const next = migrations.find((migration) => migration.version <= target && !versions.includes(migration.version));
      if (!next) return { next, version: Math.max(0, ...versions) };
      await tx.exec(next.sql);
      await tx.query("insert into schema_migrations (version, name) values ($1, $2)", [next.version, next.name]);
      return { next, version: Math.max(next.version, ...versions) };
    });
    if (!step.next) return { fromVersion: fromVersion ?? 0, toVersion: step.version, applied };
    applied.push(step.next.version);
    parameters.logger?.info(`applied database migration ${fileName(step.next)}`, { version: step.next.version });
  }
}

/** The versions recorded in the database, after checking that they are ones this code knows. */
async function appliedVersions(
  tx: Queryable,
  migrations: readonly Migration[],
  codeVersion: number,
): Promise<number[]> {
  const [table] = await tx.query<{ exists: boolean }>("select to_regclass('schema_migrations') is not null as exists");
  if (!table?.exists) {
    await tx.exec(
      "create table schema_migrations (version integer primary key, name text not null, applied_at timestamptz not null default now())",
    );
    return [];
  }
  const rows = await tx.query<{ version: number; name: string }>(
    "select version, name from schema_migrations order by version",
  );
  const newest = rows.at(-1)?.version ?? 0;
  if (newest > codeVersion) throw new SchemaTooNewError({ databaseVersion: newest, codeVersion });
  for (const row of rows) {
    const known = migrations.find((migration) => migration.version === row.version);
    if (known && known.name !== row.name) {
      throw new StoreError(
        `database schema version ${row.version} is "${row.name}", but this indexer's is "${known.name}"`,
        {
          details:
            "The database was migrated by a different build of Shanji. Rebuild it from the chain into an empty database.",
        },
      );
    }
  }
  return rows.map((row) => row.version);
}

function fileName(migration: Migration): string {
  return `${String(migration.version).padStart(4, "0")}_${migration.name}.sql`;
}
