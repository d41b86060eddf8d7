// The views of the demo ledger (grants between campaigns, corrections of donations, disbursements
// and grants, donations by an enterprise, volunteer credit) come out the same whichever way they are
// computed: folded from the entries while a backfill into an empty store reads them
// (views/foldViews.ts), or read back from the stored streams, as every later refresh does.
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
import { resetViews } from "../../indexer/src/views/refreshViews.ts";
import { readDemoChain } from "./_test/demoChain.ts";

const VIEW_TABLES = ["views_cursor", "campaigns", "allocations", "orgs", "org_totals", "volunteers"];

describeEachBackend("demo views", (backend) => {
  test("behavior: folded during the backfill, they equal the views read back from the stored streams", async () => {
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
    } finally {
      await store.close();
      await anvil.stop();
    }
  }, 120_000);
});
