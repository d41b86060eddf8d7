/**
 * A synthetic indexed ledger, written straight into a migrated store without a chain: for
 * benchmarks of the API at sizes that a real chain takes too long to fill and index on a small
 * machine (1,000,000 entries would take hours to fill and index here).
 *
 * The rows are what the indexer would have stored for such a chain, built by the same code paths:
 * real leaves (donations to a few campaigns, each with its campaign stream and its own record
 * stream and back-pointers) encoded with @shanji/core's encodeLeaf, leaf hashes SHA-256(0x00 ‖
 * leaf), interior tree nodes from the indexer's own MerkleFrontier (packages/indexer/src/sync/
 * merkleFrontier.ts) and the same SQL shapes as its batch writer, the log's size and root at the end
 * of every block, and the sync cursor. No contract ever emitted these entries: block hashes,
 * transaction hashes and the donations' record stream ids are made up, so the store must never be
 * pointed at by an indexer or compared with a chain.
 *
 * For speed the tables are unlogged and their indexes are built after the rows are in (a store that
 * only serves reads in a benchmark loses nothing by either).
 */
import { createHash } from "node:crypto";
import { campaignStream, encodeLeaf, entryKind } from "@shanji/core";
import type { Queryable } from "@shanji/indexer";
import { bytesToHex, type Hex } from "viem";
import { createMerkleFrontier, type TreeNode } from "../../packages/indexer/src/sync/merkleFrontier.ts";

export type WriteSyntheticLedgerParameters = {
  /** Entries to write (the log's size at the end). */
  entries: number;
  /** Entries per block (default 1,000). */
  entriesPerBlock?: number;
  /** Campaigns the donations go to, round-robin (default 8). */
  campaigns?: number;
  onProgress?: (written: number) => void;
};

export type WriteSyntheticLedgerReturnType = { logSize: bigint; blocks: number; root: Hex; lastBlock: bigint };

const CHUNK = 5_000;
const TABLES = ["entries", "entry_streams", "streams", "tree_nodes", "blocks"];
const ORG_ID = 2n;
const OPERATOR: Hex = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";
const START_TIME = 1_767_225_600n;
const ZERO32: Hex = `0x${"00".repeat(32)}`;

const sha256 = (...parts: Uint8Array[]) => {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};
const hex = (b: Uint8Array | Hex) => (typeof b === "string" ? b.slice(2) : Buffer.from(b).toString("hex"));
const blockHash = (n: bigint) => sha256(stringToBytes(`synthetic block ${n}`));
const stringToBytes = (s: string) => new TextEncoder().encode(s);

