/**
 * Which nodes of the log's Merkle tree the store holds, and how to read any of them.
 *
 * Node (level, pos) is the root of the aligned perfect subtree over leaves [pos·2^level,
 * (pos+1)·2^level). Level 0 is each entry's leaf hash (entries.leaf_hash). Interior nodes of level
 * LOWEST_STORED_LEVEL and up are stored in tree_nodes once complete. The nodes of the levels in
 * between are not stored: they would be seven rows in eight of tree_nodes, written with every
 * entry during ingestion, and any one of them is folded in microseconds from the 2 to 8 leaf
 * hashes under it, which one range read of the entries' primary key returns. So a proof still
 * reads O(log n) stored hashes (at most 2^LOWEST_STORED_LEVEL of them leaf hashes) and never
 * rehashes more than a few leaves.
 */
import type { Queryable } from "../store/types.ts";
import { nodeHash } from "../sync/merkleFrontier.ts";

/** The lowest level of interior nodes kept in tree_nodes. */
export const LOWEST_STORED_LEVEL = 4;

export type NodeKey = { level: number; pos: bigint };

/** The map key of a node: "level:pos". */
export const nodeKey = (level: number, pos: bigint) => `${level}:${pos}` as const;

/** Whether node (level, pos) is folded from leaf hashes rather than read from tree_nodes. */
export const isFolded = (level: number) => level > 0 && level < LOWEST_STORED_LEVEL;

/** The leaves under node (level, pos): [from, to). */
export function leavesUnder(level: number, pos: bigint): { from: bigint; to: bigint } {
  return { from: pos << BigInt(level), to: (pos + 1n) << BigInt(level) };
}

/**
 * The root of a perfect subtree from its leaf hashes in order (a power of two of them), RFC 6962's
 * SHA-256(0x01 ‖ left ‖ right) level by level (the indexer's nodeHash, as its frontier computes them).
 */
export function foldLeaves(hashes: readonly Uint8Array[]): Uint8Array {
  let level = hashes;
  while (level.length > 1) {
    const up: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) up.push(nodeHash(level[i] as Uint8Array, level[i + 1] as Uint8Array));
    level = up;
  }
  return level[0] as Uint8Array;
}

/**
 * Splits the nodes wanted into what to read: leaf hashes (those asked for, and those under the
 * folded levels) and tree_nodes rows.
 */
export function storedReads(keys: Iterable<NodeKey>): { leaves: bigint[]; levels: number[]; positions: bigint[] } {
  const leaves = new Set<bigint>();
  const levels: number[] = [];
  const positions: bigint[] = [];
  for (const { level, pos } of keys) {
    if (level === 0) leaves.add(pos);
    else if (isFolded(level)) {
      const { from, to } = leavesUnder(level, pos);
      for (let i = from; i < to; i++) leaves.add(i);
    } else {
      levels.push(level);
      positions.push(pos);
    }
  }
  return { leaves: [...leaves], levels, positions };
}

/**
 * Adds to `nodes` (keyed by nodeKey, leaf hashes at level 0 among them) every folded node of `keys`
 * whose leaves it holds. A node whose leaves are not all there is left out.
 */
export function foldInto(nodes: Map<string, Uint8Array>, keys: Iterable<NodeKey>): void {
  for (const { level, pos } of keys) {
    if (!isFolded(level) || nodes.has(nodeKey(level, pos))) continue;
    const { from, to } = leavesUnder(level, pos);
    const hashes: Uint8Array[] = [];
    for (let i = from; i < to; i++) {
      const hash = nodes.get(nodeKey(0, i));
      if (!hash) break;
      hashes.push(hash);
    }
    if (BigInt(hashes.length) === to - from) nodes.set(nodeKey(level, pos), foldLeaves(hashes));
  }
}

/**
 * Reads nodes of the stored tree, in one query: leaf hashes from entries, stored nodes from
 * tree_nodes, the levels in between folded from their leaves. The result holds every node of
 * `keys` the store has (and the leaf hashes it read); one the store lacks is absent.
 */
export async function readStoredNodes(q: Queryable, keys: readonly NodeKey[]): Promise<Map<string, Uint8Array>> {
  const { leaves, levels, positions } = storedReads(keys);
  const nodes = new Map<string, Uint8Array>();
  if (leaves.length === 0 && levels.length === 0) return nodes;
  const rows = await q.query<{ level: number; pos: bigint; hash: Uint8Array }>(
    `select 0::smallint as level, e.idx as pos, e.leaf_hash as hash from entries e where e.idx = any($1::bigint[])
     union all
     select t.level, t.pos, t.hash
       from tree_nodes t join unnest($2::smallint[], $3::bigint[]) as k(level, pos) on t.level = k.level and t.pos = k.pos`,
    [leaves, levels, positions],
  );
  for (const row of rows) nodes.set(nodeKey(row.level, row.pos), row.hash);
  foldInto(nodes, keys);
  return nodes;
}
