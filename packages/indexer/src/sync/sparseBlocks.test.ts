// A chain of sparse blocks (one transaction, one or two entries, a block), as a consortium chain
// that mines a block every second or two looks: the indexer keeps each block's hash as its logs give
// it, and asks the node for headers only near the head and for each batch's last block.
import { bytesToHex, createPublicClient, http } from "viem";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { StartAnvilReturnType } from "../../../../scripts/lib/anvil.ts";
import { type DeployOnAnvilReturnType, startFilledChain } from "../_test/chainFixture.ts";
import { indexerConfig } from "../_test/indexerHarness.ts";
import { type ChainReader, createChainReader } from "../chain/createChainReader.ts";
import { describeEachBackend } from "../store/_test/testDatabase.ts";
import { createIndexer, REORG_WINDOW as WINDOW } from "./createIndexer.ts";

let anvil: StartAnvilReturnType;
let deployment: DeployOnAnvilReturnType;

beforeAll(async () => {
  // Two donations a transaction, a block each: ~200 blocks with entries, more than the window.
  ({ anvil, deployment } = await startFilledChain({
    donations: 360,
    batchSize: 2,
    campaigns: 2,
    txsPerBlock: 1,
    seed: 3,
  }));
}, 120_000);

afterAll(async () => {
  await anvil?.stop();
});

describeEachBackend("indexer on sparse blocks", (backend) => {
  test("behavior: blocks keep the hashes their logs carry; headers are asked for near the head and for batches' last blocks", async () => {
    const store = await backend.freshStore();
    const client = createPublicClient({ transport: http(anvil.url, { retryCount: 0 }) });
    const reader = createChainReader({
      client,
      logAddress: deployment.addresses.log,
      initialRange: 64n,
      maxRange: 64n,
    });
    const asked: bigint[] = [];
    const lastBlocks = new Set<bigint>();
    const chain: ChainReader = {
      ...reader,
      header(number) {
        asked.push(number);
        return reader.header(number);
      },
      async nextLogs(from, to) {
        const answer = await reader.nextLogs(from, to);
        lastBlocks.add(answer.lastBlock);
        return answer;
      },
    };
    const config = indexerConfig(deployment);
    await createIndexer({ store, chain, config }).syncToHead();
    const head = await client.getBlockNumber();

    const stored = await store.query<{ number: bigint; hash: Uint8Array }>(
      "select number, hash from blocks order by number",
    );
    expect(stored.length).toBeGreaterThan(Number(WINDOW) + 50);
    for (const block of stored) {
      expect(bytesToHex(block.hash), `block ${block.number}`).toBe(
        (await client.getBlock({ blockNumber: block.number })).hash,
      );
    }
    // Every header asked for is near the head, a batch's last block or the start, while most of the
    // blocks with entries are none of these.
    const start = config.deployBlock - 1n;
    const deep = (n: bigint) => n + WINDOW <= head && !lastBlocks.has(n) && n !== start;
    expect(asked.filter(deep)).toStrictEqual([]);
    expect(stored.filter((b) => deep(b.number)).length).toBeGreaterThan(50);
    await store.close();
  }, 120_000);
});
