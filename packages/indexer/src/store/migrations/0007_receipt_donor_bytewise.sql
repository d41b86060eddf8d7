-- The receipt lookup's index compares donors' commitments (lower-case hex) byte by byte, in the
-- "C" collation, rather than by the database's locale: the same answers for these strings, and a
-- build from the whole table (at the end of a backfill) that sorts them in half the time. The
-- lookup (packages/api/src/routes/donations.ts) names the same collation. An index set aside by a
-- backfill under way keeps waiting, with its new definition.
do $$
begin
  if exists (select 1 from deferred_indexes where name = 'entries_receipt_donor') then
    update deferred_indexes
    set definition = 'create index entries_receipt_donor on entries (((record->>''donor'') collate "C")) where kind = 33 and record->>''donorKind'' = ''0'''
    where name = 'entries_receipt_donor';
  else
    drop index if exists entries_receipt_donor;
    create index entries_receipt_donor on entries (((record->>'donor') collate "C")) where kind = 33 and record->>'donorKind' = '0';
  end if;
end
$$;
