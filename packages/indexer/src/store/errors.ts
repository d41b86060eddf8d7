/**
 * The errors the store throws: a wrong call, a store already closed, or a database this indexer
 * cannot use as it is. None is retryable. (Failures of the database itself, such as a lost
 * connection, reach the caller as the driver's own errors.)
 */
import { IndexerError } from "../errors.ts";

export class StoreError extends IndexerError {
  override name = "StoreError";
}

/** The database was migrated by a newer Shanji than this one: running on would misread its tables. */
export class SchemaTooNewError extends StoreError {
  override name = "SchemaTooNewError";
  readonly databaseVersion: number;
  readonly codeVersion: number;

  constructor(options: { databaseVersion: number; codeVersion: number }) {
    super(
      `database schema version ${options.databaseVersion} is newer than this indexer (${options.codeVersion}); upgrade Shanji`,
    );
    this.databaseVersion = options.databaseVersion;
    this.codeVersion = options.codeVersion;
  }
}
