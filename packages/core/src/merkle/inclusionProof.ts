/**
 * The audit path proving that leaf `index` is in the tree over `leaves`, PATH(m, D[n])
 * of RFC 9162 §2.1.3.1, nearest sibling first. Check it with `verifyInclusion`.
 */
import type { Hex } from "viem";
import { MerkleArgumentError } from "../errors.ts";
import { assertIndex, inclusionPath, packLeafData } from "./_tree.ts";

export type InclusionProofParameters = Parameters<typeof inclusionProof>;
export type InclusionProofReturnType = Hex[];

export function inclusionProof(leaves: readonly Uint8Array[], index: number): InclusionProofReturnType {
  if (leaves.length === 0) {
    throw new MerkleArgumentError("An empty tree has no leaves to prove inclusion of.");
  }
  assertIndex("index", index, 0, leaves.length - 1);
  return inclusionPath(packLeafData(leaves), leaves.length, index);
}
