-- Indexes for the API's reads. Derived data only: no new facts, so rebuilds stay identical.

-- Checkpoints: the block at whose end the log had a given size (sizes grow with block numbers).
create index blocks_log_size on blocks (log_size);

-- Donation lookup by receipt: the donor commitment of receipt donations (donorKind 0, kind 33).
create index entries_receipt_donor on entries ((record->>'donor')) where kind = 33 and record->>'donorKind' = '0';
