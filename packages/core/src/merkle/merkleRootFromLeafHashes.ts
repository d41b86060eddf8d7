/**
 * The RFC 6962 Merkle root over leaf hashes already computed with `leafHash`, for an
 * indexer that stores hashes and not the entries themselves. O(n) hashing in one
 * buffer: a million leaves take a few seconds and about 32 MB.
 */
import type { Hex } from "viem";
import { bytesToHex } from "./_hex.ts";
import { emptyRoot, packLeafHashes, reduceInPlace } from "./_tree.ts";

export type MerkleRootFromLeafHashesParameters = Parameters<typeof merkleRootFromLeafHashes>;
export type MerkleRootFromLeafHashesReturnType = Hex;

export function merkleRootFromLeafHashes(hashes: readonly Hex[]): MerkleRootFromLeafHashesReturnType {
  if (hashes.length === 0) return bytesToHex(emptyRoot());
  const packed = packLeafHashes(hashes);
  reduceInPlace(packed, hashes.length);
  return bytesToHex(packed, 0, 32);
}
