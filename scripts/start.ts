/**
 * `npm start`: the whole ledger on one machine. Starts a local chain (anvil, its state kept in the
 * data folder), deploys the contracts once, records the demo data set once, and runs the indexer and
 * the API in this process until Ctrl-C or SIGTERM; the next start resumes where this one stopped.
 *
 * Environment:
 *   SHANJI_RPC_URL   where the chain listens (default http://127.0.0.1:8545; anvil binds 127.0.0.1)
 *   SHANJI_DATA_DIR  the data folder (default .shanji in the repository): anvil-state.json,
 *                    deployment.json, ignition/ (the deployment journal), demo.json, receipts.csv,
 *                    evidence/<sha256>, pglite/ (the indexer's database)
 *   DATABASE_URL     index into this PostgreSQL instead of PGlite in the data folder
 *   SHANJI_API_PORT  the API's port (default 8787); SHANJI_API_HOST its address (default 127.0.0.1)
 *   SHANJI_DEMO=0    do not record the demo data set
 *   SHANJI_EXIT=1    stop once the indexer has caught up with the chain (tests, CI)
 *
 * Plain Node runs this file (type stripping): nothing here needs the Hardhat runtime. `npm start`
 * runs `hardhat build` first so that the artifacts the deployment reads are current.
 */
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type Address, createPublicClient, http, type PublicClient } from "viem";
import { createApp, type ShanjiApp } from "../packages/api/src/app.ts";
import { createEvidenceStore } from "../packages/api/src/evidence/createEvidenceStore.ts";
import { createLogger } from "../packages/indexer/src/createLogger.ts";
import { type Deployment, type RunIndexerReturnType, runIndexer } from "../packages/indexer/src/runIndexer.ts";
import { connectDemoSystem } from "./demo/connectDemoSystem.ts";
import { recordDemo } from "./demo/recordDemo.ts";
import { deploySystem } from "./deploy/deploySystem.ts";
import { type StartAnvilReturnType, startAnvil } from "./lib/anvil.ts";

const REPOSITORY = fileURLToPath(new URL("..", import.meta.url));
const rpcUrl = new URL(process.env.SHANJI_RPC_URL || "http://127.0.0.1:8545");
const dataDir = resolve(process.env.SHANJI_DATA_DIR || join(REPOSITORY, ".shanji"));
const databaseUrl = process.env.DATABASE_URL || undefined;
const withDemo = process.env.SHANJI_DEMO !== "0";
const apiHost = process.env.SHANJI_API_HOST || "127.0.0.1";
const apiPort = Number(process.env.SHANJI_API_PORT || 8787);
const exitWhenCaughtUp = process.env.SHANJI_EXIT === "1";
const paths = {
  state: join(dataDir, "anvil-state.json"),
  deployment: join(dataDir, "deployment.json"),
  ignition: join(dataDir, "ignition"),
  demo: join(dataDir, "demo.json"),
  receipts: join(dataDir, "receipts.csv"),
  evidence: join(dataDir, "evidence"),
  pglite: join(dataDir, "pglite"),
};
/**
 * anvil also writes its state every this many seconds, so that a crash loses at most that much. The
 * state file keeps the blocks, their logs and the newest state, not older states (keeping them,
 * `--preserve-historical-states`, more than doubles the file and grows it with every block). The
 * indexer checks each batch against `root()` at the batch's last block, so after a restart it can
 * index only what fits in one batch ending at the newest block (500 blocks at first): plenty to
 * resume from its cursor, but a rebuild from scratch of a longer chain would need those states.
 */
const STATE_INTERVAL_SECONDS = 10;
/** The demo's organisations and the tests use 20 accounts; anvil's default is 10. */
const ACCOUNTS = 20;

/** What `demo.json` says about the demo data set of the deployment whose log it names. */
type DemoMarker = {
  log: Address;
  status: "recording" | "recorded";
  seed: number;
  counts?: Record<string, number>;
};

const say = (message: string) => console.log(`[shanji] ${message}`);
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;

