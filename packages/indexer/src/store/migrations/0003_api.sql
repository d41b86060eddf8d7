-- Indexes for the API's reads. Derived data only: no new facts, so rebuilds stay identical.

-- Checkpoints: the block at whose end the log had a given size (sizes grow with block numbers).
create index blocks_log_size on blocks (log_size);

-- Donation lookup by receipt: the donor commitment of receipt donations (donorKind 0, kind 33).
create index entries_receipt_donor on entries ((record->>'donor')) where kind = 33 and record->>'donorKind' = '0';

-- Signed evidence requests: an organisation's registry entries (accredited, suspended, reinstated, operator added and revoked: kinds 10–14).
create index entries_registry_org on entries ((record->>'orgId'), idx) where kind between 10 and 14;

-- Domain routes (orgs, campaigns, lookups, exports, alerts). All partial on rare entries except the last.
-- Whether and by which entry a record was reversed: recordReversed (35) and creditReversed (62) by target index.
create index entries_reversal_target on entries ((record->>'targetIndex')) where kind in (35, 62);
-- Grants (disbursements to an organisation's campaign) and donations from organisations, for flow graphs.
create index entries_grants on entries (idx) where kind = 34 and record->>'payeeKind' = '1';
create index entries_org_donations on entries (idx) where kind = 33 and record->>'donorKind' = '1';
-- Large donations (regulators' alerts): donations by amount.
create index entries_donation_amount on entries (((record->>'amount')::numeric)) where kind = 33;
