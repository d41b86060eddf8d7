/**
 * Indexer benchmark: `npm run bench:indexer`. Backfills a local anvil chain of at least
 * BENCH_ENTRIES (default 100,000) log entries into PGlite and into PostgreSQL, and measures in the
 * same run the floor: fetching the same EntryAppended logs with eth_getLogs and discarding them,
 * both through the indexer's own chain reader (the same adaptive ranges) and with a plain
 * fixed-range loop. Prints a table and writes bench/results/indexer.json. Target: indexing into
 * PostgreSQL at no less than half the raw fetch rate.
 *
 * Every measurement runs in a child process of its own, so that each peak memory figure is that
 * measurement's alone (a process's maxRSS never goes down), with this process's Node flags (the
 * npm script gives the young generation npm start gives the indexer: --max-semi-space-size=64).
 * After the PostgreSQL backfill, the indexer is measured at the head on the database it left: a
 * block of donations to a campaign, then more donations and a disbursement (the chain is put back
 * after). Filling the chain takes minutes, so the filled chain is kept in .shanji/bench/
 * (git-ignored) and reused while the contracts and the fill parameters are unchanged.
 *
 *   BENCH_ENTRIES=5000                 a smaller chain (a quick check that it works)
 *   BENCH_FILL_BATCH=200               records per transaction of the fill
 *   BENCH_FILL_TXS_PER_BLOCK=32        transactions per block of the fill (see FILL)
 *   BENCH_DATABASE_URL=postgres://…    a server where the role may CREATE DATABASE (else TEST_DATABASE_URL);
 *                                      the run creates a database of its own there and drops it afterwards
 *   BENCH_RAW_RUNS=3                   raw fetch runs; the median counts
 *   BENCH_POSTGRES_RUNS=3              PostgreSQL backfills, each into a fresh database; the median counts
 *   BENCH_FIXED_RANGE=5000             blocks per eth_getLogs of the plain fixed-range loop
 *   BENCH_CPU_PROF=postgres            profile a measurement (pglite, postgres, raw) with --cpu-prof
 *   BENCH_VERBOSE=1                    show the indexer's own log lines
 *   BENCH_INDEXER_SRC=path             measure another copy of packages/indexer/src (a patch under review)
 *                                      against the same chain and the same baseline; the figures go to
 *                                      .shanji/bench/indexer-patched.json, not to bench/results
 *   BENCH_AB=path                      compare a copy of packages/indexer/src with it: after the raw fetch,
 *   BENCH_AB_PAIRS=4                   PostgreSQL backfills of the two in turn (the order alternating pair
 *                                      by pair), each pair's rates and CPU, and the mean difference; the
 *                                      figures go to .shanji/bench/indexer-ab.json
 */
import { type ChildProcess, fork } from "node:child_process";
import { createHash } from "node:crypto";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { transparencyLogAbi } from "@shanji/core";
import { createPublicClient, createTestClient, type Hex, http, toHex } from "viem";
import { deployOnAnvil, fillLedger, recordDonations } from "../packages/indexer/src/_test/chainFixture.ts";
import { createChainReader, ENTRY_APPENDED } from "../packages/indexer/src/chain/createChainReader.ts";
import { type Deployment, runIndexer } from "../packages/indexer/src/runIndexer.ts";
import { createPostgresStore } from "../packages/indexer/src/store/createPostgresStore.ts";
import type { Logger } from "../packages/indexer/src/sync/createIndexer.ts";
import { startAnvil } from "./lib/anvil.ts";
import { freshBenchDatabase } from "./lib/benchDatabase.ts";
import { dumpAndStop } from "./lib/cachedAnvilChain.ts";
import { localPostgresPid, processCpuSeconds, processTreeCpuSeconds } from "./lib/processCpu.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CACHE_DIR = join(ROOT, ".shanji", "bench");
const PROFILE_DIR = join(CACHE_DIR, "profiles");
const RESULTS_FILE = join(ROOT, "bench", "results", "indexer.json");
const SCRIPT = fileURLToPath(import.meta.url);
const MiB = 1024 * 1024;

/**
 * The fill: 200 records per transaction, 32 transactions per block, so 100,000 entries take 45
 * blocks. Fewer, fuller blocks fill faster (anvil's per-block work grows with its state) and keep
 * the cached state smaller: it holds one historical state per block (917 MiB for these 45 blocks).
 * BENCH_FILL_BATCH and BENCH_FILL_TXS_PER_BLOCK give other shapes (sparse blocks, as a consortium
 * chain mining every second or two has them), at the price of that state: 6.7 GB for 20,000
 * entries in 3,634 blocks (10 records a transaction, one a block), filled in ~100 s.
 */
const FILL = {
  batchSize: positiveInteger("BENCH_FILL_BATCH", 200),
  campaigns: 4,
  seed: 1,
  txsPerBlock: positiveInteger("BENCH_FILL_TXS_PER_BLOCK", 32),
} as const;
/**
 * Entries the chain holds besides donations, disbursements and reversals: deployOnAnvil's three
 * setWriter entries, and fillLedger's accreditation, operator and one per campaign.
 */
const SETUP_ENTRIES = 3 + 2 + FILL.campaigns;
/** runIndexer's default, Besu's cap: the largest eth_getLogs range the indexer asks for. */
const INDEXER_MAX_RANGE = 5_000n;
/** Bump when the cached chain's layout changes, so that older caches are not read. */
const CACHE_FORMAT = 1;
/** Loading a state of a few hundred MB takes anvil a while. */
const ANVIL_LOAD_TIMEOUT_MS = 15 * 60_000;
const TARGET_RATIO = 0.5;
/** The campaign the head blocks go to (the fill's first), and the donations in each block. */
const HEAD_CAMPAIGN = 1n;
const HEAD_DONATIONS = 200;
/** viem's http transport refuses larger answers (maxResponseBodySize); runIndexer keeps the default. */
const VIEM_MAX_RESPONSE_BYTES = 10_485_760;
/** The measurements running now, to stop on Ctrl-C. */
const children = new Set<ChildProcess>();

// ---------------------------------------------------------------- the measurements (child processes)

type Measurement =
  | { kind: "raw-adaptive" | "raw-fixed"; rpcUrl: string; deployment: Deployment; head: string; fixedRange: string }
  | {
      kind: "pglite" | "postgres";
      rpcUrl: string;
      deployment: Deployment;
      databaseUrl?: string;
      verbose: boolean;
      /** A copy of packages/indexer/src to measure instead (BENCH_AB). */
      indexerSource?: string;
    }
  | { kind: "head"; rpcUrl: string; deployment: Deployment; databaseUrl: string };

/** JSON-RPC requests of one measurement, by method. */
type RpcStats = Record<string, RpcMethodStats>;
type RpcMethodStats = {
  requests: number;
  /** Time to the response headers (anvil sends them once the whole answer is ready), summed. */
  seconds: number;
  /** Response bytes, from Content-Length. */
  bytes: number;
  /** Answers over viem's 10 MiB limit, which viem refuses unread (a range the chain reader must halve). */
  tooLarge: number;
};