export async function writeSyntheticLedger(
  q: Queryable,
  { entries, entriesPerBlock = 1_000, campaigns = 8, onProgress }: WriteSyntheticLedgerParameters,
): Promise<WriteSyntheticLedgerReturnType> {
  const frontier = createMerkleFrontier(0n, []);
  const campaignIds = Array.from({ length: campaigns }, (_, i) => BigInt(i + 1));
  const campaignStreams = campaignIds.map((id) => campaignStream(id));
  const lastOfCampaign: (bigint | null)[] = campaignIds.map(() => null);
  const countOfCampaign: bigint[] = campaignIds.map(() => 0n);
  let lastBlock = 0n;
  let blocks = 0;

  const restore = await withoutIndexes(q, TABLES);

  await q.query(
    `insert into chain_meta (id, chain_id, log_address, registry_address, charity_address, credit_address, deploy_block)
     values (1, 31337, decode($1, 'hex'), decode($1, 'hex'), decode($1, 'hex'), decode($1, 'hex'), 1)`,
    ["00".repeat(20)],
  );

  let pending: Promise<void> = Promise.resolve();
  for (let start = 0; start < entries; start += CHUNK) {
    const end = Math.min(entries, start + CHUNK);
    const rows: { idx: bigint; block: bigint; leaf: Uint8Array; leafHash: Uint8Array; record: string }[] = [];
    const streamRows: [string, bigint, bigint | null][] = [];
    const nodes: TreeNode[] = [];
    const blockRows: { number: bigint; size: bigint; root: Uint8Array }[] = [];
    for (let i = start; i < end; i++) {
      // Now and then let the previous chunk's statements reach the database meanwhile.
      if (i % 250 === 0) await new Promise((resolve) => setImmediate(resolve));
      const index = BigInt(i);
      const block = 2n + index / BigInt(entriesPerBlock);
      const c = i % campaigns;
      const campaignId = campaignIds[c] as bigint;
      const externalRef = bytesToHex(sha256(stringToBytes(`synthetic donation ${i}`)));
      const record = {
        type: "donationRecorded" as const,
        campaignId,
        externalRef,
        donorKind: 0,
        donor: bytesToHex(sha256(stringToBytes(`synthetic receipt ${i}`))),
        currency: "CNY",
        amount: 100n + BigInt((i * 7919) % 1_000_000),
        channel: 1 + (i % 6),
        purposeTag: ZERO32,
        inKindHash: ZERO32,
        claimId: 0n,
      };
      const streams = [
        { id: campaignStreams[c] as Hex, prevIndex: lastOfCampaign[c] ?? null },
        // Made up: a real record stream is keccak256(3 ‖ keccak256(org ‖ ref)), which costs more than
        // the rest of the entry here and changes nothing the API does with it.
        { id: bytesToHex(sha256(stringToBytes(`synthetic record stream ${i}`))), prevIndex: null },
      ];
      const leaf = encodeLeaf({
        version: 1,
        kind: entryKind.donationRecorded,
        index,
        timestamp: START_TIME + block * 2n,
        actorOrg: ORG_ID,
        operator: OPERATOR,
        streams,
        record,
      });
      const leafHash = sha256(new Uint8Array([0]), leaf);
      nodes.push(...frontier.append(leafHash));
      rows.push({
        idx: index,
        block,
        leaf,
        leafHash,
        record: JSON.stringify(record, (_k, v) => (typeof v === "bigint" ? v.toString() : v)),
      });
      for (const s of streams) streamRows.push([hex(s.id), index, s.prevIndex]);
      lastOfCampaign[c] = index;
      countOfCampaign[c] = (countOfCampaign[c] ?? 0n) + 1n;
      const lastOfBlock = i === entries - 1 || (index + 1n) % BigInt(entriesPerBlock) === 0n;
      if (lastOfBlock) {
        blockRows.push({ number: block, size: frontier.size, root: frontier.root() });
        lastBlock = block;
        blocks += 1;
      }
    }
    await pending;
    pending = insertChunk(q, { rows, streamRows, nodes, blockRows, campaignStreams }).then(() => onProgress?.(end));
  }
  await pending;
  await q.query(
    `insert into streams (stream_id, count, last_idx)
     select decode(s, 'hex'), c, l from unnest($1::text[], $2::bigint[], $3::bigint[]) as t(s, c, l)`,
    [campaignStreams.map(hex), countOfCampaign, lastOfCampaign.map((l) => l ?? 0n)],
  );
  await q.query(
    "insert into sync_cursor (id, block_number, block_hash, log_size) values (1, $1, decode($2, 'hex'), $3)",
    [lastBlock, hex(blockHash(lastBlock)), frontier.size],
  );
  await restore();
  await q.exec("analyze");
  return { logSize: frontier.size, blocks, root: bytesToHex(frontier.root()), lastBlock };
}

type Chunk = {
  rows: { idx: bigint; block: bigint; leaf: Uint8Array; leafHash: Uint8Array; record: string }[];
  streamRows: [string, bigint, bigint | null][];
  nodes: TreeNode[];
  blockRows: { number: bigint; size: bigint; root: Uint8Array }[];
  campaignStreams: Hex[];
};

