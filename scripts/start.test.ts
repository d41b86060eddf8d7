// `npm start` end to end, as a user runs it: in a temporary data folder on a free port, the first
// start deploys, records the demo data set and indexes it; SIGTERM stops everything cleanly; the
// second start reuses the deployment and the demo data set, and its indexer resumes to the same
// ledger. Slow by nature: the first start records a few thousand donations.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { access, mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { transparencyLogAbi } from "@shanji/core";
import { createPublicClient, type Hex, http } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createStore } from "../packages/indexer/src/store/createStore.ts";
import { freePort } from "./lib/freePort.ts";

const REPOSITORY = fileURLToPath(new URL("..", import.meta.url));
const CAUGHT_UP = /indexed (\d+) entries up to block (\d+) \(caught up/;

type Run = {
  child: ChildProcess;
  /** Everything printed so far, stdout and stderr. */
  output: () => string;
  exited: Promise<[number | null, NodeJS.Signals | null]>;
  /** Resolves with the first match of `pattern` in the output (rejects if the process exits first). */
  waitFor: (pattern: RegExp, timeoutMs: number) => Promise<RegExpMatchArray>;
};

let dataDir: string;
let port: number;
let apiPort: number;
const runs: Run[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "shanji-start-"));
  port = await freePort();
  apiPort = await freePort();
});