let anvil: StartAnvilReturnType | undefined;
/** The indexer once its store is open (creating a new PGlite database takes a while). */
let indexerOpening: Promise<RunIndexerReturnType | undefined> | undefined;
let stopping: Promise<never> | undefined;
/** The API server once it listens. */
let api: ShanjiApp | undefined;
/** Recording the demo data set: stopped between two transactions when stopping. */
const demoAbort = new AbortController();
let demoRecording: Promise<unknown> | undefined;

/** Stops the indexer, closes the store and stops the chain (anvil writes its state), then exits. */
function shutdown(code: number, why?: string): Promise<never> {
  stopping ??= (async () => {
    if (why) say(why);
    try {
      if (demoRecording) {
        // anvil must not stop while it mines a transaction: its state file could then hold the
        // state after the transaction but not the block that contains it.
        demoAbort.abort(new Error("stopping"));
        const stoppedPartWay = await demoRecording.then(
          () => false,
          () => true,
        );
        if (stoppedPartWay) say("demo data set: stopped part way (the next start says what to do)");
      }
      if (api) {
        // Finishes the requests in flight and refuses new ones (503) before the store closes.
        await api.close();
        say("API stopped");
      }
      const indexer = await indexerOpening?.catch(() => undefined);
      if (indexer) {
        await indexer.close();
        say("indexer stopped, store closed");
      }
      if (anvil) {
        await anvil.stop();
        say(`chain stopped; its state is in ${paths.state}`);
      }
    } catch (error) {
      console.error(error);
      code = 1;
    }
    process.exit(code);
  })();
  return stopping;
}

/** A problem the user can fix (a setting, the data folder): its message alone says what to do. */
class StartError extends Error {
  override name = "StartError";
}

/** Reports an error and stops everything, unless already stopping (then errors are the chain going away). */
function fail(error: unknown): Promise<never> {
  if (stopping) return stopping;
  if (error instanceof StartError) console.error(`[shanji] ${error.message}`);
  else console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  return shutdown(1, anvil ? "stopped by the error above" : undefined);
}

/**
 * The first SIGINT, SIGTERM or SIGHUP (a closed terminal) stops cleanly; another one a moment later
 * forces the exit. Signals within the first second count as one: Ctrl-C reaches this process both
 * from the terminal and forwarded by npm.
 */
let firstSignalAt = 0;
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    if (signal === "SIGHUP") {
      // The terminal is gone: writing to it fails, and must not stop the shutdown.
      process.stdout.on("error", () => {});
      process.stderr.on("error", () => {});
    }
    if (!stopping) {
      firstSignalAt = Date.now();
      void shutdown(0, `${signal}: stopping (press Ctrl-C again to force)`);
    } else if (Date.now() - firstSignalAt > 1_000) {
      say(`${signal} again: exiting now`);
      process.exit(1); // anvil.ts's exit handler still sends anvil a SIGTERM
    }
  });
}

try {
  await main();
} catch (error) {
  await fail(error);
}

async function main(): Promise<void> {
  const port = await checkRpcUrl();
  await checkApiPort();
  await mkdir(dataDir, { recursive: true });
  say(`data folder ${dataDir}`);

  say(`starting the chain (anvil) at ${rpcUrl.origin}, state in ${paths.state} ...`);
  anvil = await startAnvil({
    port,
    stateFile: paths.state,
    stateInterval: STATE_INTERVAL_SECONDS,
    silent: true,
    // Historical states, so that an indexer that is behind after a restart can still check each
    // batch against root() at the batch's last block (anvil otherwise keeps only the newest state).
    args: ["--accounts", String(ACCOUNTS), "--preserve-historical-states"],
    timeoutMs: 120_000, // loading a large state file takes a while
  });
  watchChain(anvil.pid);
  const publicClient = createPublicClient({ transport: http(anvil.url), pollingInterval: 50 });
  say(`chain ready at block ${await publicClient.getBlockNumber()} (anvil pid ${anvil.pid}, ${elapsed()})`);
  if (stopping) return;

  const { deployment, fresh } = await ensureDeployment(publicClient, anvil.url);
  if (stopping) return;
  // The indexer opens its database now (a new PGlite database with its tables takes ~2 s), while the
  // demo data set is recorded, and starts following the chain once the setup is done.
  const opening = openIndexer(deployment, anvil.url);
  opening.catch(fail);
  if (withDemo) await ensureDemo(deployment, fresh, anvil.url);
  else say("demo data set: not recorded (SHANJI_DEMO=0)");
  const indexer = await opening;
  if (stopping) return;
  await startApi(indexer, deployment, publicClient);
  if (stopping) return;
  await followChain(indexer, deployment, anvil.url);
}

