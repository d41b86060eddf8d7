/**
 * The hash of an inner Merkle node, SHA-256(0x01 ‖ left ‖ right) (RFC 9162 §2.1.1),
 * for callers that assemble trees or check a proof step by hand.
 */
import type { Hex } from "viem";
import { MerkleArgumentError } from "../errors.ts";
import { bytesToHex, toHash32 } from "./_hex.ts";
import { hashChildren } from "./_tree.ts";

export type NodeHashParameters = Parameters<typeof nodeHash>;
export type NodeHashReturnType = Hex;

export function nodeHash(left: Hex | Uint8Array, right: Hex | Uint8Array): NodeHashReturnType {
  const leftBytes = toHash32(left);
  const rightBytes = toHash32(right);
  if (!leftBytes || !rightBytes) {
    throw new MerkleArgumentError(`The ${leftBytes ? "right" : "left"} child is not a 32-byte hash.`, {
      details: "Pass 0x followed by 64 hex digits, or a Uint8Array of 32 bytes.",
    });
  }
  return bytesToHex(hashChildren(leftBytes, rightBytes));
}
