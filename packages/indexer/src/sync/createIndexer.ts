/**
 * The indexer: follows the chain over standard JSON-RPC and ingests the TransparencyLog into the
 * store, one batch of blocks at a time. Each batch is checked before it is stored — the entry
 * indexes must be contiguous, every stream back-pointer must match, and the Merkle root rebuilt
 * from the stored leaves plus the new ones must equal the chain's own `root()` at the batch's last
 * block — and is then committed in one transaction together with the progress cursor, so that a
 * crash at any point loses nothing and duplicates nothing. On a reorg (the block under the cursor
 * changed hash) it rolls back to the common ancestor and re-ingests.
 *
 * While a batch is written, the next one is checked (prepareBatch) and the logs of the one after
 * it are fetched, so that the node, this process and the database work at the same time. Never more
 * than one batch prepared and one answer of logs ahead, so memory stays bounded; a batch prepared
 * ahead is used only if the store ended up where it was prepared from and its last block is still
 * the chain's, and is written under the same checks as any other (logs fetched ahead go through
 * every check of a batch, as if they had just been fetched).
 *
 * At the end of a long backfill, the indexes set aside are built: the key the views read streams by
 * first, the others while the views are refreshed.
 */
import { bytesToHex, type Hex } from "viem";
import type { BlockHeader, ChainReader, EntryLog } from "../chain/createChainReader.ts";
import { IndexerError, isRetryable, SelfCheckError, WrongChainError } from "../errors.ts";
import { nodeKey, readStoredNodes } from "../proofs/storedTree.ts";
import type { Queryable, Store } from "../store/types.ts";
import { createCampaignStates } from "../views/campaignStates.ts";
import { createViewFold, FOLD_MAX_ENTRIES, type ViewFold } from "../views/foldViews.ts";
import { refreshViews, resetViews } from "../views/refreshViews.ts";
import { deferIndexes, restoreIndexes, STREAM_KEY, setAsideIndexes } from "./deferIndexes.ts";
import { createMerkleFrontier, type MerkleFrontier, peakPositions, type TreeNode } from "./merkleFrontier.ts";
import { type ChainView, type PreparedBatch, prepareBatch } from "./prepareBatch.ts";
import { writeBatch } from "./writeBatch.ts";

export type Logger = {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
};

export type IndexerConfig = {
  chainId: number;
  addresses: { log: Hex; registry: Hex; charity: Hex; credit: Hex };
  /** The block the log was deployed in: nothing before it is read. */
  deployBlock: bigint;
  /** Blocks behind the head that count as final: 0 for QBFT's instant finality. */
  finality?: bigint;
  /** Milliseconds between polls of the head when caught up. */
  pollInterval?: number;
  /**
   * A backfill of at least this many entries, and of no fewer than the store holds already, builds
   * the secondary indexes of `entries` and the key of `entry_streams` once at the end rather than row
   * by row (see deferIndexes); 50,000 unless set.
   */
  deferIndexesFrom?: bigint;
  /**
   * A backfill into an empty store of at most this many entries folds the campaigns' views from
   * the entries as it reads them, holding ~0.26 KB an entry until it catches up, rather than reading
   * every campaign's stream back at the end (views/foldViews.ts); FOLD_MAX_ENTRIES (500,000) unless
   * set, 0 for never.
   */
  foldViewsUpTo?: bigint;
  /**
   * Stream entries, in all, of the campaigns whose views' state is kept between refreshes, so that
   * new entries of any kind advance a campaign without reading its stream again
   * (views/campaignStates.ts); FOLD_MAX_ENTRIES (500,000) unless set, 0 for never.
   */
  campaignStatesUpTo?: bigint;
  /**
   * Entries per insert statement (a batch is written in as many as it needs); ENTRIES_PER_STATEMENT
   * (8,000) unless set.
   */
  entriesPerStatement?: number;
};

export type IndexerStatus = {
  state: "starting" | "syncing" | "idle" | "retrying" | "failed" | "stopped";
  indexedBlock: bigint | null;
  headBlock: bigint | null;
  logSize: bigint;
  lastError: string | null;
  selfCheckFailures: number;
};

