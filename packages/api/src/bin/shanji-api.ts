/**
 * The API as a command of its own, for a deployment where the indexer runs as another process on
 * PostgreSQL (several API processes can serve one database): `node packages/api/src/bin/shanji-api.ts`.
 * `npm start` does not need this: it runs the API in its own process, next to the indexer.
 *
 * Environment: DATABASE_URL (the indexer's PostgreSQL; without it, PGlite in SHANJI_DATA_DIR/pglite,
 * which only one process may open — so not while an indexer runs on it), SHANJI_DATA_DIR (default
 * .shanji: evidence files, deployment.json), SHANJI_DEPLOYMENT (default <data folder>/deployment.json),
 * SHANJI_RPC_URL (for the chain head and the lag; default http://127.0.0.1:8545), SHANJI_API_HOST
 * (default 127.0.0.1), SHANJI_API_PORT (default 8787), SHANJI_API_LOG (pino level, default info),
 * SHANJI_TRUST_PROXY=1 behind a reverse proxy. SIGINT/SIGTERM finish the requests in flight, then exit.
 */
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { createStore, type Deployment } from "@shanji/indexer";
import { createPublicClient, http } from "viem";
import { createApp } from "../app.ts";

const dataDir = resolve(process.env.SHANJI_DATA_DIR || ".shanji");
const deploymentPath = process.env.SHANJI_DEPLOYMENT || join(dataDir, "deployment.json");
const rpcUrl = process.env.SHANJI_RPC_URL || "http://127.0.0.1:8545";
const host = process.env.SHANJI_API_HOST || "127.0.0.1";
const port = Number(process.env.SHANJI_API_PORT || 8787);

function exit(message: string): never {
  process.stderr.write(`[api] ${message}\n`);
  process.exit(1);
}

if (!Number.isInteger(port) || port < 1 || port > 65_535)
  exit(`SHANJI_API_PORT=${process.env.SHANJI_API_PORT}: not a port number (1 to 65535)`);
let deployment: Deployment;
try {
  deployment = JSON.parse(await readFile(deploymentPath, "utf8"));
} catch (cause) {
  exit(`cannot read the deployment file ${deploymentPath} (set SHANJI_DEPLOYMENT): ${String(cause)}`);
}

let store: Awaited<ReturnType<typeof createStore>>;
try {
  store = await createStore(
    process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : { dataDir: join(dataDir, "pglite") },
  );
} catch (cause) {
  // A PGlite folder another process holds (`npm start`, say), a database that cannot be reached.
  exit(`cannot open the indexer's database: ${cause instanceof Error ? cause.message : String(cause)}`);
}
const client = createPublicClient({ transport: http(rpcUrl, { retryCount: 0, timeout: 5_000 }) });
const app = await createApp({
  store,
  deployment,
  dataDir,
  chainHead: () => client.getBlockNumber({ cacheTime: 0 }),
  logger: { level: process.env.SHANJI_API_LOG || "info" },
  trustProxy: process.env.SHANJI_TRUST_PROXY === "1",
});

let closing = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (closing) return;
    closing = true;
    app.log.info(`${signal}: finishing the requests in flight`);
    app
      .close()
      .then(() => store.close())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  });
}

try {
  await app.listen({ host, port });
} catch (error) {
  await store.close();
  exit(`cannot listen at ${host}:${port}: ${(error as Error).message}`);
}
