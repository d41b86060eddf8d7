/**
 * Checks a consistency proof: that the tree of `newSize` leaves with root `newRoot`
 * extends the tree of `oldSize` leaves with root `oldRoot` by appending only (RFC 9162
 * §2.1.4.2). A monitor runs it between two checkpoints; like `verifyInclusion` it
 * answers false, never throws, for malformed input.
 *
 * `oldSize` must be at least 1: the RFC defines consistency from a non-empty tree, and a
 * client without a previous checkpoint has nothing to check. Equal sizes need an empty
 * proof and equal roots.
 */
import type { Hex } from "viem";
import { toHash32 } from "./_hex.ts";
import { hashChildren } from "./_tree.ts";
import { decodeProof, equalBytes, MAX_CONSISTENCY_PROOF_LENGTH, toUint64 } from "./_verify.ts";

export type VerifyConsistencyParameters = {
  /** Size of the earlier tree, at least 1. */
  oldSize: number | bigint;
  /** Size of the later tree, at least `oldSize`. */
  newSize: number | bigint;
  /** Root of the earlier tree. */
  oldRoot: Hex;
  /** Root of the later tree. */
  newRoot: Hex;
  /** The proof from `consistencyProof`. */
  proof: readonly Hex[];
};
export type VerifyConsistencyReturnType = boolean;

export function verifyConsistency(parameters: VerifyConsistencyParameters): VerifyConsistencyReturnType {
  if (typeof parameters !== "object" || parameters === null) return false;
  const { oldSize, newSize, oldRoot, newRoot, proof } = parameters;
  const first = toUint64(oldSize);
  const second = toUint64(newSize);
  const firstHash = toHash32(oldRoot);
  const secondHash = toHash32(newRoot);
  const path = decodeProof(proof, MAX_CONSISTENCY_PROOF_LENGTH);
  if (first === undefined || second === undefined || !firstHash || !secondHash || !path) {
    return false;
  }
  if (first === 0n || first > second) return false;
  if (first === second) return path.length === 0 && equalBytes(firstHash, secondHash);

  // The algorithm of RFC 9162 §2.1.4.2, step by step.
  if (path.length === 0) return false;
  // A power-of-two old tree is a complete subtree of the new one, so its root is the
  // proof's implicit first element.
  if ((first & (first - 1n)) === 0n) path.unshift(firstHash);
  let fn = first - 1n;
  let sn = second - 1n;
  while ((fn & 1n) === 1n) {
    fn >>= 1n;
    sn >>= 1n;
  }
  const [seed, ...rest] = path as [Uint8Array, ...Uint8Array[]];
  let fr = seed;
  let sr = seed;
  for (const c of rest) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      fr = hashChildren(c, fr);
      sr = hashChildren(c, sr);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      sr = hashChildren(sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && equalBytes(fr, firstHash) && equalBytes(sr, secondHash);
}
