// The views' refresh against a real chain (anvil) on PGlite and on PostgreSQL. At the head, a
// refresh after new donations only advances each campaign by their sums (advanceCampaign), one after
// anything else reads the campaign's whole stream again, and keeps what it computed, so that the
// next refresh of that campaign starts from it (resumeCampaign); either way, and whatever the page a
// campaign's stream is read in, the tables equal a rebuild's.
import { afterAll, beforeAll, expect, test } from "vitest";
import type { StartAnvilReturnType } from "../../../../scripts/lib/anvil.ts";
import {
  campaignBalance,
  type DeployOnAnvilReturnType,
  type FillLedgerReturnType,
  publishDisclosure,
  recordDonations,
  startFilledChain,
} from "../_test/chainFixture.ts";
import { digestAll, indexerConfig, indexerOn } from "../_test/indexerHarness.ts";
import { describeEachBackend } from "../store/_test/testDatabase.ts";
import type { Store } from "../store/types.ts";
import type { Logger } from "../sync/createIndexer.ts";
import { createCampaignStates } from "./campaignStates.ts";
import { refreshViews, resetViews } from "./refreshViews.ts";

let anvil: StartAnvilReturnType;
let deployment: DeployOnAnvilReturnType;
let filled: FillLedgerReturnType;

beforeAll(async () => {
  // Donations, disbursements and reversals of both in both campaigns: allocations exist before the
  // head, and reversed disbursements give money back to lots that paid for them.
  ({ anvil, deployment, filled } = await startFilledChain({ donations: 600, campaigns: 2, seed: 5, reversals: 6 }));
}, 120_000);

afterAll(async () => {
  await anvil?.stop();
});

type Refreshed = { campaigns: number; campaignsAdvanced: number; campaignsResumed: number };

/** An indexer that keeps the fields of its "views refreshed" log lines. */
function indexerWithLog(store: Store) {
  const refreshed: Refreshed[] = [];
  const logger: Logger = {
    info(message, fields) {
      if (message === "views refreshed") refreshed.push(fields as Refreshed);
    },
    warn() {},
    error() {},
  };
  return { indexer: indexerOn(anvil.url, store, indexerConfig(deployment), { logger }), refreshed };
}

