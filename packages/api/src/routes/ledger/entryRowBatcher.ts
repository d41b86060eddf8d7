/**
 * Entry rows by index, fetched for many requests at once: the indexes asked for during one turn
 * of the event loop — or, under load, while the previous queries run — go to the database as one
 * primary-key query (`idx = any($1)`), so that one round trip serves many concurrent requests, and
 * a quiet server waits no longer than a turn. Entries never change once stored (a chain reorganisation is caught by the routes' check of
 * every proof against the root the chain reported).
 */
import type { Queryable } from "@shanji/indexer";
import type { EntryRow } from "./inclusionProofs.ts";

/** At most this many indexes per query. */
const MAX_BATCH = 256;
/**
 * At most this many queries at once: indexes asked for while they run wait for the next one, so
 * that under load each query serves many requests (a query's round trip, not its rows, is the
 * cost: sending it and reading its answer took a third of the server's time one query per turn).
 */
const MAX_IN_FLIGHT = 2;

export const ENTRY_COLUMNS = "select idx, block_number, tx_hash, log_index, kind, leaf, leaf_hash from entries";

export type EntryRowBatcher = { load(index: bigint): Promise<EntryRow | undefined> };

const batchers = new WeakMap<Queryable, EntryRowBatcher>();

export function entryRowBatcherFor(store: Queryable): EntryRowBatcher {
  let batcher = batchers.get(store);
  if (!batcher) {
    batcher = createEntryRowBatcher(store);
    batchers.set(store, batcher);
  }
  return batcher;
}

type Waiter = { resolve: (row: EntryRow | undefined) => void; reject: (error: unknown) => void };

export function createEntryRowBatcher(q: Queryable): EntryRowBatcher {
  const pending = new Map<bigint, Waiter[]>();
  let scheduled = false;
  let inFlight = 0;

  async function flush(batch: Map<bigint, Waiter[]>): Promise<void> {
    const indexes = [...batch.keys()];
    try {
      const rows =
        indexes.length === 1
          ? await q.query<EntryRow>(`${ENTRY_COLUMNS} where idx = $1`, indexes)
          : await q.query<EntryRow>(`${ENTRY_COLUMNS} where idx = any($1::bigint[])`, [indexes]);
      const byIndex = new Map(rows.map((row) => [row.idx, row]));
      for (const [index, waiters] of batch) for (const w of waiters) w.resolve(byIndex.get(index));
    } catch (error) {
      for (const waiters of batch.values()) for (const w of waiters) w.reject(error);
    }
  }

  function schedule(): void {
    if (scheduled || pending.size === 0 || inFlight >= MAX_IN_FLIGHT) return;
    scheduled = true;
    setImmediate(run);
  }

  function run(): void {
    scheduled = false;
    while (pending.size > 0 && inFlight < MAX_IN_FLIGHT) {
      const batch = new Map<bigint, Waiter[]>();
      for (const [index, waiters] of pending) {
        batch.set(index, waiters);
        pending.delete(index);
        if (batch.size === MAX_BATCH) break;
      }
      inFlight += 1;
      void flush(batch).finally(() => {
        inFlight -= 1;
        schedule();
      });
    }
  }

  return {
    load(index) {
      return new Promise((resolve, reject) => {
        const waiters = pending.get(index);
        if (waiters) waiters.push({ resolve, reject });
        else pending.set(index, [{ resolve, reject }]);
        schedule();
      });
    },
  };
}
