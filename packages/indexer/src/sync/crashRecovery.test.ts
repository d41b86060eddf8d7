// Crash recovery, on PGlite and on PostgreSQL: the indexer runs as its own process
// (`shanji-indexer --once`), is killed with SIGKILL at a dozen seeded random points of a backfill of
// ~3,000 entries, is restarted each time, and must end with the same tables as a run that was never
// interrupted. Every batch commits with its cursor in one transaction, so no kill may lose a
// committed batch or leave half of one.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, expect, test } from "vitest";
import type { StartAnvilReturnType } from "../../../../scripts/lib/anvil.ts";
import { type DeployOnAnvilReturnType, startFilledChain } from "../_test/chainFixture.ts";
import { type StartFaultyRpcProxyReturnType, startFaultyRpcProxy } from "../_test/faultyRpcProxy.ts";
import { digestAll, indexerConfig, indexerOn } from "../_test/indexerHarness.ts";
import type { Deployment } from "../runIndexer.ts";
import { describeEachBackend, freshPostgresDatabase } from "../store/_test/testDatabase.ts";
import { createStore } from "../store/createStore.ts";
import type { Store } from "../store/types.ts";

const BIN = fileURLToPath(new URL("../bin/shanji-indexer.ts", import.meta.url));
const KILLS = 12;
/** The most batches a run may commit before its kill: KILLS runs of it stay well short of the ~150 batches. */
const MAX_BATCHES_A_RUN = 6;
const SEED = 0x5eed;
/** Blocks per eth_getLogs the proxy allows: the command has no setting for its range, so the node refuses wider ones. */
const MAX_LOG_RANGE = 4;

let anvil: StartAnvilReturnType;
let deployment: DeployOnAnvilReturnType;
let proxy: StartFaultyRpcProxyReturnType;
let workDir: string;
let deploymentFile: string;
let logSize: bigint;

beforeAll(async () => {
  // One block per transaction: ~3,000 entries in ~600 blocks, so ~150 batches of 4 blocks.
  ({
    anvil,
    deployment,
    filled: { logSize },
  } = await startFilledChain({
    donations: 2_800,
    batchSize: 8,
    campaigns: 3,
    seed: 5,
    txsPerBlock: 1,
  }));
  proxy = await startFaultyRpcProxy({ upstream: anvil.url });
  proxy.setFaults({ maxLogRange: MAX_LOG_RANGE });
  workDir = await mkdtemp(join(tmpdir(), "shanji-crash-"));
  deploymentFile = join(workDir, "deployment.json");
  const file: Deployment = {
    chainId: await deployment.publicClient.getChainId(),
    deployBlock: String(deployment.deployBlock),
    addresses: deployment.addresses,
  };
  await writeFile(deploymentFile, JSON.stringify(file));
}, 180_000);

