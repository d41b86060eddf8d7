/**
 * The stored Merkle tree (leaf hashes and tree_nodes), copied into memory, so that an inclusion
 * proof needs no database work besides the entry's own row.
 *
 * Complete subtrees never change: a node stored for leaves [p·2^L, (p+1)·2^L) stays right as long as
 * those leaves stay, so the copy only grows, a few nodes per new entry. Only a chain reorganisation
 * can replace entries; each sync first checks the peaks of what is already copied against the store
 * and starts over when one differs (a changed entry changes the peak above it), and the routes check
 * every root they serve against the root the chain reported (blocks.log_root).
 *
 * Memory: 32 bytes per node, about 64 bytes per entry with every level; above MEMORY_BUDGET the
 * lowest levels stay in the database and proofs fetch them with the entry.
 */
import type { Queryable, Store } from "@shanji/indexer";

/** Bytes of hashes to keep in memory per store (levels are dropped from the bottom to stay below it). */
const MEMORY_BUDGET = 96 * 1024 * 1024;
/** Rows per query while copying. */
const PAGE = 50_000;

export type TreeCache = {
  /** The cache holds every node (at minLevel or above) of the first `covered` entries. */
  readonly covered: bigint;
  /** Nodes below this level are not held. */
  readonly minLevel: number;
  /** The node at (level, pos) if it is held: complete within the first `covered` entries. */
  node(level: number, pos: bigint): Uint8Array | undefined;
  /** Copies the nodes up to `size` (at most one copy runs at a time); starts over if the store changed. */
  sync(size: bigint): Promise<void>;
  /** Forgets everything (after a root check failed). */
  reset(): void;
  /** Roots of right-edge ranges [start, end) computed from held nodes (proofs into a size share them). */
  readonly edges: Map<string, Uint8Array>;
};

const caches = new WeakMap<Queryable, TreeCache>();

/** The cache of `store`'s tree: one per store, shared by every route and request. */
export function treeCacheFor(store: Store | Queryable): TreeCache {
  let cache = caches.get(store);
  if (!cache) {
    cache = createTreeCache(store);
    caches.set(store, cache);
  }
  return cache;
}

/** Levels of a growing tree: one buffer per level, 32 bytes per position. */
type Level = { buffer: Buffer; count: bigint };

export function createTreeCache(q: Queryable, budget = MEMORY_BUDGET): TreeCache {
  let levels: Level[] = [];
  let covered = 0n;
  let minLevel = 0;
  let running: Promise<void> | undefined;
  let generation = 0;
  const edges = new Map<string, Uint8Array>();

  const held = (level: number, pos: bigint): Uint8Array | undefined => {
    if (level < minLevel) return undefined;
    const l = levels[level];
    if (!l || pos >= l.count || (pos + 1n) << BigInt(level) > covered) return undefined;
    return new Uint8Array(l.buffer.buffer, l.buffer.byteOffset + Number(pos) * 32, 32);
  };

  function put(level: number, pos: bigint, hash: Uint8Array): void {
    let l = levels[level];
    if (!l) {
      l = { buffer: Buffer.alloc(32 * 1024), count: 0n };
      levels[level] = l;
    }
    const end = (Number(pos) + 1) * 32;
    if (end > l.buffer.length) {
      const grown = Buffer.alloc(Math.max(end, l.buffer.length * 2));
      l.buffer.copy(grown);
      l.buffer = grown;
    }
    l.buffer.set(hash, end - 32);
    if (pos + 1n > l.count) l.count = pos + 1n;
  }

  function reset(): void {
    levels = [];
    covered = 0n;
    generation += 1;
    edges.clear();
  }

  /** Whether what is held still matches the store: the peaks of the first `covered` entries. */
  async function stillValid(): Promise<boolean> {
    if (covered === 0n) return true;
    const peaks: { level: number; pos: bigint }[] = [];
    for (let level = 63; level >= 0; level--) {
      if ((covered >> BigInt(level)) & 1n) {
        peaks.push({ level, pos: ((covered >> BigInt(level + 1)) << 1n) | 0n });
      }
    }
    const rows = await nodesAt(
      q,
      peaks.map((p) => p.level),
      peaks.map((p) => p.pos),
    );
    for (const p of peaks) {
      const mine = levels[p.level] && p.level >= minLevel ? held(p.level, p.pos) : undefined;
      const stored = rows.get(`${p.level}:${p.pos}`);
      if (!stored) return false;
      if (mine && Buffer.compare(mine, stored) !== 0) return false;
    }
    return true;
  }

  async function copy(size: bigint): Promise<void> {
    if (size < covered || !(await stillValid())) reset();
    const started = generation;
    if (covered === 0n) {
      // Levels from the bottom that do not fit the budget stay in the database.
      minLevel = 0;
      while (minLevel < 62 && Number(size >> BigInt(minLevel)) * 64 > budget) minLevel += 1;
    }
    for (let level = minLevel; level < 64 && size >> BigInt(level) > 0n; level++) {
      // Positions of the nodes completed between the covered size and `size`.
      let from = covered >> BigInt(level);
      const to = size >> BigInt(level);
      while (from < to) {
        const until = from + BigInt(PAGE) < to ? from + BigInt(PAGE) : to;
        const rows =
          level === 0
            ? await q.query<{ pos: bigint; hash: Uint8Array }>(
                "select idx as pos, leaf_hash as hash from entries where idx >= $1 and idx < $2 order by idx",
                [from, until],
              )
            : await q.query<{ pos: bigint; hash: Uint8Array }>(
                "select pos, hash from tree_nodes where level = $1 and pos >= $2 and pos < $3 order by pos",
                [level, from, until],
              );
        if (generation !== started) return;
        if (BigInt(rows.length) !== until - from) return; // the store is behind or changed: try again later
        for (const row of rows) put(level, row.pos, row.hash);
        from = until;
      }
    }
    if (generation === started) covered = size;
  }

  return {
    get covered() {
      return covered;
    },
    get minLevel() {
      return minLevel;
    },
    node: held,
    get edges() {
      // Bounded: a few dozen per size, and sizes change with every indexed batch.
      if (edges.size > 4_096) edges.clear();
      return edges;
    },
    sync(size) {
      if (size === covered) return Promise.resolve();
      running ??= copy(size).finally(() => {
        running = undefined;
      });
      return running;
    },
    reset,
  };
}

async function nodesAt(q: Queryable, levels: number[], positions: bigint[]): Promise<Map<string, Uint8Array>> {
  const rows = await q.query<{ level: number; pos: bigint; hash: Uint8Array }>(
    `select 0::smallint as level, e.idx as pos, e.leaf_hash as hash
       from entries e join unnest($1::smallint[], $2::bigint[]) as k(level, pos) on k.level = 0 and e.idx = k.pos
     union all
     select t.level, t.pos, t.hash
       from tree_nodes t join unnest($1::smallint[], $2::bigint[]) as k(level, pos) on t.level = k.level and t.pos = k.pos`,
    [levels, positions],
  );
  return new Map(rows.map((r) => [`${r.level}:${r.pos}`, r.hash]));
}
