/**
 * Vitest global setup of the `web` project: the whole stack, as `npm start` runs it, for a real
 * browser to look at — the demo chain on anvil (built by the API tests' demoChain.ts), indexed into
 * PGlite by the real indexer, the demo's off-chain documents in the evidence folder, and the real
 * API listening on a free port and serving the built portal (packages/web/dist, built here when it
 * is missing or older than the portal's sources).
 *
 * The browser is Debian's Chromium at /usr/bin/chromium (.ci/run installs it). Without it the suite
 * cannot run: under CI that fails the run; elsewhere the test file reports one skipped test that
 * says so, and a warning.
 */
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { createChainReader, createIndexer, deploymentConfig, type Store } from "@shanji/indexer";
import { createPublicClient, http } from "viem";
import type { TestProject } from "vitest/node";
import { startAnvil } from "../../../scripts/lib/anvil.ts";
import { buildDemoChain } from "../../api/src/_test/demoChain.ts";
import { createApp } from "../../api/src/app.ts";
import { createEvidenceStore } from "../../api/src/evidence/createEvidenceStore.ts";
import { createPgliteStore } from "../../indexer/src/store/createPgliteStore.ts";
import { migrate } from "../../indexer/src/store/migrations/migrate.ts";

export const CHROMIUM = "/usr/bin/chromium";

/** What the tests get from the setup (JSON: bigints as strings). */
export type WebStack = {
  baseUrl: string;
  rpcUrl: string;
  logAddress: string;
  receipts: { code: string; campaignId: string; amountFen: string }[];
  orgs: { orgId: string; name: string; creditCode: string; kind: number }[];
  campaigns: { campaignId: string; orgId: string; title: string }[];
  /** Volunteers with a certificate: their pseudonym code and the certificate's entry index. */
  certificates: { volunteer: string; index: string }[];
};

declare module "vitest" {
  export interface ProvidedContext {
    /** null when Chromium is missing outside CI: the suite reports itself as not run. */
    webStack: WebStack | null;
  }
}

const WEB = fileURLToPath(new URL("..", import.meta.url));

export default async function setup(project: TestProject) {
  if (!existsSync(CHROMIUM)) {
    if (process.env.CI) {
      throw new Error(
        `Chromium not found at ${CHROMIUM}: CI must run the portal's browser tests (.ci/run installs Debian's chromium).`,
      );
    }
    project.provide("webStack", null);
    return;
  }
  const started = Date.now();
  const log = (message: string) =>
    console.log(`web tests: ${message} (${((Date.now() - started) / 1000).toFixed(1)} s)`);

  await ensurePortalBuilt(log);
  const dir = await mkdtemp(join(tmpdir(), "shanji-web-e2e-"));
  const cleanups: (() => Promise<unknown>)[] = [() => rm(dir, { recursive: true, force: true })];
  const teardown = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error) => console.error(error));
  };
  try {
    const chain = await buildDemoChain(join(dir, "chain"));
    log("demo chain built");
    const anvil = await startAnvil({
      silent: true,
      args: ["--accounts", "20", "--load-state", chain.stateFile, "--preserve-historical-states"],
    });
    cleanups.push(() => anvil.stop());
    const client = createPublicClient({ transport: http(anvil.url, { retryCount: 0 }) });
    const store = await freshPgliteStore();
    cleanups.push(() => store.close());
    const { deployment, demo } = chain;
    const indexer = createIndexer({
      store,
      chain: createChainReader({ client, logAddress: deployment.addresses.log }),
      config: {
        ...deploymentConfig(deployment),
        pollInterval: 50,
      },
    });
    await indexer.syncToHead();
    log("ledger indexed");

    // The off-chain documents (descriptions, invoices, reports) in the evidence store, as npm start
    // keeps them: public unless they name people.
    const dataDir = join(dir, "data");
    const evidence = createEvidenceStore(join(dataDir, "evidence"));
    const restricted = new Set(demo.restrictedDocuments);
    for (const [hash, text] of demo.documents) {
      await evidence.put(new TextEncoder().encode(text), {
        contentType: "text/plain; charset=utf-8",
        restricted: restricted.has(hash),
        sha256: hash,
      });
    }

    const app = await createApp({
      store,
      deployment,
      dataDir,
      chainHead: () => client.getBlockNumber({ cacheTime: 0 }),
      rateLimit: false,
    });
    cleanups.push(() => app.close());
    const baseUrl = await app.listen({ host: "127.0.0.1", port: 0 });
    log(`API and portal at ${baseUrl}`);

    const certificates = await store.query<{ idx: bigint; volunteer: string }>(
      "select idx, record->>'volunteer' as volunteer from entries where kind = 64 order by idx",
    );
    const orgKinds = await store.query<{ org_id: bigint; kind: number }>("select org_id, kind from orgs");
    const kindOf = new Map(orgKinds.map((o) => [o.org_id.toString(), o.kind]));
    project.provide("webStack", {
      baseUrl,
      rpcUrl: anvil.url,
      logAddress: deployment.addresses.log.toLowerCase(),
      receipts: demo.receipts.map((r) => ({
        code: r.code,
        campaignId: r.campaignId.toString(),
        amountFen: r.amountFen.toString(),
      })),
      orgs: demo.orgs.map((o) => ({
        orgId: o.orgId.toString(),
        name: o.name,
        creditCode: o.creditCode,
        kind: kindOf.get(o.orgId.toString()) ?? 0,
      })),
      campaigns: demo.campaigns.map((c) => ({
        campaignId: c.campaignId.toString(),
        orgId: c.orgId.toString(),
        title: c.title,
      })),
      certificates: certificates.map((c) => ({ volunteer: c.volunteer, index: c.idx.toString() })),
    });
  } catch (error) {
    await teardown();
    throw error;
  }
  return teardown;
}

