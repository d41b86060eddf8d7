/**
 * RFC 9162 inclusion and consistency proofs, and roots at any past size, served from the stored
 * tree: every hash a proof needs is the root of an aligned perfect subtree, which the indexer stored
 * when it completed, or folds from a few leaf hashes at the lowest levels (storedTree.ts). One
 * query fetches them all, so a proof costs O(log n) stored hashes and a few dozen SHA-256 — never a
 * rehash of the ledger.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, type Hex } from "viem";
import { IndexerError } from "../errors.ts";
import type { Queryable } from "../store/types.ts";
import { readStoredNodes } from "./storedTree.ts";

type Range = readonly [start: bigint, end: bigint];
type Key = `${number}:${bigint}`;

const EMPTY_ROOT = bytesToHex(sha256(new Uint8Array(0)));

/** The largest power of two strictly below n (n > 1). */
function split(n: bigint): bigint {
  let k = 1n;
  while (k << 1n < n) k <<= 1n;
  return k;
}

const isPowerOfTwo = (n: bigint) => n > 0n && (n & (n - 1n)) === 0n;
const log2 = (n: bigint) => n.toString(2).length - 1;

/** The perfect aligned subtrees whose hashes make up MTH(D[start:end]), per RFC 6962's recursion. */
function keysOf([start, end]: Range, out: Set<Key>): void {
  const size = end - start;
  if (isPowerOfTwo(size)) {
    const level = log2(size);
    out.add(`${level}:${start >> BigInt(level)}`);
    return;
  }
  const k = split(size);
  keysOf([start, start + k], out);
  keysOf([start + k, end], out);
}

/** RFC 9162 §2.1.3.1 PATH(m, D[start:end]) as the ranges whose roots form the proof, bottom first. */
function pathRanges(m: bigint, [start, end]: Range): Range[] {
  const n = end - start;
  if (n <= 1n) return [];
  const k = split(n);
  return m < k
    ? [...pathRanges(m, [start, start + k]), [start + k, end]]
    : [...pathRanges(m - k, [start + k, end]), [start, start + k]];
}

/** RFC 9162 §2.1.4.1 SUBPROOF(m, D[start:end], b) as ranges. */
function subproofRanges(m: bigint, [start, end]: Range, complete: boolean): Range[] {
  const n = end - start;
  if (m === n) return complete ? [] : [[start, end]];
  const k = split(n);
  return m <= k
    ? [...subproofRanges(m, [start, start + k], complete), [start + k, end]]
    : [...subproofRanges(m - k, [start + k, end], false), [start, start + k]];
}

async function fetchNodes(q: Queryable, ranges: readonly Range[]): Promise<Map<Key, Uint8Array>> {
  const keys = new Set<Key>();
  for (const range of ranges) keysOf(range, keys);
  const wanted = [...keys].map((key) => {
    const [level, pos] = key.split(":") as [string, string];
    return { level: Number(level), pos: BigInt(pos) };
  });
  const nodes = (await readStoredNodes(q, wanted)) as Map<Key, Uint8Array>;
  const missing = [...keys].filter((k) => !nodes.has(k));
  if (missing.length > 0) {
    throw new IndexerError(`The store lacks ${missing.length} tree node(s) for this proof (first: ${missing[0]}).`);
  }
  return nodes;
}

function rangeRoot([start, end]: Range, nodes: Map<Key, Uint8Array>): Uint8Array {
  const size = end - start;
  if (isPowerOfTwo(size)) {
    const level = log2(size);
    return nodes.get(`${level}:${start >> BigInt(level)}`) as Uint8Array;
  }
  const k = split(size);
  const buffer = new Uint8Array(65);
  buffer[0] = 1;
  buffer.set(rangeRoot([start, start + k], nodes), 1);
  buffer.set(rangeRoot([start + k, end], nodes), 33);
  return sha256(buffer);
}

async function storedSize(q: Queryable): Promise<bigint> {
  const rows = await q.query<{ log_size: bigint }>("select log_size from sync_cursor where id = 1");
  return rows[0]?.log_size ?? 0n;
}

function checkSize(what: string, value: bigint, max: bigint): void {
  if (value < 0n || value > max) {
    throw new IndexerError(`${what} ${value} is outside the indexed log (0..${max}).`);
  }
}

/** The root of the log when it had `size` entries. */
export async function rootAt(q: Queryable, size: bigint): Promise<Hex> {
  checkSize("size", size, await storedSize(q));
  if (size === 0n) return EMPTY_ROOT;
  return bytesToHex(rangeRoot([0n, size], await fetchNodes(q, [[0n, size]])));
}

/** The inclusion proof of entry `index` in the log of `size` entries, and that log's root. */
export async function inclusionProofAt(
  q: Queryable,
  index: bigint,
  size: bigint,
): Promise<{ leafHash: Hex; proof: Hex[]; root: Hex }> {
  checkSize("tree size", size, await storedSize(q));
  if (index < 0n || index >= size) throw new IndexerError(`index ${index} is not below tree size ${size}.`);
  const ranges = pathRanges(index, [0n, size]);
  const nodes = await fetchNodes(q, [...ranges, [0n, size], [index, index + 1n]]);
  return {
    leafHash: bytesToHex(rangeRoot([index, index + 1n], nodes)),
    proof: ranges.map((r) => bytesToHex(rangeRoot(r, nodes))),
    root: bytesToHex(rangeRoot([0n, size], nodes)),
  };
}

/** The consistency proof between the log at `oldSize` and at `newSize` entries, with both roots. */
export async function consistencyProofAt(
  q: Queryable,
  oldSize: bigint,
  newSize: bigint,
): Promise<{ proof: Hex[]; oldRoot: Hex; newRoot: Hex }> {
  checkSize("tree size", newSize, await storedSize(q));
  if (oldSize < 1n || oldSize > newSize) {
    throw new IndexerError(`A consistency proof needs 0 < from (${oldSize}) <= to (${newSize}).`);
  }
  const ranges = subproofRanges(oldSize, [0n, newSize], true);
  const nodes = await fetchNodes(q, [...ranges, [0n, oldSize], [0n, newSize]]);
  return {
    proof: ranges.map((r) => bytesToHex(rangeRoot(r, nodes))),
    oldRoot: bytesToHex(rangeRoot([0n, oldSize], nodes)),
    newRoot: bytesToHex(rangeRoot([0n, newSize], nodes)),
  };
}
