// The indexer behind a misbehaving RPC, on PGlite and on PostgreSQL: a faulty proxy in front of
// anvil drops or forges a log, goes down for 30 s in the middle of a backfill, refuses wide
// eth_getLogs ranges, rate-limits, or claims another chain. Whatever the fault, the indexer must
// never store what it could not verify, and once the fault is gone its tables must equal those of
// a run that never saw one.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { transparencyLogAbi } from "@shanji/core";
import { bytesToHex, createPublicClient, type Hex, http } from "viem";
import { afterAll, afterEach, beforeAll, expect, test } from "vitest";
import type { StartAnvilReturnType } from "../../../../scripts/lib/anvil.ts";
import { type DeployOnAnvilReturnType, startFilledChain } from "../_test/chainFixture.ts";
import { type StartFaultyRpcProxyReturnType, startFaultyRpcProxy } from "../_test/faultyRpcProxy.ts";
import { digestAll, indexerConfig, indexerOn } from "../_test/indexerHarness.ts";
import { createChainReader } from "../chain/createChainReader.ts";
import { createLogger } from "../createLogger.ts";
import { WrongChainError } from "../errors.ts";
import { runIndexer } from "../runIndexer.ts";
import { describeEachBackend, freshPostgresDatabase } from "../store/_test/testDatabase.ts";
import type { Store } from "../store/types.ts";
import { createIndexer, type IndexerStatus } from "./createIndexer.ts";

/** How long a test waits for the indexer to reach a state before it gives up. */
const PATIENCE_MS = 120_000;

let anvil: StartAnvilReturnType;
let deployment: DeployOnAnvilReturnType;
let logSize: bigint;

beforeAll(async () => {
  // One block per transaction and small batches: ~150 blocks with entries, for backfills of many steps.
  ({
    anvil,
    deployment,
    filled: { logSize },
  } = await startFilledChain({
    donations: 400,
    batchSize: 4,
    campaigns: 2,
    seed: 23,
    txsPerBlock: 1,
  }));
}, 120_000);

afterAll(async () => {
  await anvil?.stop();
});

/** Proxies and indexers of the running test, closed after it whatever its outcome. */
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function proxyToAnvil(): Promise<StartFaultyRpcProxyReturnType> {
  const proxy = await startFaultyRpcProxy({ upstream: anvil.url });
  cleanups.push(() => proxy.close());
  return proxy;
}

/** An indexer reading through `url`, wired as runIndexer wires it; stopped after the test. */
function indexerThrough(url: string, store: Store, options: { maxRange?: bigint; initialRange?: bigint } = {}) {
  const client = createPublicClient({ transport: http(url, { retryCount: 0, timeout: 10_000 }) });
  const config = indexerConfig(deployment);
  const chain = createChainReader({ client, logAddress: config.addresses.log, ...options });
  const indexer = createIndexer({ store, chain, config });
  cleanups.push(() => indexer.stop());
  return indexer;
}

/** Starts following the chain; the returned promise settles with how `start()` ended. */
function follow(indexer: ReturnType<typeof createIndexer>): Promise<unknown> {
  return indexer.start().then(
    () => "stopped",
    (error: unknown) => error,
  );
}

