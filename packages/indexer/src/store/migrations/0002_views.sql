-- Derived views: computed from the entries by packages/indexer/src/views, refreshed for the keys
-- (campaigns, organisations, volunteers) that new entries touch. A rebuild from scratch gives the
-- same rows. Amounts are numeric (exact, any size), read back as decimal strings.

-- How far the views have been refreshed: the log size they cover.
create table views_cursor (id smallint primary key check (id = 1), log_size bigint not null);

create table campaigns (
  campaign_id bigint primary key,
  org_id bigint not null,
  currency text not null,
  target numeric not null,
  start_time bigint not null,
  end_time bigint not null,
  filing_number bytea not null,
  description_hash bytea not null,
  opened_idx bigint not null,
  closed_idx bigint,
  received numeric not null,
  grants_in numeric not null,
  spent_program numeric not null,
  spent_administration numeric not null,
  spent_fundraising numeric not null,
  grants_out numeric not null,
  reversed_donations numeric not null,
  reversed_grants_in numeric not null,
  reversed_disbursements numeric not null,
  balance numeric not null,
  entry_count bigint not null
);
create index campaigns_org on campaigns (org_id);

-- Which lot (a donation or a grant received) paid for which outflow: DESIGN.md's rule, in views/allocateFunds.ts.
create table allocations (
  campaign_id bigint not null,
  seq integer not null,
  source_idx bigint not null,
  target_idx bigint not null,
  target_kind text not null,
  amount numeric not null,
  restricted_misuse boolean not null,
  reversed_by_idx bigint,
  primary key (campaign_id, seq)
);
create index allocations_source on allocations (source_idx);
create index allocations_target on allocations (target_idx);

create table orgs (
  org_id bigint primary key,
  kind smallint not null,
  credit_code text not null,
  check_overridden boolean not null,
  name text not null,
  admin bytea not null,
  metadata_hash bytea not null,
  status text not null,
  suspension_reason integer,
  accredited_idx bigint not null,
  last_idx bigint not null
);

-- Per organisation: money given (donations as an organisation donor, grants paid), received
-- (donations and grants into its campaigns) and spent (disbursements of its campaigns).
create table org_totals (
  org_id bigint not null,
  currency text not null,
  given numeric not null,
  received numeric not null,
  spent numeric not null,
  primary key (org_id, currency)
);

create table volunteers (
  volunteer bytea primary key,
  minutes bigint not null,
  points_issued numeric not null,
  points_reversed numeric not null,
  points_redeemed numeric not null,
  points numeric not null,
  credits bigint not null,
  redemptions bigint not null,
  certificates bigint not null,
  last_idx bigint not null
);
