/**
 * Databases for the indexer's tests: a fresh PGlite in memory, and, when `TEST_DATABASE_URL` points at a
 * PostgreSQL server (`.ci/pg-setup.sh` provisions one), a fresh database created on that server for
 * each use and dropped afterwards. `describeEachBackend` runs a suite on both.
 *
 * Without TEST_DATABASE_URL the PostgreSQL suites are reported as skipped, with a warning; under CI
 * (`CI` set) they fail instead, because CI provisions PostgreSQL and a silent skip would hide that it broke.
 */
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { readFile, rename, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { isMainThread } from "node:worker_threads";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { afterAll, describe, test } from "vitest";
import { createPgliteStore } from "../createPgliteStore.ts";
import { createPostgresStore } from "../createPostgresStore.ts";
import { createStore } from "../createStore.ts";
import { migrate } from "../migrations/migrate.ts";
import type { Store } from "../types.ts";

/** The PostgreSQL server tests may create databases on; undefined when the PostgreSQL suites cannot run. */
export const postgresUrl: string | undefined = process.env.TEST_DATABASE_URL || undefined;

export const POSTGRES_SKIPPED_TEST_NAME = "postgres suite did not run: TEST_DATABASE_URL is not set";

export type FreshPostgresDatabase = {
  /** URL of the new, empty database. */
  url: string;
  /** Drops the database, closing whatever connections are still open on it. Safe to call twice. */
  drop(): Promise<void>;
};

/** Creates `shanji_test_<random>` on the TEST_DATABASE_URL server (the role needs CREATEDB). */
export async function freshPostgresDatabase(): Promise<FreshPostgresDatabase> {
  if (!postgresUrl) throw new Error(POSTGRES_SKIPPED_TEST_NAME);
  const server = postgresUrl;
  const name = `shanji_test_${randomBytes(6).toString("hex")}`;
  await onServer(server, `create database ${name}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    url: url.toString(),
    async drop() {
      if (dropped) return;
      dropped = true;
      await onServer(server, `drop database if exists ${name} with (force)`);
    },
  };
}

async function onServer(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export type TestBackend = {
  readonly name: "pglite" | "postgres";
  /** A store over a fresh database with the indexer's schema, as `createStore` returns it. */
  freshStore(): Promise<Store>;
  /** A store over a fresh, empty database: no migrations applied. */
  emptyStore(): Promise<Store>;
};

/**
 * `describe(name)` once per backend: "<name> [pglite]" always, "<name> [postgres]" when
 * TEST_DATABASE_URL is set. Stores made by the backend are closed (and their PostgreSQL databases
 * dropped) after the suite; a test may close one earlier.
 */
export function describeEachBackend(name: string, fn: (backend: TestBackend) => void): void {
  describe(`${name} [pglite]`, () => fn(trackedBackend("pglite")));
  if (postgresUrl) {
    describe(`${name} [postgres]`, () => fn(trackedBackend("postgres")));
  } else if (process.env.CI) {
    describe(`${name} [postgres]`, () => {
      test(`${POSTGRES_SKIPPED_TEST_NAME}, and CI requires it`, () => {
        throw new Error(
          'TEST_DATABASE_URL is not set, and CI must run the PostgreSQL suites. Run `eval "$(.ci/pg-setup.sh)"` before the tests.',
        );
      });
    });
  } else {
    warnOnce();
    describe(`${name} [postgres]`, () => {
      test.skip(POSTGRES_SKIPPED_TEST_NAME, () => {});
    });
  }
}

function warnOnce(): void {
  // Once per test run. Vitest gives each test file fresh modules and globals, so the mark is a file
  // named after the vitest process: the parent of a forked worker, or the process of a worker thread.
  const vitestPid = isMainThread ? process.ppid : process.pid;
  try {
    writeFileSync(join(tmpdir(), `shanji-vitest-${vitestPid}-postgres-skipped`), "", { flag: "wx" });
  } catch {
    return; // another test file of this run has warned
  }
  console.warn(
    [
      "",
      "!!! The PostgreSQL suites did NOT run: TEST_DATABASE_URL is not set. Only PGlite was tested.",
      '!!! To run them: eval "$(sudo .ci/pg-setup.sh)" (or point TEST_DATABASE_URL at a server where the role has CREATEDB).',
      "",
    ].join("\n"),
  );
}

/** A backend whose stores and databases are cleaned up after the enclosing describe. */
function trackedBackend(name: TestBackend["name"]): TestBackend {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    const results = await Promise.allSettled(cleanups.reverse().map((cleanup) => cleanup()));
    const failure = results.find((result) => result.status === "rejected");
    if (failure) throw failure.reason;
  });

  const track = (store: Store): Store => {
    cleanups.push(() => store.close());
    return store;
  };

  if (name === "pglite") {
    return {
      name,
      emptyStore: async () => track(await createPgliteStore({ loadDataDir: await pgliteTemplate() })),
      async freshStore() {
        const store = track(await createPgliteStore({ loadDataDir: await pgliteTemplate() }));
        await migrate(store);
        return store;
      },
    };
  }
  const database = async (): Promise<string> => {
    const fresh = await freshPostgresDatabase();
    cleanups.push(() => fresh.drop());
    return fresh.url;
  };
  return {
    name,
    emptyStore: async () => track(createPostgresStore({ databaseUrl: await database() })),
    freshStore: async () => track(await createStore({ databaseUrl: await database() })),
  };
}

let template: Promise<Blob> | undefined;

/**
 * A freshly initialised PGlite data directory, as a tarball. PGlite 0.5 runs initdb on every new
 * in-memory instance, which takes about a second (0.9–1.5 s here, 2026-11-28); loading this takes a
 * quarter of a second. The tarball is cached in the temporary folder under PGlite's version, so
 * only the first test file of the first run pays for initdb.
 */
function pgliteTemplate(): Promise<Blob> {
  template ??= loadOrCreateTemplate();
  return template;
}

async function loadOrCreateTemplate(): Promise<Blob> {
  const entry = createRequire(import.meta.url).resolve("@electric-sql/pglite"); // …/pglite/dist/index.cjs
  const packageJson = join(dirname(entry), "..", "package.json");
  const { version } = JSON.parse(await readFile(packageJson, "utf8")) as { version: string };
  const path = join(tmpdir(), `shanji-pglite-${version}-initdb.tar`);
  try {
    return new Blob([await readFile(path)]);
  } catch {
    const db = await PGlite.create();
    const tarball = await db.dumpDataDir("none");
    await db.close();
    // Written aside and renamed, so that a test file running in parallel never reads half a tarball.
    const partial = `${path}.${process.pid}.${randomBytes(4).toString("hex")}`;
    await writeFile(partial, new Uint8Array(await tarball.arrayBuffer()));
    await rename(partial, path).catch(() => rm(partial, { force: true }));
    return tarball;
  }
}
