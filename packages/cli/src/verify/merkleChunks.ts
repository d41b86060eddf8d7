/**
 * RFC 6962 tree hashing over packed 32-byte hashes, cut into aligned chunks of CHUNK leaves so
 * that several threads can hash one tree. Why chunks give the same root: the tree over n leaves
 * splits at the largest power of two below n, which is a multiple of CHUNK whenever n > CHUNK, so
 * every full chunk is a perfect subtree and the last, partial one is the tree of its own leaves;
 * the tree over the chunk roots, built the same way, is the tree over the leaves.
 */
import { hash } from "node:crypto";

export const CHUNK = 1 << 16;

/** Reduces `count` packed hashes in `buffer` in place (neighbours paired level by level, an odd last node carried up). */
export function reduceInPlace(buffer: Uint8Array, count: number): void {
  const node = new Uint8Array(65);
  node[0] = 1;
  let width = count;
  while (width > 1) {
    const pairs = width >>> 1;
    for (let i = 0; i < pairs; i++) {
      node.set(buffer.subarray(64 * i, 64 * i + 64), 1);
      buffer.set(hash("sha256", node, "buffer"), 32 * i);
    }
    if (width & 1) buffer.copyWithin(32 * pairs, 32 * (width - 1), 32 * width);
    width = pairs + (width & 1);
  }
}

/** The root of leaves [start, end) of the packed hashes (a copy is reduced; the hashes stay). */
export function chunkRoot(hashes: Uint8Array, start: number, end: number): Uint8Array {
  const scratch = hashes.slice(32 * start, 32 * end);
  reduceInPlace(scratch, end - start);
  return scratch.slice(0, 32);
}

/**
 * The root of every prefix that ends at one of `sizes` (ascending), in one pass over the leaf
 * hashes: the peaks of the perfect subtrees so far, merged as each leaf arrives (as the contract
 * keeps them), folded right to left at each requested size.
 */
export function prefixRoots(hashes: Uint8Array, sizes: readonly number[]): Uint8Array[] {
  const node = new Uint8Array(65);
  node[0] = 1;
  const merge = (left: Uint8Array, right: Uint8Array) => {
    node.set(left, 1);
    node.set(right, 33);
    return new Uint8Array(hash("sha256", node, "buffer"));
  };
  const peaks: { height: number; hash: Uint8Array }[] = [];
  const roots: Uint8Array[] = [];
  let next = 0;
  for (let i = 0; next < sizes.length; i++) {
    while (next < sizes.length && sizes[next] === i) {
      if (peaks.length === 0) roots.push(new Uint8Array(hash("sha256", new Uint8Array(0), "buffer")));
      else {
        let acc = (peaks[peaks.length - 1] as { hash: Uint8Array }).hash;
        for (let p = peaks.length - 2; p >= 0; p--) acc = merge((peaks[p] as { hash: Uint8Array }).hash, acc);
        roots.push(acc);
      }
      next += 1;
    }
    if (next >= sizes.length) break;
    let peak = { height: 0, hash: hashes.slice(32 * i, 32 * i + 32) };
    while (peaks.length > 0 && (peaks[peaks.length - 1] as { height: number }).height === peak.height) {
      const left = peaks.pop() as { height: number; hash: Uint8Array };
      peak = { height: peak.height + 1, hash: merge(left.hash, peak.hash) };
    }
    peaks.push(peak);
  }
  return roots;
}

/** Leaf hashes SHA-256(0x00 ‖ leaf) of leaves [start, end) into `hashes` (32 bytes each, at 32·i). */
export function hashRange(
  data: Uint8Array,
  offsets: Float64Array,
  hashes: Uint8Array,
  start: number,
  end: number,
): void {
  // One buffer per leaf with the 0x00 prefix in front: a single native hash call each.
  let scratch = new Uint8Array(1024);
  for (let i = start; i < end; i++) {
    const from = offsets[i] as number;
    const length = (offsets[i + 1] as number) - from;
    if (length + 1 > scratch.length) scratch = new Uint8Array(2 * (length + 1));
    scratch[0] = 0;
    scratch.set(data.subarray(from, from + length), 1);
    hashes.set(hash("sha256", scratch.subarray(0, length + 1), "buffer"), i * 32);
  }
}
