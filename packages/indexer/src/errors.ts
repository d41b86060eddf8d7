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

/** Whether an error is worth retrying; errors we did not raise are judged by their shape. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof IndexerError) return error.retryable;
  return true;
}
