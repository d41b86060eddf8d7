/**
 * Inclusion proofs of many entries into one tree size, from the stored tree in one query.
 *
 * The same construction as @shanji/indexer's `inclusionProofAt` (proofs/treeProofs.ts): every
 * hash of an RFC 9162 audit path is the root of a range of leaves, made of aligned perfect
 * subtrees whose roots the indexer stored (tree_nodes; level 0 is the entry's leaf hash; the lowest
 * interior levels are folded from the leaf hashes under them, see @shanji/indexer's storedTree). Here the
 * nodes of all the requested proofs are fetched together — a page of a stream's history shares
 * most of them, and one entry's proof costs one round trip instead of three — and the entries'
 * own rows come in the same query. With the in-memory copy of the stored tree (treeCache.ts), an
 * entry's proof costs one primary-key lookup of its row. A test checks that all give the same proofs.
 */
import { createHash } from "node:crypto";
import { foldInto, type NodeKey, type Queryable, storedReads } from "@shanji/indexer";
import type { Hex } from "viem";
import { entryRowBatcherFor } from "./entryRowBatcher.ts";
import type { TreeCache } from "./treeCache.ts";

type Range = readonly [start: bigint, end: bigint];

/** A stored entry row, as the routes use it. */
export type EntryRow = {
  idx: bigint;
  block_number: bigint;
  tx_hash: Uint8Array;
  log_index: number;
  kind: number;
  leaf: Uint8Array;
  leaf_hash: Uint8Array;
};

export type InclusionProofOf = {
  leafHash: Hex;
  /** Sibling hashes, bottom first. */
  inclusion: Hex[];
  /** The root the proof leads to: the root of the first `size` entries. */
  root: Hex;
};

/** The largest power of two strictly below n (n > 1). */
function split(n: bigint): bigint {
  let k = 1n;
  while (k << 1n < n) k <<= 1n;
  return k;
}

const isPowerOfTwo = (n: bigint) => n > 0n && (n & (n - 1n)) === 0n;
const log2 = (n: bigint) => n.toString(2).length - 1;
const NODE_PREFIX = new Uint8Array([1]);
const LEAF_PREFIX = new Uint8Array([0]);
/** Lower-case 0x-hex, by Node's native encoder. */
export const toHex = (bytes: Uint8Array): Hex =>
  `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex")}`;
const keyOf = (level: number, pos: bigint) => `${level}:${pos}`;

/** The aligned perfect subtrees whose roots make up the root of `range` (RFC 6962's recursion). */
function subtrees([start, end]: Range, out: Map<string, { level: number; pos: bigint }>): void {
  const size = end - start;
  if (isPowerOfTwo(size)) {
    const level = log2(size);
    const pos = start >> BigInt(level);
    out.set(keyOf(level, pos), { level, pos });
    return;
  }
  const k = split(size);
  subtrees([start, start + k], out);
  subtrees([start + k, end], out);
}

/** RFC 9162 §2.1.3.1 PATH(m, D[start:end]) as the ranges whose roots form the proof, bottom first. */
function pathRanges(m: bigint, [start, end]: Range): Range[] {
  const out: Range[] = [];
  let s = start;
  let e = end;
  let index = m;
  // Iterative form of the RFC's recursion, collected top first and reversed at the end.
  while (e - s > 1n) {
    const k = split(e - s);
    if (index < k) {
      out.push([s + k, e]);
      e = s + k;
    } else {
      out.push([s, s + k]);
      s += k;
      index -= k;
    }
  }
  return out.reverse();
}

function rangeRoot([start, end]: Range, nodes: Map<string, Uint8Array>, memo?: Map<string, Uint8Array>): Uint8Array {
  const size = end - start;
  if (isPowerOfTwo(size)) {
    const level = log2(size);
    const hash = nodes.get(keyOf(level, start >> BigInt(level)));
    if (!hash) throw new Error(`tree node ${level}:${start >> BigInt(level)} missing`);
    return hash;
  }
  // Ranges that are not one subtree lie on the tree's right edge, shared by every proof into a size.
  const key = `${start}-${end}`;
  const known = memo?.get(key);
  if (known) return known;
  const k = split(size);
  const root = hashChildren(rangeRoot([start, start + k], nodes, memo), rangeRoot([start + k, end], nodes, memo));
  memo?.set(key, root);
  return root;
}

function hashChildren(left: Uint8Array, right: Uint8Array): Uint8Array {
  return createHash("sha256").update(NODE_PREFIX).update(left).update(right).digest();
}

