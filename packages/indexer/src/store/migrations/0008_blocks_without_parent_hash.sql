-- Blocks keep their number, hash and the log's size and root at their end, not their parent's hash:
-- nothing read it, and it needed a header from the node for every block with entries, which on a
-- chain of sparse blocks cost more than the entries' own logs. A block's hash now comes from its logs
-- (headers are still asked for near the head and for each batch's last block: sync/createIndexer.ts).
alter table blocks drop column parent_hash;
