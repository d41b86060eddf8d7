// Reorgs of depth 1 to 10 on anvil, on PGlite and on PostgreSQL: the indexer ingests blocks that
// a reorg then orphans, and after the next run its store must hold exactly what a fresh indexer
// builds from the new chain. The reorg is made with evm_snapshot / evm_revert rather than
// anvil_reorg, so that the new branch is mined by ordinary signed transactions and is one block
// longer than the branch it replaces, as a winning fork usually is; one case makes it shorter.
import { charityLedgerAbi } from "@shanji/core";
import { bytesToHex, createTestClient, type Hex, http } from "viem";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { StartAnvilReturnType } from "../../../../scripts/lib/anvil.ts";
import { type DeployOnAnvilReturnType, startFilledChain } from "../_test/chainFixture.ts";
import { digestAll, indexerConfig, indexerOn } from "../_test/indexerHarness.ts";
import { describeEachBackend } from "../store/_test/testDatabase.ts";
import type { Store } from "../store/types.ts";
import { type MinedBlock, mineDonationBlocks } from "./reorg.fixture.ts";

/** Blocks orphaned, and the blocks of the branch that replaces them: longer, and once shorter. */
const CASES = [
  ...[1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((depth) => ({
    depth,
    replacement: depth + 1,
    name: `after a reorg of depth ${depth}`,
  })),
  // A canonical chain that is, for a while, shorter than what was indexed: the block under the
  // cursor does not exist any more.
  { depth: 3, replacement: 2, name: "after a reorg to a shorter chain (3 blocks replaced by 2)" },
];

let anvil: StartAnvilReturnType;
let deployment: DeployOnAnvilReturnType;
let campaignIds: bigint[];

beforeAll(async () => {
  ({
    anvil,
    deployment,
    filled: { campaignIds },
  } = await startFilledChain({
    donations: 120,
    batchSize: 20,
    campaigns: 2,
    seed: 11,
    txsPerBlock: 1,
  }));
}, 120_000);

afterAll(async () => {
  await anvil?.stop();
});

/** Every campaign's balance in the store's view equals the contract's. */
async function expectBalancesMatchContract(store: Store): Promise<void> {
  const rows = await store.query<{ campaign_id: bigint; balance: string }>(
    "select campaign_id, balance from campaigns order by campaign_id",
  );
  expect(rows.map((r) => r.campaign_id)).toEqual(campaignIds);
  for (const row of rows) {
    const campaign = await deployment.publicClient.readContract({
      address: deployment.addresses.charityLedger,
      abi: charityLedgerAbi,
      functionName: "campaign",
      args: [row.campaign_id],
    });
    expect({ campaign: row.campaign_id, balance: BigInt(row.balance) }).toEqual({
      campaign: row.campaign_id,
      balance: campaign.balance,
    });
  }
}

describeEachBackend("reorg", (backend) => {
  const config = () => indexerConfig(deployment);
  const sync = (store: Store) => indexerOn(anvil.url, store, config(), { initialRange: 8n }).syncToHead();
  const headNumber = () => deployment.publicClient.getBlockNumber({ cacheTime: 0 });
  // Each case's fresh reference store goes on to follow the chain into the next case's reorg, so
  // that every case needs one new store, not two.
  let follower: Store | undefined;

  for (const { depth, replacement, name } of CASES) {
    test(`behavior: ${name} the store equals a fresh index of the new chain`, async () => {
      const testClient = createTestClient({ mode: "anvil", transport: http(anvil.url) });
      const campaignId = campaignIds[depth % campaignIds.length] as bigint;
      let store = follower;
      follower = undefined;
      if (!store) {
        store = await backend.freshStore();
        await sync(store);
      }

      // The old branch: `depth` blocks of donations on top of a snapshot, indexed to its tip.
      const snapshot = await testClient.snapshot();
      const forkPoint = await headNumber();
      const orphaned = await mineDonationBlocks({
        url: anvil.url,
        deployment,
        campaignId,
        blocks: depth,
        label: `${backend.name}-${depth}-${replacement}-old`,
      });
      const before = await sync(store);
      expect(before.indexedBlock).toBe(orphaned.at(-1)?.number);
      expect(await storedTransactions(store, forkPoint)).toEqual(orphaned.map((b) => b.transactionHash));

      // The new branch: back to the snapshot, then `replacement` blocks of other donations.
      await testClient.revert({ id: snapshot });
      expect(await headNumber()).toBe(forkPoint);
      const canonical = await mineDonationBlocks({
        url: anvil.url,
        deployment,
        campaignId,
        blocks: replacement,
        label: `${backend.name}-${depth}-${replacement}-new`,
      });
      for (const [i, block] of canonical.entries()) expect(block.hash).not.toBe(orphaned[i]?.hash);

      const after = await sync(store);
      expect(after.indexedBlock).toBe(canonical.at(-1)?.number);

      const fresh = await backend.freshStore();
      await sync(fresh);
      expect(await digestAll(store)).toBe(await digestAll(fresh));

      expect(await storedTransactions(store, forkPoint)).toEqual(canonical.map((b) => b.transactionHash));
      expect(await storedBlocks(store, forkPoint)).toEqual(canonical.map(({ number, hash }) => ({ number, hash })));
      const orphanedHashes = orphaned.flatMap((b) => [b.hash, b.transactionHash]);
      const [leftovers] = await store.query<{ n: bigint }>(
        `select count(*) as n from (select hash as h from blocks union all select tx_hash from entries) as t
          where encode(h, 'hex') = any($1::text[])`,
        [orphanedHashes.map((h) => h.slice(2))],
      );
      expect(leftovers?.n).toBe(0n);
      await expectBalancesMatchContract(store);
      await store.close();
      follower = fresh;
    });
  }
});

/** The transactions of the entries stored after block `after`, in log order, one per block here. */
async function storedTransactions(store: Store, after: bigint): Promise<Hex[]> {
  const rows = await store.query<{ tx_hash: Uint8Array }>(
    "select distinct on (block_number) tx_hash from entries where block_number > $1 order by block_number, idx",
    [after],
  );
  return rows.map((r) => bytesToHex(r.tx_hash));
}

async function storedBlocks(store: Store, after: bigint): Promise<Pick<MinedBlock, "number" | "hash">[]> {
  const rows = await store.query<{ number: bigint; hash: Uint8Array }>(
    "select number, hash from blocks where number > $1 order by number",
    [after],
  );
  return rows.map((r) => ({ number: r.number, hash: bytesToHex(r.hash) }));
}