afterAll(async () => {
  // A failed test may leave a start running: stop its whole process group, anvil included.
  for (const run of runs) {
    if (run.child.exitCode === null && run.child.signalCode === null && run.child.pid !== undefined) {
      try {
        process.kill(-run.child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
  await rm(dataDir, { recursive: true, force: true });
});

function npmStart(): Run {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SHANJI_DATA_DIR: dataDir,
    SHANJI_RPC_URL: `http://127.0.0.1:${port}`,
    SHANJI_API_PORT: String(apiPort),
  };
  // PGlite in the data folder, whatever the machine's environment says.
  delete env.DATABASE_URL;
  delete env.SHANJI_EXIT;
  delete env.SHANJI_DEMO;
  delete env.SHANJI_API_HOST;
  // Its own process group, so that cleanup can reach npm, node and anvil at once.
  const child = spawn("npm", ["start"], { cwd: REPOSITORY, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let text = "";
  const listeners = new Set<() => void>();
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding("utf8").on("data", (chunk: string) => {
      text += chunk;
      for (const listener of listeners) listener();
    });
  }
  const exited = once(child, "exit") as Promise<[number | null, NodeJS.Signals | null]>;
  const run: Run = {
    child,
    output: () => text,
    exited,
    waitFor: (pattern, timeoutMs) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const match = pattern.exec(text);
          if (match) finish(() => resolve(match));
        };
        const finish = (then: () => void) => {
          listeners.delete(check);
          clearTimeout(timer);
          then();
        };
        const timer = setTimeout(
          () => finish(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms; output:\n${text}`))),
          timeoutMs,
        );
        void exited.then(([code, signal]) =>
          finish(() => reject(new Error(`npm start exited (${signal ?? code}) before ${pattern}; output:\n${text}`))),
        );
        listeners.add(check);
        check();
      }),
  };
  runs.push(run);
  return run;
}

/** SIGTERM to npm alone (as a process manager sends it): npm passes it on to start.ts. */
async function stop(run: Run): Promise<number | null> {
  run.child.kill("SIGTERM");
  const [code] = await run.exited;
  return code;
}

async function ledger(): Promise<{ size: bigint; root: Hex }> {
  const client = createPublicClient({ transport: http(`http://127.0.0.1:${port}`) });
  const deployment = JSON.parse(await readFile(join(dataDir, "deployment.json"), "utf8"));
  const address = deployment.addresses.log;
  const [size, root] = await Promise.all([
    client.readContract({ address, abi: transparencyLogAbi, functionName: "size" }),
    client.readContract({ address, abi: transparencyLogAbi, functionName: "root" }),
  ]);
  return { size, root };
}

function anvilPid(run: Run): number {
  const match = /anvil pid (\d+)/.exec(run.output());
  if (!match?.[1]) throw new Error(`no anvil pid in the output:\n${run.output()}`);
  return Number(match[1]);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("npm start", () => {
  let first: { size: bigint; root: Hex; deployment: string };

  test("behavior: the first start deploys, records the demo data set, indexes it, and stops cleanly on SIGTERM", {
    timeout: 600_000,
  }, async () => {
    const run = npmStart();
    const [, entries, block] = await run.waitFor(CAUGHT_UP, 540_000);
    await run.waitFor(/press Ctrl-C to stop/, 10_000);
    const output = run.output();
    expect(output).toMatch(/contracts: deploying with the Ignition module/);
    expect(output).toMatch(/demo data set: recorded/);
    expect(output).toMatch(new RegExp(`API: listening at http://127\\.0\\.0\\.1:${apiPort}`));

    const { size, root } = await ledger();
    // The API answers from the same store, with the ledger the chain has.
    const status = await (await fetch(`http://127.0.0.1:${apiPort}/v1/status`)).json();
    expect(status).toMatchObject({ chainId: 31337, log: { size: size.toString(), root } });
    expect(BigInt(entries as string)).toBe(size);
    expect(size).toBeGreaterThan(3_000n); // a few thousand donations and the rest
    const deployment = await readFile(join(dataDir, "deployment.json"), "utf8");
    expect(JSON.parse(deployment)).toMatchObject({
      chainId: 31337,
      deployBlock: expect.stringMatching(/^\d+$/),
      addresses: {
        log: expect.stringMatching(/^0x[0-9a-fA-F]{40}$/),
        registry: expect.stringMatching(/^0x[0-9a-fA-F]{40}$/),
        charityLedger: expect.stringMatching(/^0x[0-9a-fA-F]{40}$/),
        volunteerCredit: expect.stringMatching(/^0x[0-9a-fA-F]{40}$/),
      },
    });
    first = { size, root, deployment };

    const anvil = anvilPid(run);
    expect(await stop(run)).toBe(0);
    expect(isRunning(anvil)).toBe(false);
    expect(await canBind(port)).toBe(true);
    expect(await canBind(apiPort)).toBe(true);
    expect(run.output()).toMatch(/indexer stopped, store closed/);

    // What the indexer stored: every entry of the log, and its cursor at the block it reported.
    const store = await createStore({ dataDir: join(dataDir, "pglite") });
    try {
      const [count] = await store.query<{ n: bigint }>("select count(*) as n from entries");
      const [cursor] = await store.query<{ block_number: bigint; log_size: bigint }>(
        "select block_number, log_size from sync_cursor where id = 1",
      );
      expect(count?.n).toBe(size);
      expect(cursor).toEqual({ block_number: BigInt(block as string), log_size: size });
    } finally {
      await store.close();
    }
    await access(join(dataDir, "anvil-state.json"));
    expect((await readFile(join(dataDir, "receipts.csv"), "utf8")).split("\n").length).toBeGreaterThan(1_000);
  });

  test("behavior: the second start reuses the deployment and the demo data set, and resumes the index", {
    timeout: 300_000,
  }, async () => {
    expect(first).toBeDefined();
    const run = npmStart();
    const [, entries] = await run.waitFor(CAUGHT_UP, 240_000);
    await run.waitFor(/press Ctrl-C to stop/, 10_000);
    const output = run.output();
    expect(output).toMatch(/contracts: reusing the deployment/);
    expect(output).not.toMatch(/deploying/);
    expect(output).toMatch(/demo data set: already recorded/);
    expect(output).not.toMatch(/demo data set: recording/);
    // Nothing to ingest: the cursor is at the head the first start reached.
    expect(output).not.toMatch(/entries indexed, up to block/);
    expect(await readFile(join(dataDir, "deployment.json"), "utf8")).toBe(first.deployment);

    const { size, root } = await ledger();
    expect(size).toBe(first.size);
    expect(root).toBe(first.root);
    expect(BigInt(entries as string)).toBe(first.size);
    const status = await (await fetch(`http://127.0.0.1:${apiPort}/v1/status`)).json();
    expect(status).toMatchObject({ log: { size: first.size.toString(), root: first.root } });

    const anvil = anvilPid(run);
    expect(await stop(run)).toBe(0);
    expect(isRunning(anvil)).toBe(false);
    expect(await canBind(port)).toBe(true);
    expect(await canBind(apiPort)).toBe(true);
  });
});

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen({ port, host: "127.0.0.1", exclusive: true }, () => server.close(() => resolve(true)));
  });
}
