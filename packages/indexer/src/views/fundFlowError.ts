/**
 * The error the fund-flow views throw when the entries they are given cannot be the ledger's: a
 * disbursement larger than what its campaign holds, a reversal of a record that is not there, a
 * closed campaign whose balance disagrees. The contracts refuse all of these, so the input is
 * missing entries or is out of order; retrying with the same input cannot help.
 */
import { IndexerError, type IndexerErrorOptions } from "../errors.ts";

export class FundFlowError extends IndexerError {
  override name = "FundFlowError";
  /** The entry at which the input stopped adding up. */
  readonly entryIndex: bigint;

  constructor(shortMessage: string, options: Omit<IndexerErrorOptions, "retryable"> & { entryIndex: bigint }) {
    super(shortMessage, { ...options, retryable: false });
    this.entryIndex = options.entryIndex;
  }
}
