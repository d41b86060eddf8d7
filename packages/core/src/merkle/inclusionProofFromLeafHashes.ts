/**
 * `inclusionProof` for callers that hold leaf hashes instead of leaf data (the
 * indexer): the same RFC 9162 §2.1.3.1 PATH, in O(n) hashing.
 */
import type { Hex } from "viem";
import { MerkleArgumentError } from "../errors.ts";
import { assertIndex, inclusionPath, packLeafHashes } from "./_tree.ts";

export type InclusionProofFromLeafHashesParameters = Parameters<typeof inclusionProofFromLeafHashes>;
export type InclusionProofFromLeafHashesReturnType = Hex[];

export function inclusionProofFromLeafHashes(
  hashes: readonly Hex[],
  index: number,
): InclusionProofFromLeafHashesReturnType {
  if (hashes.length === 0) {
    throw new MerkleArgumentError("An empty tree has no leaves to prove inclusion of.");
  }
  assertIndex("index", index, 0, hashes.length - 1);
  return inclusionPath(packLeafHashes(hashes), hashes.length, index);
}