/** What every measurement reports besides its own figures. */
type Common = { peakRssMiB: number; maxRssMiB: number; rpc: RpcStats };

type RawResult = Common & {
  entries: number;
  seconds: number;
  /** CPU time of this process (user + system) over `seconds`: less at the mercy of other load than wall time. */
  cpuSeconds: number;
  /** Ranges fetched: eth_getLogs requests that returned logs. */
  batches: number;
};

type IndexResult = Common & {
  entries: number;
  /** syncToHead, from the first request to the views refreshed: what a backfill costs. */
  seconds: number;
  /** CPU time of the indexer's process over `seconds` (not anvil's, not PostgreSQL's). */
  cpuSeconds: number;
  /** Up to the last batch committed. */
  ingestSeconds: number;
  /**
   * From the last batch committed to "views refreshed" (the indexes a long backfill set aside are
   * built meanwhile, and may finish later: indexSeconds); null when the indexer did not log it.
   */
  refreshSeconds: number | null;
  /** From the last batch committed to "indexes built"; null when no index was set aside. */
  indexSeconds: number | null;
  /** Opening the store and migrating it (PGlite runs initdb here): not counted in `seconds`. */
  setupSeconds: number;
  batches: number;
  /** PostgreSQL only: what the backfill wrote, which no noise on the machine changes. */
  written: Written | null;
};

/**
 * What a backfill into PostgreSQL wrote: write-ahead log (the cluster's, over `seconds`: other
 * databases' writes meanwhile would count too) and the database's size once done, in bytes.
 */
type Written = { walBytes: number; databaseBytes: number };

/** The processes whose CPU time a measurement reports besides its own. */
const watched: { anvil?: number; postgres?: number } = {};

if (process.argv[2] === "--measure") {
  await measureInChild();
} else {
  await main();
}

async function measureInChild(): Promise<void> {
  const rpc = countRpcRequests();
  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, 100);
  const input = JSON.parse(process.env.BENCH_MEASUREMENT ?? "") as Measurement;
  const result =
    input.kind === "head" ? await atTheHead(input) : "fixedRange" in input ? await fetchRaw(input) : await index(input);
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
  const common: Common = {
    peakRssMiB: round(peakRss / MiB, 1),
    // Kilobytes on Linux and macOS.
    maxRssMiB: round((process.resourceUsage().maxRSS * 1024) / MiB, 1),
    rpc,
  };
  process.send?.({ ...result, ...common });
  process.disconnect?.();
}

/**
 * Counts and times this process's JSON-RPC requests by wrapping the global fetch, which viem's http
 * transport calls on each request: how many of each method, how long until anvil answered, how
 * large the answers were. A few microseconds a request; it changes nothing the indexer does.
 */
function countRpcRequests(): RpcStats {
  const stats: RpcStats = {};
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (input, init) => {
    const body = typeof init?.body === "string" ? init.body : "";
    const method = /"method":"([^"]+)"/.exec(body.slice(0, 200))?.[1] ?? "other";
    const started = performance.now();
    const response = await realFetch(input, init);
    stats[method] ??= { requests: 0, seconds: 0, bytes: 0, tooLarge: 0 };
    const stat = stats[method];
    const bytes = Number(response.headers.get("content-length") ?? 0);
    stat.requests += 1;
    stat.seconds += (performance.now() - started) / 1000;
    stat.bytes += bytes;
    if (bytes > VIEM_MAX_RESPONSE_BYTES) stat.tooLarge += 1;
    return response;
  };
  return stats;
}

/** Fetches every EntryAppended log from the deploy block to `head` and drops it. */
async function fetchRaw(input: Extract<Measurement, { kind: "raw-adaptive" | "raw-fixed" }>) {
  const fromBlock = BigInt(input.deployment.deployBlock);
  const head = BigInt(input.head);
  let entries = 0;
  let batches = 0;
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  if (input.kind === "raw-adaptive") {
    // The indexer's reader, as runIndexer builds it: viem transport, adaptive ranges, logs decoded to EntryLogs.
    const { createChainReader } = await indexerUnderTest();
    const client = createPublicClient({ transport: http(input.rpcUrl, { retryCount: 0, timeout: 30_000 }) });
    const reader = createChainReader({
      client,
      logAddress: input.deployment.addresses.log,
      maxRange: INDEXER_MAX_RANGE,
    });
    for (let block = fromBlock; block <= head; ) {
      const { logs, lastBlock } = await reader.nextLogs(block, head);
      entries += logs.length;
      batches += 1;
      block = lastBlock + 1n;
    }
  } else {
    // The floor of the floor: fetch and JSON.parse, nothing else.
    const range = BigInt(input.fixedRange);
    for (let block = fromBlock; block <= head; block += range) {
      const last = block + range - 1n < head ? block + range - 1n : head;
      const response = await fetch(input.rpcUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          jsonrpc: "2.0",
          id: 1,
          method: "eth_getLogs",
          params: [
            {
              address: input.deployment.addresses.log,
              topics: [ENTRY_APPENDED],
              fromBlock: toHex(block),
              toBlock: toHex(last),
            },
          ],
        }),
      });
      const body = (await response.json()) as { result?: unknown[]; error?: { message: string } };
      if (!body.result) throw new Error(`eth_getLogs ${block}–${last}: ${body.error?.message ?? "no result"}`);
      entries += body.result.length;
      batches += 1;
    }
  }
  return { entries, seconds: (performance.now() - started) / 1000, cpuSeconds: cpuSince(cpuStarted), batches };
}

