/**
 * Writes a batch that prepareBatch checked, in one transaction with the progress cursor: the cursor
 * moves first, and only from the state the batch was prepared against (so two indexers on one
 * database, or a batch prepared ahead of one that failed, can never store a batch twice or out of
 * order); then the rows go in. Each stream's first back-pointer in the batch is checked against the
 * stream's last stored entry by the very statement that moves the stream's head: a stream named as
 * new must not exist, every other must end at the entry its back-pointer names. If any does not,
 * everything is rolled back, and the earliest break is looked up to report it.
 *
 * Parameters travel as a few long values — array literals, bytes laid end to end, JSON records as
 * UTF-8 bytes — which PostgreSQL and PGlite take as they are, rather than as arrays of strings that
 * the drivers would quote and escape one element at a time; the rows of several tables go in one
 * statement, so that the database seldom waits for this process, which is meanwhile preparing the
 * next batch.
 */
import type { Hex } from "viem";
import { IndexerError } from "../errors.ts";
import type { Queryable, Store } from "../store/types.ts";
import { type PreparedBatch, RECORD_SEPARATOR } from "./prepareBatch.ts";

export type WriteBatchParameters = {
  batch: PreparedBatch;
  /** Where the stored log ended when the batch was prepared: the cursor's block, its hash, the log size. */
  from: { blockNumber: bigint; blockHash: Hex; logSize: bigint };
};

/** Thrown inside the transaction to roll it back when a stream's head does not match. */
class BackPointerBreak extends Error {}

export async function writeBatch(store: Store, { batch, from }: WriteBatchParameters): Promise<void> {
  try {
    if (batch.chainBreak) throw new BackPointerBreak();
    await store.transaction((tx) => write(tx, batch, from));
  } catch (error) {
    if (!(error instanceof BackPointerBreak)) throw error;
    throw await explainBreak(store, batch);
  }
}

