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
   * (`--state`). anvil writes it on SIGTERM (and SIGINT), which `stop()` sends. The write is
   * neither incremental nor atomic: ~250 MB and 1.5 s for a ledger of 30,000 records, ~420 MB
   * and over 5 s for 100,000, and a SIGKILL in the middle leaves a truncated file that anvil
   * refuses to load. So with a state file `stop()` waits much longer before killing.
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
  /** More anvil flags, after the ones above (see `anvil --help`). */
  args?: readonly string[];
  /**
   * How long `stop()` waits after SIGTERM before it sends SIGKILL: default 5 s, or 120 s with a
   * state file (killing anvil while it writes the file corrupts it).
   */
  stopTimeoutMs?: number;
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
   * after `stopTimeoutMs`) and resolves once the port can be bound again. Calling it again
   * returns the same promise.
   */
  stop: () => Promise<void>;
}

const HOST = "127.0.0.1";
const KILL_AFTER_MS = 5_000;
const KILL_AFTER_MS_WITH_STATE = 120_000;
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
  const stopTimeoutMs =
    parameters.stopTimeoutMs ?? (stateFile === undefined ? KILL_AFTER_MS : KILL_AFTER_MS_WITH_STATE);
  const args = ["--host", HOST, "--port", String(port)];
  if (chainId !== undefined) args.push("--chain-id", String(chainId));
  if (blockTime !== undefined) args.push("--block-time", String(blockTime));
  if (stateFile !== undefined) args.push("--state", stateFile);
  if (stateInterval !== undefined) args.push("--state-interval", String(stateInterval));
  args.push(...(parameters.args ?? []));

  const child = spawn(anvilBinaryPath(), args, { stdio: ["ignore", "pipe", "pipe"] });
  const detach = watchParent(child);

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
        detach();
        await terminate(child, exited, stopTimeoutMs);
        await waitForFreePort(listening);
      })();
      return stopping;
    };
    return { url, port: listening, pid, stop };
  } catch (error) {
    detach();
    await terminate(child, exited, stopTimeoutMs);
    const reason = error instanceof Error ? error.message : String(error);
    const tail = output.tail();
    const hint = /failed to parse json file/.test(tail)
      ? "\nThe state file is damaged, most likely cut short by a kill while anvil was writing it."
      : "";
    throw new Error(`startAnvil: ${reason} (anvil ${args.join(" ")}). anvil's last output:\n${tail}${hint}`, {
      cause: error,
    });
  }
}

/** Signals that end a process by default and that a handler can see (SIGKILL cannot be caught). */
const FATAL_SIGNALS: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
/** The signal handlers that startAnvil installed, to tell them from the application's own. */
const ownHandlers = new Set<unknown>();

/**
 * Makes sure anvil does not outlive this process. On 'exit' (normal end, process.exit, an uncaught
 * exception) it sends anvil SIGTERM, which anvil finishes on its own, state file included. A
 * SIGINT/SIGTERM/SIGHUP that this process has no handler of its own for would end it without
 * 'exit' (test runners end their workers so): then anvil gets SIGTERM and the signal is raised
 * again, to end the process as it would have ended. A process that handles the signal itself
 * keeps its orderly shutdown (it calls stop(), or exits and the 'exit' handler acts). Only a
 * SIGKILL of this process leaves anvil running. Returns a function that undoes all this.
 */
function watchParent(child: ChildProcess): () => void {
  const killChild = (): void => {
    child.kill("SIGTERM");
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    // Other anvils' handlers of this module count as "ours" too: the last of them raises again.
    const others = process.listeners(signal).filter((listener) => !ownHandlers.has(listener));
    if (others.length > 0) return;
    killChild();
    detach();
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  ownHandlers.add(onSignal);
  const detach = (): void => {
    process.off("exit", killChild);
    for (const signal of FATAL_SIGNALS) process.off(signal, onSignal);
    ownHandlers.delete(onSignal);
  };
  process.on("exit", killChild);
  for (const signal of FATAL_SIGNALS) process.on(signal, onSignal);
  return detach;
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

/** SIGTERM, then SIGKILL if the process is still there after `killAfterMs`; resolves on exit. */
async function terminate(child: ChildProcess, exited: Promise<unknown>, killAfterMs: number): Promise<void> {
  // No pid: the spawn itself failed and there is no process to wait for.
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), killAfterMs);
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