/** Backfills a fresh store with the indexer, as `npm start` and `shanji-indexer` wire it. */
async function index(input: Extract<Measurement, { kind: "pglite" | "postgres" }>) {
  const dataDir = input.kind === "pglite" ? await mkdtemp(join(tmpdir(), "shanji-bench-pglite-")) : undefined;
  const forward = (at: keyof Logger) => (message: string, fields?: Record<string, unknown>) => {
    if (at === "info" && !input.verbose) return;
    process.stderr.write(`  ${elapsed()}[indexer] ${message}${fields ? ` ${JSON.stringify(fields)}` : ""}\n`);
  };
  // Verbose lines carry the time since the backfill started, once it has.
  const elapsed = () =>
    backfillStarted === undefined ? "" : `+${Math.round(performance.now() - backfillStarted)} ms `;
  let backfillStarted: number | undefined;
  let refreshedAt: number | undefined;
  let indexesBuiltAt: number | undefined;
  let lastBatchAt: number | undefined;
  let batches = 0;
  const logger: Logger = {
    info(message, fields) {
      if (message === "views refreshed") refreshedAt = performance.now();
      if (message === "indexes built") indexesBuiltAt = performance.now();
      forward("info")(message, fields);
    },
    warn: forward("warn"),
    error: forward("error"),
  };
  try {
    const { runIndexer } = await indexerUnderTest(input.indexerSource);
    const setupStarted = performance.now();
    const { indexer, close } = await runIndexer({
      rpcUrl: input.rpcUrl,
      deployment: input.deployment,
      ...(input.databaseUrl ? { databaseUrl: input.databaseUrl } : { dataDir }),
      logger,
      onBatch(batch) {
        lastBatchAt = performance.now();
        batches += 1;
        if (input.verbose) process.stderr.write(`  ${elapsed()}[bench] batch ${batches}: log size ${batch.logSize}\n`);
      },
    });
    const walBefore = input.databaseUrl ? await writtenSoFar(input.databaseUrl) : undefined;
    const started = performance.now();
    backfillStarted = started;
    const cpuStarted = process.cpuUsage();
    try {
      const status = await indexer.syncToHead();
      const finished = performance.now();
      const cpuSeconds = cpuSince(cpuStarted);
      const after = input.databaseUrl ? await writtenSoFar(input.databaseUrl) : undefined;
      return {
        written:
          walBefore && after
            ? { walBytes: after.walBytes - walBefore.walBytes, databaseBytes: after.databaseBytes }
            : null,
        entries: Number(status.logSize),
        seconds: (finished - started) / 1000,
        cpuSeconds,
        ingestSeconds: ((lastBatchAt ?? finished) - started) / 1000,
        refreshSeconds:
          refreshedAt !== undefined && lastBatchAt !== undefined ? (refreshedAt - lastBatchAt) / 1000 : null,
        indexSeconds:
          indexesBuiltAt !== undefined && lastBatchAt !== undefined ? (indexesBuiltAt - lastBatchAt) / 1000 : null,
        setupSeconds: (started - setupStarted) / 1000,
        batches,
      };
    } finally {
      await close();
    }
  } finally {
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }
}

/** One block more once caught up: the indexer's step for it, and the views' share of that. */
type HeadStep = {
  /** Entries in the block. */
  entries: number;
  /** syncToHead: the batch of the one block, checked and written, then the views refreshed. */
  seconds: number;
  refreshSeconds: number;
  /** Of the campaigns the block touched, those advanced by sums rather than read again whole. */
  campaignsAdvanced: number;
  /** Of the campaigns the block touched, those taken on from the state the last refresh left. */
  campaignsResumed: number;
};

type HeadResult = {
  /** The entries of the campaign the blocks go to, before them. */
  campaignEntries: number;
  donations: HeadStep;
  withDisbursement: HeadStep;
  /** The same once more: the campaign goes on from the state the first disbursement's refresh left. */
  withAnotherDisbursement: HeadStep;
};

/**
 * The indexer at the head, on the database a backfill left: a block of HEAD_DONATIONS donations to
 * a campaign, then as many donations and a disbursement from it (a block each: anvil mines a block
 * per transaction), twice, each step followed by the indexer's syncToHead to take it in. The chain
 * is put back as it was (anvil's evm_snapshot and evm_revert), so that the benchmark's chain stays
 * the cached one.
 */
async function atTheHead(input: Extract<Measurement, { kind: "head" }>): Promise<HeadResult> {
  /** When the last batch was committed and the views last refreshed, and what the refresh logged. */
  const marks: { batchAt?: number; refreshedAt?: number; refreshed?: Record<string, unknown> } = {};
  const logger: Logger = {
    info(message, fields) {
      if (message !== "views refreshed") return;
      marks.refreshedAt = performance.now();
      marks.refreshed = fields ?? {};
    },
    warn() {},
    error(message, fields) {
      process.stderr.write(`  [indexer] ${message}${fields ? ` ${JSON.stringify(fields)}` : ""}\n`);
    },
  };
  const { runIndexer } = await indexerUnderTest();
  const { indexer, store, close } = await runIndexer({
    rpcUrl: input.rpcUrl,
    deployment: input.deployment,
    databaseUrl: input.databaseUrl,
    logger,
    onBatch() {
      marks.batchAt = performance.now();
    },
  });
  const anvil = createTestClient({ mode: "anvil", transport: http(input.rpcUrl) });
  const snapshot = await anvil.snapshot();
  try {
    await indexer.syncToHead();
    const [campaign] = await store.query<{ entry_count: bigint }>(
      "select entry_count from campaigns where campaign_id = $1",
      [HEAD_CAMPAIGN],
    );
    const step = async (seed: number, disburse?: bigint): Promise<HeadStep> => {
      await recordDonations({
        url: input.rpcUrl,
        addresses: input.deployment.addresses,
        campaignId: HEAD_CAMPAIGN,
        donations: HEAD_DONATIONS,
        seed,
        ...(disburse === undefined ? {} : { disburse }),
      });
      const before = await store.query<{ log_size: bigint }>("select log_size from sync_cursor where id = 1");
      for (const key of Object.keys(marks)) delete marks[key as keyof typeof marks];
      const started = performance.now();
      const status = await indexer.syncToHead();
      const finished = performance.now();
      const { batchAt, refreshedAt, refreshed } = marks;
      if (batchAt === undefined || refreshedAt === undefined || refreshed === undefined) {
        throw new Error("the indexer did not take the head block in");
      }
      return {
        entries: Number(status.logSize - (before[0]?.log_size ?? 0n)),
        seconds: round((finished - started) / 1000, 3),
        refreshSeconds: round((refreshedAt - batchAt) / 1000, 3),
        campaignsAdvanced: Number(refreshed.campaignsAdvanced ?? 0),
        campaignsResumed: Number(refreshed.campaignsResumed ?? 0),
      };
    };
    return {
      campaignEntries: Number(campaign?.entry_count ?? 0n),
      donations: await step(90_001),
      withDisbursement: await step(90_002, 100n),
      withAnotherDisbursement: await step(90_003, 100n),
    };
  } finally {
    await close();
    await anvil.revert({ id: snapshot });
  }
}

/** The cluster's write-ahead log position (as bytes from its start) and the database's size. */
async function writtenSoFar(databaseUrl: string): Promise<Written> {
  // A plain connection, no migration: the store is the indexer's under test, whatever its schema.
  const store = createPostgresStore({ databaseUrl });
  try {
    const [row] = await store.query<{ wal: bigint; size: bigint }>(
      "select pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0')::bigint as wal, pg_database_size(current_database()) as size",
    );
    return { walBytes: Number(row?.wal), databaseBytes: Number(row?.size) };
  } finally {
    await store.close();
  }
}

/** packages/indexer/src, or the copy `source` (else BENCH_INDEXER_SRC) names. */
async function indexerUnderTest(source = process.env.BENCH_INDEXER_SRC): Promise<{
  runIndexer: typeof runIndexer;
  createChainReader: typeof createChainReader;
}> {
  if (!source) return { runIndexer, createChainReader };
  const base = pathToFileURL(`${resolve(source)}/`);
  const [run, chain] = (await Promise.all([
    import(new URL("runIndexer.ts", base).href),
    import(new URL("chain/createChainReader.ts", base).href),
  ])) as [{ runIndexer: typeof runIndexer }, { createChainReader: typeof createChainReader }];
  return { runIndexer: run.runIndexer, createChainReader: chain.createChainReader };
}