async function waitFor(
  what: string,
  status: () => IndexerStatus,
  done: (status: IndexerStatus) => boolean,
  patience = PATIENCE_MS,
): Promise<IndexerStatus> {
  const deadline = Date.now() + patience;
  for (;;) {
    const now = status();
    if (done(now)) return now;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; status: ${JSON.stringify(now, json)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const caughtUp = (s: IndexerStatus) => s.state === "idle" && s.logSize === logSize;

/** The block and leaf of entry `index`, read from anvil itself. */
async function entryOnChain(index: bigint): Promise<{ blockNumber: bigint; leaf: Hex }> {
  const [log] = await deployment.publicClient.getContractEvents({
    address: deployment.addresses.log,
    abi: transparencyLogAbi,
    eventName: "EntryAppended",
    args: { index },
    fromBlock: deployment.deployBlock,
    strict: true,
  });
  if (!log) throw new Error(`entry ${index} is not on the chain`);
  return { blockNumber: log.blockNumber, leaf: log.args.leaf };
}

/** The log's root at block `blockNumber`, from anvil. */
async function rootAt(blockNumber: bigint): Promise<Hex> {
  return deployment.publicClient.readContract({
    address: deployment.addresses.log,
    abi: transparencyLogAbi,
    functionName: "root",
    blockNumber,
  }) as Promise<Hex>;
}

/** Entry `index`'s genuine leaf with one byte of its timestamp changed: it still decodes. */
function forgedLeaf(leaf: Hex): Hex {
  const bytes = Buffer.from(leaf.slice(2), "hex");
  // version (1) + kind (1) + index (8) + timestamp (8): byte 17 is the timestamp's lowest.
  bytes[17] = (bytes[17] ?? 0) ^ 0x01;
  return `0x${bytes.toString("hex")}`;
}

async function storedCursor(store: Store): Promise<{ block_number: bigint; log_size: bigint } | undefined> {
  const [cursor] = await store.query<{ block_number: bigint; log_size: bigint }>(
    "select block_number, log_size from sync_cursor where id = 1",
  );
  return cursor;
}

async function selfCheckFailures(store: Store) {
  return store.query<{
    from_block: bigint;
    to_block: bigint;
    expected_root: Uint8Array;
    computed_root: Uint8Array;
    message: string;
  }>("select from_block, to_block, expected_root, computed_root, message from self_check_failures order by id");
}

describeEachBackend("indexer under RPC faults", (backend) => {
  let clean: Promise<string> | undefined;
  /** The digest of a run without faults, straight from anvil, over the same chain. */
  const cleanDigest = () => {
    clean ??= (async () => {
      const store = await backend.freshStore();
      await indexerOn(anvil.url, store, indexerConfig(deployment)).syncToHead();
      return digestAll(store);
    })();
    return clean;
  };

  /**
   * Runs the indexer through a proxy with `fault` until the self-check refuses a batch, checks that
   * nothing from the bad entry on was stored and that the refusal was recorded for the range
   * holding it, then heals the proxy and expects the indexer to catch up to a clean run's tables.
   */
  async function refusesThenRecovers(fault: Parameters<StartFaultyRpcProxyReturnType["setFaults"]>[0], bad: bigint) {
    const proxy = await proxyToAnvil();
    proxy.setFaults(fault);
    const store = await backend.freshStore();
    const indexer = indexerThrough(proxy.url, store, { initialRange: 16n });
    const ended = follow(indexer);

    // The failure is counted, then recorded, then the state turns to "retrying": wait for all three.
    const refused = await waitFor(
      "a self-check failure",
      indexer.status,
      (s) => s.selfCheckFailures > 0 && s.state === "retrying",
    );
    expect(refused.logSize).toBeLessThanOrEqual(bad);
    expect(refused.lastError).toMatch(/^Self-check failed for blocks \d+–\d+: /);
    const cursor = await storedCursor(store);
    expect(cursor?.log_size).toBeLessThanOrEqual(bad);
    const [stored] = await store.query<{ n: bigint }>("select count(*) as n from entries where idx >= $1", [bad]);
    expect(stored?.n).toBe(0n);
    const { blockNumber } = await entryOnChain(bad);
    expect(cursor?.block_number).toBeLessThan(blockNumber);
    const [failure] = await selfCheckFailures(store);
    expect(failure).toBeDefined();
    expect(failure?.from_block).toBeLessThanOrEqual(blockNumber);
    expect(failure?.to_block).toBeGreaterThanOrEqual(blockNumber);
    expect(failure?.message).toContain(`blocks ${failure?.from_block}–${failure?.to_block}`);

    proxy.setFaults({});
    await waitFor("catching up once healed", indexer.status, caughtUp);
    await indexer.stop();
    expect(await ended).toBe("stopped");
    expect(await digestAll(store)).toBe(await cleanDigest());
    return { failure, store };
  }

  test("error: a dropped log is refused, recorded for its block range, and caught up once the RPC heals", async () => {
    const dropped = logSize / 2n;
    const { failure } = await refusesThenRecovers({ dropLog: { index: dropped } }, dropped);
    expect(failure?.message).toMatch(new RegExp(`entry ${dropped} is missing|root`));
  });

  test("error: a forged extra log is refused, recorded for its block range, and caught up once the RPC heals", async () => {
    const after = logSize / 2n;
    const { leaf } = await entryOnChain(after + 1n);
    const { failure } = await refusesThenRecovers(
      { forgeLog: { afterIndex: after, leaf: forgedLeaf(leaf) } },
      after + 1n,
    );
    expect(failure?.message).toContain(`entry ${after + 1n} appears twice or out of order`);
  });

  test("error: a forged log in place of a genuine one fails the root check, which records both roots", async () => {
    const after = logSize / 3n;
    const { leaf } = await entryOnChain(after + 1n);
    const { failure } = await refusesThenRecovers(
      { forgeLog: { afterIndex: after, leaf: forgedLeaf(leaf), replace: true } },
      after + 1n,
    );
    expect(failure?.message).toMatch(/the chain's log has \d+ entries with root 0x[0-9a-f]{64}, the indexer rebuilt/);
    expect(failure && bytesToHex(failure.expected_root)).toBe(await rootAt(failure?.to_block ?? 0n));
    expect(failure && bytesToHex(failure.computed_root)).not.toBe(failure && bytesToHex(failure.expected_root));
  });

  test("behavior: a 30 s RPC outage in the middle of a backfill is retried, then the backfill completes", async () => {
    const proxy = await proxyToAnvil();
    const store = await backend.freshStore();
    // Four blocks a batch: the backfill takes dozens of steps, so the outage falls inside it.
    const indexer = indexerThrough(proxy.url, store, { initialRange: 4n, maxRange: 4n });
    const ended = follow(indexer);
    const midway = await waitFor("the first batches", indexer.status, (s) => s.logSize > 0n);
    expect(midway.logSize).toBeLessThan(logSize);
    const outageEnds = Date.now() + 30_000;
    proxy.setFaults({ outageUntil: outageEnds });

    const retrying = await waitFor("the indexer to retry", indexer.status, (s) => s.state === "retrying");
    expect(retrying.lastError).toMatch(/503|Service Unavailable/);
    const during = await storedCursor(store);
    await waitFor("catching up after the outage", indexer.status, caughtUp);
    expect(Date.now()).toBeGreaterThanOrEqual(outageEnds);
    expect(proxy.stats().faults.outage).toBeGreaterThan(0);
    expect(during?.log_size).toBeLessThan(logSize);
    await indexer.stop();
    expect(await ended).toBe("stopped");
    expect(await digestAll(store)).toBe(await cleanDigest());
  }, 180_000);

  test("behavior: a node that refuses eth_getLogs over more than 3 blocks still gets the whole backfill", async () => {
    const proxy = await proxyToAnvil();
    proxy.setFaults({ maxLogRange: 3 });
    const store = await backend.freshStore();
    const indexer = indexerThrough(proxy.url, store);
    const status = await indexer.syncToHead();
    expect(status.logSize).toBe(logSize);
    expect(proxy.stats().faults.maxLogRange).toBeGreaterThan(0);
    expect(await digestAll(store)).toBe(await cleanDigest());
  });

  test("behavior: rate-limited requests (every 5th gets HTTP 429) are retried until the backfill completes", async () => {
    const proxy = await proxyToAnvil();
    proxy.setFaults({ rateLimitEvery: 5 });
    // Wired by runIndexer, as the command wires it: whether a 429 is retried by the transport,
    // the chain reader or only the sync loop is part of what is tested.
    let target: { dataDir: string } | { databaseUrl: string };
    if (backend.name === "pglite") {
      const dataDir = await mkdtemp(join(tmpdir(), "shanji-faults-"));
      cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
      target = { dataDir };
    } else {
      const database = await freshPostgresDatabase();
      cleanups.push(database.drop);
      target = { databaseUrl: database.url };
    }
    const { indexer, store, close } = await runIndexer({
      rpcUrl: proxy.url,
      deployment: {
        chainId: await deployment.publicClient.getChainId(),
        deployBlock: String(deployment.deployBlock),
        addresses: deployment.addresses,
      },
      ...target,
      logger: createLogger({ level: "silent" }),
      pollInterval: 50,
    });
    cleanups.push(close);
    const ended = follow(indexer);
    // A clean backfill of this chain takes a few seconds; a minute is room for many retries.
    await waitFor("the backfill", indexer.status, caughtUp, 60_000);
    expect(proxy.stats().faults.rateLimit).toBeGreaterThan(0);
    await indexer.stop();
    expect(await ended).toBe("stopped");
    expect(await digestAll(store)).toBe(await cleanDigest());
  });

  test("error: an RPC that claims another chain is refused with WrongChainError, and the store is untouched", async () => {
    const proxy = await proxyToAnvil();
    proxy.setFaults({ wrongChainId: 1 });
    const store = await backend.freshStore();
    const empty = await digestAll(store);

    const once = indexerThrough(proxy.url, store);
    await expect(once.syncToHead()).rejects.toBeInstanceOf(WrongChainError);

    const following = indexerThrough(proxy.url, store);
    const ended = await follow(following);
    expect(ended).toBeInstanceOf(WrongChainError);
    expect((ended as Error).message).toMatch(/serves chain 1, but this ledger is on chain 31337/);
    expect(following.status().state).toBe("failed");
    expect(await digestAll(store)).toBe(empty);
    expect(proxy.stats().calls.eth_getLogs ?? 0).toBe(0);
  });

  test("error: an RPC that is down when the indexer starts and then claims another chain is still refused", async () => {
    // The chain check must not be skipped because the first attempt at it failed.
    const proxy = await proxyToAnvil();
    const store = await backend.freshStore();
    const empty = await digestAll(store);
    const indexer = indexerThrough(proxy.url, store);
    proxy.setFaults({ outageUntil: Date.now() + 2_000, wrongChainId: 1 });
    const ended = follow(indexer);
    await waitFor("the outage to be noticed", indexer.status, (s) => s.state === "retrying");
    await waitFor("the indexer to fail or ingest", indexer.status, (s) => s.state === "failed" || s.logSize > 0n);
    expect(indexer.status()).toMatchObject({ state: "failed", logSize: 0n });
    expect(await ended).toBeInstanceOf(WrongChainError);
    expect(await digestAll(store)).toBe(empty);
  });

  test("behavior: an indexer that starts during an outage ends with the same tables as a clean run", async () => {
    const proxy = await proxyToAnvil();
    const store = await backend.freshStore();
    const indexer = indexerThrough(proxy.url, store);
    proxy.setFaults({ outageUntil: Date.now() + 2_000 });
    const ended = follow(indexer);
    await waitFor("the outage to be noticed", indexer.status, (s) => s.state === "retrying");
    await waitFor("the backfill", indexer.status, caughtUp);
    await indexer.stop();
    expect(await ended).toBe("stopped");
    const [meta] = await store.query<{ n: bigint }>("select count(*) as n from chain_meta");
    expect(meta?.n).toBe(1n);
    expect(await digestAll(store)).toBe(await cleanDigest());
  });
});

function json(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}
