import { decodeLeaf, leafHash, merkleRoot, verifyConsistency, verifyInclusion } from "@shanji/core";
import { Value } from "typebox/value";
import { type Hex, hexToBytes } from "viem";
import { afterAll, beforeAll, expect, test } from "vitest";
import { describeEachBackend } from "../../../indexer/src/store/_test/testDatabase.ts";
import { type ApiFixture, openApiFixture } from "../_test/apiFixture.ts";
import { createApp } from "../app.ts";
import { type ChainEntry, chainEntries, leafBytes, logAt } from "./ledger/_test/chainView.ts";
import { EntryAnswer } from "./ledger/entryRoute.ts";
import { decodedEntryJson, leafJson } from "./ledger/entryView.ts";

const EMPTY_ROOT = "0xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

describeEachBackend("ledger routes: status, checkpoints, entries, consistency", (backend) => {
  let f: ApiFixture;
  /** What the chain emitted, read from anvil: the reference every answer is compared with. */
  let chain: ChainEntry[];
  let size: bigint;
  /** Sizes the chain reported at the end of a block (the blocks that appended entries), with those blocks. */
  let reported: { size: bigint; blockNumber: bigint }[];
  /** A size no block ended at (inside a batch of donations). */
  let unreported: bigint;

  const get = async (url: string, headers: Record<string, string> = {}) => {
    const res = await f.app.inject({ url, headers });
    return { status: res.statusCode, body: res.json(), headers: res.headers };
  };
  const getText = async (url: string, accept: string) => {
    const res = await f.app.inject({ url, headers: { accept } });
    return { status: res.statusCode, text: res.body, type: res.headers["content-type"] };
  };
  const expectProblem = (
    res: { status: number; body: { status: number }; headers: Record<string, unknown> },
    status: number,
  ) => {
    expect(res.status).toBe(status);
    expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(res.body.status).toBe(status);
  };

  beforeAll(async () => {
    f = await openApiFixture(backend.freshStore);
    chain = await chainEntries(f);
    size = BigInt(chain.length);
    const ends = new Map<bigint, bigint>();
    for (const e of chain) ends.set(e.blockNumber, e.index + 1n);
    reported = [...ends].map(([blockNumber, s]) => ({ size: s, blockNumber }));
    const batch = reported.find((r, i) => i > 0 && r.size - (reported[i - 1]?.size ?? 0n) > 2n);
    if (!batch) throw new Error("the demo chain has no block with several entries");
    unreported = batch.size - 1n;
  });
  afterAll(() => f?.close());

  // ------------------------------------------------------------ status

  test("behavior: status names the ledger and how far it is indexed, as the chain says", async () => {
    const { status, body } = await get("/v1/status");
    expect(status).toBe(200);
    const head = await f.client.getBlockNumber({ cacheTime: 0 });
    const a = f.deployment.addresses;
    expect(body).toMatchObject({
      chainId: f.deployment.chainId,
      addresses: {
        log: a.log.toLowerCase(),
        registry: a.registry.toLowerCase(),
        charityLedger: a.charityLedger.toLowerCase(),
        volunteerCredit: a.volunteerCredit.toLowerCase(),
      },
      deployBlock: String(f.deployment.deployBlock),
      chainHead: String(head),
      indexedBlock: String(head),
      lag: "0",
      log: { size: String(size) },
      indexer: { state: null, selfCheckFailures: "0", lastSelfCheckFailure: null, viewsLogSize: String(size) },
      ledger: { chainId: f.deployment.chainId, indexedBlock: String(head), logSize: String(size), lag: "0" },
    });
    // The root and the block that reported it: root() and size() read there from the chain.
    const onChain = await logAt(f, BigInt(body.log.blockNumber));
    expect(body.log.root).toBe(onChain.root);
    expect(String(onChain.size)).toBe(body.log.size);
    expect(body.log.blockNumber).toBe(String(chain.at(-1)?.blockNumber));
  });

  test("behavior: status counts self-check failures and reports the indexer's state when it is known", async () => {
    await f.store.query(
      `insert into self_check_failures (from_block, to_block, expected_root, computed_root, message)
       values (7, 9, decode(repeat('11', 32), 'hex'), decode(repeat('22', 32), 'hex'), 'test')`,
    );
    const app = await createApp({
      store: f.store,
      deployment: f.deployment,
      dataDir: f.dataDir,
      rateLimit: false,
      snapshotTtlMs: 0,
      indexerStatus: () => ({ state: "idle" }),
    });
    try {
      const body = (await app.inject("/v1/status")).json();
      expect(body.indexer).toMatchObject({
        state: "idle",
        selfCheckFailures: "1",
        lastSelfCheckFailure: { fromBlock: "7", toBlock: "9" },
      });
      expect(Date.parse(body.indexer.lastSelfCheckFailure.at)).not.toBeNaN();
      // Without an RPC, the head and the lag are unknown, and say so.
      expect(body).toMatchObject({ chainHead: null, lag: null, ledger: { chainHead: null, lag: null } });
    } finally {
      await app.close();
      await f.store.query("delete from self_check_failures");
    }
  });

  test("error: before the indexer has indexed anything, ledger routes answer 503 with Retry-After", async () => {
    const store = await backend.freshStore();
    const app = await createApp({ store, deployment: f.deployment, dataDir: f.dataDir, rateLimit: false });
    try {
      for (const url of ["/v1/status", "/v1/checkpoints/latest", "/v1/entries/0", "/v1/proofs/consistency?from=1"]) {
        const res = await app.inject(url);
        expect(res.statusCode, url).toBe(503);
        expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
        expect(res.headers["retry-after"]).toBe("5");
      }
    } finally {
      await app.close();
    }
  });

  // ------------------------------------------------------------ checkpoints

  test("behavior: the latest checkpoint is the chain's root() at the block that reported the indexed size", async () => {
    const { status, body, headers } = await get("/v1/checkpoints/latest");
    expect(status).toBe(200);
    expect(headers.vary).toMatch(/accept/i);
    expect(body.size).toBe(String(size));
    expect(body.root).toBe(merkleRoot(leafBytes(chain, size)));
    const onChain = await logAt(f, BigInt(body.blockNumber));
    expect(onChain).toStrictEqual({ size, root: body.root });
    // The block before it reported a smaller log: this is the first block at this size.
    expect((await logAt(f, BigInt(body.blockNumber) - 1n)).size).toBeLessThan(size);
    const origin = `shanji.ledger/${f.deployment.chainId}/${f.deployment.addresses.log.toLowerCase()}`;
    const base64 = Buffer.from(hexToBytes(body.root)).toString("base64");
    expect(body.checkpoint).toBe(`${origin}\n${size}\n${base64}\n`);
    expect(body.ledger.logSize).toBe(String(size));
  });

  test("behavior: a checkpoint is served as C2SP text when the client asks for text/plain", async () => {
    const json = (await get("/v1/checkpoints/latest")).body;
    const text = await getText("/v1/checkpoints/latest", "text/plain");
    expect(text.status).toBe(200);
    expect(text.type).toMatch(/^text\/plain/);
    expect(text.text).toBe(json.checkpoint);
    const lines = text.text.split("\n");
    expect(lines).toHaveLength(4);
    expect(lines[1]).toBe(String(size));
    expect(Buffer.from(lines[2] ?? "", "base64").toString("hex")).toBe(json.root.slice(2));

    const bySize = await getText(`/v1/checkpoints/${reported[1]?.size}`, "text/plain;q=0.9, application/json;q=0.5");
    expect(bySize.type).toMatch(/^text\/plain/);
    // JSON whenever the client prefers it, accepts anything, or names neither.
    for (const accept of [
      "application/json",
      "text/plain;q=0.5, application/json",
      "*/*",
      "text/*;q=0.1, */*",
      "image/png",
    ]) {
      const res = await getText("/v1/checkpoints/latest", accept);
      expect(res.type, accept).toMatch(/^application\/json/);
    }
    expect((await getText("/v1/checkpoints/latest", "text/*")).type).toMatch(/^text\/plain/);
  });

  test("behavior: a checkpoint at a size the chain reported names the first block that ended at that size", async () => {
    for (const r of [reported[0], reported[1], reported[Math.floor(reported.length / 2)], reported.at(-2)]) {
      if (!r) throw new Error("too few blocks");
      const { status, body } = await get(`/v1/checkpoints/${r.size}`);
      expect(status).toBe(200);
      expect(body).toMatchObject({ size: String(r.size), blockNumber: String(r.blockNumber) });
      expect((await logAt(f, r.blockNumber)).root).toBe(body.root);
      expect(body.root).toBe(merkleRoot(leafBytes(chain, r.size)));
    }
  });

  test("behavior: a checkpoint at a size no block ended at has the root of that many entries and no block", async () => {
    const { status, body } = await get(`/v1/checkpoints/${unreported}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({ size: String(unreported), blockNumber: null });
    expect(body.root).toBe(merkleRoot(leafBytes(chain, unreported)));
    const empty = await get("/v1/checkpoints/0");
    expect(empty.body).toMatchObject({ size: "0", root: EMPTY_ROOT, blockNumber: null });
  });

  test("error: checkpoint sizes that are not sizes of the indexed log", async () => {
    const beyond = await get(`/v1/checkpoints/${size + 1n}`);
    expectProblem(beyond, 404);
    expect(beyond.body.detail).toContain(`holds ${size} entries`);
    expectProblem(await get("/v1/checkpoints/99999999999999999999999999999999"), 404);
    for (const bad of ["-1", "01", "1.5", "0x10", "ten", "%F0%9F%98%80"]) {
      const res = await get(`/v1/checkpoints/${bad}`);
      expectProblem(res, 400);
      expect(res.body.errors?.[0]?.field, bad).toBe("params.size");
    }
    const extra = await get("/v1/checkpoints/latest?size=3");
    expectProblem(extra, 400);
    expect(extra.body.errors).toStrictEqual([{ field: "querystring.size", reason: "is not a known field" }]);
  });

  // ------------------------------------------------------------ entries

  test("behavior: an entry is the chain's leaf, decoded, with a proof into root() at the named block", async () => {
    const picks = [0n, 1n, 2n, size / 3n, size / 2n, size - 2n, size - 1n];
    for (const index of picks) {
      const { status, body } = await get(`/v1/entries/${index}`);
      expect(status, `entry ${index}`).toBe(200);
      const onChain = chain[Number(index)] as ChainEntry;
      const decoded = decodeLeaf(onChain.leaf);
      expect(body).toMatchObject({
        index: String(index),
        blockNumber: String(onChain.blockNumber),
        txHash: onChain.txHash,
        logIndex: onChain.logIndex,
        kind: decoded.kind,
        kindName: decoded.record.type,
        leaf: onChain.leaf,
        leafHash: leafHash(hexToBytes(onChain.leaf)),
      });
      expect(body.entry).toStrictEqual(JSON.parse(JSON.stringify(decodedEntryJson(decoded))));
      // The proof checks with @shanji/core, into the root the chain reports at proof.blockNumber.
      const { proof } = body;
      expect(proof).toMatchObject({ index: String(index), treeSize: String(size) });
      expect(
        verifyInclusion({
          index: BigInt(proof.index),
          treeSize: BigInt(proof.treeSize),
          leafHash: leafHash(hexToBytes(body.leaf)),
          proof: proof.inclusion,
          root: proof.root,
        }),
      ).toBe(true);
      expect(await logAt(f, BigInt(proof.blockNumber))).toStrictEqual({ size, root: proof.root });
      expect(body.ledger.logSize).toBe(proof.treeSize);
    }
  });

  test("behavior: entries are JSON-safe: big integers as decimal strings, addresses and bytes in lower case", async () => {
    const { body } = await get("/v1/entries/5");
    expect(body.entry.index).toBe("5");
    expect(body.entry.operator).toMatch(/^0x[0-9a-f]{40}$/);
    expect(typeof body.entry.timestamp).toBe("string");
    for (const s of body.entry.streams) expect(s.id).toMatch(/^0x[0-9a-f]{64}$/);
    // A donation: amount (u128) as a string, the donor commitment as lower-case hex.
    const donation = chain.findIndex((e) => decodeLeaf(e.leaf).record.type === "donationRecorded");
    const d = (await get(`/v1/entries/${donation}`)).body;
    expect(d.entry.record).toMatchObject({ type: "donationRecorded", amount: expect.stringMatching(/^[1-9][0-9]*$/) });
    expect(d.entry.record.donor).toMatch(/^0x[0-9a-f]{64}$/);
  });

  test("behavior: an entry of every kind in the ledger is answered exactly as the documented schema says", async () => {
    const firstOfKind = new Map<string, number>();
    chain.forEach((e, i) => {
      const kind = decodeLeaf(e.leaf).record.type;
      if (!firstOfKind.has(kind)) firstOfKind.set(kind, i);
    });
    expect(firstOfKind.size).toBeGreaterThan(15);
    for (const [kind, index] of firstOfKind) {
      const { status, body } = await get(`/v1/entries/${index}`);
      expect(status, kind).toBe(200);
      expect(body.kindName).toBe(kind);
      const errors = [...Value.Errors(EntryAnswer, body)].map((e) => `${e.instancePath} ${e.message}`);
      expect(errors, kind).toStrictEqual([]);
    }
  });

  test("behavior: entries are read from their leaves exactly as @shanji/core's decodeLeaf reads them", () => {
    for (const e of chain) {
      const leaf = hexToBytes(e.leaf);
      expect(leafJson(leaf), `entry ${e.index}`).toStrictEqual(decodedEntryJson(decodeLeaf(leaf)));
    }
    const leaf = hexToBytes(chain[3]?.leaf as Hex);
    const unknownKind = Uint8Array.from(leaf);
    unknownKind[1] = 99;
    for (const bad of [leaf.subarray(0, leaf.length - 1), Uint8Array.from([...leaf, 0]), unknownKind]) {
      expect(() => leafJson(bad)).toThrow();
      expect(() => decodeLeaf(bad)).toThrow();
    }
  });

  test("args: treeSize asks for a proof into an earlier size the chain reported", async () => {
    const r = reported[Math.floor(reported.length / 2)];
    if (!r) throw new Error("too few blocks");
    for (const index of [0n, r.size - 1n, r.size / 2n]) {
      const { status, body } = await get(`/v1/entries/${index}?treeSize=${r.size}`);
      expect(status).toBe(200);
      expect(body.proof).toMatchObject({ treeSize: String(r.size), blockNumber: String(r.blockNumber) });
      expect(
        verifyInclusion({
          index,
          treeSize: r.size,
          leafHash: body.leafHash,
          proof: body.proof.inclusion,
          root: body.proof.root,
        }),
      ).toBe(true);
      expect((await logAt(f, r.blockNumber)).root).toBe(body.proof.root);
    }
  });

  test("error: entries beyond the log, malformed indexes and tree sizes that cannot prove", async () => {
    const beyond = await get(`/v1/entries/${size}`);
    expectProblem(beyond, 404);
    expect(beyond.body.detail).toContain(`no entry ${size}`);
    expectProblem(await get("/v1/entries/18446744073709551616"), 404);
    for (const bad of ["-1", "007", "1e3", "abc", "0x1"]) {
      const res = await get(`/v1/entries/${bad}`);
      expectProblem(res, 400);
      expect(res.body.errors?.[0]?.field).toBe("params.index");
    }
    const cases: [string, string][] = [
      [`/v1/entries/5?treeSize=5`, "must be above the entry's index 5"],
      [`/v1/entries/5?treeSize=${size + 1n}`, `is beyond the indexed log size ${size}`],
      [`/v1/entries/0?treeSize=${unreported}`, "is not a size the chain reported at the end of a block"],
    ];
    for (const [url, reason] of cases) {
      const res = await get(url);
      expectProblem(res, 400);
      expect(res.body.errors?.[0]?.field, url).toBe("querystring.treeSize");
      expect(res.body.errors?.[0]?.reason, url).toContain(reason);
    }
    const res = await get("/v1/entries/1?treeSize=x&proof=1");
    expectProblem(res, 400);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toStrictEqual([
      "querystring.proof",
      "querystring.treeSize",
    ]);
  });

  // ------------------------------------------------------------ consistency

  test("behavior: consistency proofs between sizes the chain reported check with @shanji/core and name both blocks", async () => {
    const pairs: [number, number][] = [
      [0, reported.length - 1],
      [1, 2],
      [Math.floor(reported.length / 3), Math.floor((2 * reported.length) / 3)],
      [reported.length - 2, reported.length - 1],
    ];
    for (const [i, j] of pairs) {
      const from = reported[i] as { size: bigint; blockNumber: bigint };
      const to = reported[j] as { size: bigint; blockNumber: bigint };
      const { status, body } = await get(`/v1/proofs/consistency?from=${from.size}&to=${to.size}`);
      expect(status).toBe(200);
      expect(body).toMatchObject({
        from: String(from.size),
        to: String(to.size),
        fromBlock: String(from.blockNumber),
        toBlock: String(to.blockNumber),
      });
      expect(
        verifyConsistency({
          oldSize: from.size,
          newSize: to.size,
          oldRoot: body.fromRoot,
          newRoot: body.toRoot,
          proof: body.proof,
        }),
      ).toBe(true);
      expect((await logAt(f, from.blockNumber)).root).toBe(body.fromRoot);
      expect((await logAt(f, to.blockNumber)).root).toBe(body.toRoot);
    }
  });

  test("args: to defaults to the indexed size; from = to gives an empty proof; unreported sizes have no block", async () => {
    const latest = await get(`/v1/proofs/consistency?from=${unreported}`);
    expect(latest.status).toBe(200);
    expect(latest.body).toMatchObject({ from: String(unreported), to: String(size), fromBlock: null });
    expect(latest.body.fromRoot).toBe(merkleRoot(leafBytes(chain, unreported)));
    expect(
      verifyConsistency({
        oldSize: unreported,
        newSize: size,
        oldRoot: latest.body.fromRoot,
        newRoot: latest.body.toRoot,
        proof: latest.body.proof,
      }),
    ).toBe(true);
    const same = await get(`/v1/proofs/consistency?from=${size}&to=${size}`);
    expect(same.body).toMatchObject({ proof: [], fromRoot: same.body.toRoot });
    const one = await get("/v1/proofs/consistency?from=1&to=1");
    expect(one.body.fromRoot).toBe(leafHash(hexToBytes(chain[0]?.leaf as Hex)));
  });

  test("error: consistency between sizes that are not a proper pair of indexed sizes", async () => {
    const cases: [string, string, string][] = [
      ["/v1/proofs/consistency?from=0&to=3", "querystring.from", "must be at least 1"],
      ["/v1/proofs/consistency?from=4&to=3", "querystring.from", "must not be above to (3)"],
      [`/v1/proofs/consistency?from=1&to=${size + 1n}`, "querystring.to", `beyond the indexed log size ${size}`],
      ["/v1/proofs/consistency?from=1&to=99999999999999999999999", "querystring.to", "beyond the indexed log size"],
      ["/v1/proofs/consistency?to=3", "querystring.from", "is required"],
      ["/v1/proofs/consistency?from=one", "querystring.from", "must match pattern"],
      ["/v1/proofs/consistency?from=1&from=2", "querystring.from", "must be string"],
    ];
    for (const [url, field, reason] of cases) {
      const res = await get(url);
      expectProblem(res, 400);
      expect(res.body.errors?.[0]?.field, url).toBe(field);
      expect(res.body.errors?.[0]?.reason, url).toContain(reason);
    }
  });
});
