/**
 * RFC 6962 tree hashing over packed 32-byte hashes, cut into aligned chunks of CHUNK leaves so
 * that several threads can hash one tree. Why chunks give the same root: the tree over n leaves
 * splits at the largest power of two below n, which is a multiple of CHUNK whenever n > CHUNK, so
 * every full chunk is a perfect subtree and the last, partial one is the tree of its own leaves;
 * the tree over the chunk roots, built the same way, is the tree over the leaves.
 */
import { hash } from "node:crypto";

/** Leaves per chunk: small enough that threads of uneven speed (a busy machine) finish together. */
export const CHUNK = 1 << 14;

/** Leaves and results in shared memory, and the counter the threads take chunks from. */
export type SharedLeaves = {
  count: number;
  data: Uint8Array;
  offsets: Float64Array;
  /** Leaf hashes, packed: leaf i at 32·i. */
  hashes: Uint8Array;
  /** Chunk roots, packed: chunk c at 32·c. */
  roots: Uint8Array;
  /** The next chunk to take (Atomics). */
  next: Int32Array;
};

/** Takes chunks off the shared counter until none is left: hashes their leaves and stores each chunk's root. */
export function hashChunks(s: SharedLeaves): void {
  for (;;) {
    const start = Atomics.add(s.next, 0, 1) * CHUNK;
    if (start >= s.count) return;
    const end = Math.min(s.count, start + CHUNK);
    hashRange(s.data, s.offsets, s.hashes, start, end);
    s.roots.set(chunkRoot(s.hashes, start, end), 32 * (start / CHUNK));
  }
}

/** Reduces `count` packed hashes in `buffer` in place (neighbours paired level by level, an odd last node carried up). */
export function reduceInPlace(buffer: Uint8Array, count: number): void {
  const out = asBuffer(buffer);
  const node = new Uint8Array(65);
  node[0] = 1;
  let width = count;
  while (width > 1) {
    const pairs = width >>> 1;
    for (let i = 0; i < pairs; i++) {
      node.set(buffer.subarray(64 * i, 64 * i + 64), 1);
      out.write(hash("sha256", node, "binary"), 32 * i, 32, "latin1");
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

/**
 * Leaf hashes SHA-256(0x00 ‖ leaf) of leaves [start, end) into `hashes` (32 bytes each, at 32·i);
 * `data` as LedgerLeaves lays it out, so that data[offsets[i], offsets[i+1]) is 0x00 ‖ leaf i.
 */
export function hashRange(
  data: Uint8Array,
  offsets: Float64Array,
  hashes: Uint8Array,
  start: number,
  end: number,
): void {
  // Each leaf sits behind its 0x00 prefix (see LedgerLeaves): one one-shot native call per leaf,
  // over a view, with nothing copied.
  const out = asBuffer(hashes);
  for (let i = start; i < end; i++) {
    const from = offsets[i] as number;
    const to = offsets[i + 1] as number;
    out.write(hash("sha256", data.subarray(from, to), "binary"), 32 * i, 32, "latin1");
  }
}

/**
 * A Buffer over the same memory. Digests are taken as "binary" (latin1) strings and written
 * into it: about twice as fast as a Buffer per digest, whose memory the collector must track.
 */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
