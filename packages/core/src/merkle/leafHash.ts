/**
 * The hash of one log entry as a Merkle leaf, SHA-256(0x00 ‖ data) (RFC 9162 §2.1.1).
 * The 0x00 prefix keeps a leaf from ever being passed off as an inner node.
 */
import type { Hex } from "viem";
import { MerkleArgumentError } from "../errors.ts";
import { bytesToHex } from "./_hex.ts";
import { hashLeaf } from "./_tree.ts";

export type LeafHashParameters = Parameters<typeof leafHash>;
export type LeafHashReturnType = Hex;

export function leafHash(data: Uint8Array): LeafHashReturnType {
  if (!(data instanceof Uint8Array)) {
    throw new MerkleArgumentError("Leaf data must be a Uint8Array.");
  }
  return bytesToHex(hashLeaf(data));
}
