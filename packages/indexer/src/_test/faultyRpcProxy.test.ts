import { transparencyLogAbi } from "@shanji/core";
import { createPublicClient, type Hex, HttpRequestError, http, LimitExceededRpcError, type PublicClient } from "viem";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import type { StartAnvilReturnType } from "../../../../scripts/lib/anvil.ts";
import { type DeployOnAnvilReturnType, startFilledChain } from "./chainFixture.ts";
import { type StartFaultyRpcProxyReturnType, startFaultyRpcProxy } from "./faultyRpcProxy.ts";

let anvil: StartAnvilReturnType;
let chain: DeployOnAnvilReturnType;
let proxy: StartFaultyRpcProxyReturnType;
let client: PublicClient;

beforeAll(async () => {
  // One block per transaction, so that the chain has blocks to range over.
  ({ anvil, deployment: chain } = await startFilledChain({ donations: 40, batchSize: 10, txsPerBlock: 1 }));
  proxy = await startFaultyRpcProxy({ upstream: anvil.url });
  // No retries and no cached block number: every call is one request the proxy sees.
  client = createPublicClient({ transport: http(proxy.url, { retryCount: 0 }), cacheTime: 0 });
});

afterAll(async () => {
  await proxy?.close();
  await anvil?.stop();
});

beforeEach(() => {
  proxy.setFaults({});
  proxy.resetStats();
});

async function entries(c: PublicClient = client): Promise<{ index: bigint; leaf: Hex }[]> {
  const events = await c.getContractEvents({
    address: chain.addresses.log,
    abi: transparencyLogAbi,
    eventName: "EntryAppended",
    fromBlock: chain.deployBlock,
    strict: true,
  });
  return events.map(({ args }) => ({ index: args.index, leaf: args.leaf }));
}