async function write(tx: Queryable, batch: PreparedBatch, from: WriteBatchParameters["from"]): Promise<void> {
  const moved = await tx.query<{ id: number }>(
    `update sync_cursor set block_number = $1, block_hash = decode($2, 'hex'), log_size = $3
     where id = 1 and block_number = $4 and block_hash = decode($5, 'hex') and log_size = $6
     returning id`,
    [
      batch.lastHeader.number,
      batch.lastHeader.hash.slice(2),
      batch.logSize,
      from.blockNumber,
      from.blockHash.slice(2),
      from.logSize,
    ],
  );
  if (moved.length !== 1) {
    throw new IndexerError("The store moved on while a batch was being prepared; preparing it again.", {
      retryable: true,
    });
  }

  for (const c of batch.chunks) {
    await tx.query(
      `with entry_rows as (
         insert into entries (idx, block_number, tx_hash, log_index, kind, actor_org, ts, leaf, leaf_hash, record)
         select $15::bigint + n - 1, block_number, substring($2::bytea from n::integer * 32 - 31 for 32), log_index, kind,
                actor_org, ts, substring($7::bytea from off + 1 for len), substring($10::bytea from n::integer * 32 - 31 for 32),
                record::jsonb
         from rows from (
           unnest($1::bigint[]), unnest($3::integer[]), unnest($4::smallint[]), unnest($5::bigint[]),
           unnest($6::bigint[]), unnest($8::integer[]), unnest($9::integer[]), unnest(string_to_array($11, $16))
         ) with ordinality as t(block_number, log_index, kind, actor_org, ts, off, len, record, n)
       )
       insert into entry_streams (stream_id, idx, prev_idx)
       select substring($12::bytea from n::integer * 32 - 31 for 32), i, p
       from rows from (unnest($13::bigint[]), unnest($14::bigint[])) with ordinality as t(i, p, n)`,
      [
        c.blockNumber,
        c.txHash,
        c.logIndex,
        c.kind,
        c.actorOrg,
        c.ts,
        c.leaf,
        c.leafOffset,
        c.leafLength,
        c.leafHash,
        c.record,
        c.streamId,
        c.streamIdx,
        c.streamPrev,
        c.firstIdx,
        RECORD_SEPARATOR,
      ],
    );
  }

  const { streams, nodes, blocks } = batch;
  const { known, added } = streams;
  // The known streams and the new ones come apart, so that the database plans the update for the
  // few known streams it is given (a lookup each), not for a share of the batch it cannot estimate
  // (at 100,000 streams, that was a pass over every stored stream with each batch: 57 ms, not 0.5).
  // A stream named as new that the store holds already breaks its key: a plain insert finds that
  // in the one descent of the key it makes anyway, where ON CONFLICT made two (a lookup first), and
  // the failed statement rolls the batch back like any other break.
  const heads = await tx
    .query<{ moved: bigint }>(
      `with moved as (
         update streams set count = streams.count + b.c, last_idx = b.l
         from (
           select substring($1::bytea from n::integer * 32 - 31 for 32) as id, prev, c, l
           from rows from (unnest($2::bigint[]), unnest($3::bigint[]), unnest($4::bigint[])) with ordinality as t(prev, c, l, n)
         ) as b
         where streams.stream_id = b.id and streams.last_idx = b.prev
         returning 1
       ), added as (
         insert into streams (stream_id, count, last_idx)
         select substring($12::bytea from n::integer * 32 - 31 for 32), c, l
         from rows from (unnest($13::bigint[]), unnest($14::bigint[])) with ordinality as t(c, l, n)
       ), node_rows as (
         insert into tree_nodes (level, pos, hash)
         select l, p, substring($7::bytea from n::integer * 32 - 31 for 32)
         from rows from (unnest($5::smallint[]), unnest($6::bigint[])) with ordinality as t(l, p, n)
       ), block_rows as (
         insert into blocks (number, hash, log_size, log_root)
         select b, substring($9::bytea from n::integer * 32 - 31 for 32), s, substring($11::bytea from n::integer * 32 - 31 for 32)
         from rows from (unnest($8::bigint[]), unnest($10::bigint[])) with ordinality as t(b, s, n)
       )
       select count(*) as moved from moved`,
      [
        known.id,
        known.firstPrev,
        known.count,
        known.lastIdx,
        nodes.level,
        nodes.pos,
        nodes.hash,
        blocks.number,
        blocks.hash,
        blocks.logSize,
        blocks.root,
        added.id,
        added.count,
        added.lastIdx,
      ],
    )
    .catch((error: unknown) => {
      throw isDuplicateStream(error) ? new BackPointerBreak() : error;
    });
  // Every known stream moved on from the entry its back-pointer names (and every new one was new).
  if (heads[0]?.moved !== BigInt(known.size)) throw new BackPointerBreak();
}

/** PostgreSQL's unique_violation on the streams' key (node-postgres and PGlite both give code and constraint). */
function isDuplicateStream(error: unknown): boolean {
  const { code, constraint } = (error ?? {}) as { code?: unknown; constraint?: unknown };
  return code === "23505" && constraint === "streams_pkey";
}

/** The earliest back-pointer of the batch that does not follow its stream, as a self-check failure. */
async function explainBreak(store: Store, batch: PreparedBatch): Promise<Error> {
  const { known, added } = batch.streams;
  // Both groups, known streams first: ids laid end to end, the arrays concatenated in the same order.
  const [stored] = await store.query<{ idx: bigint; id: Uint8Array; prev: bigint | null; last_idx: bigint | null }>(
    `select t.idx, t.id, t.prev, st.last_idx
     from (
       select substring($1::bytea || $4::bytea from n::integer * 32 - 31 for 32) as id, idx, prev
       from rows from (unnest($2::bigint[] || $5::bigint[]), unnest($3::bigint[] || $6::bigint[]))
         with ordinality as x(idx, prev, n)
     ) as t
     left join streams st on st.stream_id = t.id
     where st.last_idx is distinct from t.prev
     order by t.idx limit 1`,
    [known.id, known.firstIdx, known.firstPrev, added.id, added.firstIdx, added.firstPrev],
  );
  const inBatch = batch.chainBreak;
  if (stored && (!inBatch || stored.idx < inBatch.index)) {
    const id = `0x${Buffer.from(stored.id).toString("hex")}`;
    return batch.fail(
      `entry ${stored.idx} says the previous entry of stream ${id} is ${stored.prev}, the indexer has ${stored.last_idx}`,
    );
  }
  if (inBatch) return batch.fail(inBatch.message);
  return batch.fail("a stream's back-pointer does not follow the stream's last stored entry");
}
