-- Indexes of `entries` set aside while a long backfill runs (sync/deferIndexes.ts), with their
-- definitions: built once from the whole table when the indexer catches up, rather than row by row,
-- and built even if the indexer stops in between. Empty whenever the indexer is caught up.
create table deferred_indexes (name text primary key, definition text not null);
