/**
 * The indexer as a command: `node --max-semi-space-size=64 packages/indexer/src/bin/shanji-indexer.ts [--once]`.
 * The flag is optional; it is what `npm start` runs the indexer with: a backfill makes mostly
 * short-lived garbage, and a larger young generation spends a third less time collecting it (on
 * the benchmark's chain, ~14% less CPU an entry, for ~120 MiB more memory).
 *
 * Environment: SHANJI_RPC_URL (default http://127.0.0.1:8545), SHANJI_DEPLOYMENT (path of the
 * deployment.json that `npm start` writes; default .shanji/deployment.json), DATABASE_URL (use this
 * PostgreSQL) or SHANJI_DATA_DIR (PGlite folder; default .shanji/pglite), SHANJI_FINALITY (blocks,
 * default 0), SHANJI_MAX_RANGE (largest eth_getLogs range, default 5,000 blocks). `--once` exits when caught up with the head; otherwise it follows the chain until
 * SIGINT or SIGTERM. Exit code 0 on a clean stop, 1 on an error no retry can fix.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { createLogger } from "../createLogger.ts";
import { type Deployment, runIndexer } from "../runIndexer.ts";

const dataDir = process.env.SHANJI_DATA_DIR ?? ".shanji";
const deploymentPath = process.env.SHANJI_DEPLOYMENT ?? join(dataDir, "deployment.json");
const logger = createLogger({ level: process.env.SHANJI_LOG === "silent" ? "silent" : "info" });

let deployment: Deployment;
try {
  deployment = JSON.parse(await readFile(deploymentPath, "utf8"));
} catch (cause) {
  logger.error(`cannot read the deployment file ${deploymentPath}: ${String(cause)}`);
  process.exit(1);
}

let running: Awaited<ReturnType<typeof runIndexer>>;
try {
  running = await runIndexer({
    rpcUrl: process.env.SHANJI_RPC_URL ?? "http://127.0.0.1:8545",
    deployment,
    databaseUrl: process.env.DATABASE_URL || undefined,
    dataDir: process.env.DATABASE_URL ? undefined : join(dataDir, "pglite"),
    finality: BigInt(process.env.SHANJI_FINALITY ?? "0"),
    ...(process.env.SHANJI_MAX_RANGE ? { maxRange: BigInt(process.env.SHANJI_MAX_RANGE) } : {}),
    logger,
    onBatch: ({ toBlock, entries, logSize }) =>
      logger.info(`indexed to block ${toBlock}: +${entries} entries, ${logSize} in all`),
  });
} catch (error) {
  // A PGlite folder another process holds (`npm start`, say), a database that cannot be reached.
  logger.error(`cannot open the database: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
const { indexer, close } = running;

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    logger.info(`${signal}: stopping`);
    close().then(() => process.exit(0));
  });
}

try {
  if (process.argv.includes("--once")) {
    const status = await indexer.syncToHead();
    logger.info(`caught up: block ${status.indexedBlock}, ${status.logSize} entries`);
    await close();
  } else {
    await indexer.start();
    await close();
  }
} catch (error) {
  logger.error(error instanceof Error ? error.message : String(error));
  await close().catch(() => {});
  process.exit(1);
}
