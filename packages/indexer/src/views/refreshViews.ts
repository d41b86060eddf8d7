/**
 * Brings the derived views (campaigns, allocations, organisations, organisation totals, volunteers)
 * up to date with the stored entries. It finds the campaigns, organisations and volunteers that the
 * entries since the last refresh touch, and recomputes each of them from its own stream — the
 * campaign stream holds every entry that moves a campaign's money, grants in both directions
 * included — with the pure functions of this folder. Whatever the refresh points, the rows come
 * out the same as a rebuild from scratch, which the tests check with a digest.
 */
import { campaignStream, decodeLeaf, type Entry, orgStream, volunteerStream } from "@shanji/core";
import { type Hex, hexToBytes } from "viem";
import type { Queryable } from "../store/types.ts";
import { allocateFunds } from "./allocateFunds.ts";
import { campaignBalances } from "./campaignBalances.ts";

export type RefreshViewsParameters = { toSize: bigint; pageSize?: number };
export type RefreshViewsReturnType = { campaigns: number; orgs: number; volunteers: number; entries: bigint };

export async function refreshViews(tx: Queryable, { toSize, pageSize = 20_000 }: RefreshViewsParameters) {
  const rows = await tx.query<{ log_size: bigint }>("select log_size from views_cursor where id = 1");
  const from = rows[0]?.log_size ?? 0n;
  const result: RefreshViewsReturnType = { campaigns: 0, orgs: 0, volunteers: 0, entries: toSize - from };
  if (from >= toSize) return result;

  const campaigns = new Set<bigint>();
  const orgs = new Set<bigint>();
  const volunteers = new Set<Hex>();
  // Pages of entries, so that a backfill of millions never sits in memory at once.
  for (let start = from; start < toSize; start += BigInt(pageSize)) {
    const end = start + BigInt(pageSize) < toSize ? start + BigInt(pageSize) : toSize;
    const page = await tx.query<{ leaf: Uint8Array }>("select leaf from entries where idx >= $1 and idx < $2", [
      start,
      end,
    ]);
    for (const { leaf } of page) touched(decodeLeaf(leaf), campaigns, orgs, volunteers);
  }

  // A campaign's organisation and its organisation donors have totals that follow the campaign.
  for (const campaignId of campaigns)
    for (const orgId of await refreshCampaign(tx, campaignId, toSize)) orgs.add(orgId);
  for (const orgId of orgs) await refreshOrg(tx, orgId, toSize);
  for (const volunteer of volunteers) await refreshVolunteer(tx, volunteer, toSize);
  await tx.query(
    "insert into views_cursor (id, log_size) values (1, $1) on conflict (id) do update set log_size = excluded.log_size",
    [toSize],
  );
  return { ...result, campaigns: campaigns.size, orgs: orgs.size, volunteers: volunteers.size };
}

/** Forgets every view (after a reorg): the next refresh rebuilds them from the entries. */
export async function resetViews(tx: Queryable): Promise<void> {
  for (const table of ["campaigns", "allocations", "orgs", "org_totals", "volunteers", "views_cursor"]) {
    await tx.query(`delete from ${table}`);
  }
}

/** The keys whose views an entry changes. */
function touched(entry: Entry, campaigns: Set<bigint>, orgs: Set<bigint>, volunteers: Set<Hex>) {
  const r = entry.record;
  switch (r.type) {
    case "campaignOpened":
    case "campaignClosed":
      campaigns.add(r.campaignId);
      orgs.add(entry.actorOrg);
      break;
    case "donationRecorded":
      campaigns.add(r.campaignId);
      orgs.add(entry.actorOrg);
      if (r.donorKind === 1) orgs.add(BigInt(r.donor));
      break;
    case "disbursementRecorded":
    case "recordReversed":
      campaigns.add(r.campaignId);
      orgs.add(entry.actorOrg);
      if (r.payeeCampaignId !== 0n) campaigns.add(r.payeeCampaignId);
      break;
    case "orgAccredited":
    case "orgSuspended":
    case "orgReinstated":
    case "adminChanged":
      orgs.add(r.orgId);
      break;
    case "creditIssued":
    case "creditReversed":
    case "creditRedeemed":
    case "certificateIssued":
      volunteers.add(r.volunteer);
      break;
  }
}