/**
 * Stops everything if anvil goes away by itself (a crash, or a signal meant for it alone), and
 * stops cleanly if the parent process goes (a wrapper killed without passing the signal on), so
 * that no anvil is left holding the port.
 */
function watchChain(pid: number): void {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (stopping) return;
    if (process.ppid !== parent) {
      void shutdown(0, "the parent process is gone: stopping");
      return;
    }
    try {
      process.kill(pid, 0);
    } catch {
      void shutdown(1, "the chain (anvil) exited unexpectedly; its state is as last written");
    }
  }, 1_000);
  timer.unref();
}

/** The port to listen on, after refusing a URL that anvil cannot serve or a port that is taken. */
async function checkRpcUrl(): Promise<number> {
  if (rpcUrl.protocol !== "http:" || !["127.0.0.1", "localhost"].includes(rpcUrl.hostname)) {
    throw new StartError(
      `SHANJI_RPC_URL=${rpcUrl.href}: npm start runs its chain on this machine, at http://127.0.0.1:<port>`,
    );
  }
  const port = Number(rpcUrl.port || 80);
  if (!(await canBind(port))) {
    throw new StartError(
      `port ${port} is taken: something already listens at ${rpcUrl.origin} (another npm start?). ` +
        `Stop it, or start on another port: SHANJI_RPC_URL=http://127.0.0.1:${port + 1} npm start`,
    );
  }
  return port;
}

// ------------------------------------------------------------------------------ deployment

/** Reuses the deployment of deployment.json if its log is on this chain; deploys anew otherwise. */
async function ensureDeployment(
  publicClient: PublicClient,
  url: string,
): Promise<{ deployment: Deployment; fresh: boolean }> {
  const chainId = await publicClient.getChainId();
  const saved = await readJson<Deployment>(paths.deployment);
  if (saved) {
    const code = saved.chainId === chainId ? await publicClient.getCode({ address: saved.addresses.log }) : undefined;
    if (code && code !== "0x") {
      say(`contracts: reusing the deployment of block ${saved.deployBlock} (${paths.deployment})`);
      printAddresses(saved);
      return { deployment: saved, fresh: false };
    }
    say(
      `contracts: ${paths.deployment} names a TransparencyLog at ${saved.addresses.log} on chain ${saved.chainId}, ` +
        "but this chain has no contract there: the chain's state was lost or reset. Deploying again.",
    );
    await forgetLostChain();
  }

  say("contracts: deploying with the Ignition module (TransparencyLog, Registry, CharityLedger, VolunteerCredit) ...");
  // A journal without a deployment.json belongs to a deployment that did not finish, or to a lost
  // chain: either way it no longer describes this chain, and Ignition would trust it.
  await rm(paths.ignition, { recursive: true, force: true });
  const deployment = await deploySystem({ rpcUrl: url, deploymentDir: paths.ignition });
  await writeJsonAtomically(paths.deployment, deployment);
  say(`contracts: deployed at block ${deployment.deployBlock} (${elapsed()}); addresses in ${paths.deployment}`);
  printAddresses(deployment);
  return { deployment, fresh: true };
}

/** After a lost chain, what was derived from it goes too: the demo marker and PGlite's database. */
async function forgetLostChain(): Promise<void> {
  await rm(paths.demo, { force: true });
  if (databaseUrl) {
    say("  the database at DATABASE_URL may still hold the lost chain's entries: empty it if the indexer refuses it");
  } else {
    await rm(paths.pglite, { recursive: true, force: true });
    say(`  removed the indexer's database of the lost chain (${paths.pglite}); it is rebuilt from the chain`);
  }
}

function printAddresses(deployment: Deployment): void {
  const { log, registry, charityLedger, volunteerCredit } = deployment.addresses;
  say(`  TransparencyLog  ${log}`);
  say(`  Registry         ${registry}`);
  say(`  CharityLedger    ${charityLedger}`);
  say(`  VolunteerCredit  ${volunteerCredit}`);
}

