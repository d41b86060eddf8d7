/**
 * The indexer's errors. `retryable` separates what a retry can fix (an RPC timeout, a rate limit,
 * a node that is briefly down, a reorg under our feet) from what it cannot (an RPC on the wrong
 * chain, a contract that does not match its ABI); the sync loop retries only the first kind.
 */
export type IndexerErrorOptions = { details?: string | undefined; cause?: unknown; retryable?: boolean };

export class IndexerError extends Error {
  override name = "IndexerError";
  readonly shortMessage: string;
  readonly details: string | undefined;
  readonly retryable: boolean;

  constructor(shortMessage: string, options: IndexerErrorOptions = {}) {
    const { details, cause, retryable = false } = options;
    super(
      details ? `${shortMessage}\n\nDetails: ${details}` : shortMessage,
      cause === undefined ? undefined : { cause },
    );
    this.shortMessage = shortMessage;
    this.details = details;
    this.retryable = retryable;
  }
}

/** The RPC answered for another chain, or the contracts are not where the configuration says. */
export class WrongChainError extends IndexerError {
  override name = "WrongChainError";
}

/**
 * What the RPC returned does not add up to the chain's own `root()`: a dropped or forged log, or an
 * RPC bug. Nothing of the batch is stored; the indexer refetches, and never serves the range.
 */
export class SelfCheckError extends IndexerError {
  override name = "SelfCheckError";
  readonly fromBlock: bigint;
  readonly toBlock: bigint;

  constructor(shortMessage: string, options: IndexerErrorOptions & { fromBlock: bigint; toBlock: bigint }) {
    super(shortMessage, { ...options, retryable: true });
    this.fromBlock = options.fromBlock;
    this.toBlock = options.toBlock;
  }
}

/**
 * Classes of PostgreSQL's SQLSTATE codes (PGlite gives the same) for what the same statement meets
 * again however often it is sent: data a column refuses (22), a broken constraint (23), a missing
 * table or privilege (42), a feature the server lacks (0A), a damaged database (XX). A lost
 * connection (08), a deadlock (40), a full disk (53) or a server shutting down (57) may pass.
 */
const PERMANENT_SQLSTATE_CLASSES = new Set(["22", "23", "42", "0A", "XX"]);

/**
 * Whether an error is worth retrying; errors we did not raise are judged by their shape: a
 * database's error by its SQLSTATE class, anything else (an RPC timeout, a refused connection) as
 * worth another try.
 */
export function isRetryable(error: unknown): boolean {
  if (error instanceof IndexerError) return error.retryable;
  const code = (error as { code?: unknown } | null)?.code;
  const sqlState = typeof code === "string" && /^[0-9A-Z]{5}$/.test(code);
  return !(sqlState && PERMANENT_SQLSTATE_CLASSES.has(code.slice(0, 2)));
}