/** Builds the portal when dist/ is missing or older than any of its sources. */
async function ensurePortalBuilt(log: (message: string) => void): Promise<void> {
  const built = await stat(join(WEB, "dist", "index.html")).catch(() => undefined);
  if (built && (await newestSource()) <= built.mtimeMs) return;
  const { build } = await import("vite");
  await build({ configFile: join(WEB, "vite.config.ts"), logLevel: "warn" });
  log("portal built");
}

async function newestSource(): Promise<number> {
  let newest = 0;
  const visit = async (path: string): Promise<void> => {
    const info = await stat(path);
    if (info.isDirectory()) {
      for (const name of await readdir(path)) await visit(join(path, name));
    } else newest = Math.max(newest, info.mtimeMs);
  };
  for (const source of ["src", "index.html", "public", "vite.config.ts", "package.json"]) {
    await visit(join(WEB, source)).catch(() => undefined);
  }
  // @shanji/core is bundled into the portal too.
  await visit(join(WEB, "..", "core", "src"));
  return newest;
}

/**
 * An in-memory PGlite with the indexer's schema, started from an initialised data directory: PGlite
 * runs initdb (about ten seconds) for every new instance otherwise. The tarball is the one the
 * indexer's test databases cache in the temporary folder (testDatabase.ts), made here if missing.
 */
async function freshPgliteStore(): Promise<Store> {
  const entry = createRequire(import.meta.url).resolve("@electric-sql/pglite");
  const { version } = JSON.parse(await readFile(join(entry, "..", "..", "package.json"), "utf8")) as {
    version: string;
  };
  const path = join(tmpdir(), `shanji-pglite-${version}-initdb.tar`);
  let template: Blob;
  try {
    template = new Blob([await readFile(path)]);
  } catch {
    const db = await PGlite.create();
    template = await db.dumpDataDir("none");
    await db.close();
    const partial = `${path}.${process.pid}`;
    await writeFile(partial, new Uint8Array(await template.arrayBuffer()));
    await rename(partial, path).catch(() => rm(partial, { force: true }));
  }
  const store = await createPgliteStore({ loadDataDir: template });
  await migrate(store);
  return store;
}
