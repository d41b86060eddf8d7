// The stored tree's reads: which nodes come from where, and the folded levels against @shanji/core.
import { merkleRootFromLeafHashes } from "@shanji/core";
import { bytesToHex, type Hex } from "viem";
import { beforeAll, describe, expect, test } from "vitest";
import { createStore } from "../store/createStore.ts";
import type { Store } from "../store/types.ts";
import {
  foldInto,
  foldLeaves,
  isFolded,
  LOWEST_STORED_LEVEL,
  leavesUnder,
  nodeKey,
  readStoredNodes,
  storedReads,
} from "./storedTree.ts";

/** Leaf hashes 0..N-1: each a distinct 32-byte value. */
const N = 40;
const hashes = Array.from({ length: N }, (_, i) => new Uint8Array(32).fill(i + 1));
const hex = (bytes: Uint8Array | undefined): Hex => bytesToHex(bytes ?? new Uint8Array());

let store: Store;
beforeAll(async () => {
  store = await createStore();
  for (const [i, hash] of hashes.entries()) {
    await store.query(
      `insert into entries (idx, block_number, tx_hash, log_index, kind, actor_org, ts, leaf, leaf_hash, record)
       values ($1, 1, $2, 0, 1, 0, 0, $3, $4, '{}'::jsonb)`,
      [BigInt(i), new Uint8Array(32), new Uint8Array([i]), hash],
    );
  }
  // The stored levels: level 4 nodes 0 and 1, level 5 node 0 (leaves 0–31).
  for (const [level, pos] of [
    [4, 0n],
    [4, 1n],
    [5, 0n],
  ] as const) {
    const { from, to } = leavesUnder(level, pos);
    await store.query("insert into tree_nodes (level, pos, hash) values ($1, $2, $3)", [
      level,
      pos,
      foldLeaves(hashes.slice(Number(from), Number(to))),
    ]);
  }
});

describe("the stored tree", () => {
  test("behavior: levels 1 to 3 are folded, 0 and 4 up are read", () => {
    expect(LOWEST_STORED_LEVEL).toBe(4);
    expect([0, 1, 2, 3, 4, 5].map(isFolded)).toEqual([false, true, true, true, false, false]);
    expect(leavesUnder(3, 2n)).toEqual({ from: 16n, to: 24n });
  });

  test("behavior: a folded node is the root of its leaves, as @shanji/core computes it", () => {
    for (const size of [1, 2, 4, 8, 16]) {
      const slice = hashes.slice(8, 8 + size);
      expect(hex(foldLeaves(slice))).toBe(merkleRootFromLeafHashes(slice.map((h) => hex(h))));
    }
  });

  test("behavior: the reads of a set of nodes: leaf hashes once each, stored nodes by key", () => {
    const reads = storedReads([
      { level: 0, pos: 5n },
      { level: 1, pos: 2n },
      { level: 2, pos: 1n },
      { level: 4, pos: 1n },
      { level: 7, pos: 0n },
    ]);
    expect(reads.leaves.sort((a, b) => Number(a - b))).toEqual([4n, 5n, 6n, 7n]);
    expect(reads.levels).toEqual([4, 7]);
    expect(reads.positions).toEqual([1n, 0n]);
  });

  test("behavior: readStoredNodes returns every node the store has, folded or stored, and leaves out the rest", async () => {
    const keys = [
      { level: 0, pos: 3n },
      { level: 3, pos: 1n },
      { level: 2, pos: 9n }, // leaves 36–39
      { level: 4, pos: 1n },
      { level: 5, pos: 0n },
      { level: 3, pos: 5n }, // leaves 40–47: beyond the log
      { level: 4, pos: 2n }, // not complete, so not stored
    ];
    const nodes = await readStoredNodes(store, keys);
    expect(hex(nodes.get(nodeKey(0, 3n)))).toBe(hex(hashes[3]));
    expect(hex(nodes.get(nodeKey(3, 1n)))).toBe(hex(foldLeaves(hashes.slice(8, 16))));
    expect(hex(nodes.get(nodeKey(2, 9n)))).toBe(hex(foldLeaves(hashes.slice(36, 40))));
    expect(hex(nodes.get(nodeKey(4, 1n)))).toBe(hex(foldLeaves(hashes.slice(16, 32))));
    expect(hex(nodes.get(nodeKey(5, 0n)))).toBe(hex(foldLeaves(hashes.slice(0, 32))));
    expect(nodes.has(nodeKey(3, 5n))).toBe(false);
    expect(nodes.has(nodeKey(4, 2n))).toBe(false);
    expect(await readStoredNodes(store, [])).toEqual(new Map());
  });

  test("behavior: foldInto folds only nodes whose leaves are all present, and keeps what is there", () => {
    const nodes = new Map<string, Uint8Array>([
      [nodeKey(0, 0n), hashes[0] as Uint8Array],
      [nodeKey(0, 1n), hashes[1] as Uint8Array],
      [nodeKey(0, 2n), hashes[2] as Uint8Array],
      [nodeKey(1, 2n), new Uint8Array(32)],
    ]);
    foldInto(nodes, [
      { level: 1, pos: 0n },
      { level: 1, pos: 1n },
      { level: 1, pos: 2n },
    ]);
    expect(hex(nodes.get(nodeKey(1, 0n)))).toBe(hex(foldLeaves(hashes.slice(0, 2))));
    expect(nodes.has(nodeKey(1, 1n)), "leaf 3 is missing").toBe(false);
    expect(nodes.get(nodeKey(1, 2n))).toEqual(new Uint8Array(32));
  });
});
