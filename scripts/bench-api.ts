/**
 * API benchmark: `npm run bench:api`. With autocannon (32 connections), in one run on PostgreSQL:
 *
 *   (a) a bare Fastify route returning a fixed JSON body — the ceiling of this machine and Node;
 *   (b) GET /v1/entries/:index with its proof, at random indexes;
 *   (c) GET /v1/donations/lookup?receipt= with the donation's trace, for random receipt codes;
 *   (d) GET /v1/campaigns/:id, the campaign detail, for random campaigns;
 *
 * (a)–(d) against a store indexed by the real indexer from a real anvil chain of at least
 * BENCH_ENTRIES (100,000) entries: the demo data set (donations with receipt codes, grants,
 * disbursements, credits…) and, on top, a fill of donations, disbursements and reversals into four
 * more campaigns of the demo's foundation. The filled chain is cached in .shanji/bench/ (git-ignored).
 *
 * And (b) again against two SYNTHETIC stores of 10,000 and 1,000,000 entries, for the target that
 * (b)'s latency at 1,000,000 entries is at most 1.5 times its latency at 10,000: filling and indexing
 * a real chain of a million entries takes hours on these machines, so those stores are written
 * straight into PostgreSQL by scripts/lib/syntheticLedger.ts — real donation leaves encoded with
 * @shanji/core, tree nodes from the indexer's own MerkleFrontier, blocks and sync cursor as the
 * indexer writes them — with no chain behind them. They are kept on the PostgreSQL server
 * (databases shanji_bench_api_synth_<size>_<key>) for the next runs while the generator and the
 * schema are unchanged; BENCH_SYNTHETIC_FRESH=1 rebuilds them.
 *
 * Each server runs in a child process of its own, so that autocannon (in this process) never shares
 * its event loop. The machine is shared, and other work slows every figure, by more or less from one
 * second to the next: so each scenario is warmed up, then measured in BENCH_SLICES slices of
 * BENCH_DURATION seconds taken in turn with the other scenarios' (a drift of the load touches them
 * all alike), the ratio to (a) is the median of the slices' ratios, each slice records the load
 * average, and each records the server's CPU time per request — the figure least disturbed by other
 * work: 1,000,000 / µs is the req/s the server would reach on a core of its own. The whole sequence
 * runs BENCH_ROUNDS (2) times. Prints a table and writes bench/results/api.json.
 *
 * Targets: (b) ≥ 30% of (a)'s requests/s; (b)'s p99 ≤ 25 ms at 32 connections; (b)'s latency at
 * 1,000,000 entries ≤ 1.5 × its latency at 10,000.
 *
 *   BENCH_DATABASE_URL=postgres://…   a server where the role may CREATE DATABASE (else TEST_DATABASE_URL)
 *   BENCH_ENTRIES=100000              entries of the real chain (at least)
 *   BENCH_DURATION=5, BENCH_SLICES=3  seconds per slice, slices per scenario (after BENCH_WARMUP=3 seconds of warm-up)
 *   BENCH_CONNECTIONS=32
 *   BENCH_ROUNDS=2
 *   BENCH_SYNTHETIC_SIZES=10000,1000000
 *   BENCH_SYNTHETIC_FRESH=1           rebuild the synthetic stores
 *   BENCH_CPU_PROF=b                  profile a measurement's server (a, b, c, d, b10k, b1M) with --cpu-prof
 */
import { type ChildProcess, fork } from "node:child_process";
import { createHash } from "node:crypto";
import { once } from "node:events";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { leafHash, transparencyLogAbi, verifyInclusion } from "@shanji/core";
import { createStore, type Deployment, runIndexer } from "@shanji/indexer";
import Fastify from "fastify";
import pg from "pg";
import { createPublicClient, type Hex, hexToBytes, http } from "viem";
import { createApp } from "../packages/api/src/app.ts";
import { treeCacheFor } from "../packages/api/src/routes/ledger/treeCache.ts";
import { fillLedger } from "../packages/indexer/src/_test/chainFixture.ts";
import { createPostgresStore } from "../packages/indexer/src/store/createPostgresStore.ts";
import { connectDemoSystem } from "./demo/connectDemoSystem.ts";
import { recordDemo } from "./demo/recordDemo.ts";
import { deploySystem } from "./deploy/deploySystem.ts";
import { freshBenchDatabase } from "./lib/benchDatabase.ts";
import { openCachedAnvilChain } from "./lib/cachedAnvilChain.ts";
import { writeSyntheticLedger } from "./lib/syntheticLedger.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CACHE_DIR = join(ROOT, ".shanji", "bench");
const PROFILE_DIR = join(CACHE_DIR, "profiles");
const RESULTS_FILE = join(ROOT, "bench", "results", "api.json");
const SCRIPT = fileURLToPath(import.meta.url);

