/**
 * Inclusion proofs as the routes serve them: from the in-memory copy of the stored tree when it
 * holds the nodes, and always checked against the root the chain reported for the size. A root
 * that does not match (the copy is stale after a chain reorganisation) drops the copy and proves
 * again from the store alone; if that does not match either, the store changed while answering.
 */

import type { Queryable } from "@shanji/indexer";
import type { FastifyBaseLogger } from "fastify";
import type { Hex } from "viem";
import { ApiError } from "../../problem.ts";
import { type InclusionProofsReturnType, inclusionProofs } from "./inclusionProofs.ts";
import { duringReorgSafe } from "./storeRace.ts";
import { treeCacheFor } from "./treeCache.ts";

export type CheckedProofsParameters = {
  indexes: readonly bigint[];
  /** A size the chain reported, and the root it reported for it. */
  size: bigint;
  root: Hex;
  withRows?: boolean;
};

export async function checkedProofs(
  store: Queryable,
  log: FastifyBaseLogger,
  { indexes, size, root, withRows = false }: CheckedProofsParameters,
): Promise<InclusionProofsReturnType> {
  const cache = treeCacheFor(store);
  const matches = (result: InclusionProofsReturnType) => [...result.proofs.values()].every((p) => p.root === root);
  const first = await duringReorgSafe(
    inclusionProofs(store, { indexes, size, withRows, cache: cache.covered > 0n ? cache : undefined }),
  );
  if (matches(first)) return first;
  cache.reset();
  const second = await duringReorgSafe(inclusionProofs(store, { indexes, size, withRows }));
  if (matches(second)) return second;
  log.error({ size: String(size), root }, "stored tree nodes do not lead to the root the chain reported");
  throw new ApiError(
    503,
    "the indexed ledger changed while this answer was built (a chain reorganisation); try again",
    {
      headers: { "retry-after": "1" },
    },
  );
}

/** Starts copying the stored tree up to `size` in the background, if the copy is behind. */
export function warmTreeCache(store: Queryable, size: bigint, log: FastifyBaseLogger): void {
  const cache = treeCacheFor(store);
  if (size <= cache.covered) return;
  cache.sync(size).catch((error: unknown) => {
    cache.reset();
    log.warn({ err: error }, "could not copy the stored tree into memory; proofs read it from the database");
  });
}