// ------------------------------------------------------------------------------ demo data set

/**
 * Records the demo data set once per deployment: only on a ledger that is still empty (the demo
 * numbers its organisations and campaigns from 1), and never twice (demo.json says it is done).
 */
async function ensureDemo(deployment: Deployment, fresh: boolean, url: string): Promise<void> {
  const marker = await readJson<DemoMarker>(paths.demo);
  const mine = marker?.log.toLowerCase() === deployment.addresses.log.toLowerCase() ? marker : undefined;
  if (mine?.status === "recorded") {
    const counts = mine.counts ?? {};
    say(
      `demo data set: already recorded (${counts.donations ?? "?"} donations, ${counts.disbursements ?? "?"} disbursements, ${counts.credits ?? "?"} volunteer credits)`,
    );
    return;
  }
  if (mine?.status === "recording") {
    throw new StartError(
      "the demo data set was interrupted while it was being recorded, and the ledger holds part of it. " +
        `Start over with an empty data folder (remove ${dataDir}), or keep this ledger as it is with SHANJI_DEMO=0.`,
    );
  }
  const system = await connectDemoSystem(deployment, url);
  const empty =
    (await system.registry.read.orgCount()) === 0n &&
    (await system.charity.read.campaignCount()) === 0n &&
    (await system.credit.read.activityCount()) === 0n;
  if (!empty) {
    say("demo data set: not recorded, because this ledger already holds organisations (the demo needs an empty one)");
    return;
  }

  const seed = 2026;
  say(`demo data set: recording ${fresh ? "" : "on the existing, empty ledger "}(a few minutes at most) ...`);
  await writeJsonAtomically(paths.demo, { log: deployment.addresses.log, status: "recording", seed });
  // Until its files are written too, a stop waits for the recording (see shutdown).
  const recording = (async () => {
    const demo = await recordDemo(system, { seed, onStep: (message) => say(`  ${message}`), signal: demoAbort.signal });
    // Off-chain documents, served by the API: public ones to everyone, those naming people only to regulators.
    const evidence = createEvidenceStore(paths.evidence);
    const restricted = new Set(demo.restrictedDocuments);
    for (const [hash, text] of demo.documents) {
      await evidence.put(new TextEncoder().encode(text), {
        contentType: "text/plain; charset=utf-8",
        restricted: restricted.has(hash),
        sha256: hash,
      });
    }
    const rows = demo.receipts.map((r) => `${r.code},${r.campaignId},${r.amountFen}`);
    await writeFile(paths.receipts, `receipt_code,campaign_id,amount_fen\n${rows.join("\n")}\n`);
    await writeJsonAtomically(paths.demo, {
      log: deployment.addresses.log,
      status: "recorded",
      seed,
      counts: demo.counts,
    } satisfies DemoMarker);
    return demo;
  })();
  demoRecording = recording;
  const demo = await recording;
  demoRecording = undefined;
  const size = await system.log.read.size();
  say(`demo data set: recorded, the ledger holds ${size} entries (${elapsed()})`);
  say(`  ${demo.receipts.length} donor receipt codes in ${paths.receipts}`);
  say(
    `  ${demo.documents.size} off-chain documents (evidence, descriptions) in ${paths.evidence}/<sha256>, ` +
      `${demo.restrictedDocuments.length} of them restricted to regulators`,
  );
}

// ------------------------------------------------------------------------------ indexer

/** Opens the indexer's store (PostgreSQL at DATABASE_URL, or PGlite in the data folder). */
function openIndexer(deployment: Deployment, url: string): Promise<RunIndexerReturnType> {
  const store = databaseUrl ? "PostgreSQL at DATABASE_URL" : `PGlite in ${paths.pglite}`;
  say(`indexer: opening its database (${store}) ...`);
  let lastProgress = 0;
  const opening = runIndexer({
    rpcUrl: url,
    deployment,
    databaseUrl,
    dataDir: databaseUrl ? undefined : paths.pglite,
    logger: createLogger({ prefix: "indexer" }),
    onBatch: ({ toBlock, logSize }) => {
      if (Date.now() - lastProgress < 2_000) return; // at most every two seconds
      lastProgress = Date.now();
      say(`indexer: ${logSize} entries indexed, up to block ${toBlock}`);
    },
  });
  indexerOpening = opening;
  return opening;
}