/** Donations from people in the demo data set under the fill (receipt codes for (c)). */
const DEMO_DONATIONS = 3_000;
const DEMO_SEED = 2026;
/** As scripts/bench-indexer.ts fills: 200 records per transaction, 32 transactions per block. */
const FILL = { batchSize: 200, campaigns: 4, seed: 1, txsPerBlock: 32 } as const;
/** Bump when the chain's layout changes, so that older caches are not read. */
const CACHE_FORMAT = 1;
const TARGETS = { ratioToBare: 0.3, p99Ms: 25, latencyGrowth: 1.5 } as const;

type Autocannon = (options: Record<string, unknown>) => Promise<AutocannonResult> & { stop?: () => void };
type Histogram = { average: number; mean: number; p50: number; p99: number; max: number; min: number };
type AutocannonResult = {
  requests: Histogram & { total: number };
  latency: Histogram;
  throughput: Histogram;
  errors: number;
  timeouts: number;
  non2xx: number;
  duration: number;
  statusCodeStats?: Record<string, { count: number }>;
};
// autocannon ships no types.
const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

// ---------------------------------------------------------------- server processes

type ServeInput = { kind: "bare" } | { kind: "api"; databaseUrl: string; deployment: Deployment; rpcUrl?: string };

/** A server in this (child) process: listens on a free port, tells the parent, stops on SIGTERM. */
async function serve(input: ServeInput): Promise<void> {
  let close: () => Promise<void>;
  let port: number;
  if (input.kind === "bare") {
    const app = Fastify();
    const body = { hello: "world", ledger: "善迹" };
    app.get("/bare", async () => body);
    await app.listen({ port: 0, host: "127.0.0.1" });
    port = (app.server.address() as { port: number }).port;
    close = () => app.close();
  } else {
    // As packages/api/src/bin/shanji-api.ts wires it (the store's own pool), without request logs or
    // rate limits, which would measure pino and refuse the load.
    const store = await createStore({ databaseUrl: input.databaseUrl });
    const client = input.rpcUrl ? createPublicClient({ transport: http(input.rpcUrl, { retryCount: 0 }) }) : undefined;
    const dataDir = await mkdtemp(join(tmpdir(), "shanji-bench-api-data-"));
    const app = await createApp({
      store,
      deployment: input.deployment,
      dataDir,
      rateLimit: false,
      logger: false,
      ...(client ? { chainHead: () => client.getBlockNumber({ cacheTime: 0 }) } : {}),
    });
    // Measure the API warm: the stored tree copied into memory, as it is a few seconds after a start.
    const snapshot = await app.shanji.snapshot();
    await treeCacheFor(store).sync(snapshot.logSize);
    await app.listen({ port: 0, host: "127.0.0.1" });
    port = (app.server.address() as { port: number }).port;
    close = async () => {
      await app.close();
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    };
  }
  process.on("SIGTERM", () => {
    void close().finally(() => process.exit(0));
  });
  // The parent asks for this process's CPU time around each measurement.
  process.on("message", (message: { cpu?: boolean }) => {
    if (message.cpu) {
      const { user, system } = process.cpuUsage();
      process.send?.({ cpuMicros: user + system });
    }
  });
  process.send?.({ port });
}

type Server = {
  url: string;
  /** The server process's CPU time so far (user + system), in microseconds. */
  cpu: () => Promise<number>;
  stop: () => Promise<void>;
};

const children = new Set<ChildProcess>();