describe("startFaultyRpcProxy", () => {
  test("behavior: without faults it answers as the node does, single and batch calls alike", async () => {
    const direct = createPublicClient({ transport: http(anvil.url) });
    expect(await client.getChainId()).toBe(31337);
    expect(await entries()).toEqual(await entries(direct));

    const batching = createPublicClient({ transport: http(proxy.url, { batch: true, retryCount: 0 }) });
    const [chainId, blockNumber, size] = await Promise.all([
      batching.getChainId(),
      batching.getBlockNumber(),
      batching.readContract({ address: chain.addresses.log, abi: transparencyLogAbi, functionName: "size" }),
    ]);
    expect(chainId).toBe(31337);
    expect(blockNumber).toBe(await direct.getBlockNumber());
    expect(size).toBe(BigInt((await entries(direct)).length));

    const stats = proxy.stats();
    expect(stats.calls).toMatchObject({ eth_chainId: 2, eth_getLogs: 1, eth_blockNumber: 1, eth_call: 1 });
    expect(stats.requests).toBe(3); // chainId, getLogs, then the batch of three
    expect(Object.values(stats.faults).every((n) => n === 0)).toBe(true);
  });

  test("behavior: dropLog hides one entry's EntryAppended log", async () => {
    const all = await entries();
    proxy.setFaults({ dropLog: { index: 5n } });
    const seen = await entries();
    expect(seen.map((e) => e.index)).toEqual(all.map((e) => e.index).filter((i) => i !== 5n));
    expect(proxy.stats().faults.dropLog).toBe(1);
  });

  test("behavior: forgeLog adds a forged entry after the given one, in the same block and transaction", async () => {
    const all = await entries();
    const leaf: Hex = "0x01deadbeef";
    proxy.setFaults({ forgeLog: { afterIndex: 7, leaf } });
    const events = await client.getContractEvents({
      address: chain.addresses.log,
      abi: transparencyLogAbi,
      eventName: "EntryAppended",
      fromBlock: chain.deployBlock,
      strict: true,
    });
    expect(events).toHaveLength(all.length + 1);
    const [after7, forged, genuine8] = events.slice(7, 10);
    expect(forged?.args).toEqual({ index: 8n, leaf });
    expect(forged?.blockNumber).toBe(after7?.blockNumber);
    expect(forged?.transactionHash).toBe(after7?.transactionHash);
    expect(genuine8?.args).toEqual(all[8]);
    expect(proxy.stats().faults.forgeLog).toBe(1);

    proxy.setFaults({ forgeLog: { afterIndex: 7, leaf, replace: true } });
    const replaced = await entries();
    expect(replaced).toHaveLength(all.length);
    expect(replaced[8]).toEqual({ index: 8n, leaf });
  });

  test("behavior: outageUntil answers 503 until then, and heals by itself", async () => {
    proxy.setFaults({ outageUntil: Date.now() + 300 });
    const error = await client.getBlockNumber().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpRequestError);
    expect((error as HttpRequestError).status).toBe(503);
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(await client.getBlockNumber()).toBeGreaterThan(0n);
    expect(proxy.stats().faults.outage).toBe(1);
  });

  test("behavior: outageMode reset drops the connection instead", async () => {
    proxy.setFaults({ outageUntil: Date.now() + 60_000, outageMode: "reset" });
    const error = await client.getBlockNumber().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpRequestError);
    expect((error as HttpRequestError).status).toBeUndefined();
    expect(proxy.stats().faults.outage).toBeGreaterThanOrEqual(1);
    proxy.setFaults({});
    expect(await client.getBlockNumber()).toBeGreaterThan(0n);
  });

  test("behavior: maxLogRange refuses wider eth_getLogs ranges with Besu's error", async () => {
    const head = await client.getBlockNumber();
    proxy.setFaults({ maxLogRange: 5 });
    const logs = (fromBlock: bigint, toBlock?: bigint) =>
      client.getLogs({ address: chain.addresses.log, fromBlock, ...(toBlock === undefined ? {} : { toBlock }) });

    await expect(logs(head - 4n, head)).resolves.toBeInstanceOf(Array); // 5 blocks
    const error = await logs(head - 5n, head).catch((e: unknown) => e); // 6 blocks
    expect(error).toBeInstanceOf(LimitExceededRpcError);
    expect((error as LimitExceededRpcError).code).toBe(-32005);
    expect((error as LimitExceededRpcError).details).toBe("Requested range exceeds maximum RPC range limit");
    await expect(logs(head - 5n)).rejects.toBeInstanceOf(LimitExceededRpcError); // toBlock "latest"
    expect(proxy.stats().faults.maxLogRange).toBe(2);

    proxy.setFaults({
      maxLogRange: 5,
      maxLogRangeError: { code: -32005, message: "query returned more than 10000 results" },
    });
    await expect(logs(0n, head)).rejects.toThrow(/query returned more than 10000 results/);
  });

  test("behavior: rateLimitEvery answers every N-th request with 429", async () => {
    proxy.setFaults({ rateLimitEvery: 3 });
    const outcomes: (number | "ok")[] = [];
    for (let i = 0; i < 6; i++) {
      outcomes.push(
        await client.getBlockNumber().then(
          () => "ok" as const,
          (e: unknown) => (e as HttpRequestError).status ?? -1,
        ),
      );
    }
    expect(outcomes).toEqual(["ok", "ok", 429, "ok", "ok", 429]);
    expect(proxy.stats().faults.rateLimit).toBe(2);
  });

  test("behavior: delayMs holds every answer", async () => {
    proxy.setFaults({ delayMs: 200 });
    const started = performance.now();
    await client.getBlockNumber();
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    expect(proxy.stats().faults.delay).toBe(1);
  });

  test("behavior: wrongChainId makes eth_chainId answer another chain", async () => {
    proxy.setFaults({ wrongChainId: 1 });
    expect(await client.getChainId()).toBe(1);
    expect(proxy.stats().faults.wrongChainId).toBe(1);
    proxy.setFaults({});
    expect(await client.getChainId()).toBe(31337);
  });
});