/**
 * Follows the chain until stopped, saying each time the indexer has caught up. Resolves when
 * stopped, rejects on an error that no retry can fix.
 */
async function followChain({ indexer }: RunIndexerReturnType, deployment: Deployment, url: string): Promise<void> {
  const head = await createPublicClient({ transport: http(url) }).getBlockNumber();
  say(`indexer: following the chain (head: block ${head}) ...`);
  let reported = "";
  let ready = false;
  let warned = false;
  const timer = setInterval(() => {
    const status = indexer.status();
    if (!warned && status.selfCheckFailures >= 3) {
      warned = true;
      say(
        `indexer: the chain's logs keep disagreeing with its own root (${status.selfCheckFailures} self-checks failed). ` +
          "An anvil stopped while it mined a transaction can leave an inconsistent state file; " +
          `if that is what happened, start over with an empty data folder (remove ${dataDir}).`,
      );
    }
    if (status.state !== "idle" || status.indexedBlock === null) return;
    const key = `${status.logSize}@${status.indexedBlock}`;
    if (key === reported) return;
    reported = key;
    say(`indexed ${status.logSize} entries up to block ${status.indexedBlock} (caught up, ${elapsed()})`);
    if (ready) return;
    ready = true;
    say(`RPC: ${rpcUrl.origin} (chain ${deployment.chainId}, TransparencyLog ${deployment.addresses.log})`);
    say(`API: ${apiOrigin()}/v1/status (OpenAPI at ${apiOrigin()}/openapi.json, docs at ${apiOrigin()}/docs)`);
    if (exitWhenCaughtUp) {
      void shutdown(0, "SHANJI_EXIT=1: caught up, stopping");
      return;
    }
    say("following the chain; press Ctrl-C to stop");
  }, 200);
  try {
    await indexer.start();
  } finally {
    clearInterval(timer);
  }
}

// ------------------------------------------------------------------------------ API

/** The API's base URL. (A function declaration: main() runs before the module's later consts exist.) */
function apiOrigin(): string {
  return `http://${apiHost.includes(":") ? `[${apiHost}]` : apiHost}:${apiPort}`;
}

async function checkApiPort(): Promise<void> {
  if (!Number.isInteger(apiPort) || apiPort < 1 || apiPort > 65_535) {
    throw new StartError(`SHANJI_API_PORT=${process.env.SHANJI_API_PORT}: not a port number (1 to 65535)`);
  }
  if (!(await canBind(apiPort, apiHost))) {
    throw new StartError(
      `port ${apiPort} is taken: something already listens at ${apiOrigin()} (another npm start?). ` +
        `Stop it, or give the API another port: SHANJI_API_PORT=${apiPort + 1} npm start`,
    );
  }
}

/** The API over the indexer's store, in this process (PGlite allows only one process per database). */
async function startApi(
  { store, indexer }: RunIndexerReturnType,
  deployment: Deployment,
  publicClient: PublicClient,
): Promise<void> {
  const app = await createApp({
    store,
    deployment,
    dataDir,
    chainHead: () => publicClient.getBlockNumber({ cacheTime: 0 }),
    indexerStatus: () => indexer.status(),
    // Signers of uploads are also checked on chain, so that a revoked key is refused at once.
    evidence: { chain: publicClient },
    logger: { level: process.env.SHANJI_API_LOG || "warn" },
  });
  await app.listen({ host: apiHost, port: apiPort });
  api = app;
  say(`API: listening at ${apiOrigin()} (answers say how far the indexer is behind the chain)`);
}

// ------------------------------------------------------------------------------ helpers

/** The file's JSON, or undefined when there is no such file. */
async function readJson<T>(path: string): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw new StartError(`${path} is not valid JSON (${(error as Error).message}): repair or remove it`);
  }
}

/** Writes a whole file or nothing, so that a crash never leaves half a deployment.json. */
async function writeJsonAtomically(path: string, value: unknown): Promise<void> {
  const temporary = `${path}.tmp`;
  await writeFile(temporary, `${JSON.stringify(value, null, 2)}\n`);
  await rename(temporary, path);
}

function canBind(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}