async function startServer(input: ServeInput, profileAs?: string): Promise<Server> {
  if (profileAs) await mkdir(PROFILE_DIR, { recursive: true });
  const child = fork(SCRIPT, ["--serve"], {
    env: { ...process.env, BENCH_SERVE: JSON.stringify(input) },
    execArgv: [
      ...process.execArgv,
      ...(profileAs
        ? ["--cpu-prof", `--cpu-prof-dir=${PROFILE_DIR}`, `--cpu-prof-name=api-${profileAs}.cpuprofile`]
        : []),
    ],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  children.add(child);
  const [message] = (await Promise.race([
    once(child, "message"),
    once(child, "exit").then(([code]) => {
      throw new Error(`the ${input.kind} server exited (${code}) before it listened`);
    }),
  ])) as [{ port: number }];
  return {
    url: `http://127.0.0.1:${message.port}`,
    async cpu() {
      const reply = once(child, "message") as Promise<[{ cpuMicros: number }]>;
      child.send({ cpu: true });
      return (await reply)[0].cpuMicros;
    },
    async stop() {
      child.kill("SIGTERM");
      await once(child, "exit");
      children.delete(child);
      if (profileAs) console.log(`  CPU profile: ${join(PROFILE_DIR, `api-${profileAs}.cpuprofile`)}`);
    },
  };
}

// ---------------------------------------------------------------- measurements

/** One slice: a few seconds of load on one scenario. */
type Slice = {
  requestsPerSecond: number;
  requests: number;
  seconds: number;
  latencyMs: { p50: number; p99: number; mean: number; max: number };
  /** The server's CPU time per request: a figure other work on the machine disturbs much less than req/s. */
  serverCpuMicrosPerRequest: number;
  bad: number;
  loadAverage: number[];
};

type Measurement = {
  /** a, b, c, d, b10k, b1M */
  name: string;
  what: string;
  store: string;
  /** All slices: requests over seconds. */
  requestsPerSecond: number;
  /** Medians over the slices (p99: also the worst slice). */
  latencyMs: { p50: number; p99: number; p99Worst: number; mean: number };
  serverCpuMicrosPerRequest: number;
  requests: number;
  /** Answers that were not 2xx, errors and timeouts: 0, or the figures are not the route's. */
  failed: number;
  /** The median over slices of this slice's req/s over the bare route's slice just before it. */
  ratioToBare: number | null;
  /** The bare route's server CPU per request over this one's: the ratio of req/s each would reach on a core of its own. */
  cpuRatioToBare: number | null;
  slices: Slice[];
};

type Missing = { name: string; what: string; reason: string };

const settings = {
  entries: positiveInteger("BENCH_ENTRIES", 100_000),
  /** Seconds per slice; each scenario gets BENCH_SLICES slices, interleaved with the others'. */
  duration: positiveInteger("BENCH_DURATION", 5),
  slices: positiveInteger("BENCH_SLICES", 3),
  warmup: positiveInteger("BENCH_WARMUP", 3),
  connections: positiveInteger("BENCH_CONNECTIONS", 32),
  rounds: positiveInteger("BENCH_ROUNDS", 2),
  syntheticSizes: (process.env.BENCH_SYNTHETIC_SIZES || "10000,1000000").split(",").map((s) => Number(s.trim())),
};

type Scenario = { name: string; what: string; store: string; server: Server; path: () => string; slices: Slice[] };

function autocannonOptions(scenario: Scenario, duration: number) {
  return {
    url: scenario.server.url,
    connections: settings.connections,
    duration,
    requests: [
      {
        method: "GET",
        setupRequest: (request: { path: string }) => {
          request.path = scenario.path();
          return request;
        },
      },
    ],
  };
}

/** One slice of load with autocannon, and the server's CPU time it took. */
async function runSlice(scenario: Scenario): Promise<Slice> {
  const loadAverage = loadavg().map((l) => round(l, 2));
  const cpuBefore = await scenario.server.cpu();
  const result = await autocannon(autocannonOptions(scenario, settings.duration));
  const cpu = (await scenario.server.cpu()) - cpuBefore;
  const requests = result.requests.total;
  const slice: Slice = {
    requestsPerSecond: round(requests / result.duration, 0),
    requests,
    seconds: round(result.duration, 2),
    latencyMs: {
      p50: result.latency.p50,
      p99: result.latency.p99,
      mean: round(result.latency.mean, 2),
      max: result.latency.max,
    },
    serverCpuMicrosPerRequest: requests > 0 ? round(cpu / requests, 0) : 0,
    bad: result.non2xx + result.errors + result.timeouts,
    loadAverage,
  };
  console.log(
    `  ${scenario.name.padEnd(5)} ${String(slice.requestsPerSecond).padStart(6)} req/s  p50 ${slice.latencyMs.p50} ms  p99 ${slice.latencyMs.p99} ms` +
      `  server ${slice.serverCpuMicrosPerRequest} µs CPU/req  (load ${loadAverage.join(" ")})` +
      (slice.bad ? `  !!! ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts` : ""),
  );
  return slice;
}

function summarise(scenario: Scenario, bare: Scenario): Measurement {
  const { slices } = scenario;
  const requests = slices.reduce((n, s) => n + s.requests, 0);
  const seconds = slices.reduce((n, s) => n + s.seconds, 0);
  const ratios = slices.map((s, i) => s.requestsPerSecond / (bare.slices[i]?.requestsPerSecond || Number.NaN));
  const cpu = slices.reduce((n, s) => n + s.serverCpuMicrosPerRequest * s.requests, 0) / Math.max(1, requests);
  const bareCpu =
    bare.slices.reduce((n, s) => n + s.serverCpuMicrosPerRequest * s.requests, 0) /
    Math.max(
      1,
      bare.slices.reduce((n, s) => n + s.requests, 0),
    );
  return {
    name: scenario.name,
    what: scenario.what,
    store: scenario.store,
    requestsPerSecond: round(requests / seconds, 0),
    latencyMs: {
      p50: median(slices.map((s) => s.latencyMs.p50)),
      p99: median(slices.map((s) => s.latencyMs.p99)),
      p99Worst: Math.max(...slices.map((s) => s.latencyMs.p99)),
      mean: round(median(slices.map((s) => s.latencyMs.mean)), 2),
    },
    serverCpuMicrosPerRequest: round(cpu, 0),
    requests,
    failed: slices.reduce((n, s) => n + s.bad, 0),
    ratioToBare: ratios.every(Number.isFinite) ? round(median(ratios), 3) : null,
    cpuRatioToBare: cpu > 0 ? round(bareCpu / cpu, 3) : null,
    slices,
  };
}

/** One request, to check that a route is there and answers before it is measured. */
async function probe(url: string): Promise<{ status: number; body: unknown; text: string }> {
  const response = await fetch(url);
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, body, text };
}

/** A route the benchmark needs but the app does not serve: reported as missing, never measured. */
async function routeMissing(server: Server, path: string): Promise<string | undefined> {
  const { status, body, text } = await probe(`${server.url}${path}`);
  if (status === 200) return undefined;
  const detail = (body as { detail?: string } | undefined)?.detail ?? text.slice(0, 200);
  return status === 404 && detail.startsWith("no route")
    ? `the app has no route ${path.split("?")[0]}`
    : `${path} answered ${status}: ${detail}`;
}

// ---------------------------------------------------------------- main

type BenchChainMeta = {
  deployment: Deployment;
  head: string;
  entries: number;
  /** The demo's receipt codes (secrets; the ledger has their SHA-256). */
  receipts: Hex[];
  campaigns: string[];
};

async function main(): Promise<void> {
  const serverUrl = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL;
  if (!serverUrl) {
    throw new Error(
      "bench:api measures on PostgreSQL: set BENCH_DATABASE_URL (or TEST_DATABASE_URL) to a server where the role may CREATE DATABASE",
    );
  }
  const stopAll = () => {
    for (const child of children) child.kill("SIGKILL");
  };
  process.once("SIGINT", () => {
    stopAll();
    process.exit(130);
  });
  const cleanups: (() => Promise<void>)[] = [];
  try {
    // ---- the real chain and its store
    const key = await chainKey();
    const chain = await openCachedAnvilChain<BenchChainMeta>({
      cacheDir: CACHE_DIR,
      name: `api-${settings.entries}`,
      key,
      args: ["--accounts", "20"],
      fill: fillBenchChain,
      matches: async (url, meta) =>
        (await headOf(url)) === BigInt(meta.head) &&
        (await logSize(url, meta.deployment.addresses.log)) === BigInt(meta.entries),
    });
    cleanups.push(chain.stop);
    const { deployment } = chain.meta;
    const database = await freshBenchDatabase(serverUrl, "shanji_bench_api");
    cleanups.push(database.drop);
    console.log(`store: indexing ${chain.meta.entries} entries into PostgreSQL (${database.name})…`);
    const indexStarted = performance.now();
    const indexed = await runIndexer({
      rpcUrl: chain.url,
      deployment,
      databaseUrl: database.url,
      logger: {
        info() {},
        warn: (m) => console.warn(`  [indexer] ${m}`),
        error: (m) => console.error(`  [indexer] ${m}`),
      },
    });
    const status = await indexed.indexer.syncToHead();
    await indexed.close();
    const indexSeconds = round((performance.now() - indexStarted) / 1000, 1);
    console.log(`store: ${status.logSize} entries indexed in ${indexSeconds} s`);
    if (status.logSize < BigInt(settings.entries)) throw new Error(`the store holds only ${status.logSize} entries`);

    // ---- the synthetic stores
    const synthetic: { size: number; url: string; name: string; built: boolean; seconds: number }[] = [];
    for (const size of settings.syntheticSizes) synthetic.push(await syntheticStore(serverUrl, size));

    // ---- the rounds
    const rounds: { measurements: Measurement[]; missing: Missing[]; targets: Targets }[] = [];
    const profile = process.env.BENCH_CPU_PROF;
    const entries = Number(status.logSize);
    const randomIndex = (n: number) => () => `/v1/entries/${Math.floor(Math.random() * n)}`;
    const pick = <T>(list: readonly T[]) => list[Math.floor(Math.random() * list.length)] as T;
    for (let roundNumber = 1; roundNumber <= settings.rounds; roundNumber++) {
      console.log(
        `\nround ${roundNumber} of ${settings.rounds}: ${settings.connections} connections; ${settings.slices} slices of ` +
          `${settings.duration} s per scenario, interleaved`,
      );
      const missing: Missing[] = [];
      const servers: Server[] = [];
      const start = async (input: ServeInput, profileAs?: string) => {
        const server = await startServer(input, profileAs);
        servers.push(server);
        return server;
      };
      try {
        const scenarios: Scenario[] = [];
        const scenario = (name: string, what: string, store: string, server: Server, path: () => string) =>
          scenarios.push({ name, what, store, server, path, slices: [] });

        const bare = await start({ kind: "bare" }, profile === "a" ? "a" : undefined);
        scenario("a", "bare Fastify route, fixed JSON body", "none", bare, () => "/bare");

        const realStore = `PostgreSQL, ${entries} entries indexed from a real chain`;
        const api = await start(
          { kind: "api", databaseUrl: database.url, deployment, rpcUrl: chain.url },
          profile && ["b", "c", "d"].includes(profile) ? profile : undefined,
        );
        await checkEntryRoute(api, entries, chain.url, deployment);
        scenario("b", "GET /v1/entries/:index with proof, random index", realStore, api, randomIndex(entries));
        const lookup = "GET /v1/donations/lookup?receipt= with trace, random receipt code";
        const lookupMissing = await routeMissing(api, `/v1/donations/lookup?receipt=${chain.meta.receipts[0]}`);
        if (lookupMissing) missing.push({ name: "c", what: lookup, reason: lookupMissing });
        else scenario("c", lookup, realStore, api, () => `/v1/donations/lookup?receipt=${pick(chain.meta.receipts)}`);
        const detail = "GET /v1/campaigns/:id, random campaign";
        const detailMissing = await routeMissing(api, `/v1/campaigns/${chain.meta.campaigns[0]}`);
        if (detailMissing) missing.push({ name: "d", what: detail, reason: detailMissing });
        else scenario("d", detail, realStore, api, () => `/v1/campaigns/${pick(chain.meta.campaigns)}`);

        for (const s of synthetic) {
          const name = `b${s.size >= 1_000_000 ? `${s.size / 1_000_000}M` : `${s.size / 1_000}k`}`;
          const server = await start(
            { kind: "api", databaseUrl: s.url, deployment: SYNTHETIC_DEPLOYMENT },
            profile === name ? name : undefined,
          );
          await checkEntryRoute(server, s.size);
          const store = `PostgreSQL, ${s.size} SYNTHETIC entries (written directly, no chain)`;
          scenario(name, "GET /v1/entries/:index with proof, random index", store, server, randomIndex(s.size));
        }

        // Warm each, then slices in turn: a drift in the machine's load touches every scenario alike.
        for (const sc of scenarios) await autocannon(autocannonOptions(sc, settings.warmup));
        for (let slice = 0; slice < settings.slices; slice++) {
          for (const sc of scenarios) sc.slices.push(await runSlice(sc));
        }
        const bareScenario = scenarios[0] as Scenario;
        const measurements = scenarios.map((sc) => summarise(sc, bareScenario));
        const targets = evaluate(measurements);
        rounds.push({ measurements, missing, targets });
        printRound(roundNumber, measurements, missing, targets);
      } finally {
        for (const server of servers) await server.stop();
      }
    }

    const results = {
      description:
        "req/s and latency at 32 connections, each scenario measured in slices interleaved with the others' (latencies: the " +
        "median slice's; ratioToBare: the median of the slices' ratios; serverCpuMicrosPerRequest: the server process's CPU " +
        "time per request). (a)–(d) on a store indexed from a real chain; b10k and b1M on SYNTHETIC stores (real leaves and " +
        "tree nodes written directly into PostgreSQL, because filling and indexing a real chain of 1,000,000 entries takes hours here)",
      settings,
      realStore: {
        entries,
        demoDonations: DEMO_DONATIONS,
        receiptCodes: chain.meta.receipts.length,
        campaigns: chain.meta.campaigns.length,
        indexSeconds,
        chain: { cached: chain.cached, filledSeconds: chain.filledSeconds, loadedSeconds: chain.loadedSeconds },
      },
      syntheticStores: synthetic.map((s) => ({
        entries: s.size,
        database: s.name,
        builtInThisRun: s.built,
        buildSeconds: s.seconds,
      })),
      rounds,
      machine: {
        cores: availableParallelism(),
        cpu: cpus()[0]?.model.trim() ?? "unknown",
        node: process.version,
        loadAverageAtEnd: loadavg().map((l) => round(l, 2)),
      },
      measuredAt: new Date().toISOString(),
    };
    await mkdir(dirname(RESULTS_FILE), { recursive: true });
    await writeFile(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
    console.log(`wrote ${relative(ROOT, RESULTS_FILE)}`);
  } finally {
    stopAll();
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error) => console.error(String(error)));
  }
}

