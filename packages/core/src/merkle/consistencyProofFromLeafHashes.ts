/**
 * `consistencyProof` for callers that hold leaf hashes instead of leaf data (the
 * indexer): the same RFC 9162 §2.1.4.1 SUBPROOF, in O(n) hashing.
 */
import type { Hex } from "viem";
import { MerkleArgumentError } from "../errors.ts";
import { assertIndex, consistencyPath, packLeafHashes } from "./_tree.ts";

export type ConsistencyProofFromLeafHashesParameters = Parameters<typeof consistencyProofFromLeafHashes>;
export type ConsistencyProofFromLeafHashesReturnType = Hex[];

export function consistencyProofFromLeafHashes(
  hashes: readonly Hex[],
  oldSize: number,
): ConsistencyProofFromLeafHashesReturnType {
  if (hashes.length === 0) {
    throw new MerkleArgumentError("An empty tree has no older tree to be consistent with.");
  }
  // RFC 9162 defines consistency from a non-empty tree; every tree extends the empty one.
  assertIndex("oldSize", oldSize, 1, hashes.length);
  return consistencyPath(packLeafHashes(hashes), hashes.length, oldSize);
}
