/**
 * The indexer refreshes its views (allocations, campaigns) after it stores entries, and the API
 * reuses a snapshot for a moment: an answer built from the views can name an entry newer than the
 * snapshot it started from. Proofs need a snapshot that holds every entry they prove.
 */
import type { ApiContext, LedgerSnapshot } from "../context.ts";
import { ApiError } from "../problem.ts";

export async function snapshotCovering(
  context: ApiContext,
  snapshot: LedgerSnapshot,
  maxIndex: bigint | undefined,
): Promise<LedgerSnapshot> {
  if (maxIndex === undefined || maxIndex < snapshot.logSize) return snapshot;
  context.invalidate();
  const fresh = await context.snapshot();
  if (maxIndex < fresh.logSize) return fresh;
  throw new ApiError(503, "the indexer is between two updates; try again in a moment", {
    headers: { "retry-after": "1" },
  });
}

export const maxOf = (values: Iterable<bigint>): bigint | undefined => {
  let max: bigint | undefined;
  for (const v of values) if (max === undefined || v > max) max = v;
  return max;
};