// ---------------------------------------------------------------- checks and targets

/** (b) answers an entry whose proof checks, into root() at the block it names (when there is a chain). */
async function checkEntryRoute(server: Server, size: number, rpcUrl?: string, deployment?: Deployment) {
  const index = Math.floor(size / 2);
  const { status, body } = await probe(`${server.url}/v1/entries/${index}`);
  const answer = body as { leaf: Hex; proof: { treeSize: string; root: Hex; inclusion: Hex[]; blockNumber: string } };
  if (status !== 200) throw new Error(`/v1/entries/${index} answered ${status}`);
  const proves = verifyInclusion({
    index: BigInt(index),
    treeSize: BigInt(answer.proof.treeSize),
    leafHash: leafHash(hexToBytes(answer.leaf)),
    proof: answer.proof.inclusion,
    root: answer.proof.root,
  });
  if (!proves) throw new Error(`the proof of entry ${index} does not check`);
  if (rpcUrl && deployment) {
    const client = createPublicClient({ transport: http(rpcUrl) });
    const root = await client.readContract({
      address: deployment.addresses.log,
      abi: transparencyLogAbi,
      functionName: "root",
      blockNumber: BigInt(answer.proof.blockNumber),
    });
    if (root !== answer.proof.root) throw new Error(`entry ${index}: the proof's root is not the chain's root()`);
  }
}

