/**
 * A proof is built from several reads of the store. If the indexer rolls back a chain
 * reorganisation in between, nodes the proof needs may be gone: the client gets a 503 and tries
 * again, rather than a 500 or a proof that mixes two ledgers.
 */
import { IndexerError } from "@shanji/indexer";
import { ApiError } from "../../problem.ts";
import { MissingTreeNodesError } from "./inclusionProofs.ts";

export async function duringReorgSafe<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof MissingTreeNodesError || error instanceof IndexerError) {
      throw new ApiError(
        503,
        "the indexed ledger changed while this answer was built (a chain reorganisation); try again",
        {
          headers: { "retry-after": "1" },
        },
      );
    }
    throw error;
  }
}

/** The stored nodes must lead to the root the chain reported; anything else is a corrupt store, never an answer. */
export function assertSameRoot(computed: string, reported: string, what: string): void {
  if (computed !== reported) {
    throw new Error(`stored tree nodes give root ${computed} for ${what}, the chain reported ${reported}`);
  }
}
