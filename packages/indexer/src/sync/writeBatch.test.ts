// The back-pointer check of writeBatch, on PGlite and on PostgreSQL: a store whose stream heads do
// not match the chain (here tampered with between two runs) must refuse the next batch, name the
// first entry whose back-pointer breaks, store nothing of it, and record the failure.
import { decodeLeaf, transparencyLogAbi } from "@shanji/core";
import { createPublicClient, type Hex, hexToBytes, http, parseEventLogs } from "viem";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { StartAnvilReturnType } from "../../../../scripts/lib/anvil.ts";
import { type DeployOnAnvilReturnType, startFilledChain } from "../_test/chainFixture.ts";
import { indexerConfig, indexerOn } from "../_test/indexerHarness.ts";
import { SelfCheckError } from "../errors.ts";
import { describeEachBackend } from "../store/_test/testDatabase.ts";
import type { Store } from "../store/types.ts";

let anvil: StartAnvilReturnType;
let deployment: DeployOnAnvilReturnType;
let head: bigint;

beforeAll(async () => {
  // One block per transaction: batches of a few blocks each.
  ({ anvil, deployment } = await startFilledChain({
    donations: 120,
    batchSize: 4,
    campaigns: 2,
    seed: 11,
    txsPerBlock: 1,
  }));
  head = await deployment.publicClient.getBlockNumber();
}, 120_000);

afterAll(async () => {
  await anvil?.stop();
});

/** Indexes up to `behind` blocks before the head, in batches of at most 4 blocks. */
async function indexUpTo(store: Store, behind: bigint) {
  const config = { ...indexerConfig(deployment), finality: behind };
  return indexerOn(anvil.url, store, config, { initialRange: 4n, maxRange: 4n }).syncToHead({ maxAttempts: 1 });
}

/** The entries of the chain after `size` entries, decoded: what the next batch will bring. */
async function entriesAfter(size: bigint) {
  const client = createPublicClient({ transport: http(anvil.url) });
  const logs = await client.getLogs({ address: deployment.addresses.log, fromBlock: deployment.deployBlock });
  return parseEventLogs({ abi: transparencyLogAbi, logs, eventName: "EntryAppended" })
    .filter((log) => log.args.index >= size)
    .map((log) => decodeLeaf(log.args.leaf));
}

async function storedState(store: Store) {
  const [row] = await store.query<{ size: bigint; entries: bigint; failures: bigint; message: string | null }>(
    `select (select log_size from sync_cursor) as size, (select count(*) from entries) as entries,
            (select count(*) from self_check_failures) as failures,
            (select message from self_check_failures order by id desc limit 1) as message`,
  );
  return row;
}

type Entries = Awaited<ReturnType<typeof entriesAfter>>;

/**
 * Indexes half the chain, tampers with the store, then expects the batch holding entry `index` to
 * be refused with `message`: nothing from that entry on stored, the failure recorded.
 */
async function refusesAfter(store: Store, tamper: (next: Entries) => Promise<{ index: bigint; message: RegExp }>) {
  await indexUpTo(store, head / 2n);
  const before = await storedState(store);
  const { index, message } = await tamper(await entriesAfter(before?.size ?? 0n));
  const error = await indexUpTo(store, 0n).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(SelfCheckError);
  expect((error as Error).message).toMatch(message);
  const after = await storedState(store);
  expect(after?.entries).toBe(after?.size);
  expect(after?.size).toBeLessThanOrEqual(index);
  expect(after?.failures).toBe(1n);
  expect(after?.message).toMatch(message);
}

/** The first coming entry that continues a stream already stored, and that stream. */
function continuing(next: Entries, size: bigint) {
  for (const entry of next) {
    const stream = entry.streams.find((s) => s.prevIndex !== null && s.prevIndex < size);
    if (stream) return { entry, stream: stream as { id: Hex; prevIndex: bigint } };
  }
  throw new Error("no coming entry continues a stored stream");
}

describeEachBackend("writeBatch's back-pointer check", (backend) => {
  test("error: a stream whose stored head is not the entry the chain's next one points back at", async () => {
    const store = await backend.freshStore();
    await refusesAfter(store, async (next) => {
      const { entry, stream } = continuing(next, next[0]?.index ?? 0n);
      await store.query("update streams set last_idx = last_idx - 1 where stream_id = $1", [hexToBytes(stream.id)]);
      const message = `entry ${entry.index} says the previous entry of stream ${stream.id} is ${stream.prevIndex}, the indexer has ${stream.prevIndex - 1n}`;
      return { index: entry.index, message: new RegExp(message) };
    });
    await store.close();
  }, 120_000);

  test("error: a stream the chain's next entry continues, missing from the store", async () => {
    const store = await backend.freshStore();
    await refusesAfter(store, async (next) => {
      const { entry, stream } = continuing(next, next[0]?.index ?? 0n);
      await store.query("delete from streams where stream_id = $1", [hexToBytes(stream.id)]);
      const message = `entry ${entry.index} says the previous entry of stream ${stream.id} is ${stream.prevIndex}, the indexer has null`;
      return { index: entry.index, message: new RegExp(message) };
    });
    await store.close();
  }, 120_000);

  test("error: a stream the chain's next entry starts, already in the store", async () => {
    const store = await backend.freshStore();
    await refusesAfter(store, async (next) => {
      const entry = next.find((e) => e.streams.some((s) => s.prevIndex === null));
      const stream = entry?.streams.find((s) => s.prevIndex === null) as { id: Hex };
      await store.query("insert into streams (stream_id, count, last_idx) values ($1, 1, 0)", [hexToBytes(stream.id)]);
      const message = `entry ${entry?.index} says the previous entry of stream ${stream.id} is null, the indexer has 0`;
      return { index: entry?.index ?? 0n, message: new RegExp(message) };
    });
    await store.close();
  }, 120_000);
});
