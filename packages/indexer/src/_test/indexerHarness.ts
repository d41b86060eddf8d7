/**
 * Wiring for the indexer's integration tests: an indexer over a store and an RPC URL (anvil, or a
 * faulty proxy in front of it), and the digest of every table it writes.
 */
import { createPublicClient, http } from "viem";
import { createChainReader } from "../chain/createChainReader.ts";
import { digestStore } from "../store/digest.ts";
import type { Store } from "../store/types.ts";
import { type CreateIndexerParameters, createIndexer, type IndexerConfig, type Logger } from "../sync/createIndexer.ts";
import type { DeployOnAnvilReturnType } from "./chainFixture.ts";

/** Every table the indexer fills: core tables and derived views. */
export const INDEXER_TABLES = [
  "chain_meta",
  "sync_cursor",
  "blocks",
  "entries",
  "entry_streams",
  "streams",
  "tree_nodes",
  "views_cursor",
  "campaigns",
  "allocations",
  "orgs",
  "org_totals",
  "volunteers",
] as const;

export function indexerConfig(deployment: DeployOnAnvilReturnType, chainId = 31337): IndexerConfig {
  const { addresses, deployBlock } = deployment;
  return {
    chainId,
    addresses: {
      log: addresses.log,
      registry: addresses.registry,
      charity: addresses.charityLedger,
      credit: addresses.volunteerCredit,
    },
    deployBlock,
    pollInterval: 50,
  };
}

export function indexerOn(
  url: string,
  store: Store,
  config: IndexerConfig,
  options: {
    maxRange?: bigint;
    initialRange?: bigint;
    logger?: Logger;
    onBatch?: CreateIndexerParameters["onBatch"];
  } = {},
) {
  const { logger, onBatch, ...range } = options;
  const client = createPublicClient({ transport: http(url, { retryCount: 0, timeout: 10_000 }) });
  const chain = createChainReader({ client, logAddress: config.addresses.log, ...range });
  return createIndexer({ store, chain, config, ...(logger ? { logger } : {}), ...(onBatch ? { onBatch } : {}) });
}

export const digestAll = (store: Store) => digestStore(store, { tables: INDEXER_TABLES });