export type CreateIndexerParameters = {
  store: Store;
  chain: ChainReader;
  config: IndexerConfig;
  logger?: Logger;
  /** Called after every committed batch (for tests, progress bars and the API's cache). */
  onBatch?: (batch: { fromBlock: bigint; toBlock: bigint; entries: number; logSize: bigint }) => void;
};

type Cursor = { blockNumber: bigint; blockHash: Hex; logSize: bigint };

/** A batch checked and laid out, with the log's frontier after it (to prepare the next one from). */
type Prepared = { batch: PreparedBatch; frontier: MerkleFrontier };

/** One eth_getLogs answer: the logs of blocks up to lastBlock. */
type Logs = { logs: EntryLog[]; lastBlock: bigint };

const asError = (error: unknown) => (error instanceof Error ? error : new Error(String(error)));

const silent: Logger = { info() {}, warn() {}, error() {} };
const HEADER_CONCURRENCY = 8;
/**
 * Blocks this close to the target (the head less the finality depth) have their headers checked
 * against their logs as a batch is read, since a reorg may still replace one meanwhile. A deeper
 * block replaced in that moment would fail the root check, unless it held exactly the same entries
 * (timestamps included); then only its hash in `blocks` would be stale, which the rollback walk
 * alone reads (and would roll back past it).
 */
export const REORG_WINDOW = 128n;

