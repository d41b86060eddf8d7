-- The index of entries by block number goes: no query reads entries by block (a rollback deletes
-- them by index, and the entries of a block are a range of indexes, which `blocks` gives by its log
-- sizes). It cost every entry stored a row in it, and a backfill a build from the whole table after
-- its last batch. An index set aside by a backfill under way is forgotten rather than built.
drop index if exists entries_block;
delete from deferred_indexes where name = 'entries_block';
