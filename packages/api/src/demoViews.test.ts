// The views of the demo ledger (grants between campaigns, corrections of donations, disbursements
// and grants, donations by an enterprise, volunteer credit) come out the same whichever way they are
// computed: folded from the entries while a backfill into an empty store reads them
// (views/foldViews.ts), read back from the stored streams, or refreshed a few entries at a time
// from what earlier refreshes left, as at the head.
import {
  createChainReader,
  createIndexer,
  deploymentConfig,
  digestStore,
  type Logger,
  refreshViews,
} from "@shanji/indexer";
import { createPublicClient, http } from "viem";
import { expect, inject, test } from "vitest";
import { startAnvil } from "../../../scripts/lib/anvil.ts";
import { describeEachBackend } from "../../indexer/src/store/_test/testDatabase.ts";
import { createCampaignStates } from "../../indexer/src/views/campaignStates.ts";
import { resetViews } from "../../indexer/src/views/refreshViews.ts";
import { readDemoChain } from "./_test/demoChain.ts";

const VIEW_TABLES = ["views_cursor", "campaigns", "allocations", "orgs", "org_totals", "volunteers"];

describeEachBackend("demo views", (backend) => {
  test("behavior: folded during the backfill, they equal the views read back from the stored streams, and those refreshed a few entries at a time", async () => {
    const chain = await readDemoChain(inject("apiDemoChainDir"));
    const anvil = await startAnvil({
      silent: true,
      args: ["--accounts", "20", "--load-state", chain.stateFile, "--preserve-historical-states"],
    });
    const store = await backend.freshStore();
    try {
      const refreshed: Record<string, unknown>[] = [];
      const logger: Logger = {
        info(message, fields) {
          if (message === "views refreshed") refreshed.push(fields ?? {});
        },
        warn() {},
        error() {},
      };
      const { deployment } = chain;
      const indexer = createIndexer({
        store,
        chain: createChainReader({
          client: createPublicClient({ transport: http(anvil.url, { retryCount: 0 }) }),
          logAddress: deployment.addresses.log,
        }),
        config: deploymentConfig(deployment),
        logger,
      });
      const { logSize } = await indexer.syncToHead();
      expect(refreshed).toHaveLength(1);
      expect(refreshed[0]).toMatchObject({ entries: String(logSize), campaignsFolded: true });

      // The demo has what makes the fold's work hard, or this test proves little.
      const count = async (sql: string) => Number((await store.query<{ n: bigint }>(sql))[0]?.n ?? 0n);
      expect(await count("select count(*) as n from campaigns where grants_in > 0")).toBeGreaterThan(0);
      expect(await count("select count(*) as n from campaigns where reversed_donations > 0")).toBeGreaterThan(0);
      expect(await count("select count(*) as n from campaigns where reversed_disbursements > 0")).toBeGreaterThan(0);
      expect(await count("select count(*) as n from allocations where reversed_by_idx is not null")).toBeGreaterThan(0);
      expect(await count("select count(*) as n from org_totals where given > 0")).toBeGreaterThan(0);
      expect(await count("select count(*) as n from volunteers")).toBeGreaterThan(0);

      const digest = () => digestStore(store, { tables: VIEW_TABLES });
      const folded = await digest();
      const readBack = await store.transaction(async (tx) => {
        await resetViews(tx);
        return await refreshViews(tx, { toSize: logSize });
      });
      expect(readBack.folded).toBe(false);
      expect(readBack.campaigns).toBeGreaterThan(3);
      expect(await digest()).toBe(folded);

      // And refreshed a few entries at a time, as at the head: campaigns taken on from the states
      // their last refresh left (views/campaignStates.ts), volunteers advanced by their new entries.
      // Steps also end right after each consent key a volunteer sets (it counts in no total, but
      // it is then the volunteer's latest entry).
      const consents = await store.query<{ idx: bigint; volunteer: string }>(
        "select idx, record->>'volunteer' as volunteer from entries where kind = 65 order by idx",
      );
      expect(consents.length).toBeGreaterThan(0);
      const ends = new Set(consents.map((c) => c.idx + 1n));
      for (let to = 17n; to < logSize; to += 17n) ends.add(to);
      ends.add(logSize);
      const states = createCampaignStates();
      await store.transaction((tx) => resetViews(tx));
      let resumed = 0;
      let volunteersAdvanced = 0;
      for (const toSize of [...ends].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
        const done = await store.transaction((tx) => refreshViews(tx, { toSize, states }));
        states.commit();
        resumed += done.resumed;
        volunteersAdvanced += done.volunteersAdvanced;
        const consent = consents.find((c) => c.idx + 1n === toSize);
        if (consent) {
          const [row] = await store.query<{ last_idx: bigint }>(
            "select last_idx from volunteers where volunteer = decode($1, 'hex')",
            [consent.volunteer.slice(2)],
          );
          expect(row?.last_idx).toBe(consent.idx);
        }
      }
      expect(resumed).toBeGreaterThan(10);
      expect(volunteersAdvanced).toBeGreaterThan(10);
      expect(await digest()).toBe(folded);
    } finally {
      await store.close();
      await anvil.stop();
    }
  }, 120_000);
});