type Targets = {
  /** req/s of (b) over (a), the median over interleaved slices; and the same by server CPU per request. */
  bRatioToBare: { value: number | null; byServerCpu: number | null; target: number; met: boolean };
  bP99Ms: { value: number | null; worstSlice: number | null; target: number; met: boolean };
  /** (b)'s latency at 1,000,000 entries over at 10,000: median p50, mean, p99; and its server CPU per request. */
  latencyGrowth1Mvs10k: {
    p50: number | null;
    mean: number | null;
    p99: number | null;
    serverCpu: number | null;
    target: number;
    met: boolean;
  };
};

function evaluate(measurements: Measurement[]): Targets {
  const get = (name: string) => measurements.find((m) => m.name === name);
  const b = get("b");
  const small = get("b10k");
  const large = get("b1M");
  const growth = (key: "p50" | "mean" | "p99") =>
    small && large && small.latencyMs[key] > 0 ? round(large.latencyMs[key] / small.latencyMs[key], 2) : null;
  const p50 = growth("p50");
  const mean = growth("mean");
  return {
    bRatioToBare: {
      value: b?.ratioToBare ?? null,
      byServerCpu: b?.cpuRatioToBare ?? null,
      target: TARGETS.ratioToBare,
      met: (b?.ratioToBare ?? 0) >= TARGETS.ratioToBare,
    },
    bP99Ms: {
      value: b?.latencyMs.p99 ?? null,
      worstSlice: b?.latencyMs.p99Worst ?? null,
      target: TARGETS.p99Ms,
      met: (b?.latencyMs.p99 ?? Infinity) <= TARGETS.p99Ms,
    },
    // Latency at 1M over latency at 10k: the median and the mean must both stay within the target.
    latencyGrowth1Mvs10k: {
      p50,
      mean,
      p99: growth("p99"),
      serverCpu:
        small && large && small.serverCpuMicrosPerRequest > 0
          ? round(large.serverCpuMicrosPerRequest / small.serverCpuMicrosPerRequest, 2)
          : null,
      target: TARGETS.latencyGrowth,
      met: p50 !== null && mean !== null && p50 <= TARGETS.latencyGrowth && mean <= TARGETS.latencyGrowth,
    },
  };
}

