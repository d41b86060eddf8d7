/**
 * @shanji/indexer: follows the chain into PostgreSQL or PGlite, checks every batch against the
 * on-chain root, derives the views and serves proofs from the stored tree. The API reads through
 * what is exported here.
 */
export { type ChainReader, createChainReader, type EntryLog } from "./chain/createChainReader.ts";
export { createLogger } from "./createLogger.ts";
export { IndexerError } from "./errors.ts";
export {
  foldInto,
  foldLeaves,
  isFolded,
  LOWEST_STORED_LEVEL,
  type NodeKey,
  nodeKey,
  readStoredNodes,
  storedReads,
} from "./proofs/storedTree.ts";
export { consistencyProofAt, inclusionProofAt, rootAt } from "./proofs/treeProofs.ts";
export { type Deployment, deploymentConfig, type RunIndexerReturnType, runIndexer } from "./runIndexer.ts";
export { createStore } from "./store/createStore.ts";
export { digestStore } from "./store/digest.ts";
export type { Queryable, Row, Store, StoreLogger } from "./store/types.ts";
export {
  createIndexer,
  type Indexer,
  type IndexerConfig,
  type IndexerStatus,
  type Logger,
} from "./sync/createIndexer.ts";
export { nodeHash } from "./sync/merkleFrontier.ts";
export { allocateFunds } from "./views/allocateFunds.ts";
export { campaignBalances } from "./views/campaignBalances.ts";
export { refreshViews } from "./views/refreshViews.ts";
export { type TraceStep, traceDonation } from "./views/traceDonation.ts";
