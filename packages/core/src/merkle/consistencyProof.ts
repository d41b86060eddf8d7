/**
 * The proof that the tree over the first `oldSize` leaves is a prefix of the tree over
 * all `leaves` (the log only appended), PROOF(m, D[n]) = SUBPROOF(m, D[n], true) of
 * RFC 9162 §2.1.4.1. Check it with `verifyConsistency`.
 */
import type { Hex } from "viem";
import { MerkleArgumentError } from "../errors.ts";
import { assertIndex, consistencyPath, packLeafData } from "./_tree.ts";

export type ConsistencyProofParameters = Parameters<typeof consistencyProof>;
export type ConsistencyProofReturnType = Hex[];

export function consistencyProof(leaves: readonly Uint8Array[], oldSize: number): ConsistencyProofReturnType {
  if (leaves.length === 0) {
    throw new MerkleArgumentError("An empty tree has no older tree to be consistent with.");
  }
  // RFC 9162 defines consistency from a non-empty tree; every tree extends the empty one.
  assertIndex("oldSize", oldSize, 1, leaves.length);
  return consistencyPath(packLeafData(leaves), leaves.length, oldSize);
}
