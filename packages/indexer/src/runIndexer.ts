/**
 * Wires an indexer from plain settings: the RPC to follow, the deployment to index, and where to
 * store (PostgreSQL when `databaseUrl` is set, else PGlite in `dataDir`). Used by `npm start`, by
 * the `shanji-indexer` command and by tests that run the indexer as a separate process.
 */
import { createPublicClient, type Hex, http } from "viem";
import { createChainReader } from "./chain/createChainReader.ts";
import { createLogger } from "./createLogger.ts";
import { createStore } from "./store/createStore.ts";
import type { Store } from "./store/types.ts";
import { createIndexer, type Indexer, type IndexerConfig, type Logger } from "./sync/createIndexer.ts";

/** What `npm start` writes to `<data folder>/deployment.json` once the contracts are deployed. */
export type Deployment = {
  chainId: number;
  /** Decimal string: JSON has no bigint. */
  deployBlock: string;
  addresses: { log: Hex; registry: Hex; charityLedger: Hex; volunteerCredit: Hex };
};

/** The indexer's settings that a deployment fixes: the chain, the contracts, the log's first block. */
export function deploymentConfig(deployment: Deployment): IndexerConfig {
  return {
    chainId: deployment.chainId,
    addresses: {
      log: deployment.addresses.log,
      registry: deployment.addresses.registry,
      charity: deployment.addresses.charityLedger,
      credit: deployment.addresses.volunteerCredit,
    },
    deployBlock: BigInt(deployment.deployBlock),
  };
}

export type RunIndexerParameters = {
  rpcUrl: string;
  deployment: Deployment;
  databaseUrl?: string | undefined;
  dataDir?: string | undefined;
  /** Blocks behind the head that count as final (default 0: QBFT and anvil). */
  finality?: bigint;
  /** Largest eth_getLogs range (default 5,000 blocks, Besu's cap). */
  maxRange?: bigint;
  pollInterval?: number;
  logger?: Logger;
  onBatch?: Parameters<typeof createIndexer>[0]["onBatch"];
};

export type RunIndexerReturnType = { indexer: Indexer; store: Store; close(): Promise<void> };

export async function runIndexer(parameters: RunIndexerParameters): Promise<RunIndexerReturnType> {
  const { rpcUrl, deployment, databaseUrl, dataDir, logger = createLogger(), onBatch } = parameters;
  const store = await createStore({ databaseUrl, dataDir, logger });
  const client = createPublicClient({ transport: http(rpcUrl, { retryCount: 0, timeout: 30_000 }) });
  const chain = createChainReader({
    client,
    logAddress: deployment.addresses.log,
    ...(parameters.maxRange === undefined ? {} : { maxRange: parameters.maxRange }),
  });
  const indexer = createIndexer({
    store,
    chain,
    logger,
    ...(onBatch ? { onBatch } : {}),
    config: {
      ...deploymentConfig(deployment),
      finality: parameters.finality ?? 0n,
      ...(parameters.pollInterval === undefined ? {} : { pollInterval: parameters.pollInterval }),
    },
  });
  return {
    indexer,
    store,
    async close() {
      await indexer.stop();
      await store.close();
    },
  };
}