/**
 * The audit path of entry `index` in the tree of `size` entries, read from the copy level by level
 * (RFC 9162 §2.1.3.1 seen bottom up: at each level the sibling of the entry's subtree — a stored node
 * when complete, the root of the tree's right edge when not, none when the entry's subtree is the
 * level's last). Every node must be held: `size` at most `cache.covered`, `cache.minLevel` 0.
 */
export function pathFromCopy(index: bigint, size: bigint, cache: TreeCache): Uint8Array[] {
  const siblings: Uint8Array[] = [];
  let node = index;
  let last = size - 1n;
  for (let level = 0; last > 0n; level++) {
    const sibling = node ^ 1n;
    if (sibling < last || (sibling === last && (sibling + 1n) << BigInt(level) <= size)) {
      const hash = cache.node(level, sibling);
      if (!hash) throw new MissingTreeNodesError(`the copy lacks tree node ${level}:${sibling}`);
      siblings.push(hash);
    } else if (sibling === last) {
      siblings.push(edgeRoot(sibling << BigInt(level), size, cache));
    }
    node >>= 1n;
    last >>= 1n;
  }
  return siblings;
}

/** SHA-256(0x00 ‖ leaf): the leaf hash of an entry's leaf data. */
export const leafHashOf = (leaf: Uint8Array): Uint8Array =>
  createHash("sha256").update(LEAF_PREFIX).update(leaf).digest();

/** One entry with every node in the copy: its row by primary key, its path from the copy, its root folded. */
async function provenFromCopy(
  q: Queryable,
  index: bigint,
  size: bigint,
  cache: TreeCache,
): Promise<InclusionProofsReturnType> {
  const row = await entryRowBatcherFor(q).load(index);
  const proofs = new Map<bigint, InclusionProofOf>();
  const rows = new Map<bigint, EntryRow>();
  if (!row) return { proofs, rows };
  const siblings = pathFromCopy(index, size, cache);
  const leafHash = leafHashOf(row.leaf);
  rows.set(index, row);
  proofs.set(index, {
    leafHash: toHex(leafHash),
    inclusion: siblings.map(toHex),
    root: toHex(fold(leafHash, index, size, siblings)),
  });
  return { proofs, rows };
}

/** The root of leaves [start, end) on the right edge, from the copy's complete subtrees (remembered per range). */
function edgeRoot(start: bigint, end: bigint, cache: TreeCache): Uint8Array {
  const size = end - start;
  if (isPowerOfTwo(size)) {
    const level = log2(size);
    const hash = cache.node(level, start >> BigInt(level));
    if (!hash) throw new MissingTreeNodesError(`the copy lacks tree node ${level}:${start >> BigInt(level)}`);
    return hash;
  }
  const key = `${start}-${end}`;
  const known = cache.edges.get(key);
  if (known) return known;
  const k = split(size);
  const root = hashChildren(edgeRoot(start, start + k, cache), edgeRoot(start + k, end, cache));
  cache.edges.set(key, root);
  return root;
}

