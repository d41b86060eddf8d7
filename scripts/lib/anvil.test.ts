import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { createPublicClient, createWalletClient, http, parseEther } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import { afterEach, describe, expect, test } from "vitest";
import { type StartAnvilReturnType, startAnvil } from "./anvil.ts";
import { freePort } from "./freePort.ts";

const MNEMONIC = "test test test test test test test test test test test junk";
const RECIPIENT = "0x000000000000000000000000000000000000bEEF";

const started: StartAnvilReturnType[] = [];
async function start(parameters: Parameters<typeof startAnvil>[0] = {}): Promise<StartAnvilReturnType> {
  const anvil = await startAnvil({ silent: true, ...parameters });
  started.push(anvil);
  return anvil;
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((anvil) => anvil.stop()));
});

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function rpc(url: string, method: string, params: unknown[] = []): Promise<unknown> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  return ((await response.json()) as { result: unknown }).result;
}

describe("startAnvil", () => {
  test("behavior: starts on a free port and answers eth_chainId", async () => {
    const anvil = await start();
    expect(anvil.port).toBeGreaterThan(0);
    expect(anvil.url).toBe(`http://127.0.0.1:${anvil.port}`);
    expect(await rpc(anvil.url, "eth_chainId")).toBe("0x7a69"); // 31337
    expect(isRunning(anvil.pid)).toBe(true);
  });

  test("args: chainId and port", async () => {
    const port = await freePort();
    const anvil = await start({ port, chainId: 1_337_001 });
    expect(anvil.port).toBe(port);
    expect(await rpc(anvil.url, "eth_chainId")).toBe(`0x${(1_337_001).toString(16)}`);
  });

  test("behavior: stop ends the process and frees the port for another anvil", async () => {
    const first = await start();
    await first.stop();
    expect(isRunning(first.pid)).toBe(false);
    const second = await start({ port: first.port });
    expect(second.port).toBe(first.port);
    expect(await rpc(second.url, "eth_chainId")).toBe("0x7a69");
  });

  test("behavior: stop twice is the same stop", async () => {
    const anvil = await start();
    const stopping = anvil.stop();
    expect(anvil.stop()).toBe(stopping);
    await stopping;
    expect(isRunning(anvil.pid)).toBe(false);
  });

  test("behavior: a state file keeps blocks and balances across stop and start", async () => {
    const dir = await mkdtemp(join(tmpdir(), "shanji-anvil-"));
    try {
      const stateFile = join(dir, "state.json");
      const first = await start({ stateFile });
      const wallet = createWalletClient({
        account: mnemonicToAccount(MNEMONIC),
        chain: foundry,
        transport: http(first.url),
      });
      const before = createPublicClient({ chain: foundry, transport: http(first.url) });
      const hash = await wallet.sendTransaction({ to: RECIPIENT, value: parseEther("1.5") });
      await before.waitForTransactionReceipt({ hash });
      await before.waitForTransactionReceipt({
        hash: await wallet.sendTransaction({ to: RECIPIENT, value: parseEther("0.5") }),
      });
      // Not the block number viem cached while it polled for the first receipt.
      const blockNumber = await before.getBlockNumber({ cacheTime: 0 });
      const sender = await before.getBalance({ address: wallet.account.address });
      expect(blockNumber).toBe(2n);
      await first.stop(); // SIGTERM: anvil writes the state file on its way out

      const second = await start({ stateFile });
      const after = createPublicClient({ chain: foundry, transport: http(second.url) });
      expect(await after.getBlockNumber({ cacheTime: 0 })).toBe(blockNumber);
      expect(await after.getBalance({ address: RECIPIENT })).toBe(parseEther("2"));
      expect(await after.getBalance({ address: wallet.account.address })).toBe(sender);
      expect((await after.getTransactionReceipt({ hash })).status).toBe("success");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("behavior: a parent that crashes takes its anvil down with it", async () => {
    const { pid, code } = await runParent('throw new Error("crash");');
    expect(code).toBe(1);
    expect(await gone(pid)).toBe(true);
  });

  test("behavior: a parent ended by SIGTERM takes its anvil down and still dies of the signal", async () => {
    const { pid, signal } = await runParent("setInterval(() => {}, 1000);", "SIGTERM");
    expect(signal).toBe("SIGTERM");
    expect(await gone(pid)).toBe(true);
  });

  test("behavior: a parent with its own SIGTERM handler keeps its shutdown; exiting still ends anvil", async () => {
    const handler = 'process.on("SIGTERM", () => setTimeout(() => process.exit(3), 200)); setInterval(() => {}, 1000);';
    const { pid, code } = await runParent(handler, "SIGTERM");
    expect(code).toBe(3);
    expect(await gone(pid)).toBe(true);
  });

  test("error: a taken port rejects with anvil's own message", async () => {
    const first = await start();
    await expect(startAnvil({ silent: true, port: first.port })).rejects.toThrow(/exited.*\n.*Address already in use/s);
  });
});

/**
 * Runs a Node process that starts an anvil and then runs `then` (and gets `signal`, if given);
 * returns the anvil's pid and how the process ended.
 */
async function runParent(
  then: string,
  signal?: NodeJS.Signals,
): Promise<{ pid: number; code: number | null; signal: NodeJS.Signals | null }> {
  const script = [
    `import { startAnvil } from ${JSON.stringify(new URL("./anvil.ts", import.meta.url).href)};`,
    "const anvil = await startAnvil({ silent: true });",
    "console.log(anvil.pid);",
    then,
  ].join("\n");
  const parent = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "pipe"] });
  const ended = once(parent, "exit") as Promise<[number | null, NodeJS.Signals | null]>;
  const [line] = (await once(parent.stdout.setEncoding("utf8"), "data")) as [string];
  const pid = Number.parseInt(line, 10);
  if (signal) parent.kill(signal);
  const [code, endedBy] = await ended;
  return { pid, code, signal: endedBy };
}

/** Whether process `pid` is gone within 5 s. */
async function gone(pid: number): Promise<boolean> {
  const deadline = Date.now() + 5_000;
  while (isRunning(pid) && Date.now() < deadline) await sleep(50);
  return !isRunning(pid);
}
