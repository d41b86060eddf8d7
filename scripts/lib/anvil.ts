// Starts a local anvil chain (the embedded default chain of `npm start`, and the chain of the
// indexer's integration tests) from the native binary that the npm package @foundry-rs/anvil
// installs, and stops it cleanly. The binary is spawned itself, never the package's node wrapper:
// signalling a wrapper can leave the real anvil running and holding its port.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

export interface StartAnvilParameters {
  /** Port to listen on; 0 (the default) lets the system pick a free one. */
  port?: number;
  /**
   * Keeps the chain in this file: loaded at start if it exists, written when anvil stops
   * (`--state`). anvil writes it on SIGTERM, which `stop()` sends; a SIGKILL'd anvil loses
   * everything since the last write, so pass `stateInterval` when that matters.
   */
  stateFile?: string;
  /** Also writes the state file every this many seconds (`--state-interval`). */
  stateInterval?: number;
  /** Default 31337. */
  chainId?: number;
  /** Seconds between blocks; by default anvil mines one block per transaction. */
  blockTime?: number;
  /** Do not echo anvil's output to this process's stdout/stderr (default false). */
  silent?: boolean;
  /** How long to wait for anvil to answer eth_chainId (default 30 s; loading a large state takes a while). */
  timeoutMs?: number;
}

export interface StartAnvilReturnType {
  /** The JSON-RPC endpoint, http://127.0.0.1:<port>. */
  url: string;
  port: number;
  /** The anvil process itself (not a wrapper). */
  pid: number;
  /**
   * Sends SIGTERM (anvil then writes its state file), waits for the process to exit (SIGKILL
   * after 5 s) and resolves once the port can be bound again. Calling it again returns the
   * same promise.
   */
  stop: () => Promise<void>;
}

const HOST = "127.0.0.1";
const KILL_AFTER_MS = 5_000;
const PORT_FREE_TIMEOUT_MS = 5_000;
/** How much of anvil's recent output to keep for error messages. */
const OUTPUT_TAIL_CHARS = 8_000;

/** The platform packages of @foundry-rs/anvil, by `${process.platform}-${process.arch}`. */
const PLATFORM_PACKAGES: Record<string, string> = {
  "linux-x64": "@foundry-rs/anvil-linux-amd64",
  "linux-arm64": "@foundry-rs/anvil-linux-arm64",
  "darwin-x64": "@foundry-rs/anvil-darwin-amd64",
  "darwin-arm64": "@foundry-rs/anvil-darwin-arm64",
  "win32-x64": "@foundry-rs/anvil-win32-amd64",
};

export async function startAnvil(parameters: StartAnvilParameters = {}): Promise<StartAnvilReturnType> {
  const { port = 0, stateFile, stateInterval, chainId, blockTime, silent = false, timeoutMs = 30_000 } = parameters;
  const args = ["--host", HOST, "--port", String(port)];
  if (chainId !== undefined) args.push("--chain-id", String(chainId));
  if (blockTime !== undefined) args.push("--block-time", String(blockTime));
  if (stateFile !== undefined) args.push("--state", stateFile);
  if (stateInterval !== undefined) args.push("--state-interval", String(stateInterval));

  const child = spawn(anvilBinaryPath(), args, { stdio: ["ignore", "pipe", "pipe"] });
  // A parent that crashes (an uncaught exception, process.exit) still runs 'exit' handlers; only
  // synchronous work is possible there, and sending a signal is enough. Signals that kill the
  // parent outright (SIGKILL, an unhandled SIGTERM) run no handler: callers that trap signals
  // should call stop() from their handler.
  const killOnExit = (): void => {
    child.kill("SIGTERM");
  };
  process.on("exit", killOnExit);

  const output = captureOutput(child, silent);
  const exited = once(child, "exit") as Promise<[number | null, NodeJS.Signals | null]>;
  try {
    const listening = await withTimeout(
      Promise.race([
        output.listeningPort,
        exited.then(([code, signal]) => {
          throw new Error(`anvil exited (${signal ?? `code ${code}`}) before listening`);
        }),
        once(child, "error").then(([error]) => {
          throw error;
        }),
      ]),
      timeoutMs,
      "anvil did not start listening",
    );
    const url = `http://${HOST}:${listening}`;
    await waitForChainId(url, exited, Date.now() + timeoutMs);
    if (child.pid === undefined) throw new Error("anvil has no pid");
    const pid = child.pid;

    let stopping: Promise<void> | undefined;
    const stop = (): Promise<void> => {
      stopping ??= (async () => {
        process.off("exit", killOnExit);
        await terminate(child, exited);
        await waitForFreePort(listening);
      })();
      return stopping;
    };
    return { url, port: listening, pid, stop };
  } catch (error) {
    process.off("exit", killOnExit);
    await terminate(child, exited);
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`startAnvil: ${reason} (anvil ${args.join(" ")}). anvil's last output:\n${output.tail()}`, {
      cause: error,
    });
  }
}

