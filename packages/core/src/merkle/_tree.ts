/**
 * The RFC 9162 tree algorithms behind the public Merkle functions, working on leaf
 * hashes packed end to end in one `Uint8Array` (leaf i at bytes 32i…32i+31).
 *
 * Why packed: an indexer builds roots and proofs over a million leaves, and one buffer
 * instead of a million small arrays or hex strings keeps memory and GC time flat.
 * Every function here hashes O(n) nodes: a subtree root is computed by reducing its
 * leaves level by level, and a proof needs the roots of disjoint subtrees only.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import type { Hex } from "viem";
import { MerkleArgumentError } from "../errors.ts";
import { bytesToHex, decodeHash32Into, HASH_SIZE } from "./_hex.ts";

// RFC 9162 §2.1.1 domain separation prefixes.
const LEAF_PREFIX = 0x00;
const NODE_PREFIX = 0x01;

// Scratch for node hashing: JavaScript runs one call at a time and nothing here awaits,
// so a module-level buffer cannot be shared by two computations at once.
const nodeInput = new Uint8Array(1 + 2 * HASH_SIZE);
nodeInput[0] = NODE_PREFIX;

/** SHA-256(0x00 ‖ data). */
export function hashLeaf(data: Uint8Array): Uint8Array {
  return sha256.create().update(Uint8Array.of(LEAF_PREFIX)).update(data).digest();
}

/** SHA-256(0x01 ‖ left ‖ right) for two 32-byte hashes. */
export function hashChildren(left: Uint8Array, right: Uint8Array): Uint8Array {
  nodeInput.set(left, 1);
  nodeInput.set(right, 1 + HASH_SIZE);
  return sha256(nodeInput);
}

/** The root of the empty tree: SHA-256 of the empty string (RFC 9162 §2.1.1). */
export function emptyRoot(): Uint8Array {
  return sha256(new Uint8Array(0));
}

/** Packs the leaf hashes of raw leaf data. */
export function packLeafData(leaves: readonly Uint8Array[]): Uint8Array {
  const packed = new Uint8Array(leaves.length * HASH_SIZE);
  for (let i = 0; i < leaves.length; i++) {
    const leaf = leaves[i];
    if (!(leaf instanceof Uint8Array)) {
      throw new MerkleArgumentError(`Leaf ${i} is not a Uint8Array.`, {
        details: "Leaves are the raw bytes of each entry, not their hashes or hex strings.",
      });
    }
    packed.set(hashLeaf(leaf), i * HASH_SIZE);
  }
  return packed;
}

/** Packs leaf hashes given as hex, rejecting anything that is not a 32-byte hash. */
export function packLeafHashes(hashes: readonly Hex[]): Uint8Array {
  const packed = new Uint8Array(hashes.length * HASH_SIZE);
  for (let i = 0; i < hashes.length; i++) {
    if (!decodeHash32Into(hashes[i], packed, i * HASH_SIZE)) {
      throw new MerkleArgumentError(`Leaf hash ${i} is not a 32-byte hex hash.`, {
        details: `Got ${JSON.stringify(String(hashes[i])).slice(0, 80)}; expected 0x followed by 64 hex digits.`,
      });
    }
  }
  return packed;
}

/**
 * Reduces `count` packed hashes in `buffer` to their RFC 6962 root, in place, and
 * leaves it in the first 32 bytes. Pairing neighbours level by level and carrying an
 * odd last node up unchanged gives exactly the tree of RFC 9162 §2.1.1, whose left
 * subtree is always the largest power of two smaller than the whole.
 */
export function reduceInPlace(buffer: Uint8Array, count: number): void {
  let width = count;
  while (width > 1) {
    const pairs = width >>> 1;
    for (let i = 0; i < pairs; i++) {
      // Node i of the next level reads nodes 2i and 2i+1 of this one, and i <= 2i, so
      // writing it never overwrites a node still to be read.
      nodeInput.set(buffer.subarray(2 * i * HASH_SIZE, (2 * i + 2) * HASH_SIZE), 1);
      buffer.set(sha256(nodeInput), i * HASH_SIZE);
    }
    if (width & 1) {
      buffer.copyWithin(pairs * HASH_SIZE, (width - 1) * HASH_SIZE, width * HASH_SIZE);
    }
    width = pairs + (width & 1);
  }
}

/** MTH(D[start:end]) over packed leaf hashes, for 0 <= start < end. */
export function rangeRoot(packed: Uint8Array, start: number, end: number): Uint8Array {
  const scratch = packed.slice(start * HASH_SIZE, end * HASH_SIZE);
  reduceInPlace(scratch, end - start);
  return scratch.length === HASH_SIZE ? scratch : scratch.slice(0, HASH_SIZE);
}

/** The largest power of two strictly less than `n`, for 2 <= n <= 2^31. */
export function splitPoint(n: number): number {
  return 2 ** (31 - Math.clz32(n - 1));
}

/** RFC 9162 §2.1.3.1 PATH(m, D[n]) over packed leaf hashes, as hex. */
export function inclusionPath(packed: Uint8Array, size: number, index: number): Hex[] {
  // Walk from the root down to the leaf; each step's sibling subtree is disjoint from
  // the others, so all the hashing together touches each leaf at most once.
  const siblings: Hex[] = [];
  let start = 0;
  let end = size;
  while (end - start > 1) {
    const middle = start + splitPoint(end - start);
    if (index < middle) {
      siblings.push(bytesToHex(rangeRoot(packed, middle, end)));
      end = middle;
    } else {
      siblings.push(bytesToHex(rangeRoot(packed, start, middle)));
      start = middle;
    }
  }
  // PATH lists the sibling nearest the leaf first.
  return siblings.reverse();
}

/** RFC 9162 §2.1.4.1 PROOF(m, D[n]) = SUBPROOF(m, D[n], true) over packed leaf hashes. */
export function consistencyPath(packed: Uint8Array, size: number, oldSize: number): Hex[] {
  const hashes: Hex[] = [];
  let start = 0;
  let end = size;
  let m = oldSize;
  // b of SUBPROOF: true while the subtree we are in is still the old tree's left edge,
  // whose root the verifier already knows.
  let isOldTreeEdge = true;
  while (m !== end - start) {
    const k = splitPoint(end - start);
    if (m <= k) {
      hashes.push(bytesToHex(rangeRoot(packed, start + k, end)));
      end = start + k;
    } else {
      hashes.push(bytesToHex(rangeRoot(packed, start, start + k)));
      start += k;
      m -= k;
      isOldTreeEdge = false;
    }
  }
  if (!isOldTreeEdge) hashes.push(bytesToHex(rangeRoot(packed, start, end)));
  // SUBPROOF appends each level's hash after the deeper part of the proof.
  return hashes.reverse();
}

/** Throws unless `value` is an integer in [min, max]. */
export function assertIndex(name: string, value: number, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new MerkleArgumentError(`${name} must be an integer from ${min} to ${max}, got ${String(value)}.`);
  }
}
