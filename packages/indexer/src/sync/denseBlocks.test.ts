// Blocks fuller than a node answers at once, on anvil and both stores: a consortium chain with a
// high gas limit can put thousands of entries in one block, more than geth-style nodes return in one
// eth_getLogs answer ("query returned more than N results") or than viem accepts (10 MiB). No range
// is smaller than one block, so the indexer reads such a block by entry index; before, it asked for
// the same block again for ever. Here the limits are scaled down to blocks of ~200 entries.
import { createPublicClient, http } from "viem";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { StartAnvilReturnType } from "../../../../scripts/lib/anvil.ts";
import { type DeployOnAnvilReturnType, startFilledChain } from "../_test/chainFixture.ts";
import { startFaultyRpcProxy } from "../_test/faultyRpcProxy.ts";
import { digestAll, indexerConfig, indexerOn } from "../_test/indexerHarness.ts";
import { createChainReader } from "../chain/createChainReader.ts";
import { describeEachBackend } from "../store/_test/testDatabase.ts";
import { createIndexer } from "./createIndexer.ts";

let anvil: StartAnvilReturnType;
let deployment: DeployOnAnvilReturnType;
/** Entries in the fullest block. */
let fullest: number;

beforeAll(async () => {
  // Two transactions of donations a block (up to 200 each): blocks of 200 entries and more.
  ({ anvil, deployment } = await startFilledChain({
    donations: 1_600,
    batchSize: 200,
    campaigns: 2,
    txsPerBlock: 2,
    seed: 31,
  }));
  const client = createPublicClient({ transport: http(anvil.url) });
  const reader = createChainReader({ client, logAddress: deployment.addresses.log });
  const perBlock = new Map<bigint, number>();
  for (let block = deployment.deployBlock, head = await client.getBlockNumber(); block <= head; ) {
    const { logs, lastBlock } = await reader.nextLogs(block, head);
    for (const log of logs) perBlock.set(log.blockNumber, (perBlock.get(log.blockNumber) ?? 0) + 1);
    block = lastBlock + 1n;
  }
  fullest = Math.max(...perBlock.values());
}, 120_000);

afterAll(async () => {
  await anvil?.stop();
});

describeEachBackend("indexer on blocks fuller than one answer", (backend) => {
  let expected: string;
  beforeAll(async () => {
    const store = await backend.freshStore();
    await indexerOn(anvil.url, store, indexerConfig(deployment)).syncToHead({ maxAttempts: 1 });
    expected = await digestAll(store);
  });

  test("behavior: a node that answers at most 80 logs at once gets every entry, block by block and index by index", async () => {
    expect(fullest).toBeGreaterThanOrEqual(200);
    const proxy = await startFaultyRpcProxy({ upstream: anvil.url });
    try {
      proxy.setFaults({ maxLogResults: 80 });
      const store = await backend.freshStore();
      const warnings: string[] = [];
      const logger = { info() {}, warn: (m: string) => warnings.push(m), error: (m: string) => warnings.push(m) };
      await indexerOn(proxy.url, store, indexerConfig(deployment), { logger }).syncToHead({ maxAttempts: 1 });
      expect(await digestAll(store)).toBe(expected);
      expect(warnings).toEqual([]);
      // Refused answers: wide ranges, then each full block once before it is read by index.
      expect(proxy.stats().faults.maxLogResults).toBeGreaterThan(0);
    } finally {
      await proxy.close();
    }
  });

  test("behavior: an answer over the transport's size limit, for a single block, is read by index too", async () => {
    // Answers over the limit, which viem refuses: each block of 200 entries or more is one (~0.5 MB).
    let tooLarge = 0;
    const client = createPublicClient({
      transport: http(anvil.url, {
        retryCount: 0,
        timeout: 10_000,
        maxResponseBodySize: 200_000,
        onFetchResponse(response) {
          if (Number(response.headers.get("content-length")) > 200_000) tooLarge += 1;
        },
      }),
    });
    const config = indexerConfig(deployment);
    const chain = createChainReader({ client, logAddress: config.addresses.log, maxResponseBytes: 200_000 });
    const store = await backend.freshStore();
    await createIndexer({ store, chain, config }).syncToHead({ maxAttempts: 1 });
    expect(await digestAll(store)).toBe(expected);
    expect(tooLarge).toBeGreaterThan(0);
  });
});