function printRound(round: number, measurements: Measurement[], missing: Missing[], targets: Targets): void {
  const header = [
    "",
    "req/s",
    "vs (a)",
    "CPU vs (a)",
    "server µs/req",
    "p50 ms",
    "p99 ms",
    "worst p99",
    "mean ms",
    "failed",
    "load (1 min)",
    "store",
  ];
  const rows = [
    header,
    ...measurements.map((m) => [
      m.name,
      String(m.requestsPerSecond),
      m.ratioToBare === null ? "" : m.ratioToBare.toFixed(2),
      m.cpuRatioToBare === null ? "" : m.cpuRatioToBare.toFixed(2),
      String(m.serverCpuMicrosPerRequest),
      String(m.latencyMs.p50),
      String(m.latencyMs.p99),
      String(m.latencyMs.p99Worst),
      String(m.latencyMs.mean),
      String(m.failed),
      m.slices.map((s) => s.loadAverage[0]).join(" "),
      m.store,
    ]),
  ];
  const last = header.length - 1;
  const widths = header.map((_, c) => Math.max(...rows.map((r) => r[c]?.length ?? 0)));
  console.log(`\nround ${round} (req/s over all slices; latencies: the median slice's):`);
  for (const row of rows) {
    console.log(
      row
        .map((cell, c) => (c === 0 || c === last ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0)))
        .join("  "),
    );
  }
  for (const m of missing) {
    console.log(`\n!!! (${m.name}) ${m.what} was NOT measured: ${m.reason}`);
  }
  const verdict = (met: boolean) => (met ? "met" : "NOT met");
  const g = targets.latencyGrowth1Mvs10k;
  console.log(
    `\ntargets: (b) at ${percent(targets.bRatioToBare.value)} of (a)'s req/s (by server CPU: ${percent(targets.bRatioToBare.byServerCpu)}; target ≥ ${percent(TARGETS.ratioToBare)}): ${verdict(targets.bRatioToBare.met)}; ` +
      `(b) p99 ${targets.bP99Ms.value} ms (target ≤ ${TARGETS.p99Ms} ms): ${verdict(targets.bP99Ms.met)}; ` +
      `(b) at 1M / at 10k: p50 ${g.p50}×, mean ${g.mean}×, server CPU ${g.serverCpu}× (target ≤ ${TARGETS.latencyGrowth}×): ${verdict(g.met)}`,
  );
}