async function streamEntries(tx: Queryable, streamId: Hex, toSize: bigint): Promise<Entry[]> {
  const rows = await tx.query<{ leaf: Uint8Array }>(
    `select e.leaf from entry_streams s join entries e on e.idx = s.idx
     where s.stream_id = $1 and s.idx < $2 order by s.idx`,
    [hexBytes(streamId), toSize],
  );
  return rows.map(({ leaf }) => decodeLeaf(leaf));
}

/** Recomputes one campaign; returns the organisations whose totals depend on it. */
async function refreshCampaign(tx: Queryable, campaignId: bigint, toSize: bigint): Promise<bigint[]> {
  const entries = await streamEntries(tx, campaignStream(campaignId), toSize);
  const related = new Set<bigint>();
  for (const { actorOrg, record } of entries) {
    if (record.type === "campaignOpened") related.add(actorOrg);
    if (record.type === "donationRecorded" && record.donorKind === 1) related.add(BigInt(record.donor));
  }
  const opened = entries.find((e) => e.record.type === "campaignOpened");
  await tx.query("delete from campaigns where campaign_id = $1", [campaignId]);
  await tx.query("delete from allocations where campaign_id = $1", [campaignId]);
  if (opened?.record.type !== "campaignOpened") return [...related];
  const o = opened.record;
  const closed = entries.find((e) => e.record.type === "campaignClosed");
  const b = campaignBalances(entries).find((x) => x.campaignId === campaignId);
  if (!b) return [...related];
  await tx.query(
    `insert into campaigns (campaign_id, org_id, currency, target, start_time, end_time, filing_number, description_hash,
       opened_idx, closed_idx, received, grants_in, spent_program, spent_administration, spent_fundraising, grants_out,
       reversed_donations, reversed_grants_in, reversed_disbursements, balance, entry_count)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)`,
    [
      campaignId,
      opened.actorOrg,
      o.currency,
      String(o.target),
      o.startTime,
      o.endTime,
      hexBytes(o.filingNumber),
      hexBytes(o.descriptionHash),
      opened.index,
      closed ? closed.index : null,
      String(b.received),
      String(b.grantsIn),
      String(b.spent.program),
      String(b.spent.administration),
      String(b.spent.fundraising),
      String(b.grantsOut),
      String(b.reversed.donations),
      String(b.reversed.grantsIn),
      String(b.reversed.disbursements),
      String(b.balance),
      BigInt(entries.length),
    ],
  );
  const allocations = allocateFunds(entries).filter((a) => a.campaignId === campaignId);
  for (let start = 0; start < allocations.length; start += 5_000) {
    const chunk = allocations.slice(start, start + 5_000);
    await tx.query(
      `insert into allocations (campaign_id, seq, source_idx, target_idx, target_kind, amount, restricted_misuse, reversed_by_idx)
       select $1, seq, s, t, k, a::numeric, m, r from unnest($2::int[], $3::bigint[], $4::bigint[], $5::text[], $6::text[], $7::boolean[], $8::bigint[])
         as x(seq, s, t, k, a, m, r)`,
      [
        campaignId,
        chunk.map((_, i) => start + i),
        chunk.map((a) => a.sourceIndex),
        chunk.map((a) => a.targetIndex),
        chunk.map((a) => a.targetKind),
        chunk.map((a) => String(a.amount)),
        chunk.map((a) => a.restrictedMisuse),
        chunk.map((a) => a.reversedByIndex),
      ],
    );
  }
  return [...related];
}

