/**
 * The root of the RFC 6962 Merkle tree over raw leaf data, MTH(D[n]) (RFC 9162
 * §2.1.1): what a log checkpoint commits to. The empty tree's root is SHA-256("").
 */
import type { Hex } from "viem";
import { bytesToHex } from "./_hex.ts";
import { emptyRoot, packLeafData, reduceInPlace } from "./_tree.ts";

export type MerkleRootParameters = Parameters<typeof merkleRoot>;
export type MerkleRootReturnType = Hex;

export function merkleRoot(leaves: readonly Uint8Array[]): MerkleRootReturnType {
  if (leaves.length === 0) return bytesToHex(emptyRoot());
  const packed = packLeafData(leaves);
  reduceInPlace(packed, leaves.length);
  return bytesToHex(packed, 0, 32);
}