// ---------------------------------------------------------------- the stores

/** A synthetic store of `size` entries, kept on the server between runs under a name with the generator's key. */
async function syntheticStore(serverUrl: string, size: number) {
  const key = await syntheticKey();
  const name = `shanji_bench_api_synth_${size}_${key}`;
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const server = new pg.Client({ connectionString: serverUrl });
  await server.connect();
  try {
    // Not LIKE: "_" is its wildcard, and shanji_bench_api_synth_2000_% would also match the 20000 store.
    const all = (
      await server.query<{ datname: string }>(
        "select datname from pg_database where starts_with(datname, 'shanji_bench_api_synth_')",
      )
    ).rows;
    // Stores of an older generator or schema, of any size, are of no use any more (and large).
    for (const { datname } of all) {
      if (/^shanji_bench_api_synth_[0-9]+_[0-9a-f]+$/.test(datname) && !datname.endsWith(`_${key}`)) {
        await server.query(`drop database if exists ${datname} with (force)`);
      }
    }
    const mine = new RegExp(`^shanji_bench_api_synth_${size}_[0-9a-f]+$`);
    const existing = all.filter((r) => mine.test(r.datname) && r.datname.endsWith(`_${key}`));
    const fresh = process.env.BENCH_SYNTHETIC_FRESH === "1";
    for (const { datname } of existing) {
      if (datname !== name || fresh) await server.query(`drop database if exists ${datname} with (force)`);
    }
    if (!fresh && existing.some((r) => r.datname === name)) {
      const store = createPostgresStore({ databaseUrl: url.toString() });
      try {
        // Its tables are unlogged: PostgreSQL empties them when it restarts after a crash, while the
        // (logged) cursor stays. So the rows themselves must be there, up to the cursor's block.
        const [kept] = await store.query<{ log_size: bigint | null; entries: bigint; block: bigint | null }>(
          `select (select log_size from sync_cursor where id = 1) as log_size,
                  (select count(*) from entries) as entries,
                  (select max(number) from blocks where log_size = $1) as block`,
          [BigInt(size)],
        );
        if (kept?.log_size === BigInt(size) && kept.entries === BigInt(size) && kept.block !== null) {
          console.log(`synthetic store: ${size} entries, kept from an earlier run (${name})`);
          return { size, url: url.toString(), name, built: false, seconds: 0 };
        }
      } catch {
        // An interrupted build: built again below.
      } finally {
        await store.close();
      }
      await server.query(`drop database if exists ${name} with (force)`);
    }
    console.log(`synthetic store: writing ${size} entries into ${name}…`);
    const started = performance.now();
    await server.query(`create database ${name}`);
    const store = await createStore({ databaseUrl: url.toString() });
    try {
      let shown = 0;
      await writeSyntheticLedger(store, {
        entries: size,
        onProgress(written) {
          if (written - shown >= size / 10 || written === size) {
            shown = written;
            console.log(`  ${written} / ${size} (${Math.round((performance.now() - started) / 1000)} s)`);
          }
        },
      });
    } finally {
      await store.close();
    }
    const seconds = round((performance.now() - started) / 1000, 1);
    console.log(`synthetic store: ${size} entries written in ${seconds} s`);
    return { size, url: url.toString(), name, built: true, seconds };
  } finally {
    await server.end();
  }
}

const SYNTHETIC_DEPLOYMENT: Deployment = {
  chainId: 31337,
  deployBlock: "1",
  addresses: {
    log: `0x${"00".repeat(20)}`,
    registry: `0x${"00".repeat(20)}`,
    charityLedger: `0x${"00".repeat(20)}`,
    volunteerCredit: `0x${"00".repeat(20)}`,
  },
};

/**
 * Deploys the contracts, records the demo data set, then fills donations, disbursements and
 * reversals (as scripts/bench-indexer.ts fills) into four more campaigns of the demo's foundation
 * until the log holds BENCH_ENTRIES entries.
 */
