/**
 * The stored Merkle tree (leaf hashes and tree_nodes), copied into memory, so that an inclusion
 * proof needs no database work besides the entry's own row. The levels the indexer does not store
 * (below LOWEST_STORED_LEVEL) are folded while copying: from the level below, or from the leaf
 * hashes when the copy starts at one of them.
 *
 * Complete subtrees never change: a node stored for leaves [p·2^L, (p+1)·2^L) stays right as long as
 * those leaves stay, so the copy only grows, a few nodes per new entry. Only a chain reorganisation
 * can replace entries. So:
 * - each copy step reads one snapshot of the store (a repeatable-read transaction), and first checks
 *   the peaks of what it already holds against that snapshot, starting over when one differs (a
 *   replaced entry changes the peak above it): the copy is always the tree of one state of the store;
 * - before the routes serve a proof from the copy into a size, `rootAt(size)` — folded from the
 *   copy's peaks of that size — must equal the root the chain reported for it (blocks.log_root):
 *   then, SHA-256 being collision-resistant, every node the copy holds below that size is that
 *   tree's, and the entry's own row must match the copy's leaf hash.
 *
 * Memory: 32 bytes per node, about 64 bytes per entry with every level; above MEMORY_BUDGET the
 * lowest levels stay in the database and proofs fetch them with the entry.
 */
import { foldLeaves, isFolded, nodeHash, nodeKey, type Queryable, readStoredNodes, type Store } from "@shanji/indexer";

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
  /** The root of the first `size` entries folded from the copy's peaks, if it holds them (remembered per size). */
  rootAt(size: bigint): Uint8Array | undefined;
  /** Copies the nodes up to `size` (at most one copy runs at a time); starts over if the store changed. */
  sync(size: bigint): Promise<void>;
  /** Forgets everything (after a root check failed). */
  reset(): void;
  /** Roots of right-edge ranges [start, end) computed from held nodes (proofs into a size share them). */
  readonly edges: Map<string, Uint8Array>;
};

const caches = new WeakMap<Store, TreeCache>();

/** The cache of `store`'s tree: one per store, shared by every route and request. */
export function treeCacheFor(store: Store): TreeCache {
  let cache = caches.get(store);
  if (!cache) {
    cache = createTreeCache(store);
    caches.set(store, cache);
  }
  return cache;
}

/** Levels of a growing tree: one buffer per level, 32 bytes per position. */
type Level = { buffer: Buffer; count: bigint };

/** (level, position) of the peaks of a tree of `size` leaves, largest first. */
function peaksOf(size: bigint): { level: number; pos: bigint }[] {
  const peaks: { level: number; pos: bigint }[] = [];
  for (let level = 63; level >= 0; level--) {
    if ((size >> BigInt(level)) & 1n) peaks.push({ level, pos: (size >> BigInt(level + 1)) << 1n });
  }
  return peaks;
}

export function createTreeCache(store: Store, budget = MEMORY_BUDGET): TreeCache {
  let levels: Level[] = [];
  let covered = 0n;
  let minLevel = 0;
  let running: Promise<void> | undefined;
  let generation = 0;
  const edges = new Map<string, Uint8Array>();
  const roots = new Map<bigint, Uint8Array>();

  const held = (level: number, pos: bigint): Uint8Array | undefined => {
    if (level < minLevel) return undefined;
    const l = levels[level];
    if (!l || pos >= l.count || (pos + 1n) << BigInt(level) > covered) return undefined;
    return new Uint8Array(l.buffer.buffer, l.buffer.byteOffset + Number(pos) * 32, 32);
  };

  /** A node copied into `levels`, whether or not `covered` includes it yet. */
  const at = (level: number, pos: bigint): Uint8Array => {
    const l = levels[level] as Level;
    return l.buffer.subarray(Number(pos) * 32, Number(pos) * 32 + 32);
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
    roots.clear();
  }

  /** Whether what is held is still the store's (in the snapshot `tx` reads): the peaks of the first `covered` entries. */
  async function stillValid(tx: Queryable): Promise<boolean> {
    if (covered === 0n) return true;
    const peaks = peaksOf(covered);
    const stored = await readStoredNodes(tx, peaks);
    return peaks.every((p) => {
      const theirs = stored.get(nodeKey(p.level, p.pos));
      const mine = held(p.level, p.pos);
      // A peak below the copied levels is not held: the store must still have it.
      return theirs !== undefined && (mine === undefined || Buffer.compare(mine, theirs) === 0);
    });
  }

  async function copy(size: bigint): Promise<void> {
    await store.transaction(async (tx) => {
      // One snapshot for the check and every page: the copy is the tree of one state of the store.
      await tx.exec("set transaction isolation level repeatable read");
      const [cursor] = await tx.query<{ log_size: bigint }>("select log_size from sync_cursor where id = 1");
      if (!cursor || cursor.log_size < size) return; // the store is behind the size asked for: later
      if (size < covered || !(await stillValid(tx))) reset();
      if (covered > 0n && Number(size >> BigInt(minLevel)) * 64 > budget) reset(); // outgrew the budget
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
        if (isFolded(level) && level > minLevel) {
          // Not stored: each from its two children, copied just now.
          for (let pos = from; pos < to; pos++) {
            put(level, pos, nodeHash(at(level - 1, 2n * pos), at(level - 1, 2n * pos + 1n)));
          }
          continue;
        }
        // The lowest level held, if it is not stored, is folded from leaf hashes read for it.
        const leavesPer = isFolded(level) ? 1n << BigInt(level) : 1n;
        const step = BigInt(PAGE) / leavesPer;
        while (from < to) {
          const until = from + step < to ? from + step : to;
          const rows =
            level === 0 || isFolded(level)
              ? await tx.query<{ pos: bigint; hash: Uint8Array }>(
                  "select idx as pos, leaf_hash as hash from entries where idx >= $1 and idx < $2 order by idx",
                  [from * leavesPer, until * leavesPer],
                )
              : await tx.query<{ pos: bigint; hash: Uint8Array }>(
                  "select pos, hash from tree_nodes where level = $1 and pos >= $2 and pos < $3 order by pos",
                  [level, from, until],
                );
          if (generation !== started) return;
          if (BigInt(rows.length) !== (until - from) * leavesPer) {
            throw new Error(`the store lacks tree nodes at level ${level} (${from}–${until})`);
          }
          if (leavesPer === 1n) for (const row of rows) put(level, row.pos, row.hash);
          else {
            const per = Number(leavesPer);
            for (let i = 0; i < rows.length; i += per) {
              put(level, from + BigInt(i / per), foldLeaves(rows.slice(i, i + per).map((row) => row.hash)));
            }
          }
          from = until;
        }
      }
      if (generation === started) covered = size;
    });
  }

  function rootAt(size: bigint): Uint8Array | undefined {
    if (size === 0n || size > covered) return undefined;
    const known = roots.get(size);
    if (known) return known;
    let root: Uint8Array | undefined;
    for (const { level, pos } of peaksOf(size).reverse()) {
      const peak = held(level, pos);
      if (!peak) return undefined;
      root = root === undefined ? peak : nodeHash(peak, root);
    }
    if (!root) return undefined;
    // A few sizes at a time (the indexed one, those of pinned history pages).
    if (roots.size > 1_024) roots.clear();
    roots.set(size, root);
    return root;
  }

  return {
    get covered() {
      return covered;
    },
    get minLevel() {
      return minLevel;
    },
    node: held,
    rootAt,
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