async function refreshOrg(tx: Queryable, orgId: bigint, toSize: bigint) {
  const entries = await streamEntries(tx, orgStream(orgId), toSize);
  await tx.query("delete from orgs where org_id = $1", [orgId]);
  await tx.query("delete from org_totals where org_id = $1", [orgId]);
  const accredited = entries.find((e) => e.record.type === "orgAccredited");
  if (accredited && accredited.record.type === "orgAccredited") {
    const a = accredited.record;
    let status = "active";
    let reason: number | null = null;
    let admin: Hex = a.admin;
    for (const { record } of entries) {
      if (record.type === "orgSuspended") [status, reason] = ["suspended", record.reason];
      if (record.type === "orgReinstated") [status, reason] = ["active", null];
      if (record.type === "adminChanged") admin = record.newAdmin;
    }
    await tx.query(
      `insert into orgs (org_id, kind, credit_code, check_overridden, name, admin, metadata_hash, status, suspension_reason, accredited_idx, last_idx)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        orgId,
        a.orgKind,
        a.creditCode,
        a.checkOverridden,
        a.name,
        hexBytes(admin),
        hexBytes(a.metadataHash),
        status,
        reason,
        accredited.index,
        entries.at(-1)?.index ?? accredited.index,
      ],
    );
  }
  // Received and spent: its campaigns, net of reversals. Given: what it paid out as grants, and its
  // donations to others as an organisation donor (from its stream), net of their reversals.
  await tx.query(
    `insert into org_totals (org_id, currency, given, received, spent)
     select $1, currency, sum(grants_out), sum(received + grants_in - reversed_donations - reversed_grants_in),
            sum(spent_program + spent_administration + spent_fundraising - reversed_disbursements)
     from campaigns where org_id = $1 group by currency`,
    [orgId],
  );
  const given = new Map<string, bigint>();
  for (const e of entries) {
    const r = e.record;
    if (r.type !== "donationRecorded" || r.donorKind !== 1 || BigInt(r.donor) !== orgId) continue;
    const reversed = await tx.query<{ n: bigint }>(
      "select count(*) as n from entries where kind = 35 and (record->>'targetIndex') = $1 and idx < $2",
      [String(e.index), toSize],
    );
    if ((reversed[0]?.n ?? 0n) > 0n) continue;
    given.set(r.currency, (given.get(r.currency) ?? 0n) + r.amount);
  }
  for (const [currency, amount] of given) {
    await tx.query(
      `insert into org_totals (org_id, currency, given, received, spent) values ($1, $2, $3::numeric, 0, 0)
       on conflict (org_id, currency) do update set given = org_totals.given + excluded.given`,
      [orgId, currency, String(amount)],
    );
  }
}

async function refreshVolunteer(tx: Queryable, volunteer: Hex, toSize: bigint) {
  const entries = await streamEntries(tx, volunteerStream(volunteer), toSize);
  await tx.query("delete from volunteers where volunteer = $1", [hexBytes(volunteer)]);
  let minutes = 0n;
  let issued = 0n;
  let reversedPoints = 0n;
  let redeemed = 0n;
  let credits = 0n;
  let redemptions = 0n;
  let certificates = 0n;
  for (const { record } of entries) {
    if (record.type === "creditIssued") {
      minutes += BigInt(record.minutes);
      issued += record.points;
      credits += 1n;
    } else if (record.type === "creditReversed") {
      minutes -= BigInt(record.minutes);
      reversedPoints += record.points;
    } else if (record.type === "creditRedeemed") {
      redeemed += record.points;
      redemptions += 1n;
    } else if (record.type === "certificateIssued") {
      certificates += 1n;
    }
  }
  const last = entries.at(-1);
  if (!last) return;
  await tx.query(
    `insert into volunteers (volunteer, minutes, points_issued, points_reversed, points_redeemed, points, credits, redemptions, certificates, last_idx)
     values ($1, $2, $3::numeric, $4::numeric, $5::numeric, $6::numeric, $7, $8, $9, $10)`,
    [
      hexBytes(volunteer),
      minutes,
      String(issued),
      String(reversedPoints),
      String(redeemed),
      String(issued - reversedPoints - redeemed),
      credits,
      redemptions,
      certificates,
      last.index,
    ],
  );
}

const hexBytes = (hex: Hex): Uint8Array => hexToBytes(hex);