// ---------------------------------------------------------------- the run (parent process)

async function main(): Promise<void> {
  const wanted = positiveInteger("BENCH_ENTRIES", 100_000);
  const rawRuns = positiveInteger("BENCH_RAW_RUNS", 3);
  const postgresRuns = positiveInteger("BENCH_POSTGRES_RUNS", 3);
  const compareWith = process.env.BENCH_AB || undefined;
  if (compareWith !== undefined && process.env.BENCH_INDEXER_SRC) {
    throw new Error("BENCH_AB compares a copy with packages/indexer/src: leave BENCH_INDEXER_SRC unset");
  }
  const pairs = positiveInteger("BENCH_AB_PAIRS", 4);
  const fixedRange = positiveInteger("BENCH_FIXED_RANGE", Number(INDEXER_MAX_RANGE));
  const backends = (process.env.BENCH_BACKENDS ?? "pglite,postgres").split(",").map((name) => name.trim());
  const profile = process.env.BENCH_CPU_PROF ?? "";
  const verbose = Boolean(process.env.BENCH_VERBOSE);
  const serverUrl = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL || undefined;
  if (compareWith !== undefined && !serverUrl) {
    throw new Error("BENCH_AB compares PostgreSQL backfills: set BENCH_DATABASE_URL or TEST_DATABASE_URL");
  }

  const cleanups: (() => Promise<void>)[] = [];
  const cleanUp = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch((error) => console.error(error));
  };
  // Ctrl-C: stop the measurement, anvil, and drop the benchmark's database before leaving.
  process.once("SIGINT", () => {
    for (const child of children) child.kill("SIGTERM");
    void cleanUp().finally(() => process.exit(130));
  });

  try {
    const chain = await openChain(wanted);
    cleanups.push(chain.stop);
    const { rpcUrl, deployment, head, entries } = chain;
    watched.anvil = chain.pid;
    if (serverUrl && backends.includes("postgres")) watched.postgres = await localPostgresPid(serverUrl);
    console.log(`chain: ${entries} entries in blocks ${deployment.deployBlock}–${head}`);
    if (process.env.BENCH_INDEXER_SRC) console.log(`indexer under test: ${resolve(process.env.BENCH_INDEXER_SRC)}`);

    const raw: (RawResult & Load)[] = [];
    for (let run = 1; run <= rawRuns; run++) {
      const result = await measure<RawResult>(
        { kind: "raw-adaptive", rpcUrl, deployment, head: String(head), fixedRange: String(fixedRange) },
        profile === "raw" && run === 1,
      );
      expectEntries("raw fetch", result.entries, entries);
      console.log(
        `raw fetch ${run}/${rawRuns}: ${rate(result)} entries/s; ${describeRpc(result.rpc)}; load ${result.loadAverage.before} → ${result.loadAverage.after}`,
      );
      raw.push(result);
    }
    const rawMedian = median(raw);
    const rawRate = rawMedian.entries / rawMedian.seconds;

    const indexInto = async (
      kind: "pglite" | "postgres",
      options: { databaseUrl?: string; indexerSource?: string; label?: string; profile?: boolean } = {},
    ): Promise<IndexResult & Load> => {
      const { label = kind, profile: withProfile = profile === kind, ...where } = options;
      console.log(`${label}: indexing…`);
      const result = await measure<IndexResult>({ kind, rpcUrl, deployment, verbose, ...where }, withProfile);
      expectEntries(kind, result.entries, entries);
      console.log(
        `${label}: ${rate(result)} entries/s; ${describeRpc(result.rpc)}; load ${result.loadAverage.before} → ${result.loadAverage.after}`,
      );
      return result;
    };

    // (Without a server, BENCH_AB was refused at the start.)
    if (compareWith !== undefined && serverUrl !== undefined) {
      await compare({ serverUrl, source: compareWith, pairs, rawRate, indexInto, cleanups });
      return;
    }

    const fixed = await measure<RawResult>(
      { kind: "raw-fixed", rpcUrl, deployment, head: String(head), fixedRange: String(fixedRange) },
      false,
    );
    expectEntries("fixed-range fetch", fixed.entries, entries);
    console.log(`fixed-range fetch: ${rate(fixed)} entries/s; ${describeRpc(fixed.rpc)}`);

    const pglite = backends.includes("pglite") ? await indexInto("pglite") : undefined;
    let postgres: (IndexResult & Load) | undefined;
    let postgresRates: number[] = [];
    let atHead: HeadResult | undefined;
    if (serverUrl && backends.includes("postgres")) {
      const runs: (IndexResult & Load)[] = [];
      let database = await freshBenchDatabase(serverUrl);
      for (let run = 1; run <= postgresRuns; run++) {
        if (run > 1) {
          await database.drop();
          database = await freshBenchDatabase(serverUrl);
        }
        cleanups.push(database.drop);
        runs.push(
          await indexInto("postgres", {
            databaseUrl: database.url,
            label: `postgres ${run}/${postgresRuns}`,
            profile: profile === "postgres" && run === 1,
          }),
        );
      }
      postgres = median(runs);
      postgresRates = runs.map(rate);
      // At the head, on the database the last backfill left.
      const measured = await measure<HeadResult>(
        { kind: "head", rpcUrl, deployment, databaseUrl: database.url },
        false,
      );
      atHead = {
        campaignEntries: measured.campaignEntries,
        donations: measured.donations,
        withDisbursement: measured.withDisbursement,
        withAnotherDisbursement: measured.withAnotherDisbursement,
      };
      await database.drop();
    }

    const results: Results = {
      entries,
      blocks: Number(head - BigInt(deployment.deployBlock) + 1n),
      rawFetch: {
        entriesPerSecond: Math.round(rawRate),
        seconds: round(rawMedian.seconds, 2),
        cpuSeconds: round(rawMedian.cpuSeconds, 2),
        runs: raw.map(rate),
        batches: rawMedian.batches,
        loadAverage: rawMedian.loadAverage,
        peakRssMiB: rawMedian.peakRssMiB,
        maxRssMiB: rawMedian.maxRssMiB,
        cpu: cpuPerEntry(rawMedian),
        rpc: rpcSummary(rawMedian.rpc),
        fixedRange: {
          blocksPerRequest: fixedRange,
          entriesPerSecond: rate(fixed),
          seconds: round(fixed.seconds, 2),
          batches: fixed.batches,
          rpc: rpcSummary(fixed.rpc),
        },
      },
      pglite: pglite ? backendRow(pglite, rawRate, [rate(pglite)]) : null,
      postgres: postgres ? backendRow(postgres, rawRate, postgresRates) : null,
      head: atHead ?? null,
      chain: {
        cached: chain.cached,
        filledSeconds: chain.filledSeconds,
        loadedSeconds: chain.loadedSeconds,
        cache: relative(ROOT, chain.cacheFile),
        recordsPerTransaction: FILL.batchSize,
        transactionsPerBlock: FILL.txsPerBlock,
      },
      machine: {
        cores: availableParallelism(),
        cpu: cpus()[0]?.model.trim() ?? "unknown",
        node: process.version,
        // The measurements run with these (npm start runs the indexer with the same young generation).
        nodeFlags: process.execArgv.filter((flag) => !flag.startsWith("--cpu-prof")),
        // Other work on the machine slows every figure; the load average says how busy it was.
        loadAverage: loadavg().map((load) => round(load, 2)),
      },
      ...(process.env.BENCH_INDEXER_SRC
        ? { indexerSource: relative(ROOT, resolve(process.env.BENCH_INDEXER_SRC)) }
        : {}),
      measuredAt: new Date().toISOString(),
    };

    printTable(results);
    if (!postgres) {
      console.log(
        [
          "",
          serverUrl
            ? "!!! PostgreSQL was NOT measured: BENCH_BACKENDS leaves it out."
            : "!!! PostgreSQL was NOT measured: neither BENCH_DATABASE_URL nor TEST_DATABASE_URL is set.",
          '!!! "postgres" is null in the results. Point BENCH_DATABASE_URL at a server where the role has CREATEDB',
          '!!! (or eval "$(sudo .ci/pg-setup.sh)") and run again.',
          "",
        ].join("\n"),
      );
    } else {
      const ratio = results.postgres?.ratioToRawFetch ?? 0;
      const verdict = ratio >= TARGET_RATIO ? "target met" : "target NOT met";
      console.log(
        `${verdict}: PostgreSQL indexes at ${percent(ratio)} of the raw fetch rate (target ${percent(TARGET_RATIO)})`,
      );
    }
    // The committed figures are those of packages/indexer/src; a patch's go beside the cached chain.
    const resultsFile = process.env.BENCH_INDEXER_SRC ? join(CACHE_DIR, "indexer-patched.json") : RESULTS_FILE;
    await mkdir(dirname(resultsFile), { recursive: true });
    await writeFile(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
    console.log(`wrote ${relative(ROOT, resultsFile)}`);
  } finally {
    await cleanUp();
  }
}