async function fillBenchChain(url: string): Promise<BenchChainMeta> {
  const ignition = await mkdtemp(join(tmpdir(), "shanji-bench-api-ignition-"));
  try {
    const started = performance.now();
    const deployment = await deploySystem({ rpcUrl: url, deploymentDir: ignition });
    const connected = await connectDemoSystem(deployment, url);
    // recordDemo gives organisation i (from 0) the admin wallets[2i+1] and the operator wallets[2i+2].
    // fillLedger writes as the charity with the foundation's credit code (organisation 1 of the demo)
    // from anvil's accounts 1 (admin) and 2 (operator): so the foundation gets those two.
    const w = connected.wallets;
    const [w0, w1, w2, w3, w4] = w;
    if (!w0 || !w1 || !w2 || !w3 || !w4 || w.length < 17) throw new Error("the chain needs 17 unlocked accounts");
    const demo = await recordDemo(
      { ...connected, wallets: [w0, w3, w4, w1, w2, ...w.slice(5)] },
      { seed: DEMO_SEED, donations: DEMO_DONATIONS },
    );
    const afterDemo = Number(await logSize(url, deployment.addresses.log));
    console.log(
      `chain: demo data set recorded (${afterDemo} entries, ${Math.round((performance.now() - started) / 1000)} s)`,
    );
    const plan = fillPlan(settings.entries - afterDemo);
    let shown = 0;
    const fill = await fillLedger({
      url,
      addresses: deployment.addresses,
      donations: plan.donations,
      disbursements: plan.disbursements,
      reversals: plan.reversals,
      ...FILL,
      onProgress({ entries: sent, total }) {
        if (sent - shown >= total / 10 || sent === total) {
          shown = sent;
          console.log(`  ${sent} / ${total} entries sent (${Math.round((performance.now() - started) / 1000)} s)`);
        }
      },
    });
    return {
      deployment,
      head: String(await headOf(url)),
      entries: Number(fill.logSize),
      receipts: demo.receipts.map((r) => r.code),
      campaigns: [...demo.campaigns.map((c) => String(c.campaignId)), ...fill.campaignIds.map(String)],
    };
  } finally {
    await rm(ignition, { recursive: true, force: true });
  }
}

/** The fewest donations (with one disbursement in ten and one reversal in a thousand) that add `wanted` entries. */
function fillPlan(wanted: number) {
  const setup = FILL.campaigns;
  const planFor = (donations: number) => {
    const disbursements = Math.floor(donations / 10);
    const reversals = Math.max(1, Math.floor(donations / 1000));
    return { donations, disbursements, reversals, total: setup + donations + disbursements + reversals };
  };
  let donations = Math.max(1, Math.floor((wanted - setup) / 1.101));
  while (planFor(donations).total < wanted) donations += 1;
  return planFor(donations);
}

/** What the cached chain depends on: the contracts, the deployment, the demo, the fill and its parameters. */
async function chainKey(): Promise<string> {
  const hash = createHash("sha256").update(
    JSON.stringify({ format: CACHE_FORMAT, entries: settings.entries, DEMO_DONATIONS, DEMO_SEED, FILL }),
  );
  for (const name of ["TransparencyLog", "Registry", "CharityLedger", "VolunteerCredit"]) {
    const artifact = JSON.parse(
      await readFile(join(ROOT, "artifacts", "contracts", `${name}.sol`, `${name}.json`), "utf8"),
    ) as { bytecode: Hex };
    hash.update(artifact.bytecode);
  }
  for (const file of [
    "scripts/demo/recordDemo.ts",
    "scripts/demo/persons.ts",
    "scripts/deploy/deploySystem.ts",
    "ignition/modules/Shanji.ts",
    "packages/indexer/src/_test/chainFixture.ts",
  ]) {
    hash.update(await readFile(join(ROOT, file)));
  }
  return hash.digest("hex").slice(0, 12);
}

/** What a synthetic store depends on: its generator, the leaf encoding, the tree, the schema. */
async function syntheticKey(): Promise<string> {
  const hash = createHash("sha256");
  const migrations = join(ROOT, "packages", "indexer", "src", "store", "migrations");
  const { readdir } = await import("node:fs/promises");
  for (const file of (await readdir(migrations)).filter((f) => f.endsWith(".sql")).sort()) {
    hash.update(await readFile(join(migrations, file)));
  }
  for (const file of [
    "scripts/lib/syntheticLedger.ts",
    "packages/core/src/encoding/encodeLeaf.ts",
    "packages/core/src/encoding/schemas.ts",
    "packages/indexer/src/sync/merkleFrontier.ts",
  ]) {
    hash.update(await readFile(join(ROOT, file)));
  }
  return hash.digest("hex").slice(0, 10);
}

async function headOf(url: string): Promise<bigint> {
  return createPublicClient({ transport: http(url) }).getBlockNumber({ cacheTime: 0 });
}

async function logSize(url: string, log: Hex): Promise<bigint> {
  const client = createPublicClient({ transport: http(url) });
  return BigInt(await client.readContract({ address: log, abi: transparencyLogAbi, functionName: "size" }));
}

// ---------------------------------------------------------------- helpers

function positiveInteger(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === "") return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${text}`);
  return value;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  return sorted.length % 2 === 1
    ? (sorted[Math.floor(middle)] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

function percent(ratio: number | null): string {
  return ratio === null ? "?" : `${Math.round(ratio * 100)}%`;
}

// ---------------------------------------------------------------- run (last: every declaration above is initialised)

if (process.argv[2] === "--serve") {
  await serve(JSON.parse(process.env.BENCH_SERVE ?? "") as ServeInput);
} else {
  await main();
}