/** The root an audit path leads to from a leaf hash (RFC 9162 §2.1.3.2), as a verifier computes it. */
export function fold(leafHash: Uint8Array, index: bigint, size: bigint, siblings: readonly Uint8Array[]): Uint8Array {
  let root = leafHash;
  let fn = index;
  let sn = size - 1n;
  for (const sibling of siblings) {
    if ((fn & 1n) === 1n || fn === sn) {
      root = hashChildren(sibling, root);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      root = hashChildren(root, sibling);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return root;
}

/** The stored tree lacks nodes a proof needs: the store is inconsistent (or was rolled back meanwhile). */
export class MissingTreeNodesError extends Error {
  override name = "MissingTreeNodesError";
}

export type InclusionProofsParameters = {
  /** Entries to prove, each below `size`. */
  indexes: readonly bigint[];
  /** The tree size to prove into: a size the chain reported, at most the indexed size. */
  size: bigint;
  /** Also return these entries' full rows (same query). */
  withRows?: boolean;
  /** The in-memory copy of the stored tree: nodes it holds are not fetched. */
  cache?: TreeCache | undefined;
};

export type InclusionProofsReturnType = {
  proofs: Map<bigint, InclusionProofOf>;
  rows: Map<bigint, EntryRow>;
};

/**
 * Proofs of `indexes` into the tree of `size` entries, from one query over tree_nodes and entries.
 * Each root is folded from the leaf and its path, so that callers can compare it with the root the
 * chain reported for `size` (blocks.log_root): a self-check of the stored nodes on every answer.
 */
export async function inclusionProofs(
  q: Queryable,
  { indexes, size, withRows = false, cache }: InclusionProofsParameters,
): Promise<InclusionProofsReturnType> {
  const single = indexes.length === 1 ? indexes[0] : undefined;
  if (single !== undefined && withRows && cache && cache.minLevel === 0 && size <= cache.covered && single < size) {
    return provenFromCopy(q, single, size, cache);
  }
  const paths = new Map<bigint, Range[]>();
  const wanted = new Map<string, { level: number; pos: bigint }>();
  for (const index of indexes) {
    if (index < 0n || index >= size) throw new RangeError(`index ${index} is not below tree size ${size}`);
    const ranges = pathRanges(index, [0n, size]);
    paths.set(index, ranges);
    for (const range of ranges) subtrees(range, wanted);
    wanted.set(keyOf(0, index), { level: 0, pos: index });
  }
  // Nodes the in-memory copy holds; the rest (and the requested entries' rows) from the store, the
  // levels it does not store as the leaf hashes to fold them from.
  const nodes = new Map<string, Uint8Array>();
  const unheld: NodeKey[] = [];
  for (const [key, node] of wanted) {
    const held = cache?.node(node.level, node.pos);
    if (held) nodes.set(key, held);
    else unheld.push(node);
  }
  const { leaves, levels, positions } = storedReads(unheld);
  const entryRows = new Map<bigint, EntryRow>();
  if (withRows && levels.length === 0) {
    // The usual case with the copy: the entries' own rows (and any leaf hash it lacks), by primary
    // key, in one query with those of the other requests of this moment.
    const batcher = entryRowBatcherFor(q);
    const ids = [...new Set([...indexes, ...leaves])];
    const rows = await Promise.all(ids.map((id) => batcher.load(id)));
    const requested = new Set(indexes);
    for (const row of rows) {
      if (!row) continue;
      // A served entry's leaf hash is that of the bytes served, so the fold checks them too.
      nodes.set(keyOf(0, row.idx), requested.has(row.idx) ? leafHashOf(row.leaf) : row.leaf_hash);
      if (requested.has(row.idx)) entryRows.set(row.idx, row);
    }
  } else if (withRows || leaves.length > 0 || levels.length > 0) {
    // Leaves (with the requested entries' rows when asked) and interior nodes in one round trip.
    const rows = await q.query<Partial<EntryRow> & { level: number; pos: bigint; hash: Uint8Array }>(
      withRows
        ? `select 0::smallint as level, e.idx as pos, e.leaf_hash as hash,
                  e.idx, e.block_number, e.tx_hash, e.log_index, e.kind, case when e.idx = any($4::bigint[]) then e.leaf end as leaf
             from entries e where e.idx = any($1::bigint[])
           union all
           select t.level, t.pos, t.hash, null, null, null, null, null, null
             from tree_nodes t join unnest($2::smallint[], $3::bigint[]) as k(level, pos) on t.level = k.level and t.pos = k.pos`
        : `select 0::smallint as level, e.idx as pos, e.leaf_hash as hash from entries e where e.idx = any($1::bigint[])
           union all
           select t.level, t.pos, t.hash
             from tree_nodes t join unnest($2::smallint[], $3::bigint[]) as k(level, pos) on t.level = k.level and t.pos = k.pos`,
      withRows ? [[...new Set([...leaves, ...indexes])], levels, positions, [...indexes]] : [leaves, levels, positions],
    );
    for (const row of rows) {
      if (withRows && row.leaf) {
        // A served entry's leaf hash is that of the bytes served, so the fold checks them too.
        nodes.set(keyOf(0, row.pos), leafHashOf(row.leaf));
        entryRows.set(row.pos, { ...(row as EntryRow), leaf_hash: row.hash });
      } else {
        nodes.set(keyOf(row.level, row.pos), row.hash);
      }
    }
  }
  foldInto(nodes, unheld);
  const missing = [...wanted.keys()].filter((key) => !nodes.has(key));
  if (missing.length > 0) {
    throw new MissingTreeNodesError(`the store lacks ${missing.length} tree node(s) (first: ${missing[0]})`);
  }

  const proofs = new Map<bigint, InclusionProofOf>();
  for (const [index, ranges] of paths) {
    const leaf = nodes.get(keyOf(0, index)) as Uint8Array;
    const siblings = ranges.map((range) => rangeRoot(range, nodes, cache?.edges));
    const root = fold(leaf, index, size, siblings);
    proofs.set(index, {
      leafHash: toHex(leaf),
      inclusion: siblings.map(toHex),
      root: toHex(root),
    });
  }
  return { proofs, rows: entryRows };
}