export function createIndexer(parameters: CreateIndexerParameters) {
  const { store, chain, config, logger = silent, onBatch } = parameters;
  const finality = config.finality ?? 0n;
  const pollInterval = config.pollInterval ?? 1_000;
  const deferIndexesFrom = config.deferIndexesFrom ?? 50_000n;
  const foldViewsUpTo = config.foldViewsUpTo ?? FOLD_MAX_ENTRIES;
  const campaignStates = createCampaignStates({ maxEntries: config.campaignStatesUpTo ?? FOLD_MAX_ENTRIES });
  const { entriesPerStatement } = config;
  if (entriesPerStatement !== undefined && !(Number.isSafeInteger(entriesPerStatement) && entriesPerStatement > 0)) {
    throw new IndexerError(`entriesPerStatement must be a positive integer, not ${entriesPerStatement}.`);
  }
  const status: IndexerStatus = {
    state: "starting",
    indexedBlock: null,
    headBlock: null,
    logSize: 0n,
    lastError: null,
    selfCheckFailures: 0,
  };
  let stopping = false;
  let wake: (() => void) | undefined;
  let running: Promise<void> | undefined;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  /** Checks that the RPC serves the configured chain and that the log has code there. */
  async function checkChain(): Promise<void> {
    const chainId = await chain.chainId();
    if (chainId !== config.chainId) {
      throw new WrongChainError(`The RPC serves chain ${chainId}, but this ledger is on chain ${config.chainId}.`, {
        details: "Point the indexer at a node of the ledger's chain.",
      });
    }
    const code = await chain.code();
    if (!code || code === "0x") {
      throw new WrongChainError(
        `No contract at the TransparencyLog address ${config.addresses.log} on chain ${chainId}.`,
        {
          details: "The RPC is on the right chain id but not the right network, or the deployment addresses are wrong.",
        },
      );
    }
    const rows = await store.query<{ chain_id: bigint; log_address: Uint8Array }>(
      "select chain_id, log_address from chain_meta where id = 1",
    );
    const meta = rows[0];
    if (!meta) {
      await store.query(
        `insert into chain_meta (id, chain_id, log_address, registry_address, charity_address, credit_address, deploy_block)
         values (1, $1, decode($2, 'hex'), decode($3, 'hex'), decode($4, 'hex'), decode($5, 'hex'), $6)`,
        [
          String(config.chainId),
          config.addresses.log.slice(2).toLowerCase(),
          config.addresses.registry.slice(2).toLowerCase(),
          config.addresses.charity.slice(2).toLowerCase(),
          config.addresses.credit.slice(2).toLowerCase(),
          String(config.deployBlock),
        ],
      );
    } else if (
      BigInt(meta.chain_id) !== BigInt(config.chainId) ||
      bytesToHex(meta.log_address) !== config.addresses.log.toLowerCase()
    ) {
      throw new WrongChainError("This database holds another ledger (chain id or log address differ).", {
        details: `database: chain ${meta.chain_id}, log ${bytesToHex(meta.log_address)}; configured: chain ${config.chainId}, log ${config.addresses.log}`,
      });
    }
  }

  /**
   * The cursor as this indexer's last write left it, until something fails: the next step starts
   * from it instead of reading it back. Another writer cannot slip in unseen: a write moves the
   * cursor only from where the batch was prepared, and a failed step forgets this copy.
   */
  let written: Cursor | undefined;

  async function loadCursor(): Promise<Cursor> {
    if (written !== undefined) return written;
    const rows = await store.query<{ block_number: bigint; block_hash: Uint8Array; log_size: bigint }>(
      "select block_number, block_hash, log_size from sync_cursor where id = 1",
    );
    const row = rows[0];
    if (row) return { blockNumber: row.block_number, blockHash: bytesToHex(row.block_hash), logSize: row.log_size };
    const start = config.deployBlock > 0n ? config.deployBlock - 1n : 0n;
    const header = await chain.header(start);
    const cursor = { blockNumber: start, blockHash: header.hash, logSize: 0n };
    await store.query(
      "insert into sync_cursor (id, block_number, block_hash, log_size) values (1, $1, decode($2, 'hex'), 0) on conflict (id) do nothing",
      [String(start), header.hash.slice(2)],
    );
    return cursor;
  }

  async function loadFrontier(tx: Queryable, size: bigint) {
    const positions = peakPositions(size);
    const nodes = await readStoredNodes(tx, positions);
    const peaks: TreeNode[] = positions.map(({ level, pos }) => {
      const hash = nodes.get(nodeKey(level, pos));
      if (!hash) throw new IndexerError(`The store lacks the tree node at level ${level}, position ${pos}.`);
      return { level, pos, hash };
    });
    return createMerkleFrontier(size, peaks);
  }

  /** The batch being prepared while the previous one is written, and the cursor it continues. */
  let ahead: { from: Cursor; prepared: Promise<Prepared | Error> } | undefined;
  /** The logs after the last range fetched, asked for while that range is checked and written. */
  let logsAhead: { fromBlock: bigint; answer: Promise<Logs | Error> } | undefined;
  /** The indexes set aside for a backfill, being built while the views are refreshed: the key of entry_streams, and all. */
  let building: { key: Promise<void>; all: Promise<void> } | undefined;
  /**
   * The campaigns' views, folded from the entries as they are read, during a backfill into an empty
   * store: the refresh after it writes them instead of reading the log back (foldViews.ts).
   */
  let fold: ViewFold | undefined;

  /** Forgets whatever was fetched or prepared ahead (after a reorg or a failed write). */
  function dropAhead() {
    ahead = undefined;
    logsAhead = undefined;
  }

  /** One step: ingest the next batch, or roll back a reorg, or report that we are caught up. */
  async function step(): Promise<"ingested" | "reorg" | "caught-up"> {
    const cursor = await loadCursor();
    status.indexedBlock = cursor.blockNumber;
    status.logSize = cursor.logSize;
    // The batch prepared ahead, if it continues the cursor, is checked against the chain while the
    // head and the block under the cursor are asked for, not after them. Awaited only if the step
    // goes on to ingest; a reorg or the head drops it.
    const candidate = takeAhead(cursor);
    candidate.catch(() => {});
    // The block's answer counts only if it is not past the head.
    const asked = chain.header(cursor.blockNumber).then(
      (header) => header,
      (error: unknown) => ({ error }),
    );
    const head = await chain.headNumber();
    status.headBlock = head;
    const target = head - finality;
    // The parent-hash check: the block under the cursor must still be the one we ingested (a reorg
    // to a shorter chain leaves no block there at all).
    let under: BlockHeader | undefined;
    if (cursor.blockNumber <= head) {
      const answer = await asked;
      if ("error" in answer) throw answer.error;
      under = answer;
    }
    if (under?.hash !== cursor.blockHash) {
      dropAhead();
      await rollback(cursor, head);
      return "reorg";
    }
    if (cursor.blockNumber >= target) {
      dropAhead();
      if (indexesDeferred) startIndexBuilds();
      return "caught-up";
    }
    if (!backfillChecked) {
      backfillChecked = true;
      // The node serves the first logs while the backfill is measured and indexes are set aside.
      prefetchLogs(cursor.blockNumber + 1n, target);
      const { size } = await chain.logState((await chain.header(target)).hash);
      const behind = size - cursor.logSize;
      // Into an empty store, the views are folded as the entries come (unless too many to hold).
      if (cursor.logSize === 0n && behind <= foldViewsUpTo) fold = createViewFold({ maxEntries: foldViewsUpTo });
      await deferIndexesForBackfill(cursor, behind);
    }

    const prepared = (await candidate) ?? (await fetchBatch(cursor, await loadFrontier(store, cursor.logSize), target));
    const { batch } = prepared;
    const end: Cursor = {
      blockNumber: batch.lastHeader.number,
      blockHash: batch.lastHeader.hash,
      logSize: batch.logSize,
    };
    if (end.blockNumber < target) {
      // Errors are kept as values: they surface in the step that takes the batch, as they would have.
      ahead = { from: end, prepared: fetchBatch(end, prepared.frontier, target).catch(asError) };
    }
    try {
      await writeBatch(store, { batch, from: cursor });
    } catch (error) {
      dropAhead();
      throw error;
    }
    written = end;
    status.indexedBlock = end.blockNumber;
    status.logSize = end.logSize;
    onBatch?.({ fromBlock: batch.fromBlock, toBlock: end.blockNumber, entries: batch.entries, logSize: end.logSize });
    return "ingested";
  }

  /**
   * Whether some indexes may be set aside: at first because an earlier run may have stopped in the
   * middle of a backfill, then from when this run sets them aside until it builds them again.
   */
  let indexesDeferred = true;
  /** Whether this run has measured its backfill (once, at its first step behind the chain). */
  let backfillChecked = false;

  /**
   * Starts building the indexes set aside, each in a transaction of its own, for refresh() to await:
   * the key of entry_streams at once (the views read streams by it), the others two at a time
   * meanwhile. One that cannot be built stays aside for the next caught-up step to try again; the
   * others are built all the same.
   */
  function startIndexBuilds(): void {
    if (building !== undefined) return;
    indexesDeferred = false;
    const key = buildSetAside(STREAM_KEY);
    const others = (async () => {
      const names = await setAsideIndexes(store, { except: [STREAM_KEY] });
      const failures: unknown[] = [];
      const worker = async () => {
        for (let name = names.shift(); name !== undefined; name = names.shift()) {
          await buildSetAside(name).catch((error: unknown) => failures.push(error));
        }
      };
      await Promise.all([worker(), worker()]);
      if (failures.length > 0) throw failures[0];
    })();
    building = { key, all: settleAll([key, others]) };
    // Observed by refresh(); a step that fails before it must not leave them unobserved meanwhile.
    building.all.catch(() => {});
  }

  /** Builds one index set aside; if that fails, it stays aside and the next caught-up step tries again. */
  async function buildSetAside(name: string): Promise<void> {
    try {
      const restored = await restoreIndexes(store, { only: [name] });
      if (restored.length > 0) logger.info("indexes built", { indexes: restored.join(", ") });
    } catch (error) {
      indexesDeferred = true;
      throw error;
    }
  }

  /** Sets indexes aside (deferIndexes.ts) if the way ahead, `behind` entries, is long enough to pay. */
  async function deferIndexesForBackfill(cursor: Cursor, behind: bigint): Promise<void> {
    if (behind < deferIndexesFrom || behind < cursor.logSize) return;
    const deferred = await deferIndexes(store);
    indexesDeferred = true;
    if (deferred.length > 0) {
      logger.info("backfill: indexes set aside until caught up", {
        entries: String(behind),
        indexes: deferred.join(", "),
      });
    }
  }

  /** The batch prepared ahead, if it continues `cursor` and its last block is still the chain's. */
  async function takeAhead(cursor: Cursor): Promise<Prepared | undefined> {
    const next = ahead;
    ahead = undefined;
    if (
      next === undefined ||
      next.from.blockNumber !== cursor.blockNumber ||
      next.from.blockHash !== cursor.blockHash ||
      next.from.logSize !== cursor.logSize
    ) {
      return undefined;
    }
    const prepared = await next.prepared;
    if (prepared instanceof Error) throw prepared;
    // A block with the same hash has the same ancestors: every block of the batch is still the chain's.
    const last = prepared.batch.lastHeader;
    return (await chain.header(last.number)).hash === last.hash ? prepared : undefined;
  }

  /**
   * The logs of one eth_getLogs range from `fromBlock`, at most up to `target`: the answer fetched
   * ahead if it starts there and does not pass the target. Before returning, it asks for the range
   * after, so that the node serves it while this one is checked and written; never more than one
   * request at a time, so the reader's range keeps adapting to one answer after another.
   */
  async function nextLogs(fromBlock: bigint, target: bigint): Promise<Logs> {
    const next = logsAhead;
    logsAhead = undefined;
    // Awaited even when it does not fit: never two requests at a time.
    const ahead = next === undefined ? undefined : await next.answer;
    const fits = next?.fromBlock === fromBlock ? ahead : undefined;
    if (fits instanceof Error) throw fits;
    const answer = fits !== undefined && fits.lastBlock <= target ? fits : await chain.nextLogs(fromBlock, target);
    prefetchLogs(answer.lastBlock + 1n, target);
    return answer;
  }

  /** Asks for the logs from `fromBlock` on, for nextLogs to take (unless a request is out already). */
  function prefetchLogs(fromBlock: bigint, target: bigint): void {
    if (fromBlock <= target && logsAhead === undefined) {
      logsAhead = { fromBlock, answer: chain.nextLogs(fromBlock, target).catch(asError) };
    }
  }

  /**
   * Fetches the logs after `cursor` (one eth_getLogs range) and checks them against the chain. The
   * headers and the log's root are asked for while the logs are prepared: the node answers them
   * while this process hashes and lays out the batch.
   */
  async function fetchBatch(cursor: Cursor, frontier: MerkleFrontier, target: bigint): Promise<Prepared> {
    const fromBlock = cursor.blockNumber + 1n;
    const { logs, lastBlock } = await nextLogs(fromBlock, target);
    logs.sort((a, b) =>
      a.blockNumber === b.blockNumber ? a.logIndex - b.logIndex : a.blockNumber < b.blockNumber ? -1 : 1,
    );
    const chainView = readChainView(logs, lastBlock, target);
    // Awaited by prepareBatch; if that throws first, the view's failure must not go unobserved.
    chainView.catch(() => {});
    const batch = await prepareBatch({
      logs,
      fromBlock,
      lastBlock,
      chain: chainView,
      frontier,
      onEntry: fold?.add,
      entriesPerStatement,
    });
    return { batch, frontier };
  }

  /**
   * The header of the last block (the block whose state the root is checked against) and of every
   * block with entries within REORG_WINDOW of `target`, where a reorg may still replace one while it
   * is read; the log's size and root in the last block's state. Older blocks' hashes are the ones
   * their logs carry (prepareBatch.ts): on a chain of sparse blocks, a header for each would cost
   * the node and this process more than the entries' own logs.
   */
  async function readChainView(logs: readonly EntryLog[], lastBlock: bigint, target: bigint): Promise<ChainView> {
    const blocks = [...new Set(logs.map((l) => l.blockNumber))];
    const headers = await readHeaders([...new Set([...blocks.filter((n) => n + REORG_WINDOW > target), lastBlock])]);
    const lastHeader = headers.get(lastBlock) as BlockHeader;
    const everyHeader = async () =>
      new Map([...headers, ...(await readHeaders(blocks.filter((n) => !headers.has(n))))]);
    return { headers, lastHeader, onChain: await chain.logState(lastHeader.hash), everyHeader };
  }

  async function readHeaders(numbers: readonly bigint[]): Promise<Map<bigint, BlockHeader>> {
    const headers = new Map<bigint, BlockHeader>();
    // A few at a time: a range of thousands of blocks must not become thousands of parallel requests.
    for (let i = 0; i < numbers.length; i += HEADER_CONCURRENCY) {
      const slice = numbers.slice(i, i + HEADER_CONCURRENCY);
      for (const header of await Promise.all(slice.map((n) => chain.header(n)))) headers.set(header.number, header);
    }
    return headers;
  }

  /** Rolls the store back to the newest stored block that is still on the canonical chain. */
  async function rollback(cursor: Cursor, head: bigint) {
    let ancestor: Cursor | undefined;
    const below = cursor.blockNumber < head + 1n ? cursor.blockNumber : head + 1n;
    const stored = await store.query<{ number: bigint; hash: Uint8Array; log_size: bigint }>(
      "select number, hash, log_size from blocks where number < $1 order by number desc limit 256",
      [String(below)],
    );
    for (const row of stored) {
      const header = await chain.header(row.number);
      if (header.hash === bytesToHex(row.hash)) {
        ancestor = { blockNumber: row.number, blockHash: header.hash, logSize: row.log_size };
        break;
      }
    }
    if (!ancestor) {
      const start = config.deployBlock > 0n ? config.deployBlock - 1n : 0n;
      ancestor = { blockNumber: start, blockHash: (await chain.header(start)).hash, logSize: 0n };
    }
    logger.warn("reorg: rolling back", {
      from: String(cursor.blockNumber),
      to: String(ancestor.blockNumber),
      entriesRemoved: String(cursor.logSize - ancestor.logSize),
    });
    const size = String(ancestor.logSize);
    fold?.giveUp("a reorg rolled the store back");
    campaignStates.clear();
    written = undefined;
    await store.transaction(async (tx) => {
      // Views are rebuilt from the entries that remain (reorgs are rare; a rebuild is simple and sure).
      await resetViews(tx);
      const touched = await tx.query<{ stream_id: Uint8Array }>(
        "select distinct stream_id from entry_streams where idx >= $1",
        [size],
      );
      await tx.query("delete from entry_streams where idx >= $1", [size]);
      await tx.query("delete from entries where idx >= $1", [size]);
      if (touched.length > 0) {
        const ids = touched.map((r) => bytesToHex(r.stream_id).slice(2));
        await tx.query(
          "delete from streams where stream_id = any(select decode(h, 'hex') from unnest($1::text[]) as h)",
          [ids],
        );
        await tx.query(
          `insert into streams (stream_id, count, last_idx)
           select stream_id, count(*), max(idx) from entry_streams
           where stream_id = any(select decode(h, 'hex') from unnest($1::text[]) as h) group by stream_id`,
          [ids],
        );
      }
      await tx.query("delete from tree_nodes where (pos + 1) * (1::bigint << level) > $1", [size]);
      await tx.query("delete from blocks where number > $1", [String(ancestor.blockNumber)]);
      await tx.query(
        "update sync_cursor set block_number = $1, block_hash = decode($2, 'hex'), log_size = $3 where id = 1",
        [String(ancestor.blockNumber), ancestor.blockHash.slice(2), size],
      );
    });
    status.indexedBlock = ancestor.blockNumber;
    status.logSize = ancestor.logSize;
  }

  /**
   * Refreshes the derived views up to the stored log size. Done when ingestion is caught up (and so
   * once at the end of a backfill, not after every batch): a view is a function of its key's whole
   * stream, so the moment of refreshing never changes the result, only how much work is repeated.
   */
  async function refresh() {
    const indexes = building;
    building = undefined;
    // The indexes' error, if both fail, is the one reported.
    await settleAll([indexes?.all, refreshViewsToCursor(indexes?.key)]);
  }

  /** `streamsReady`: the build of the streams' key, if one is under way; the views await it before reading streams. */
  async function refreshViewsToCursor(streamsReady: Promise<void> | undefined) {
    const rows = await store.query<{ log_size: bigint }>("select log_size from sync_cursor where id = 1");
    const size = rows[0]?.log_size ?? 0n;
    // Once: the views it gives cover the log from its start, and a refresh moves them on.
    const folded = fold?.finish();
    if (fold?.gaveUp !== undefined)
      logger.info("views: reading the log back", { reason: `the fold gave up: ${fold.gaveUp}` });
    fold = undefined;
    let done: Awaited<ReturnType<typeof refreshViews>>;
    try {
      done = await store.transaction((tx) =>
        refreshViews(tx, { toSize: size, folded, streamsReady, states: campaignStates }),
      );
    } catch (error) {
      // The states taken and staged follow rows that were rolled back.
      campaignStates.clear();
      throw error;
    }
    campaignStates.commit();
    if (done.entries > 0n) {
      logger.info("views refreshed", {
        entries: String(done.entries),
        campaigns: done.campaigns,
        campaignsAdvanced: done.advanced,
        campaignsResumed: done.resumed,
        campaignsFolded: done.folded,
        orgs: done.orgs,
        volunteers: done.volunteers,
        volunteersAdvanced: done.volunteersAdvanced,
      });
    }
  }

  async function recordSelfCheckFailure(error: SelfCheckError) {
    status.selfCheckFailures += 1;
    const match = /root (0x[0-9a-f]{64}).*root (0x[0-9a-f]{64})/.exec(error.shortMessage);
    await store
      .query(
        `insert into self_check_failures (from_block, to_block, expected_root, computed_root, message)
         values ($1, $2, decode($3, 'hex'), decode($4, 'hex'), $5)`,
        [
          String(error.fromBlock),
          String(error.toBlock),
          (match?.[1] ?? `0x${"00".repeat(32)}`).slice(2),
          (match?.[2] ?? `0x${"00".repeat(32)}`).slice(2),
          error.message,
        ],
      )
      .catch((cause) => logger.error("could not record a self-check failure", { cause: String(cause) }));
  }

  let checked = false;

  /** Handles a failed step: records a self-check failure, and returns the delay before a retry. */
  async function onFailure(error: unknown, failures: number): Promise<number> {
    written = undefined;
    const message = error instanceof Error ? error.message : String(error);
    status.lastError = message;
    if (error instanceof SelfCheckError) {
      logger.error(message, { fromBlock: String(error.fromBlock), toBlock: String(error.toBlock) });
      await recordSelfCheckFailure(error);
    }
    if (!isRetryable(error)) {
      status.state = "failed";
      logger.error(`indexer stopped: ${message}`);
      throw error;
    }
    const delay = Math.min(30_000, 500 * 2 ** Math.min(failures, 6));
    if (!(error instanceof SelfCheckError)) logger.warn(`retrying in ${delay} ms: ${message}`);
    status.state = "retrying";
    return delay;
  }

  /** The chain check runs before the first step, however many attempts the first start takes. */
  async function checkedStep() {
    if (!checked) {
      await checkChain();
      checked = true;
    }
    return step();
  }

  async function run() {
    let failures = 0;
    while (!stopping) {
      try {
        // A step counts as done once the refresh after it is: a refresh that keeps failing must not
        // reset the count of failures in a row with every step that succeeds before it.
        const outcome = await checkedStep();
        if (outcome === "caught-up") await refresh();
        failures = 0;
        status.lastError = null;
        if (outcome === "caught-up") {
          status.state = "idle";
          await sleep(pollInterval);
        } else {
          status.state = "syncing";
        }
      } catch (error) {
        failures += 1;
        await sleep(await onFailure(error, failures));
      }
    }
    status.state = "stopped";
  }

  return {
    status: (): IndexerStatus => ({ ...status }),
    /** Starts following the chain; resolves when stopped, rejects on an error no retry can fix. */
    start(): Promise<void> {
      running ??= run();
      return running;
    },
    async stop(): Promise<void> {
      stopping = true;
      wake?.();
      await running?.catch(() => {});
    },
    /**
     * Ingests until caught up with the head as it is now (one-shot backfills, tests), retrying what a
     * retry can fix up to `maxAttempts` times in a row; rejects with the last error after that.
     */
    async syncToHead({ maxAttempts = 8 }: { maxAttempts?: number } = {}): Promise<IndexerStatus> {
      let failures = 0;
      for (;;) {
        try {
          const outcome = await checkedStep();
          if (outcome === "caught-up") {
            await refresh();
            status.state = "idle";
            return { ...status };
          }
          failures = 0;
          status.state = "syncing";
        } catch (error) {
          failures += 1;
          const delay = await onFailure(error, failures);
          if (failures >= maxAttempts) throw error;
          await sleep(delay);
        }
      }
    },
  };
}

export type Indexer = ReturnType<typeof createIndexer>;

/**
 * Waits until every one of `work` has settled, then throws the first rejection in the order given:
 * none runs on unobserved while an error is reported.
 */
async function settleAll(work: readonly (Promise<unknown> | undefined)[]): Promise<void> {
  for (const outcome of await Promise.allSettled(work)) if (outcome.status === "rejected") throw outcome.reason;
}
