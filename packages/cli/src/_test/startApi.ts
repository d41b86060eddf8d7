// The real Shanji API for the CLI's end-to-end tests: @shanji/api's app over a fresh in-memory
// store that the real indexer fills from the test's anvil chain, listening on a port (the CLI
// runs as its own process). Tests that need an API that lies use _test/standInApi.ts instead.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createStore } from "@shanji/indexer";
import { indexerConfig, indexerOn } from "@shanji/indexer/_test/indexerHarness.ts";
import { createApp, type ShanjiApp } from "../../../api/src/app.ts";
import { createEvidenceStore, type EvidenceStore } from "../../../api/src/evidence/createEvidenceStore.ts";
import type { Ledger } from "./cliFixture.ts";

export type Api = {
  url: string;
  app: ShanjiApp;
  /** The evidence the API stored (uploads land here). */
  evidence: EvidenceStore;
  /** Indexes what the chain has gained since (after a test writes to it). */
  sync: () => Promise<void>;
  close: () => Promise<void>;
};

export async function startApi(ledger: Ledger): Promise<Api> {
  const { deployed } = ledger;
  const store = await createStore();
  const indexer = indexerOn(ledger.url, store, indexerConfig(deployed, deployed.chain.id));
  await indexer.syncToHead();
  const dataDir = await mkdtemp(join(tmpdir(), "shanji-cli-api-"));
  const app = await createApp({
    store,
    deployment: {
      chainId: deployed.chain.id,
      deployBlock: String(deployed.deployBlock),
      addresses: deployed.addresses,
    },
    dataDir,
    chainHead: () => deployed.publicClient.getBlockNumber({ cacheTime: 0 }),
    rateLimit: false,
    snapshotTtlMs: 0,
    evidence: { chain: deployed.publicClient },
  });
  const url = await app.listen({ host: "127.0.0.1", port: 0 });
  return {
    url,
    app,
    evidence: createEvidenceStore(join(dataDir, "evidence")),
    async sync() {
      await indexer.syncToHead();
      app.shanji.invalidate();
    },
    async close() {
      await app.close();
      await store.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
