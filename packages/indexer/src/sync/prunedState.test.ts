// A node that no longer keeps the state of old blocks (a full node, not an archive one: geth's
// default, Besu's Bonsai beyond 512 blocks; here anvil --prune-history). The indexer checks each
// batch against root() at its last block, so a backfill needs that state: the error must say so,
// and what to run instead, rather than pass on the node's terse answer.
import { afterAll, beforeAll, expect, test } from "vitest";
import { type StartAnvilReturnType, startAnvil } from "../../../../scripts/lib/anvil.ts";
import { type DeployOnAnvilReturnType, deployOnAnvil, fillLedger } from "../_test/chainFixture.ts";
import { indexerConfig, indexerOn } from "../_test/indexerHarness.ts";
import { IndexerError } from "../errors.ts";
import { describeEachBackend } from "../store/_test/testDatabase.ts";

let anvil: StartAnvilReturnType;
let deployment: DeployOnAnvilReturnType;

beforeAll(async () => {
  // At most 4 states kept; one block per transaction: blocks with entries from 20 to the head.
  anvil = await startAnvil({ silent: true, args: ["--prune-history", "4"] });
  deployment = await deployOnAnvil(anvil.url);
  await fillLedger({
    url: anvil.url,
    addresses: deployment.addresses,
    donations: 60,
    batchSize: 4,
    campaigns: 1,
    txsPerBlock: 1,
  });
}, 120_000);

afterAll(async () => {
  await anvil?.stop();
});

describeEachBackend("indexer on a node without old state", (backend) => {
  test("error: a backfill that needs the state of a pruned block says which, and that an archive node is needed", async () => {
    const store = await backend.freshStore();
    // Batches of two blocks: the first ends far behind the head, where the node kept no state.
    const indexer = indexerOn(anvil.url, store, indexerConfig(deployment), { initialRange: 2n, maxRange: 2n });
    const failure = await indexer.syncToHead({ maxAttempts: 1 }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(IndexerError);
    const error = failure as IndexerError;
    expect(error.shortMessage).toMatch(
      /^The node no longer keeps the state of block 0x[0-9a-f]{64}: the log's (size|root)\(\) there cannot be read$/,
    );
    expect(error.details).toContain("point it at an archive node (geth --gcmode=archive;");
    expect(String(error.cause)).toContain("BlockOutOfRangeError");
    // Still retried (a syncing node answers the same for a while), with this message each time.
    expect(error.retryable).toBe(true);
    expect(indexer.status().lastError).toBe(error.message);
    const [stored] = await store.query<{ n: bigint }>("select count(*) as n from entries");
    expect(stored?.n).toBe(0n);
  });
});
