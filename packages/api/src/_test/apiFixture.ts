/**
 * One test file's API: a fresh anvil loaded with the demo chain (see demoChain.ts), a fresh store
 * on the given backend (PGlite, or a fresh PostgreSQL database), the real indexer synced to the
 * head, and the app over them. Requests go through `app.inject()`.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createChainReader, createIndexer, deploymentConfig, type Store } from "@shanji/indexer";
import { createPublicClient, http, type PublicClient } from "viem";
import { inject } from "vitest";
import { startAnvil } from "../../../../scripts/lib/anvil.ts";
import { type CreateAppParameters, createApp, type ShanjiApp } from "../app.ts";
import { createEvidenceStore } from "../evidence/createEvidenceStore.ts";
import { type DemoChain, readDemoChain } from "./demoChain.ts";

export type ApiFixture = DemoChain & {
  app: ShanjiApp;
  store: Store;
  rpcUrl: string;
  client: PublicClient;
  /** The data folder the app was given (evidence lives in its `evidence` folder). */
  dataDir: string;
  /** Indexes whatever the chain has gained since (after a test writes to it). */
  sync(): Promise<void>;
  close(): Promise<void>;
};

export type OpenApiFixtureOptions = Partial<Omit<CreateAppParameters, "store" | "deployment" | "dataDir">> & {
  /** Store the demo's off-chain documents in the evidence folder, as `npm start` does (default false). */
  withDocuments?: boolean;
};

export async function openApiFixture(
  freshStore: () => Promise<Store>,
  { withDocuments = false, ...options }: OpenApiFixtureOptions = {},
): Promise<ApiFixture> {
  const chain = await readDemoChain(inject("apiDemoChainDir"));
  const anvil = await startAnvil({
    silent: true,
    args: ["--accounts", "20", "--load-state", chain.stateFile, "--preserve-historical-states"],
  });
  const dataDir = await mkdtemp(join(tmpdir(), "shanji-api-data-"));
  if (withDocuments) {
    const evidence = createEvidenceStore(join(dataDir, "evidence"));
    const restricted = new Set(chain.demo.restrictedDocuments);
    for (const [hash, text] of chain.demo.documents) {
      await evidence.put(new TextEncoder().encode(text), {
        contentType: "text/plain; charset=utf-8",
        restricted: restricted.has(hash),
        sha256: hash,
      });
    }
  }
  const store = await freshStore();
  const client = createPublicClient({ transport: http(anvil.url, { retryCount: 0 }) });
  const { deployment } = chain;
  const indexer = createIndexer({
    store,
    chain: createChainReader({ client, logAddress: deployment.addresses.log }),
    config: {
      ...deploymentConfig(deployment),
      pollInterval: 50,
    },
  });
  await indexer.syncToHead();
  const app = await createApp({
    store,
    deployment,
    dataDir,
    chainHead: () => client.getBlockNumber({ cacheTime: 0 }),
    rateLimit: false,
    snapshotTtlMs: 0,
    ...options,
  });
  await app.ready();
  return {
    ...chain,
    app,
    store,
    rpcUrl: anvil.url,
    client,
    dataDir,
    async sync() {
      await indexer.syncToHead();
      app.shanji.invalidate();
    },
    async close() {
      await app.close();
      await store.close();
      await anvil.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
