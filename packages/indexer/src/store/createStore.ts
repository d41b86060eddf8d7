/**
 * Opens the indexer's database and brings its schema up to date: PostgreSQL when a URL is given,
 * otherwise PGlite in `dataDir` (the embedded default), or in memory when neither is given (tests).
 * The same SQL runs on both, and values come back as the same JavaScript types (see `types.ts`).
 */
import { createPgliteStore } from "./createPgliteStore.ts";
import { createPostgresStore } from "./createPostgresStore.ts";
import { migrate } from "./migrations/migrate.ts";
import type { Store, StoreLogger } from "./types.ts";

export type CreateStoreParameters = {
  /** `postgres://…`: use this PostgreSQL server. Takes precedence over `dataDir`; an empty string counts as none. */
  databaseUrl?: string | undefined;
  /** Folder for the PGlite database when there is no `databaseUrl`; in memory when undefined. */
  dataDir?: string | undefined;
  logger?: StoreLogger | undefined;
};
export type CreateStoreReturnType = Promise<Store>;

export async function createStore(parameters: CreateStoreParameters = {}): CreateStoreReturnType {
  const { databaseUrl, dataDir, logger } = parameters;
  const store = databaseUrl ? createPostgresStore({ databaseUrl, logger }) : await createPgliteStore({ dataDir });
  try {
    await migrate(store, { logger });
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}