describeEachBackend("refreshViews", (backend) => {
  /** More donations to a campaign; `salt` keeps each call's references apart from the others'. */
  const donate = (campaignId: bigint, donations: number, salt: number, disburse?: bigint) =>
    recordDonations({
      url: anvil.url,
      addresses: deployment.addresses,
      campaignId,
      donations,
      seed: Number(campaignId) * 1_000 + salt * 2 + (backend.name === "pglite" ? 0 : 1),
      ...(disburse === undefined ? {} : { disburse }),
    });
  /** The digest of a fresh store indexed from scratch: what every refresh must come to. */
  const rebuiltDigest = async () => {
    const rebuilt = await backend.freshStore();
    await indexerOn(anvil.url, rebuilt, indexerConfig(deployment)).syncToHead();
    return digestAll(rebuilt);
  };

  test("behavior: new donations advance their campaign by sums; the tables equal a rebuild's", async () => {
    const [campaignId, other] = filled.campaignIds as [bigint, bigint];
    const store = await backend.freshStore();
    const { indexer, refreshed } = indexerWithLog(store);
    await indexer.syncToHead();
    const campaignRow = () =>
      store.query<{ received: string; balance: string; entry_count: bigint }>(
        "select received, balance, entry_count from campaigns where campaign_id = $1",
        [campaignId],
      );
    const [before] = await campaignRow();
    const [otherBefore] = await store.query<{ balance: string }>(
      "select balance from campaigns where campaign_id = $1",
      [other],
    );

    const logSize = async () =>
      (await store.query<{ log_size: bigint }>("select log_size from sync_cursor where id = 1"))[0]?.log_size ?? 0n;
    const sizeBefore = await logSize();
    const given = await donate(campaignId, 40, 1);
    await indexer.syncToHead();
    expect(refreshed.at(-1)).toMatchObject({ campaigns: 1, campaignsAdvanced: 1 });
    const [after] = await campaignRow();
    expect(BigInt(after?.received ?? "") - BigInt(before?.received ?? "")).toBe(given);
    expect(BigInt(after?.balance ?? "")).toBe(await campaignBalance(anvil.url, deployment.addresses, campaignId));
    expect(after?.entry_count).toBe((before?.entry_count ?? 0n) + 40n);
    const [otherAfter] = await store.query<{ balance: string }>(
      "select balance from campaigns where campaign_id = $1",
      [other],
    );
    expect(otherAfter?.balance).toBe(otherBefore?.balance);

    const rebuilt = await rebuiltDigest();
    expect(await digestAll(store)).toBe(rebuilt);

    // The same step once more, the new donations read a few at a time: views rebuilt up to the
    // size before them, then advanced.
    const sizeAfter = await logSize();
    const paged = await store.transaction(async (tx) => {
      await resetViews(tx);
      await refreshViews(tx, { toSize: sizeBefore });
      return refreshViews(tx, { toSize: sizeAfter, campaignPage: 7 });
    });
    expect(paged).toMatchObject({ campaigns: 1, advanced: 1 });
    expect(await digestAll(store)).toBe(rebuilt);
  }, 120_000);

  test("behavior: a disclosure and donations count in the campaign's entries; the tables equal a rebuild's", async () => {
    const [, campaignId] = filled.campaignIds as [bigint, bigint];
    const store = await backend.freshStore();
    const { indexer, refreshed } = indexerWithLog(store);
    await indexer.syncToHead();
    const entryCount = async () =>
      (
        await store.query<{ entry_count: bigint }>("select entry_count from campaigns where campaign_id = $1", [
          campaignId,
        ])
      )[0]?.entry_count;
    const before = await entryCount();

    // A disclosure alone: it moves no money, but it is one more entry of the campaign's stream.
    await publishDisclosure(anvil.url, deployment.addresses, campaignId);
    await indexer.syncToHead();
    expect(refreshed.at(-1)).toMatchObject({ campaigns: 1, campaignsAdvanced: 1 });
    expect(await entryCount()).toBe((before ?? 0n) + 1n);

    // Then a disclosure and donations together, still advanced by sums.
    await publishDisclosure(anvil.url, deployment.addresses, campaignId);
    await donate(campaignId, 5, 2);
    await indexer.syncToHead();
    expect(refreshed.at(-1)).toMatchObject({ campaigns: 1, campaignsAdvanced: 1 });
    expect(await entryCount()).toBe((before ?? 0n) + 7n);

    expect(await digestAll(store)).toBe(await rebuiltDigest());
  }, 120_000);

  test("behavior: donations with a disbursement read the campaign's stream once, then go on from what it gave; the tables equal a rebuild's", async () => {
    const [campaignId] = filled.campaignIds as [bigint];
    const store = await backend.freshStore();
    const { indexer, refreshed } = indexerWithLog(store);
    await indexer.syncToHead();
    const allocationCount = async () =>
      (
        await store.query<{ n: bigint }>("select count(*) as n from allocations where campaign_id = $1", [campaignId])
      )[0]?.n ?? 0n;
    const balanceMatches = async () => {
      const [row] = await store.query<{ balance: string }>("select balance from campaigns where campaign_id = $1", [
        campaignId,
      ]);
      expect(BigInt(row?.balance ?? "")).toBe(await campaignBalance(anvil.url, deployment.addresses, campaignId));
    };
    const allocationsBefore = await allocationCount();

    // The first: the campaign's whole stream read again.
    await donate(campaignId, 10, 3, 5_000n);
    await indexer.syncToHead();
    expect(refreshed.at(-1)).toMatchObject({ campaigns: 1, campaignsAdvanced: 0, campaignsResumed: 0 });
    const allocationsAfterFirst = await allocationCount();
    expect(allocationsAfterFirst).toBeGreaterThan(allocationsBefore);
    await balanceMatches();
    expect(await digestAll(store)).toBe(await rebuiltDigest());

    // The next ones start from what the first computed: a disbursement, then donations alone.
    await donate(campaignId, 10, 4, 7_000n);
    await indexer.syncToHead();
    expect(refreshed.at(-1)).toMatchObject({ campaigns: 1, campaignsAdvanced: 0, campaignsResumed: 1 });
    expect(await allocationCount()).toBeGreaterThan(allocationsAfterFirst);
    await donate(campaignId, 3, 5);
    await indexer.syncToHead();
    expect(refreshed.at(-1)).toMatchObject({ campaigns: 1, campaignsAdvanced: 0, campaignsResumed: 1 });
    await balanceMatches();
    expect(await digestAll(store)).toBe(await rebuiltDigest());
  }, 120_000);

  test("behavior: refreshed in many steps with the campaigns' states kept (reversals and disbursements among them), the tables equal a rebuild's", async () => {
    const store = await backend.freshStore();
    await indexerOn(anvil.url, store, indexerConfig(deployment)).syncToHead();
    const whole = await digestAll(store);
    const [cursor] = await store.query<{ log_size: bigint }>("select log_size from sync_cursor where id = 1");
    const size = cursor?.log_size ?? 0n;
    // Reversed disbursements among them: they change allocations made before them.
    const [reversals] = await store.query<{ n: bigint }>(
      "select count(*) as n from entries where kind = 35 and record->>'targetKind' = '34'",
    );
    expect(reversals?.n).toBeGreaterThan(0n);

    const states = createCampaignStates();
    await store.transaction((tx) => resetViews(tx));
    let resumed = 0;
    // Steps of 23 entries (a prime, so that steps fall anywhere in the fill's batches), a page of 5.
    for (let to = 23n; ; to += 23n) {
      const toSize = to < size ? to : size;
      const done = await store.transaction((tx) => refreshViews(tx, { toSize, campaignPage: 5, states }));
      states.commit();
      resumed += done.resumed;
      if (toSize === size) break;
    }
    expect(resumed).toBeGreaterThan(10);
    expect(await digestAll(store)).toBe(whole);
  }, 120_000);

  test("behavior: a campaign's stream read a few entries at a time gives the same tables", async () => {
    const store = await backend.freshStore();
    await indexerOn(anvil.url, store, indexerConfig(deployment)).syncToHead();
    const whole = await digestAll(store);
    const [cursor] = await store.query<{ log_size: bigint }>("select log_size from sync_cursor where id = 1");
    const refreshed = await store.transaction(async (tx) => {
      await resetViews(tx);
      // Hundreds of pages per campaign, one of them cut short by the stream's end.
      return refreshViews(tx, { toSize: cursor?.log_size ?? 0n, campaignPage: 7 });
    });
    expect(refreshed.campaigns).toBeGreaterThanOrEqual(2);
    expect(await digestAll(store)).toBe(whole);
    // A page of no entries is refused, not read as the end of every stream.
    await expect(
      store.transaction((tx) => refreshViews(tx, { toSize: cursor?.log_size ?? 0n, campaignPage: 0 })),
    ).rejects.toThrow("campaignPage must be a positive integer, got 0");
  }, 120_000);
});
