/**
 * What every route needs: the store, the deployment, and a snapshot of how far the ledger is
 * indexed — the indexed block, the log's size and root there, and the block at whose end the chain
 * reported that size — plus the chain head from the RPC. Both are cached for a moment, so a busy
 * API does not ask the database and the RPC the same question thousands of times a second.
 */
import type { Deployment, IndexerStatus, Queryable, Store } from "@shanji/indexer";
import { bytesToHex, type Hex } from "viem";
import { ApiError } from "./problem.ts";
import type { LedgerMeta } from "./schemas.ts";

/** The ledger as indexed at one moment. */
export type LedgerSnapshot = {
  indexedBlock: bigint;
  logSize: bigint;
  /** root() of the log at `indexedBlock` (the root of its first `logSize` leaves). */
  root: Hex;
  /** The block at whose end the log first had `logSize` entries: root() there equals `root`. */
  sizeBlock: bigint;
};

export type ApiContext = {
  store: Store;
  deployment: Deployment;
  /** The current snapshot (cached for `snapshotTtlMs`); 503 while the indexer has not started. */
  snapshot(): Promise<LedgerSnapshot>;
  /** The chain head from the RPC (cached for `headTtlMs`), or null when it cannot be read. */
  chainHead(): Promise<bigint | null>;
  /** `ledger` of an answer: built from one snapshot, so it matches the proofs given with it. */
  ledgerMeta(snapshot?: LedgerSnapshot): Promise<LedgerMeta>;
  /** The indexer's state when it runs in this process and told the app (createApp's `indexerStatus`); else null. */
  indexerState(): IndexerStatus["state"] | null;
  /** Forgets the cached snapshot: the indexer calls this after each batch when in the same process. */
  invalidate(): void;
};

export type CreateContextParameters = {
  store: Store;
  deployment: Deployment;
  chainHead?: (() => Promise<bigint>) | undefined;
  indexerStatus?: (() => { state: IndexerStatus["state"] }) | undefined;
  snapshotTtlMs?: number;
  headTtlMs?: number;
};

const EMPTY_ROOT: Hex = "0xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

export async function readSnapshot(q: Queryable): Promise<LedgerSnapshot | undefined> {
  const [cursor] = await q.query<{ block_number: bigint; log_size: bigint }>(
    "select block_number, log_size from sync_cursor where id = 1",
  );
  if (!cursor) return undefined;
  if (cursor.log_size === 0n)
    return { indexedBlock: cursor.block_number, logSize: 0n, root: EMPTY_ROOT, sizeBlock: cursor.block_number };
  const [block] = await q.query<{ number: bigint; log_root: Uint8Array }>(
    "select number, log_root from blocks where log_size = $1 order by number limit 1",
    [cursor.log_size],
  );
  if (!block) throw new Error(`the store has no block that ended at log size ${cursor.log_size}`);
  return {
    indexedBlock: cursor.block_number,
    logSize: cursor.log_size,
    root: bytesToHex(block.log_root),
    sizeBlock: block.number,
  };
}

export function createContext({
  store,
  deployment,
  chainHead,
  indexerStatus,
  snapshotTtlMs = 250,
  headTtlMs = 1_000,
}: CreateContextParameters): ApiContext {
  let snapshot: { at: number; value: Promise<LedgerSnapshot> } | undefined;
  let head: { at: number; value: Promise<bigint | null> } | undefined;

  const context: ApiContext = {
    store,
    deployment,
    snapshot() {
      const now = Date.now();
      if (!snapshot || now - snapshot.at > snapshotTtlMs) {
        const value = readSnapshot(store).then((s) => {
          if (!s)
            throw new ApiError(503, "the indexer has not indexed any block yet", { headers: { "retry-after": "5" } });
          return s;
        });
        // A failed read is not cached: the next request tries again.
        value.catch(() => {
          if (snapshot?.value === value) snapshot = undefined;
        });
        snapshot = { at: now, value };
      }
      return snapshot.value;
    },
    chainHead() {
      if (!chainHead) return Promise.resolve(null);
      const now = Date.now();
      if (!head || now - head.at > headTtlMs) {
        head = { at: now, value: chainHead().catch(() => null) };
      }
      return head.value;
    },
    async ledgerMeta(given) {
      const [s, h] = await Promise.all([given ?? context.snapshot(), context.chainHead()]);
      return {
        chainId: deployment.chainId,
        indexedBlock: s.indexedBlock.toString(),
        chainHead: h === null ? null : h.toString(),
        lag: h === null ? null : (h > s.indexedBlock ? h - s.indexedBlock : 0n).toString(),
        logSize: s.logSize.toString(),
      };
    },
    indexerState() {
      return indexerStatus?.().state ?? null;
    },
    invalidate() {
      snapshot = undefined;
    },
  };
  return context;
}