/**
 * BENCH_AB: PostgreSQL backfills of packages/indexer/src and of the copy `source`, in turn, `pairs`
 * times (which goes first alternates, so that neither always follows the other), each into a fresh
 * database; prints every pair and the mean difference, and writes .shanji/bench/indexer-ab.json.
 * Runs here vary by ±5–10% with the machine: a difference smaller than that needs many pairs.
 */
async function compare(options: {
  serverUrl: string;
  source: string;
  pairs: number;
  rawRate: number;
  indexInto: (
    kind: "postgres",
    options: { databaseUrl: string; indexerSource?: string; label: string; profile: false },
  ) => Promise<IndexResult & Load>;
  cleanups: (() => Promise<void>)[];
}): Promise<void> {
  const { serverUrl, source, pairs, rawRate, indexInto, cleanups } = options;
  const patched = resolve(source);
  console.log(`comparing packages/indexer/src (A) with ${relative(ROOT, patched)} (B), ${pairs} pairs`);
  const once = async (side: "A" | "B", pair: number) => {
    const database = await freshBenchDatabase(serverUrl);
    cleanups.push(database.drop);
    try {
      const result = await indexInto("postgres", {
        databaseUrl: database.url,
        label: `pair ${pair} ${side}`,
        profile: false,
        ...(side === "B" ? { indexerSource: patched } : {}),
      });
      return {
        entriesPerSecond: rate(result),
        ratioToRawFetch: ratioTo(result, rawRate),
        cpu: cpuPerEntry(result),
      };
    } finally {
      await database.drop();
    }
  };
  const rows: { pair: number; a: Awaited<ReturnType<typeof once>>; b: Awaited<ReturnType<typeof once>> }[] = [];
  for (let pair = 1; pair <= pairs; pair++) {
    const first = pair % 2 === 1 ? "A" : "B";
    const x = await once(first, pair);
    const y = await once(first === "A" ? "B" : "A", pair);
    rows.push({ pair, a: first === "A" ? x : y, b: first === "A" ? y : x });
  }
  const mean = (values: number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;
  const meanA = mean(rows.map((r) => r.a.entriesPerSecond));
  const meanB = mean(rows.map((r) => r.b.entriesPerSecond));
  const difference = (meanB - meanA) / meanA;
  const bWins = rows.filter((r) => r.b.entriesPerSecond > r.a.entriesPerSecond).length;
  console.log("");
  console.log("pair   A entries/s  B entries/s   A µs (this/anvil/server)   B µs (this/anvil/server)");
  const micros = (c: CpuPerEntry) => `${c.processMicros}/${c.anvilMicros ?? "–"}/${c.serverMicros ?? "–"}`;
  for (const { pair, a, b } of rows) {
    console.log(
      `${String(pair).padStart(4)}  ${String(a.entriesPerSecond).padStart(11)}  ${String(b.entriesPerSecond).padStart(11)}   ${micros(a.cpu).padStart(24)}   ${micros(b.cpu).padStart(24)}`,
    );
  }
  console.log(
    `mean: A ${Math.round(meanA)}, B ${Math.round(meanB)} entries/s (B ${difference >= 0 ? "+" : ""}${(100 * difference).toFixed(1)}%; B faster in ${bWins} of ${pairs} pairs); raw fetch ${Math.round(rawRate)}/s`,
  );
  const file = join(CACHE_DIR, "indexer-ab.json");
  await writeFile(
    file,
    `${JSON.stringify({ a: "packages/indexer/src", b: relative(ROOT, patched), rawFetchEntriesPerSecond: Math.round(rawRate), pairs: rows, meanA: Math.round(meanA), meanB: Math.round(meanB), difference: round(difference, 4), bWins, measuredAt: new Date().toISOString() }, null, 2)}\n`,
  );
  console.log(`wrote ${relative(ROOT, file)}`);
}

/**
 * The machine's 1-minute load average when a measurement started and when it ended, and the CPU
 * seconds anvil and the PostgreSQL server used meanwhile (null where /proc cannot tell: a remote
 * server, PGlite, which runs inside the indexer's process).
 */
type Load = {
  loadAverage: { before: number; after: number };
  anvilCpuSeconds: number | null;
  serverCpuSeconds: number | null;
};

async function othersCpu(): Promise<{ anvil: number | undefined; postgres: number | undefined }> {
  return {
    anvil: watched.anvil === undefined ? undefined : await processCpuSeconds(watched.anvil),
    postgres: watched.postgres === undefined ? undefined : await processTreeCpuSeconds(watched.postgres),
  };
}

function cpuDelta(before: number | undefined, after: number | undefined): number | null {
  return before === undefined || after === undefined ? null : round(after - before, 2);
}

/** Runs one measurement in a child process of its own and returns what it reports. */
async function measure<T>(input: Measurement, cpuProfile: boolean): Promise<T & Load> {
  const before = round(loadavg()[0] ?? 0, 2);
  const cpuBefore = await othersCpu();
  if (cpuProfile) await mkdir(PROFILE_DIR, { recursive: true });
  const child = fork(SCRIPT, ["--measure"], {
    env: { ...process.env, BENCH_MEASUREMENT: JSON.stringify(input) },
    execArgv: [
      ...process.execArgv,
      ...(cpuProfile
        ? ["--cpu-prof", `--cpu-prof-dir=${PROFILE_DIR}`, `--cpu-prof-name=${input.kind}.cpuprofile`]
        : []),
    ],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  children.add(child);
  try {
    let result: T | undefined;
    child.on("message", (message) => {
      result = message as T;
    });
    const [code, signal] = (await once(child, "exit")) as [number | null, NodeJS.Signals | null];
    if (code !== 0 || result === undefined) {
      throw new Error(`the ${input.kind} measurement failed (${signal ?? `exit code ${code}`})`);
    }
    if (cpuProfile) console.log(`  CPU profile: ${join(PROFILE_DIR, `${input.kind}.cpuprofile`)}`);
    const after = round(loadavg()[0] ?? 0, 2);
    // The server reaps the measurement's backends a moment after they close.
    await new Promise((resolve) => setTimeout(resolve, 250));
    const cpuAfter = await othersCpu();
    return {
      ...result,
      loadAverage: { before, after },
      anvilCpuSeconds: cpuDelta(cpuBefore.anvil, cpuAfter.anvil),
      serverCpuSeconds: input.kind === "postgres" ? cpuDelta(cpuBefore.postgres, cpuAfter.postgres) : null,
    };
  } finally {
    children.delete(child);
  }
}

// ---------------------------------------------------------------- the chain

type BenchChain = {
  rpcUrl: string;
  deployment: Deployment;
  head: bigint;
  entries: number;
  /** Whether the chain came from the cache rather than a fill in this run. */
  cached: boolean;
  /** Seconds the fill took, in this run or in the run that cached the chain. */
  filledSeconds: number;
  /** Seconds anvil took to load the cached state. */
  loadedSeconds: number;
  cacheFile: string;
  /** anvil's process (for its CPU time). */
  pid: number;
  stop: () => Promise<void>;
};

type CachedChain = { format: number; deployment: Deployment; head: string; entries: number; filledSeconds: number };

/**
 * An anvil chain holding at least `wanted` entries: the cached one when its key matches, otherwise
 * a new fill, cached for the next run.
 *
 * The cache is anvil's own state dump, written on SIGTERM with `--preserve-historical-states`, so
 * that the indexer's eth_call at past blocks (the log's root at each batch's last block) still
 * answers after a reload; `anvil_dumpState` over RPC leaves those states out. The dump of a large
 * chain takes longer than the five seconds `startAnvil`'s stop() allows before SIGKILL, so the
 * dump is awaited here before stop() is called, and written aside and renamed so that an
 * interrupted run never leaves a truncated cache behind.
 */
async function openChain(wanted: number): Promise<BenchChain> {
  const plan = fillPlan(wanted);
  const key = await cacheKey(plan);
  const stateFile = join(CACHE_DIR, `indexer-${wanted}-${key}.anvil.json`);
  const metaFile = join(CACHE_DIR, `indexer-${wanted}-${key}.meta.json`);

  if (existsSync(stateFile) && existsSync(metaFile)) {
    const meta = JSON.parse(await readFile(metaFile, "utf8")) as CachedChain;
    if (meta.format === CACHE_FORMAT) {
      const size = (await stat(stateFile)).size;
      console.log(`chain: loading ${stateFile} (${Math.round(size / MiB)} MiB)…`);
      const started = performance.now();
      const anvil = await startAnvil({
        silent: true,
        timeoutMs: ANVIL_LOAD_TIMEOUT_MS,
        args: ["--load-state", stateFile, "--preserve-historical-states"],
      });
      const loadedSeconds = round((performance.now() - started) / 1000, 1);
      const head = await headOf(anvil.url);
      const entries = await logSize(anvil.url, meta.deployment.addresses.log, head);
      if (head === BigInt(meta.head) && entries === meta.entries) {
        console.log(`chain: loaded in ${loadedSeconds} s (filling it took ${meta.filledSeconds} s)`);
        return {
          rpcUrl: anvil.url,
          deployment: meta.deployment,
          head,
          entries,
          cached: true,
          filledSeconds: meta.filledSeconds,
          loadedSeconds,
          cacheFile: stateFile,
          pid: anvil.pid,
          stop: anvil.stop,
        };
      }
      console.log(
        `chain: the cached chain does not match its description (head ${head}, ${entries} entries); refilling`,
      );
      await anvil.stop();
    }
    await rm(stateFile, { force: true });
    await rm(metaFile, { force: true });
  }

  await mkdir(CACHE_DIR, { recursive: true });
  // A chain of this size for other contracts or another fill is stale, and large (~1 GB at 100,000 entries).
  for (const file of await readdir(CACHE_DIR)) {
    if (file.startsWith(`indexer-${wanted}-`) && !file.startsWith(`indexer-${wanted}-${key}.`)) {
      await rm(join(CACHE_DIR, file), { force: true });
    }
  }
  const partial = `${stateFile}.${process.pid}.partial`;
  console.log(`chain: filling ${plan.total} entries (cached afterwards in ${CACHE_DIR})…`);
  const started = performance.now();
  const filling = await startAnvil({ silent: true, args: ["--dump-state", partial, "--preserve-historical-states"] });
  let deployment: Deployment;
  let head: bigint;
  let entries: number;
  try {
    const deployed = await deployOnAnvil(filling.url);
    let shown = 0;
    const fill = await fillLedger({
      url: filling.url,
      addresses: deployed.addresses,
      donations: plan.donations,
      disbursements: plan.disbursements,
      reversals: plan.reversals,
      ...FILL,
      onProgress({ entries: sent, total }) {
        if (sent - shown >= total / 10 || sent === total) {
          shown = sent;
          const seconds = Math.round((performance.now() - started) / 1000);
          console.log(`  ${sent} / ${total} entries sent (${seconds} s)`);
        }
      },
    });
    deployment = {
      chainId: deployed.chain.id,
      deployBlock: String(deployed.deployBlock),
      addresses: deployed.addresses,
    };
    head = await headOf(filling.url);
    entries = Number(fill.logSize);
  } catch (error) {
    await filling.stop();
    await rm(partial, { force: true });
    throw error;
  }
  const filledSeconds = round((performance.now() - started) / 1000, 1);
  console.log(`chain: filled in ${filledSeconds} s; writing anvil's state…`);
  await dumpAndStop(filling);
  await rename(partial, stateFile);
  const meta: CachedChain = { format: CACHE_FORMAT, deployment, head: String(head), entries, filledSeconds };
  await writeFile(metaFile, `${JSON.stringify(meta, null, 2)}\n`);

  // Measure against the cached chain, as later runs will: the same anvil, loaded the same way.
  const loading = performance.now();
  const anvil = await startAnvil({
    silent: true,
    timeoutMs: ANVIL_LOAD_TIMEOUT_MS,
    args: ["--load-state", stateFile, "--preserve-historical-states"],
  });
  const loadedSeconds = round((performance.now() - loading) / 1000, 1);
  return {
    rpcUrl: anvil.url,
    deployment,
    head,
    entries,
    cached: false,
    filledSeconds,
    loadedSeconds,
    cacheFile: stateFile,
    pid: anvil.pid,
    stop: anvil.stop,
  };
}

type FillPlan = { donations: number; disbursements: number; reversals: number; total: number };

/** The fewest donations (with fillLedger's usual one disbursement in ten and one reversal in a thousand) that reach `wanted` entries. */
function fillPlan(wanted: number): FillPlan {
  const planFor = (donations: number): FillPlan => {
    const disbursements = Math.floor(donations / 10);
    const reversals = Math.max(1, Math.floor(donations / 1000));
    return { donations, disbursements, reversals, total: SETUP_ENTRIES + donations + disbursements + reversals };
  };
  let donations = Math.max(1, Math.floor((wanted - SETUP_ENTRIES) / 1.101));
  while (planFor(donations).total < wanted) donations += 1;
  while (donations > 1 && planFor(donations - 1).total >= wanted) donations -= 1;
  return planFor(donations);
}

/** What the cached chain depends on: the contracts' bytecode and the fill's parameters. */
async function cacheKey(plan: FillPlan): Promise<string> {
  const hash = createHash("sha256").update(JSON.stringify({ format: CACHE_FORMAT, plan, fill: FILL }));
  for (const name of ["TransparencyLog", "Registry", "CharityLedger", "VolunteerCredit"]) {
    const file = join(ROOT, "artifacts", "contracts", `${name}.sol`, `${name}.json`);
    const artifact = JSON.parse(await readFile(file, "utf8")) as { bytecode: Hex };
    hash.update(artifact.bytecode);
  }
  return hash.digest("hex").slice(0, 12);
}

async function headOf(url: string): Promise<bigint> {
  return createPublicClient({ transport: http(url) }).getBlockNumber({ cacheTime: 0 });
}

async function logSize(url: string, log: Hex, blockNumber: bigint): Promise<number> {
  const client = createPublicClient({ transport: http(url) });
  return Number(
    await client.readContract({ address: log, abi: transparencyLogAbi, functionName: "size", blockNumber }),
  );
}

// ---------------------------------------------------------------- PostgreSQL

// ---------------------------------------------------------------- output

type BackendRow = {
  /** The median run's (PostgreSQL: of BENCH_POSTGRES_RUNS backfills); every figure below is that run's. */
  entriesPerSecond: number;
  /** Each run's entries/s, in order. */
  runs: number[];
  /** The machine's 1-minute load average when the measurement started and ended (2 means both cores busy). */
  loadAverage: { before: number; after: number };
  ratioToRawFetch: number;
  seconds: number;
  cpuSeconds: number;
  ingestSeconds: number;
  refreshSeconds: number | null;
  indexSeconds: number | null;
  setupSeconds: number;
  batches: number;
  peakRssMiB: number;
  maxRssMiB: number;
  cpu: CpuPerEntry;
  rpc: RpcSummary;
  /** PostgreSQL only: bytes of write-ahead log per entry, and the database's size in MiB. */
  written: { walBytesPerEntry: number; databaseMiB: number } | null;
};

/**
 * Where the machine's CPU went, in microseconds per entry: the measuring process (the indexer, or
 * the raw fetch), anvil answering it, and the PostgreSQL server (null where unknown). `bound` is
 * the rate the machine's cores would allow if all of it ran in parallel: the sum spread over them.
 */
type CpuPerEntry = {
  processMicros: number;
  anvilMicros: number | null;
  serverMicros: number | null;
  boundEntriesPerSecond: number | null;
};

/** Per method: requests, seconds to the answers' headers (summed), MiB answered, answers viem refused as too large. */
type RpcSummary = Record<string, { requests: number; seconds: number; MiB: number; tooLarge: number }>;

/** The shape of bench/results/indexer.json. */
type Results = {
  entries: number;
  blocks: number;
  rawFetch: {
    entriesPerSecond: number;
    seconds: number;
    cpuSeconds: number;
    runs: number[];
    batches: number;
    loadAverage: { before: number; after: number };
    peakRssMiB: number;
    maxRssMiB: number;
    cpu: CpuPerEntry;
    rpc: RpcSummary;
    fixedRange: {
      blocksPerRequest: number;
      entriesPerSecond: number;
      seconds: number;
      batches: number;
      rpc: RpcSummary;
    };
  };
  pglite: BackendRow | null;
  postgres: BackendRow | null;
  /** PostgreSQL only, on the database of its backfill: one block more, twice (atTheHead). */
  head: HeadResult | null;
  chain: {
    cached: boolean;
    filledSeconds: number;
    loadedSeconds: number;
    cache: string;
    recordsPerTransaction: number;
    transactionsPerBlock: number;
  };
  machine: { cores: number; cpu: string; node: string; nodeFlags: string[]; loadAverage: number[] };
  /** Set when BENCH_INDEXER_SRC measured a copy of the indexer rather than packages/indexer/src. */
  indexerSource?: string;
  measuredAt: string;
};

/** A backfill's rate as a share of the raw fetch's, to three places. */
function ratioTo(result: IndexResult, rawRate: number): number {
  return round(result.entries / result.seconds / rawRate, 3);
}

/** After the last batch until the later of the views refreshed and the last index built: the run's end. */
function afterLastBatch(row: BackendRow): string {
  const ends = [row.refreshSeconds, row.indexSeconds].filter((s) => s !== null);
  return ends.length === 0 ? "?" : String(Math.max(...ends));
}

function backendRow(result: IndexResult & Load, rawRate: number, runs: number[]): BackendRow {
  return {
    entriesPerSecond: rate(result),
    runs,
    loadAverage: result.loadAverage,
    ratioToRawFetch: ratioTo(result, rawRate),
    seconds: round(result.seconds, 2),
    cpuSeconds: round(result.cpuSeconds, 2),
    ingestSeconds: round(result.ingestSeconds, 2),
    refreshSeconds: result.refreshSeconds === null ? null : round(result.refreshSeconds, 2),
    indexSeconds: result.indexSeconds === null ? null : round(result.indexSeconds, 2),
    setupSeconds: round(result.setupSeconds, 2),
    batches: result.batches,
    peakRssMiB: result.peakRssMiB,
    maxRssMiB: result.maxRssMiB,
    cpu: cpuPerEntry(result),
    rpc: rpcSummary(result.rpc),
    written: result.written
      ? {
          walBytesPerEntry: Math.round(result.written.walBytes / result.entries),
          databaseMiB: round(result.written.databaseBytes / MiB, 1),
        }
      : null,
  };
}

function cpuPerEntry(result: { entries: number; cpuSeconds: number } & Load): CpuPerEntry {
  const micros = (seconds: number | null) => (seconds === null ? null : Math.round((seconds * 1e6) / result.entries));
  const processMicros = micros(result.cpuSeconds) ?? 0;
  const anvilMicros = micros(result.anvilCpuSeconds);
  const serverMicros = micros(result.serverCpuSeconds);
  const total = processMicros + (anvilMicros ?? 0) + (serverMicros ?? 0);
  return {
    processMicros,
    anvilMicros,
    serverMicros,
    boundEntriesPerSecond: anvilMicros === null ? null : Math.round((availableParallelism() * 1e6) / total),
  };
}

function rpcSummary(stats: RpcStats): RpcSummary {
  const summary: RpcSummary = {};
  for (const [method, stat] of Object.entries(stats).sort(([, a], [, b]) => b.seconds - a.seconds)) {
    summary[method] = {
      requests: stat.requests,
      seconds: round(stat.seconds, 2),
      MiB: round(stat.bytes / MiB, 1),
      tooLarge: stat.tooLarge,
    };
  }
  return summary;
}

/** "eth_getLogs 35 (17 too large) 30.1 s, eth_getBlockByNumber 80 0.4 s, …" */
function describeRpc(stats: RpcStats): string {
  return Object.entries(rpcSummary(stats))
    .map(([method, s]) => `${method} ${s.requests}${s.tooLarge ? ` (${s.tooLarge} too large)` : ""} ${s.seconds} s`)
    .join(", ");
}

function printTable(results: Results): void {
  const { rawFetch } = results;
  const rows: string[][] = [
    [
      "",
      "entries/s",
      "vs raw",
      "seconds",
      "CPU s",
      "ingest s",
      "indexes+views s",
      "peak RSS MiB",
      "maxRSS MiB",
      "load",
    ],
    [
      "raw fetch (indexer's reader)",
      String(rawFetch.entriesPerSecond),
      "1.00",
      String(rawFetch.seconds),
      String(rawFetch.cpuSeconds),
      "",
      "",
      String(rawFetch.peakRssMiB),
      String(rawFetch.maxRssMiB),
      `${rawFetch.loadAverage.before}→${rawFetch.loadAverage.after}`,
    ],
    [
      `raw fetch (fixed ${rawFetch.fixedRange.blocksPerRequest} blocks)`,
      String(rawFetch.fixedRange.entriesPerSecond),
      (rawFetch.fixedRange.entriesPerSecond / rawFetch.entriesPerSecond).toFixed(2),
      String(rawFetch.fixedRange.seconds),
      "",
      "",
      "",
      "",
      "",
      "",
    ],
  ];
  for (const [name, row] of [
    ["PGlite", results.pglite],
    ["PostgreSQL", results.postgres],
  ] as const) {
    rows.push(
      row
        ? [
            name,
            String(row.entriesPerSecond),
            row.ratioToRawFetch.toFixed(2),
            String(row.seconds),
            String(row.cpuSeconds),
            String(row.ingestSeconds),
            afterLastBatch(row),
            String(row.peakRssMiB),
            String(row.maxRssMiB),
            `${row.loadAverage.before}→${row.loadAverage.after}`,
          ]
        : [name, "not measured", "", "", "", "", "", "", "", ""],
    );
  }
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  console.log("");
  console.log(
    `${results.entries} entries in ${results.blocks} blocks; ${results.machine.cores} cores (${results.machine.cpu}), Node ${results.machine.node}`,
  );
  for (const row of rows) {
    console.log(
      row
        .map((cell, column) => (column === 0 ? cell.padEnd(widths[0] ?? 0) : cell.padStart(widths[column] ?? 0)))
        .join("  "),
    );
  }
  console.log(`load average ${results.machine.loadAverage.join(" ")}: other work on the machine slows every figure`);
  const runs = (name: string, rates: number[]) =>
    `${name} ${rates.length} run${rates.length === 1 ? "" : "s"}: ${rates.join(", ")}`;
  console.log(
    `median of ${[runs("raw fetch", rawFetch.runs), ...(results.postgres ? [runs("PostgreSQL", results.postgres.runs)] : [])].join("; ")} entries/s`,
  );
  console.log("");
  console.log(
    `CPU per entry (µs), and the rate ${results.machine.cores} cores would allow if all of it ran in parallel:`,
  );
  for (const [name, cpu] of [
    ["raw fetch", rawFetch.cpu],
    ["PGlite", results.pglite?.cpu],
    ["PostgreSQL", results.postgres?.cpu],
  ] as const) {
    if (cpu === undefined) continue;
    const parts = [`this process ${cpu.processMicros}`, `anvil ${cpu.anvilMicros ?? "?"}`];
    if (name === "PostgreSQL") parts.push(`PostgreSQL server ${cpu.serverMicros ?? "? (not on this machine)"}`);
    const bound = cpu.boundEntriesPerSecond === null ? "" : `; at most ${cpu.boundEntriesPerSecond} entries/s`;
    console.log(`  ${name}: ${parts.join(", ")}${bound}`);
  }
  const written = results.postgres?.written;
  if (written) {
    console.log(
      `PostgreSQL wrote ${written.walBytesPerEntry} bytes of WAL per entry; the database holds ${written.databaseMiB} MiB`,
    );
  }
  const head = results.head;
  if (head) {
    const describe = (step: HeadStep) =>
      `${step.entries} entries in ${step.seconds} s, of which the views ${step.refreshSeconds} s` +
      ` (campaigns advanced by sums: ${step.campaignsAdvanced}, taken on from their state: ${step.campaignsResumed})`;
    console.log(`At the head (PostgreSQL), one block more to a campaign of ${head.campaignEntries} entries:`);
    console.log(`  ${HEAD_DONATIONS} donations: ${describe(head.donations)}`);
    console.log(`  ${HEAD_DONATIONS} donations, then a disbursement (2 blocks): ${describe(head.withDisbursement)}`);
    console.log(`  the same again: ${describe(head.withAnotherDisbursement)}`);
  }
  console.log("");
}

// ---------------------------------------------------------------- helpers

function positiveInteger(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === "") return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${text}`);
  return value;
}

function expectEntries(what: string, got: number, expected: number): void {
  if (got !== expected) throw new Error(`${what} saw ${got} entries, the chain's log holds ${expected}`);
}

function median<T extends { seconds: number }>(runs: T[]): T {
  const sorted = [...runs].sort((a, b) => a.seconds - b.seconds);
  const middle = sorted[Math.floor((sorted.length - 1) / 2)];
  if (!middle) throw new Error("no runs");
  return middle;
}

function rate(result: { entries: number; seconds: number }): number {
  return Math.round(result.entries / result.seconds);
}

function cpuSince(start: NodeJS.CpuUsage): number {
  const { user, system } = process.cpuUsage(start);
  return (user + system) / 1e6;
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

function percent(ratio: number): string {
  return `${Math.round(ratio * 100)}%`;
}