/** One chunk's rows, with the indexer's statements. */
async function insertChunk(
  q: Queryable,
  { rows, streamRows, nodes, blockRows, campaignStreams }: Chunk,
): Promise<void> {
  await q.query(
    `insert into entries (idx, block_number, tx_hash, log_index, kind, actor_org, ts, leaf, leaf_hash, record)
     select idx, block_number, decode(tx_hash, 'hex'), log_index, kind, actor_org, ts, decode(leaf, 'hex'), decode(leaf_hash, 'hex'), record::jsonb
     from unnest($1::bigint[], $2::bigint[], $3::text[], $4::int[], $5::smallint[], $6::bigint[], $7::bigint[], $8::text[], $9::text[], $10::text[])
       as t(idx, block_number, tx_hash, log_index, kind, actor_org, ts, leaf, leaf_hash, record)`,
    [
      rows.map((r) => r.idx),
      rows.map((r) => r.block),
      rows.map((r) => hex(sha256(stringToBytes(`synthetic tx ${r.idx / 200n}`)))),
      rows.map((r) => Number(r.idx % 200n)),
      rows.map(() => entryKind.donationRecorded),
      rows.map(() => ORG_ID),
      rows.map((r) => START_TIME + r.block * 2n),
      rows.map((r) => hex(r.leaf)),
      rows.map((r) => hex(r.leafHash)),
      rows.map((r) => r.record),
    ],
  );
  await q.query(
    `insert into entry_streams (stream_id, idx, prev_idx)
     select decode(s, 'hex'), i, p from unnest($1::text[], $2::bigint[], $3::bigint[]) as t(s, i, p)`,
    [streamRows.map((r) => r[0]), streamRows.map((r) => r[1]), streamRows.map((r) => r[2])],
  );
  // Each record stream has its one entry; campaign streams are written at the end.
  const records = streamRows.filter((r) => r[2] === null && !campaignStreams.includes(`0x${r[0]}` as Hex));
  await q.query(
    `insert into streams (stream_id, count, last_idx)
     select decode(s, 'hex'), 1, l from unnest($1::text[], $2::bigint[]) as t(s, l)`,
    [records.map((r) => r[0]), records.map((r) => r[1])],
  );
  if (nodes.length > 0) {
    await q.query(
      `insert into tree_nodes (level, pos, hash)
       select l, p, decode(h, 'hex') from unnest($1::smallint[], $2::bigint[], $3::text[]) as t(l, p, h)`,
      [nodes.map((n) => n.level), nodes.map((n) => n.pos), nodes.map((n) => hex(n.hash))],
    );
  }
  if (blockRows.length > 0) {
    await q.query(
      `insert into blocks (number, hash, log_size, log_root)
       select n, decode(h, 'hex'), s, decode(r, 'hex')
       from unnest($1::bigint[], $2::text[], $3::bigint[], $4::text[]) as t(n, h, s, r)`,
      [
        blockRows.map((b) => b.number),
        blockRows.map((b) => hex(blockHash(b.number))),
        blockRows.map((b) => b.size),
        blockRows.map((b) => hex(b.root)),
      ],
    );
  }
}

/**
 * Makes `tables` unlogged and drops their indexes and primary keys; the function returned builds
 * them again, from their own definitions.
 */
async function withoutIndexes(q: Queryable, tables: string[]): Promise<() => Promise<void>> {
  const keys = await q.query<{ table_name: string; name: string; definition: string }>(
    `select c.conrelid::regclass::text as table_name, c.conname as name, pg_get_constraintdef(c.oid) as definition
     from pg_constraint c where c.contype = 'p' and c.conrelid::regclass::text = any($1::text[])`,
    [tables],
  );
  const indexes = await q.query<{ name: string; definition: string }>(
    `select indexname as name, indexdef as definition from pg_indexes
     where schemaname = current_schema() and tablename = any($1::text[])
       and indexname not in (select conname from pg_constraint where contype = 'p')`,
    [tables],
  );
  for (const table of tables) await q.exec(`alter table ${table} set unlogged`);
  for (const index of indexes) await q.exec(`drop index ${index.name}`);
  for (const key of keys) await q.exec(`alter table ${key.table_name} drop constraint ${key.name}`);
  return async () => {
    for (const key of keys) await q.exec(`alter table ${key.table_name} add constraint ${key.name} ${key.definition}`);
    for (const index of indexes) await q.exec(index.definition);
  };
}