/** The anvil binary of this platform, from its @foundry-rs/anvil-<platform> package. */
function anvilBinaryPath(): string {
  const platform = `${process.platform}-${process.arch}`;
  const name = PLATFORM_PACKAGES[platform];
  if (name === undefined) {
    throw new Error(
      `startAnvil: @foundry-rs/anvil has no binary for ${platform}; supported: ${Object.keys(PLATFORM_PACKAGES).join(", ")}`,
    );
  }
  let packageJson: string;
  try {
    packageJson = createRequire(import.meta.url).resolve(`${name}/package.json`);
  } catch (error) {
    throw new Error(`startAnvil: ${name} is not installed (run npm install; optional dependencies must be on)`, {
      cause: error,
    });
  }
  return join(dirname(packageJson), "bin", process.platform === "win32" ? "anvil.exe" : "anvil");
}

interface CapturedOutput {
  /** Resolves with the port of anvil's "Listening on 127.0.0.1:<port>" line. */
  listeningPort: Promise<number>;
  /** The last few thousand characters anvil wrote to stdout and stderr. */
  tail: () => string;
}

/**
 * Reads anvil's output for as long as it runs (a pipe left unread would block it once full), keeps
 * its tail for error messages and echoes it unless silent.
 */
function captureOutput(child: ChildProcess, silent: boolean): CapturedOutput {
  let tail = "";
  let resolvePort: (port: number) => void = () => {};
  const listeningPort = new Promise<number>((resolve) => {
    resolvePort = resolve;
  });
  let found = false;
  const keep = (text: string): void => {
    tail = (tail + text).slice(-OUTPUT_TAIL_CHARS);
    if (!found) {
      const match = /Listening on [^\s:]+:(\d+)/.exec(tail);
      if (match?.[1] !== undefined) {
        found = true;
        resolvePort(Number(match[1]));
      }
    }
  };
  child.stdout?.setEncoding("utf8").on("data", (text: string) => {
    keep(text);
    if (!silent) process.stdout.write(text);
  });
  child.stderr?.setEncoding("utf8").on("data", (text: string) => {
    keep(text);
    if (!silent) process.stderr.write(text);
  });
  return { listeningPort, tail: () => tail.trim() || "(none)" };
}

async function waitForChainId(url: string, exited: Promise<unknown>, deadline: number): Promise<void> {
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  for (;;) {
    if (gone) throw new Error("anvil exited before answering eth_chainId");
    if (Date.now() > deadline) throw new Error(`anvil did not answer eth_chainId at ${url} in time`);
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
        signal: AbortSignal.timeout(2_000),
      });
      const body = (await response.json()) as { result?: unknown };
      if (typeof body.result === "string") return;
    } catch {
      // Not accepting connections yet.
    }
    await sleep(50);
  }
}

/** SIGTERM, then SIGKILL if the process is still there after KILL_AFTER_MS; resolves on exit. */
async function terminate(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  // No pid: the spawn itself failed and there is no process to wait for.
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), KILL_AFTER_MS);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

async function waitForFreePort(port: number): Promise<void> {
  const deadline = Date.now() + PORT_FREE_TIMEOUT_MS;
  while (!(await canBind(port))) {
    if (Date.now() > deadline) throw new Error(`startAnvil: port ${port} is still taken after anvil exited`);
    await sleep(50);
  }
}

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen({ port, host: HOST, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${message} within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
