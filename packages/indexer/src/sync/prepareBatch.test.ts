// prepareBatch on its own, without a chain or a store: logs built from synthetic entries, and the
// chain's word on them (headers and root) given as a promise, as the indexer gives it while the
// node is still answering.
import { hash } from "node:crypto";
import { type Entry, encodeLeaf } from "@shanji/core";
import { bytesToHex, type Hex, keccak256, numberToHex } from "viem";
import { describe, expect, test } from "vitest";
import type { BlockHeader, EntryLog } from "../chain/createChainReader.ts";
import { IndexerError, SelfCheckError } from "../errors.ts";
import { createLedger } from "../views/_test/ledger.ts";
import { createMerkleFrontier } from "./merkleFrontier.ts";
import { type ChainView, prepareBatch } from "./prepareBatch.ts";

const campaignStream = numberToHex(7n, { size: 32 });
const blockHash = (number: bigint): Hex => keccak256(numberToHex(number, { size: 8 }));

/** Six entries in blocks 1–3, two a block, each in the campaign's stream and a stream of its own. */
function sixEntries(): Entry[] {
  const l = createLedger();
  l.open(7n);
  for (let i = 0; i < 5; i++) l.donate(7n, 100n + BigInt(i));
  return l.entries.map((entry, i) => ({
    ...entry,
    streams: [
      { id: campaignStream, prevIndex: i === 0 ? null : BigInt(i - 1) },
      { id: numberToHex(1000n + BigInt(i), { size: 32 }), prevIndex: null },
    ],
  }));
}

function logsOf(entries: readonly Entry[]): EntryLog[] {
  return entries.map((entry, i) => {
    const blockNumber = 1n + BigInt(Math.floor(i / 2));
    return {
      index: entry.index,
      leafHex: Buffer.from(encodeLeaf(entry)).toString("hex"),
      blockNumber,
      blockHash: blockHash(blockNumber),
      transactionHash: keccak256(numberToHex(entry.index, { size: 8 })),
      logIndex: i % 2,
    };
  });
}

/** The log's frontier after `logs`, each leaf hashed as RFC 6962 does: SHA-256(0x00 ‖ leaf). */
function frontierAfter(logs: readonly EntryLog[]) {
  const frontier = createMerkleFrontier(0n, []);
  for (const log of logs) {
    const prefixed = Buffer.concat([Buffer.from([0]), Buffer.from(log.leafHex, "hex")]);
    frontier.append(new Uint8Array(hash("sha256", prefixed, "buffer")));
  }
  return frontier;
}

/** What an honest node says about blocks 1–lastBlock after `logs`: every header in the view. */
function chainViewOf(logs: readonly EntryLog[], lastBlock: bigint): ChainView {
  const frontier = frontierAfter(logs);
  const headers = new Map<bigint, BlockHeader>();
  for (let n = 1n; n <= lastBlock; n++) headers.set(n, { number: n, hash: blockHash(n) });
  return {
    headers,
    lastHeader: headers.get(lastBlock) as BlockHeader,
    onChain: { size: frontier.size, root: bytesToHex(frontier.root()) },
    everyHeader: async () => headers,
  };
}

/** The view the indexer has far from the head: the last block's header only; `every` when a self-check fails. */
function lastHeaderOnly(view: ChainView, every: ReadonlyMap<bigint, BlockHeader> = view.headers): ChainView {
  const { lastHeader } = view;
  let asked = 0;
  return {
    ...view,
    headers: new Map([[lastHeader.number, lastHeader]]),
    everyHeader: async () => {
      asked += 1;
      if (asked > 1) throw new Error("every header asked for twice");
      return every;
    },
  };
}

const later = <T>(value: T, ms = 20) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));

function prepare(logs: readonly EntryLog[], chain: Promise<ChainView>) {
  return prepareBatch({ logs, fromBlock: 1n, lastBlock: 3n, chain, frontier: createMerkleFrontier(0n, []) });
}

