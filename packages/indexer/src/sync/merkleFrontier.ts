/**
 * The right edge of the log's Merkle tree (the roots of its perfect subtrees, "peaks"), so that
 * new leaves can be appended without touching the rest of the tree. Every merge of two subtrees
 * yields an interior node, which the indexer stores: any inclusion or consistency proof can then be
 * answered from stored nodes, without rehashing the ledger.
 */
import { hash } from "node:crypto";

export type TreeNode = { level: number; pos: bigint; hash: Uint8Array };

const EMPTY_ROOT: Uint8Array = hash("sha256", new Uint8Array(0), "buffer");

/** RFC 6962 interior node: SHA-256(0x01 ‖ left ‖ right), with Node's one-shot hash (a few µs per node counts here). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  const buffer = Buffer.allocUnsafe(65);
  buffer[0] = 1;
  buffer.set(left, 1);
  buffer.set(right, 33);
  return hash("sha256", buffer, "buffer");
}

export type MerkleFrontier = {
  readonly size: bigint;
  /** Appends one leaf hash; returns the interior nodes it completed (lowest level first). */
  append(leafHash: Uint8Array): TreeNode[];
  root(): Uint8Array;
  /** The peaks as (level, position) pairs, largest first: what to load to resume at `size`. */
  peaks(): TreeNode[];
};

/** A frontier for a tree of `size` leaves whose peaks are given (largest first, as `peakPositions` lists them). */
export function createMerkleFrontier(size: bigint, peaks: readonly TreeNode[]): MerkleFrontier {
  // byLevel[h] is the peak of height h when bit h of size is set.
  const byLevel = new Map<number, TreeNode>();
  for (const peak of peaks) byLevel.set(peak.level, peak);
  for (const { level } of peakPositions(size)) {
    if (!byLevel.has(level)) throw new Error(`merkle frontier: missing the peak at level ${level} for size ${size}`);
  }
  let n = size;
  return {
    get size() {
      return n;
    },
    append(leafHash) {
      const created: TreeNode[] = [];
      let node = leafHash;
      let level = 0;
      // The trailing one bits of n: the peaks this leaf completes, lowest first.
      for (let bits = n; bits & 1n; bits >>= 1n) {
        const left = byLevel.get(level);
        if (!left) throw new Error("merkle frontier: inconsistent peaks");
        byLevel.delete(level);
        node = nodeHash(left.hash, node);
        level += 1;
        created.push({ level, pos: n >> BigInt(level), hash: node });
      }
      byLevel.set(level, { level, pos: n >> BigInt(level), hash: node });
      n += 1n;
      return created;
    },
    root() {
      if (n === 0n) return EMPTY_ROOT;
      let acc: Uint8Array | undefined;
      for (let level = 0; level < 64; level++) {
        if (((n >> BigInt(level)) & 1n) === 0n) continue;
        const peak = byLevel.get(level);
        if (!peak) throw new Error("merkle frontier: inconsistent peaks");
        acc = acc === undefined ? peak.hash : nodeHash(peak.hash, acc);
      }
      return acc ?? EMPTY_ROOT;
    },
    peaks() {
      return peakPositions(n).map(({ level }) => byLevel.get(level) as TreeNode);
    },
  };
}

/** Where the peaks of a tree of `size` leaves are: (level, position), largest first. */
export function peakPositions(size: bigint): { level: number; pos: bigint }[] {
  const out: { level: number; pos: bigint }[] = [];
  for (let level = 63; level >= 0; level--) {
    if ((size >> BigInt(level)) & 1n) {
      // The peak of height `level` covers the leaves just below the bits above it.
      const start = (size >> BigInt(level + 1)) << BigInt(level + 1);
      out.push({ level, pos: start >> BigInt(level) });
    }
  }
  return out;
}
