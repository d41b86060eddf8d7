import { foldLeaves, inclusionProofAt, LOWEST_STORED_LEVEL } from "@shanji/indexer";
import { afterAll, beforeAll, expect, test } from "vitest";
import { describeEachBackend } from "../../../indexer/src/store/_test/testDatabase.ts";
import { type ApiFixture, openApiFixture } from "../_test/apiFixture.ts";
import { checkedProofs } from "./ledger/checkedProofs.ts";
import { createEntryRowBatcher } from "./ledger/entryRowBatcher.ts";
import { inclusionProofs, MissingTreeNodesError } from "./ledger/inclusionProofs.ts";
import { createTreeCache, treeCacheFor } from "./ledger/treeCache.ts";

describeEachBackend("ledger routes: batched inclusion proofs from the stored tree", (backend) => {
  let f: ApiFixture;
  let size: bigint;

  beforeAll(async () => {
    f = await openApiFixture(backend.freshStore);
    size = (await f.app.shanji.snapshot()).logSize;
  });
  afterAll(() => f?.close());

  test("behavior: the same proofs as the indexer's inclusionProofAt, for every entry at several sizes", async () => {
    const sizes = new Set([1n, 2n, 3n, 7n, 8n, 9n, 64n, 100n, size / 2n + 1n, size - 1n, size]);
    for (const treeSize of sizes) {
      const indexes = Array.from({ length: Number(treeSize) }, (_, i) => BigInt(i));
      const { proofs, rows } = await inclusionProofs(f.store, { indexes, size: treeSize, withRows: true });
      expect(proofs.size).toBe(indexes.length);
      expect(rows.size).toBe(indexes.length);
      // Every entry of small trees; a sample of large ones (inclusionProofAt costs three queries each).
      const sample = treeSize <= 100n ? indexes : indexes.filter((i) => i % 37n === 0n || i === treeSize - 1n);
      for (const index of sample) {
        const expected = await inclusionProofAt(f.store, index, treeSize);
        expect(proofs.get(index), `${index} in ${treeSize}`).toStrictEqual({
          leafHash: expected.leafHash,
          inclusion: expected.proof,
          root: expected.root,
        });
      }
    }
  });

  test("behavior: entry rows come back only for the requested entries, with their leaf hashes", async () => {
    const { rows } = await inclusionProofs(f.store, { indexes: [4n, 10n], size, withRows: true });
    expect([...rows.keys()].sort((a, b) => Number(a - b))).toStrictEqual([4n, 10n]);
    const [stored] = await f.store.query<{ leaf: Uint8Array; leaf_hash: Uint8Array }>(
      "select leaf, leaf_hash from entries where idx = 10",
    );
    expect(rows.get(10n)).toMatchObject({ idx: 10n, leaf: stored?.leaf, leaf_hash: stored?.leaf_hash });
  });

  test("behavior: with the in-memory copy of the tree (whole or without its lowest levels), the same proofs", async () => {
    const whole = createTreeCache(f.store);
    await whole.sync(size - 10n);
    expect(whole).toMatchObject({ covered: size - 10n, minLevel: 0 });
    // 64 bytes per entry with every level: a budget of 4 KiB keeps only the upper levels.
    const upper = createTreeCache(f.store, 4 * 1024);
    await upper.sync(size);
    expect(upper.minLevel).toBeGreaterThan(1);
    const [stored] = await f.store.query<{ hash: Uint8Array }>(
      "select hash from tree_nodes where level = 4 and pos = 3",
    );
    expect(whole.node(4, 3n)).toStrictEqual(stored?.hash);
    // The levels below LOWEST_STORED_LEVEL are not stored: the copy folds them from the leaf hashes.
    expect(await f.store.query("select count(*) as n from tree_nodes where level < $1", [LOWEST_STORED_LEVEL])).toEqual(
      [{ n: 0n }],
    );
    const leaves = await f.store.query<{ leaf_hash: Uint8Array }>(
      "select leaf_hash from entries where idx >= 12 and idx < 16 order by idx",
    );
    const hex = (bytes: Uint8Array | undefined) => Buffer.from(bytes ?? []).toString("hex");
    expect(hex(whole.node(2, 3n))).toBe(hex(foldLeaves(leaves.map((l) => l.leaf_hash))));
    expect(upper.minLevel, "the lowest level held is one the store does not hold").toBeLessThan(LOWEST_STORED_LEVEL);
    expect(upper.node(upper.minLevel, 2n)).toStrictEqual(whole.node(upper.minLevel, 2n));
    expect(whole.node(0, size - 5n), "beyond what is copied").toBeUndefined();
    expect(upper.node(0, 3n), "below the copied levels").toBeUndefined();
    for (const treeSize of [size - 10n, size, 77n]) {
      const indexes = [0n, 1n, 5n, treeSize / 2n, treeSize - 2n, treeSize - 1n];
      for (const cache of [whole, upper]) {
        const { proofs, rows } = await inclusionProofs(f.store, { indexes, size: treeSize, cache, withRows: true });
        expect(rows.size).toBe(indexes.length);
        // One entry at a time: the path read level by level from the copy.
        for (const index of indexes) {
          const one = await inclusionProofs(f.store, { indexes: [index], size: treeSize, cache, withRows: true });
          expect(one.proofs.get(index), `${index} alone in ${treeSize}`).toStrictEqual(proofs.get(index));
          expect(one.rows.get(index)?.idx).toBe(index);
        }
        for (const index of indexes) {
          const expected = await inclusionProofAt(f.store, index, treeSize);
          expect(proofs.get(index), `${index} in ${treeSize}`).toStrictEqual({
            leafHash: expected.leafHash,
            inclusion: expected.proof,
            root: expected.root,
          });
        }
      }
    }
  });

  test("behavior: the copy starts over when the store no longer holds what it copied (a reorganised chain)", async () => {
    const cache = createTreeCache(f.store);
    await cache.sync(size - 10n);
    // The peak of the first (size - 10) entries at the highest level, as a rollback and a new fork would change it.
    const level = (size - 10n).toString(2).length - 1;
    const [before] = await f.store.query<{ hash: Uint8Array }>(
      "select hash from tree_nodes where level = $1 and pos = 0",
      [level],
    );
    const changed = new Uint8Array(32).fill(7);
    await f.store.query("update tree_nodes set hash = $1 where level = $2 and pos = 0", [changed, level]);
    try {
      await cache.sync(size);
      expect(cache.covered).toBe(size);
      expect(cache.node(level, 0n)).toStrictEqual(changed);
    } finally {
      await f.store.query("update tree_nodes set hash = $1 where level = $2 and pos = 0", [before?.hash, level]);
    }
  });

  test("behavior: proofs folded from a stale copy do not match the chain's root: the copy is dropped and the store answers", async () => {
    const snapshot = await f.app.shanji.snapshot();
    const cache = treeCacheFor(f.store);
    cache.reset();
    // Copy a tree whose leaf hash 0 is wrong (and so the level-1 node 0 folded from it), then put
    // the right one back in the store.
    const [before] = await f.store.query<{ hash: Uint8Array }>("select leaf_hash as hash from entries where idx = 0");
    await f.store.query("update entries set leaf_hash = $1 where idx = 0", [new Uint8Array(32).fill(9)]);
    await cache.sync(snapshot.logSize);
    await f.store.query("update entries set leaf_hash = $1 where idx = 0", [before?.hash]);
    expect(cache.covered).toBe(snapshot.logSize);

    // Entries 2 and 3's paths go through level-1 node 0 (entries 0 and 1).
    const { proofs } = await checkedProofs(f.store, f.app.log, {
      indexes: [2n, 3n],
      size: snapshot.logSize,
      root: snapshot.root,
    });
    expect(proofs.get(3n)?.root).toBe(snapshot.root);
    expect(cache.covered, "the stale copy was dropped").toBe(0n);
    // And the route answers right (copying again meanwhile).
    const res = await f.app.inject("/v1/entries/3");
    expect(res.statusCode).toBe(200);
    expect(res.json().proof.root).toBe(snapshot.root);
  });

  test("behavior: one entry is proved from the copy only when the copy's root is the chain's and its row matches the copy", async () => {
    const snapshot = await f.app.shanji.snapshot();
    const cache = treeCacheFor(f.store);
    await cache.sync(snapshot.logSize);
    expect(cache.covered).toBe(snapshot.logSize);
    expect(Buffer.from(cache.rootAt(snapshot.logSize) ?? []).toString("hex")).toBe(snapshot.root.slice(2));
    const fromCopy = await checkedProofs(f.store, f.app.log, {
      indexes: [7n],
      size: snapshot.logSize,
      root: snapshot.root,
      withRows: true,
    });
    const expected = await inclusionProofAt(f.store, 7n, snapshot.logSize);
    expect(fromCopy.proofs.get(7n)).toStrictEqual({
      leafHash: expected.leafHash,
      inclusion: expected.proof,
      root: expected.root,
    });

    // A root the copy does not lead to is never served: the copy is dropped, the store cannot prove it either.
    const wrongRoot = `0x${"ab".repeat(32)}` as const;
    await expect(
      checkedProofs(f.store, f.app.log, { indexes: [7n], size: snapshot.logSize, root: wrongRoot, withRows: true }),
    ).rejects.toMatchObject({ status: 503 });
    expect(cache.covered).toBe(0n);

    // Leaf bytes that do not hash to the copy's leaf hash are not proved from the copy, nor at all.
    await cache.sync(snapshot.logSize);
    const [row] = await f.store.query<{ leaf: Uint8Array }>("select leaf from entries where idx = 7");
    const other = new Uint8Array(row?.leaf ?? []);
    other[other.length - 1] = (other[other.length - 1] ?? 0) ^ 1;
    await f.store.query("update entries set leaf = $1 where idx = 7", [other]);
    try {
      for (const indexes of [[7n], [7n, 8n]]) {
        await expect(
          checkedProofs(f.store, f.app.log, { indexes, size: snapshot.logSize, root: snapshot.root, withRows: true }),
        ).rejects.toMatchObject({ status: 503 });
      }
    } finally {
      await f.store.query("update entries set leaf = $1 where idx = 7", [row?.leaf]);
    }
  });

  test("behavior: entry rows asked for in the same moment come in one query", async () => {
    let queries = 0;
    const counting = {
      query: (sql: string, params?: readonly unknown[]) => {
        queries += 1;
        return f.store.query(sql, params);
      },
      exec: (sql: string) => f.store.exec(sql),
    };
    const batcher = createEntryRowBatcher(counting as never);
    const rows = await Promise.all([1n, 2n, 3n, 2n, size + 5n].map((i) => batcher.load(i)));
    expect(queries).toBe(1);
    expect(rows.map((r) => r?.idx)).toStrictEqual([1n, 2n, 3n, 2n, undefined]);
    expect(rows[1]?.leaf).toBeInstanceOf(Uint8Array);
    await batcher.load(4n);
    expect(queries).toBe(2);
    const failing = createEntryRowBatcher({
      query: () => Promise.reject(new Error("down")),
      exec: async () => {},
    } as never);
    await expect(Promise.all([failing.load(1n), failing.load(2n)])).rejects.toThrow("down");
  });

  test("behavior: while two queries run, the rows asked for wait and then come in one query", async () => {
    const sent: unknown[][] = [];
    const gates: (() => void)[] = [];
    const gated = {
      query: async (sql: string, params?: readonly unknown[]) => {
        sent.push([...(params ?? [])]);
        await new Promise<void>((release) => gates.push(release));
        return f.store.query(sql, params);
      },
      exec: (sql: string) => f.store.exec(sql),
    };
    const batcher = createEntryRowBatcher(gated as never);
    const turn = () => new Promise((r) => setImmediate(r));
    const first = batcher.load(1n);
    await turn();
    const second = batcher.load(2n);
    await turn();
    // Two queries run: these wait, over several turns, for one of them to end.
    const waiting = [3n, 4n, 5n].map((i) => batcher.load(i));
    await turn();
    await turn();
    expect(sent).toHaveLength(2);
    gates.shift()?.();
    expect((await first)?.idx).toBe(1n);
    for (let i = 0; i < 10 && sent.length < 3; i++) await turn();
    expect(sent).toHaveLength(3);
    expect(sent[2]).toStrictEqual([[3n, 4n, 5n]]);
    for (const release of gates.splice(0)) release();
    expect((await second)?.idx).toBe(2n);
    expect((await Promise.all(waiting)).map((r) => r?.idx)).toStrictEqual([3n, 4n, 5n]);
  });

  test("error: an index outside the tree, and a tree the store does not hold", async () => {
    await expect(inclusionProofs(f.store, { indexes: [size], size })).rejects.toThrow(RangeError);
    await expect(inclusionProofs(f.store, { indexes: [0n], size: size + 5n })).rejects.toThrow(MissingTreeNodesError);
  });
});
