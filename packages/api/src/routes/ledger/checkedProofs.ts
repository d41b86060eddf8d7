/**
 * Inclusion proofs as the routes serve them: from the in-memory copy of the stored tree when it
 * holds the nodes, and always checked against the root the chain reported for the size — for one
 * entry, by checking the copy's own root of that size once (treeCache.ts) and the entry's row against
 * the copy's leaf hash; otherwise by folding each proof to its root. A root that does not match (the
 * copy is stale after a chain reorganisation) drops the copy and proves again from the store alone;
 * if that does not match either, the store changed while answering.
 */
import type { Store } from "@shanji/indexer";
import type { FastifyBaseLogger } from "fastify";
import type { Hex } from "viem";
import { ApiError } from "../../problem.ts";
import { entryRowBatcherFor } from "./entryRowBatcher.ts";
import { type InclusionProofsReturnType, inclusionProofs, leafHashOf, pathFromCopy, toHex } from "./inclusionProofs.ts";
import { duringReorgSafe } from "./storeRace.ts";
import { type TreeCache, treeCacheFor } from "./treeCache.ts";

export type CheckedProofsParameters = {
  indexes: readonly bigint[];
  /** A size the chain reported, and the root it reported for it. */
  size: bigint;
  root: Hex;
  withRows?: boolean;
};

export async function checkedProofs(
  store: Store,
  log: FastifyBaseLogger,
  { indexes, size, root, withRows = false }: CheckedProofsParameters,
): Promise<InclusionProofsReturnType> {
  const cache = treeCacheFor(store);
  const [single] = indexes;
  if (withRows && indexes.length === 1 && single !== undefined) {
    const proven = await provenFromValidatedCopy(store, cache, single, size, root);
    if (proven) return proven;
  }
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

/**
 * One entry's proof from the copy without folding it: when the copy's own root of `size` is the
 * root the chain reported (so every node it holds below `size` is that tree's), and the entry's row
 * hashes to the copy's leaf hash. Undefined when either does not hold: the caller proves the slow way.
 */
async function provenFromValidatedCopy(
  store: Store,
  cache: TreeCache,
  index: bigint,
  size: bigint,
  root: Hex,
): Promise<InclusionProofsReturnType | undefined> {
  if (cache.minLevel !== 0 || index >= size) return undefined;
  const copied = cache.rootAt(size);
  if (!copied || toHex(copied) !== root) return undefined;
  const row = await entryRowBatcherFor(store).load(index);
  const held = cache.node(0, index);
  if (!row || !held) return undefined;
  const leafHash = leafHashOf(row.leaf);
  if (Buffer.compare(leafHash, held) !== 0 || Buffer.compare(leafHash, row.leaf_hash) !== 0) return undefined;
  const siblings = pathFromCopy(index, size, cache);
  return {
    proofs: new Map([[index, { leafHash: toHex(leafHash), inclusion: siblings.map(toHex), root }]]),
    rows: new Map([[index, row]]),
  };
}

/** Starts copying the stored tree up to `size` in the background, if the copy is behind. */
export function warmTreeCache(store: Store, size: bigint, log: FastifyBaseLogger): void {
  const cache = treeCacheFor(store);
  if (size <= cache.covered) return;
  cache.sync(size).catch((error: unknown) => {
    cache.reset();
    log.warn({ err: error }, "could not copy the stored tree into memory; proofs read it from the database");
  });
}