afterAll(async () => {
  await proxy?.close();
  await anvil?.stop();
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

/** The indexer process of the running test, killed if the test ends while it runs. */
let running: IndexerProcess | undefined;
afterEach(() => {
  running?.child.kill("SIGKILL");
  running = undefined;
});

type IndexerProcess = {
  child: ChildProcess;
  /** Every line the process wrote to stderr (its log). */
  lines: string[];
  /** The committed log sizes it reported, one per batch ("indexed to block …: +n entries, size in all"). */
  batches: { added: bigint; size: bigint }[];
  /** Resolves once the process has reported `n` batches, or has exited. */
  batchesSeen(n: number): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
};

function startIndexerProcess(target: Record<string, string>): IndexerProcess {
  const child = spawn(process.execPath, [BIN, "--once"], {
    env: { ...process.env, SHANJI_RPC_URL: proxy.url, SHANJI_DEPLOYMENT: deploymentFile, DATABASE_URL: "", ...target },
    stdio: ["ignore", "ignore", "pipe"],
  });
  const lines: string[] = [];
  const batches: IndexerProcess["batches"] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const exited = once(child, "exit").then(([code, signal]) => {
    for (const waiter of waiters.splice(0)) waiter.resolve();
    return { code: code as number | null, signal: signal as NodeJS.Signals | null };
  });
  let partial = "";
  child.stderr?.setEncoding("utf8").on("data", (text: string) => {
    const parts = (partial + text).split("\n");
    partial = parts.pop() ?? "";
    for (const line of parts) {
      lines.push(line);
      const batch = /indexed to block \d+: \+(\d+) entries, (\d+) in all/.exec(line);
      if (batch) batches.push({ added: BigInt(batch[1] as string), size: BigInt(batch[2] as string) });
    }
    for (const waiter of waiters.filter((w) => batches.length >= w.n)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  });
  const process_: IndexerProcess = {
    child,
    lines,
    batches,
    exited,
    batchesSeen: (n) =>
      batches.length >= n || child.exitCode !== null
        ? Promise.resolve()
        : new Promise<void>((resolve) => waiters.push({ n, resolve })),
  };
  running = process_;
  return process_;
}

describeEachBackend("indexer process killed with SIGKILL", (backend) => {
  test(`behavior: killed ${KILLS} times at random points and restarted, it ends with the tables of an uninterrupted run`, async () => {
    const random = mulberry32(SEED + (backend.name === "pglite" ? 0 : 1));
    let target: Record<string, string>;
    let openStore: () => Promise<Store>;
    let drop = async () => {};
    if (backend.name === "pglite") {
      const dataDir = await mkdtemp(join(workDir, "pglite-"));
      target = { SHANJI_DATA_DIR: dataDir };
      openStore = () => createStore({ dataDir: join(dataDir, "pglite") });
    } else {
      const database = await freshPostgresDatabase();
      target = { DATABASE_URL: database.url };
      openStore = () => createStore({ databaseUrl: database.url });
      drop = database.drop;
    }

    try {
      let committed = 0n;
      const kills: string[] = [];
      for (let kill = 0; kill < KILLS; kill++) {
        const run = startIndexerProcess(target);
        // Mostly in the middle of the backfill, a few batches in; now and then at any moment from
        // the start (opening the database, the chain check). The first kill waits for a batch, so
        // that PGlite's initdb has finished: a data folder killed during initdb is not a crash to
        // recover from but a database never made.
        let point: string;
        if (kill > 0 && random() < 0.25) {
          // Bounded by batches too: on a fast machine 1.5 s is the whole backfill, and the kills after
          // it would find nothing left to interrupt.
          const ms = Math.floor(random() * 1_500);
          point = `${ms} ms after start or after batch ${MAX_BATCHES_A_RUN}, whichever came first`;
          await Promise.race([new Promise((resolve) => setTimeout(resolve, ms)), run.batchesSeen(MAX_BATCHES_A_RUN)]);
        } else {
          const batches = 1 + Math.floor(random() * MAX_BATCHES_A_RUN);
          const ms = Math.floor(random() * 30);
          point = `${ms} ms after batch ${batches}`;
          await run.batchesSeen(batches);
          await new Promise((resolve) => setTimeout(resolve, ms));
        }
        run.child.kill("SIGKILL");
        const { code, signal } = await run.exited;
        const log = () => `kill ${kill} (${point}):\n${run.lines.join("\n")}`;
        if (signal !== "SIGKILL") {
          throw new Error(`the indexer exited by itself (code ${code}) before ${log()}`);
        }
        // Nothing committed before an earlier kill was lost: this run went on from there at least.
        const first = run.batches[0];
        if (first) expect(first.size - first.added, log()).toBeGreaterThanOrEqual(committed);
        const last = run.batches.at(-1);
        if (last) committed = last.size;
        kills.push(point);
        if (backend.name === "postgres") {
          const store = await openStore();
          await expectConsistent(store, log).finally(() => store.close());
        }
      }
      expect(kills).toHaveLength(KILLS);
      expect(committed).toBeLessThan(logSize);

      const final = startIndexerProcess(target);
      const { code } = await final.exited;
      expect(code, final.lines.join("\n")).toBe(0);
      expect(final.lines.join("\n")).toMatch(new RegExp(`caught up: block \\d+, ${logSize} entries`));

      const reference = await backend.freshStore();
      await indexerOn(anvil.url, reference, indexerConfig(deployment)).syncToHead();
      const recovered = await openStore();
      try {
        await expectConsistent(recovered, () => "after the last run");
        expect(await digestAll(recovered)).toBe(await digestAll(reference));
      } finally {
        await recovered.close();
      }
    } finally {
      running?.child.kill("SIGKILL");
      await drop();
    }
  }, 900_000);
});

/** What every committed state must satisfy, whenever the process died: the cursor covers exactly the stored rows. */
async function expectConsistent(store: Store, context: () => string): Promise<void> {
  const [row] = await store.query<{
    cursor_size: bigint | null;
    cursor_block: bigint | null;
    entries: bigint;
    next_idx: bigint;
    last_block: bigint | null;
    entry_streams: bigint;
    stream_counts: bigint;
  }>(
    `select (select log_size from sync_cursor) as cursor_size,
              (select block_number from sync_cursor) as cursor_block,
              (select count(*) from entries) as entries,
              (select coalesce(max(idx) + 1, 0) from entries) as next_idx,
              (select max(number) from blocks) as last_block,
              (select count(*) from entry_streams) as entry_streams,
              (select coalesce(sum(count), 0)::bigint from streams) as stream_counts`,
  );
  const size = row?.cursor_size ?? 0n;
  expect({ entries: row?.entries, nextIdx: row?.next_idx, streams: row?.stream_counts }, context()).toEqual({
    entries: size,
    nextIdx: size,
    streams: row?.entry_streams,
  });
  if (row?.last_block != null) expect(row.last_block, context()).toBeLessThanOrEqual(row.cursor_block ?? -1n);
}

/** A seeded PRNG (mulberry32): the same kill points on every run. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
