-- The indexer's core tables: what the chain said, block by block. Everything here can be dropped and
-- rebuilt from the chain, and a rebuild must give the same rows (see digest.ts).
-- Addresses, hashes and leaves are bytea; block numbers, log indexes and sizes are bigint.

-- The deployment being followed: one row.
create table chain_meta (id smallint primary key check (id = 1), chain_id bigint not null, log_address bytea not null, registry_address bytea not null, charity_address bytea not null, credit_address bytea not null, deploy_block bigint not null);

-- How far ingestion has got: one row, moved forward (or back, on a reorg) in the same transaction as the rows it covers.
create table sync_cursor (id smallint primary key check (id = 1), block_number bigint not null, block_hash bytea not null, log_size bigint not null);

-- The log's size and root at the end of every ingested block that had entries: the checkpoints the chain reported.
-- (Each batch's last root was checked against the chain's root(); the earlier ones follow from the same leaves.)
create table blocks (number bigint primary key, hash bytea not null, parent_hash bytea not null, log_size bigint not null, log_root bytea not null);

create table entries (idx bigint primary key, block_number bigint not null, tx_hash bytea not null, log_index integer not null, kind smallint not null, actor_org bigint not null, ts bigint not null, leaf bytea not null, leaf_hash bytea not null, record jsonb not null);
create index entries_block on entries (block_number);
create index entries_kind on entries (kind, idx);

create table entry_streams (stream_id bytea not null, idx bigint not null, prev_idx bigint, primary key (stream_id, idx));
create table streams (stream_id bytea primary key, count bigint not null, last_idx bigint not null);

-- Roots of perfect subtrees: level L, position p covers leaves [p*2^L, (p+1)*2^L). Stored once complete, so that no request rehashes the ledger.
create table tree_nodes (level smallint not null, pos bigint not null, hash bytea not null, primary key (level, pos));

create table self_check_failures (id bigserial primary key, at timestamptz not null default now(), from_block bigint not null, to_block bigint not null, expected_root bytea not null, computed_root bytea not null, message text not null);
