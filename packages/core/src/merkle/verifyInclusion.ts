/**
 * Checks an inclusion proof: that the leaf with hash `leafHash` sits at `index` in the
 * tree of `treeSize` leaves whose root is `root` (RFC 9162 §2.1.3.2). This is what a
 * donor's browser runs against a checkpoint, so it answers false — never throws — for
 * any malformed input: sizes out of range, non-hex or wrong-length hashes, a proof of
 * the wrong length.
 *
 * As in RFC 9162, the proof authenticates `treeSize` only through `root`: a proof and
 * root for one size can also pass for a neighbouring size whose path has the same
 * shape. Take `root` and `treeSize` together from one signed checkpoint, never from
 * separate sources.
 */
import type { Hex } from "viem";
import { toHash32 } from "./_hex.ts";
import { hashChildren } from "./_tree.ts";
import { decodeProof, equalBytes, MAX_INCLUSION_PROOF_LENGTH, toUint64 } from "./_verify.ts";

export type VerifyInclusionParameters = {
  /** Zero-based position of the leaf in the tree. */
  index: number | bigint;
  /** Number of leaves in the tree that `root` commits to. */
  treeSize: number | bigint;
  /** `leafHash(data)` of the entry, not the entry itself. */
  leafHash: Hex;
  /** The audit path from `inclusionProof`, nearest sibling first. */
  proof: readonly Hex[];
  /** The tree's root, as published in a checkpoint. */
  root: Hex;
};
export type VerifyInclusionReturnType = boolean;

export function verifyInclusion(parameters: VerifyInclusionParameters): VerifyInclusionReturnType {
  if (typeof parameters !== "object" || parameters === null) return false;
  const { index, treeSize, leafHash, proof, root } = parameters;
  const leafIndex = toUint64(index);
  const size = toUint64(treeSize);
  const leaf = toHash32(leafHash);
  const expectedRoot = toHash32(root);
  const path = decodeProof(proof, MAX_INCLUSION_PROOF_LENGTH);
  if (leafIndex === undefined || size === undefined || !leaf || !expectedRoot || !path) {
    return false;
  }
  if (leafIndex >= size) return false;

  // The algorithm of RFC 9162 §2.1.3.2, step by step; fn is the node on the path and
  // sn the last node of the tree, both at the current level.
  let fn = leafIndex;
  let sn = size - 1n;
  let r = leaf;
  for (const p of path) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      r = hashChildren(p, r);
      // Climb past levels where our node is the carried-up last node and has no sibling.
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      r = hashChildren(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && equalBytes(r, expectedRoot);
}