describe("prepareBatch", () => {
  test("behavior: the headers and the root may come after the logs are laid out", async () => {
    const logs = logsOf(sixEntries());
    const batch = await prepare(logs, later(chainViewOf(logs, 3n)));
    expect(batch).toMatchObject({ entries: 6, logSize: 6n, chainBreak: undefined });
    expect(batch.blocks.number).toBe("{1,2,3}");
    expect(batch.blocks.hash.toString("hex")).toBe([1n, 2n, 3n].map((n) => blockHash(n).slice(2)).join(""));
    // The campaign's stream is known (its first entry here points back), the six records' are new.
    expect(batch.streams.known.size).toBe(0);
    expect(batch.streams.added.size).toBe(7);
  });

  test("behavior: streams that continue stored ones are apart from those that start here", async () => {
    const entries = sixEntries();
    const logs = logsOf(entries).slice(2);
    const view = chainViewOf(logsOf(entries), 3n);
    const frontier = frontierAfter(logsOf(entries).slice(0, 2));
    const batch = await prepareBatch({ logs, fromBlock: 2n, lastBlock: 3n, chain: later(view), frontier });
    expect(batch.streams.known.id.toString("hex")).toBe(campaignStream.slice(2));
    expect(batch.streams.known).toMatchObject({ firstIdx: "{2}", firstPrev: "{1}" });
    expect(batch.streams.known).toMatchObject({ count: "{4}", lastIdx: "{5}", size: 1 });
    expect(batch.streams.added.size).toBe(4);
    expect(batch.streams.added.firstPrev).toBe("{NULL,NULL,NULL,NULL}");
  });

  test("behavior: blocks without a header in the view keep the hash their logs carry", async () => {
    const logs = logsOf(sixEntries()).map((log) =>
      log.blockNumber === 1n ? { ...log, blockHash: blockHash(41n) } : log,
    );
    const view = lastHeaderOnly(chainViewOf(logs, 3n), new Map());
    const batch = await prepare(logs, later(view));
    expect(batch.blocks.hash.toString("hex")).toBe([41n, 2n, 3n].map((n) => blockHash(n).slice(2)).join(""));
    expect(batch.lastHeader).toEqual({ number: 3n, hash: blockHash(3n) });
  });

  test("error: a block whose logs name two hashes is read again, not reported", async () => {
    const logs = logsOf(sixEntries()).map((log) => (log.index === 3n ? { ...log, blockHash: blockHash(99n) } : log));
    const failure = await prepare(logs, later(lastHeaderOnly(chainViewOf(logs, 3n)))).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(IndexerError);
    expect(failure).not.toBeInstanceOf(SelfCheckError);
    expect(failure).toMatchObject({ retryable: true });
    expect(String(failure)).toContain("Block 2 changed while it was read (its logs name two block hashes)");
  });

  test("error: a block whose header has another hash than its logs is read again, not reported", async () => {
    const logs = logsOf(sixEntries());
    const view = chainViewOf(logs, 3n);
    const replaced = new Map(view.headers);
    replaced.set(2n, { number: 2n, hash: blockHash(99n) });
    const failure = await prepare(logs, later({ ...view, headers: replaced })).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(IndexerError);
    expect(failure).not.toBeInstanceOf(SelfCheckError);
    expect(failure).toMatchObject({ retryable: true });
    expect(String(failure)).toContain("Block 2 changed while it was read");
  });

  test("error: a block replaced while read explains a failed self-check, which is then not reported", async () => {
    const logs = logsOf(sixEntries());
    const view = chainViewOf(logs, 3n);
    const replaced = new Map(view.headers);
    replaced.set(2n, { number: 2n, hash: blockHash(99n) });
    // Entry 3 (in block 2) missing: a self-check failure, unless the chain moved. Block 2 has no
    // header in the view: the failure asks for every block's.
    const gapped = logs.filter((log) => log.index !== 3n);
    const moved = await prepare(gapped, later(lastHeaderOnly(view, replaced))).catch((e: unknown) => e);
    expect(moved).not.toBeInstanceOf(SelfCheckError);
    expect(String(moved)).toContain("Block 2 changed while it was read");
    // The chain did not move: the missing entry is what is reported.
    const missing = await prepare(gapped, later(lastHeaderOnly(view))).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(SelfCheckError);
    expect(String(missing)).toContain("entry 3 is missing");
  });

  test("error: an entry that names a stream twice", async () => {
    const entries = sixEntries();
    const doubled = entries.map((entry) =>
      entry.index === 4n ? { ...entry, streams: [...entry.streams, { id: campaignStream, prevIndex: 4n }] } : entry,
    );
    const logs = logsOf(doubled);
    const failure = await prepare(logs, later(chainViewOf(logs, 3n))).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(SelfCheckError);
    expect(String(failure)).toContain(`entry 4 names stream ${campaignStream} twice`);
  });

  test("error: a leaf that is not hex (a bad digit, or an odd number of them) fails the batch, naming the entry", async () => {
    const honest = logsOf(sixEntries());
    const leafHex = honest[2]?.leafHex ?? "";
    for (const bad of [`${leafHex.slice(0, 10)}zz${leafHex.slice(12)}`, leafHex.slice(0, -1)]) {
      const logs = honest.map((log) => (log.index === 2n ? { ...log, leafHex: bad } : log));
      const failure = await prepare(logs, later(chainViewOf(honest, 3n))).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(SelfCheckError);
      expect(String(failure)).toContain("entry 2 is not hex");
      expect((failure as SelfCheckError).details).toBe(bad.slice(0, 80));
    }
  });

  test("error: a leaf that does not decode is read again when the root says the node altered it, and stops the indexer when the root says the chain holds it", async () => {
    // Entry 2 as a kind no reader knows yet (99): as a newer module would write it, or a node forge it.
    const honest = logsOf(sixEntries());
    const unknownKind = (log: EntryLog): EntryLog =>
      log.index === 2n ? { ...log, leafHex: `${log.leafHex.slice(0, 2)}63${log.leafHex.slice(4)}` } : log;
    const altered = honest.map(unknownKind);
    const forged = await prepare(altered, later(chainViewOf(honest, 3n))).catch((e: unknown) => e);
    expect(forged).toBeInstanceOf(SelfCheckError);
    expect(String(forged)).toContain("entry 2 does not decode");
    expect((forged as SelfCheckError).details).toBe("Unknown entry kind 99.");
    // The chain's own root covers the leaf as it came: no refetch helps, so nothing retries it.
    const onChain = await prepare(altered, later(chainViewOf(altered, 3n))).catch((e: unknown) => e);
    expect(onChain).toBeInstanceOf(IndexerError);
    expect(onChain).not.toBeInstanceOf(SelfCheckError);
    expect((onChain as IndexerError).retryable).toBe(false);
    expect((onChain as IndexerError).shortMessage).toBe(
      "Entry 2 is on the chain, but this indexer cannot read it: Unknown entry kind 99.",
    );
    expect((onChain as IndexerError).details).toContain("The log's root at block 3 covers it");
    // Only a root over every leaf of the batch counts: one leaf after it dropped, and the node is at fault again.
    const dropped = altered.filter((log) => log.index !== 4n);
    const gap = await prepare(dropped, later(chainViewOf(altered, 3n))).catch((e: unknown) => e);
    expect(gap).toBeInstanceOf(SelfCheckError);
    expect(String(gap)).toContain("entry 2 does not decode");
  });

  test("error: a transaction hash that is not 32 bytes of hex, laid end to end, would shift the others", async () => {
    for (const bad of [`0x${"ab".repeat(31)}`, `0x${"ab".repeat(31)}zz`, `ab${"ab".repeat(32)}`]) {
      const logs = logsOf(sixEntries()).map((log) =>
        log.index === 2n ? { ...log, transactionHash: bad as Hex } : log,
      );
      const failure = await prepare(logs, later(chainViewOf(logs, 3n))).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(SelfCheckError);
      expect(String(failure)).toContain("entry 2 has no proper transaction hash");
    }
  });

  test("error: a block hash from the node that is not 32 bytes of hex, in logs or in the last header", async () => {
    const bad = `0x${"0".repeat(63)}g` as Hex;
    const honest = logsOf(sixEntries());
    const logs = honest.map((log) => (log.blockNumber === 2n ? { ...log, blockHash: bad } : log));
    // The node's header says the same: not a block replaced while read.
    const view = chainViewOf(honest, 3n);
    const every = new Map([...view.headers, [2n, { number: 2n, hash: bad }]]);
    const inLogs = await prepare(logs, later(lastHeaderOnly(view, every))).catch((e: unknown) => e);
    expect(inLogs).toBeInstanceOf(SelfCheckError);
    expect(String(inLogs)).toContain("block 2 has no proper hash");
    // The last block without logs: its header's hash becomes the cursor's.
    const twoBlocks = honest.filter((log) => log.blockNumber < 3n);
    const lastHeader = { number: 3n, hash: bad };
    const twoView = { ...chainViewOf(twoBlocks, 3n), lastHeader, headers: new Map([[3n, lastHeader]]) };
    const inHeader = await prepare(twoBlocks, later(twoView)).catch((e: unknown) => e);
    expect(inHeader).toBeInstanceOf(SelfCheckError);
    expect(String(inHeader)).toContain("block 3 has no proper hash");
  });

  test("error: the chain's root differs from the one rebuilt", async () => {
    const logs = logsOf(sixEntries());
    const view = chainViewOf(logs, 3n);
    const failure = await prepare(logs, later({ ...view, onChain: { ...view.onChain, root: blockHash(5n) } })).catch(
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(SelfCheckError);
    expect(String(failure)).toContain(`the chain's log has 6 entries with root ${blockHash(5n)}`);
  });

  test("error: the node's failure to give the headers is what fails the batch", async () => {
    const logs = logsOf(sixEntries());
    const refused = new Error("connection refused");
    await expect(prepare(logs, Promise.reject(refused))).rejects.toBe(refused);
    // Even when the logs fail a self-check: without the node's word, the chain may have moved.
    const gapped = logs.filter((log) => log.index !== 3n);
    const refusedLater = new Promise<ChainView>((_, reject) => setTimeout(() => reject(refused), 20));
    await expect(prepare(gapped, refusedLater)).rejects.toBe(refused);
  });
});
