/**
 * Brings the derived views (campaigns, allocations, organisations, organisation totals, volunteers)
 * up to date with the stored entries. It finds the campaigns, organisations and volunteers that the
 * entries since the last refresh touch, and recomputes each of them from its own stream — the
 * campaign stream holds every entry that moves a campaign's money, grants in both directions
 * included — with the pure functions of this folder. Whatever the refresh points, the rows come
 * out the same as a rebuild from scratch, which the tests check with a digest.
 *
 * The database does the sifting: the touched keys come from the stored records (a backfill of a
 * million entries yields a few thousand distinct keys, not a million leaves to decode), and an
 * organisation reads only the entries of its stream that its rows depend on. After a backfill into
 * an empty store, the indexer hands over the campaigns folded from the entries as it read them
 * (foldViews.ts): their rows are written from the fold, and only organisations and volunteers are
 * read back. At the head, a campaign whose state the indexer kept from its last refresh
 * (campaignStates.ts) is taken on from it with its new entries alone, whatever they are.
 */
import { campaignStream, decodeLeaf, type Entry, entryKind, orgStream, volunteerStream } from "@shanji/core";
import { type Hex, hexToBytes } from "viem";
import { recordFromJson } from "../store/recordJson.ts";
import type { Queryable } from "../store/types.ts";
import {
  type CampaignEntry,
  createCampaignTally,
  insertAllocations,
  tallyCampaignEntry,
  writeCampaign,
  writeCampaignRow,
} from "./_campaignRow.ts";
import { createAllocator } from "./allocateFunds.ts";
import { createCampaignBalances } from "./campaignBalances.ts";
import type { CampaignState, CampaignStates } from "./campaignStates.ts";
import type { FoldedViews } from "./foldViews.ts";

export type RefreshViewsParameters = {
  toSize: bigint;
  /** Entries of a campaign's stream read per query (CAMPAIGN_PAGE unless set; tests set less). */
  campaignPage?: number;
  /**
   * The campaigns' views folded from the entries 0 … toSize − 1 as they were ingested (foldViews.ts):
   * written as they are instead of read back, when the views are empty. Ignored otherwise.
   */
  folded?: FoldedViews | undefined;
  /**
   * Settles once streams can be read by their key (the key of entry_streams, set aside during a
   * backfill, being built): awaited before the first stream is read. Its failure fails the refresh.
   */
  streamsReady?: Promise<void> | undefined;
  /**
   * The campaigns' states the indexer keeps between refreshes (campaignStates.ts): a campaign whose
   * state covers the views' cursor is brought up to date from its new entries, whatever they are.
   * The caller commits them once this refresh's transaction has, or clears them if it fails.
   */
  states?: CampaignStates | undefined;
};
export type RefreshViewsReturnType = {
  campaigns: number;
  /** Of `campaigns`, those brought up to date by the sums of their new donations (advanceCampaign). */
  advanced: number;
  /** Of `campaigns`, those brought up to date from their state and their new entries (resumeCampaign). */
  resumed: number;
  orgs: number;
  volunteers: number;
  /** Of `volunteers`, those whose row was advanced by the sums of their new entries (advanceVolunteer). */
  volunteersAdvanced: number;
  entries: bigint;
  /** Whether the campaigns were written from a fold (`folded`) rather than read back from the store. */
  folded: boolean;
};

export async function refreshViews(
  tx: Queryable,
  { toSize, campaignPage = CAMPAIGN_PAGE, folded, streamsReady, states }: RefreshViewsParameters,
) {
  // A page of no entries would end every campaign's stream at once, and its views with it.
  if (!Number.isSafeInteger(campaignPage) || campaignPage < 1) {
    throw new RangeError(`refreshViews: campaignPage must be a positive integer, got ${campaignPage}`);
  }
  const rows = await tx.query<{ log_size: bigint }>("select log_size from views_cursor where id = 1");
  const from = rows[0]?.log_size ?? 0n;
  const result: RefreshViewsReturnType = {
    campaigns: 0,
    advanced: 0,
    resumed: 0,
    orgs: 0,
    volunteers: 0,
    volunteersAdvanced: 0,
    entries: toSize - from,
    folded: false,
  };
  if (from >= toSize) return result;
  states?.begin(from, toSize);

  if (folded !== undefined && from === 0n && folded.size === toSize) {
    const orgs = new Set(folded.orgs);
    for (const [campaignId, { tally, balance, allocations }] of folded.campaigns) {
      await writeCampaign(tx, campaignId, tally, balance, allocations);
      for (const orgId of tally.related) orgs.add(orgId);
    }
    await streamsReady;
    return await finishRefresh(
      tx,
      from,
      toSize,
      { ...result, campaigns: folded.campaigns.size, folded: true },
      orgs,
      folded.volunteers,
    );
  }

  const campaigns = new Set<bigint>();
  const orgs = new Set<bigint>();
  const volunteers = new Set<Hex>();
  // Each field is read only from the kinds whose key it is (what `touched` reads): a lookup in a
  // record costs, and a backfill's refresh goes through every entry.
  const kinds = (list: readonly number[]) => `kind in (${list.join(", ")})`;
  const keys = await tx.query<TouchedRow>(
    `select distinct kind, actor_org,
            case when ${kinds([...CAMPAIGN_KINDS, ...STREAM_ONLY_KINDS])} then record->>'campaignId' end as campaign_id,
            case when ${kinds(OUTFLOW_KINDS)} then record->>'payeeCampaignId' end as payee_campaign_id,
            case when ${kinds(LIFECYCLE)} then record->>'orgId' end as org_id,
            case when ${kinds(VOLUNTEER_KINDS)} then record->>'volunteer' end as volunteer,
            case when kind = ${entryKind.donationRecorded} and record->>'donorKind' = '1' then record->>'donor' end as org_donor
     from entries where idx >= $1 and idx < $2`,
    [from, toSize],
  );
  for (const row of keys) touched(row, campaigns, orgs, volunteers);
  await streamsReady;
  for (const orgId of await orgsWithNewEntries(tx, from, toSize)) orgs.add(orgId);

  // A campaign's organisation and its organisation donors have totals that follow the campaign.
  let advanced = 0;
  let resumed = 0;
  for (const campaignId of campaigns) {
    const state = states?.take(campaignId);
    let related: bigint[] | undefined;
    if (state !== undefined) {
      related = await resumeCampaign(tx, campaignId, state, from, toSize, campaignPage, states);
      resumed += 1;
    } else {
      related = await advanceCampaign(tx, campaignId, from, toSize, campaignPage);
      if (related === undefined) related = await refreshCampaign(tx, campaignId, toSize, campaignPage, states);
      else advanced += 1;
    }
    for (const orgId of related) orgs.add(orgId);
  }
  return await finishRefresh(
    tx,
    from,
    toSize,
    { ...result, campaigns: campaigns.size, advanced, resumed },
    orgs,
    volunteers,
  );
}

/** Refreshes the organisations and volunteers touched, and moves the views' cursor to `toSize`. */
async function finishRefresh(
  tx: Queryable,
  from: bigint,
  toSize: bigint,
  result: RefreshViewsReturnType,
  orgs: ReadonlySet<bigint>,
  volunteers: ReadonlySet<Hex>,
): Promise<RefreshViewsReturnType> {
  for (const orgId of orgs) await refreshOrg(tx, orgId, toSize);
  let volunteersAdvanced = 0;
  for (const volunteer of volunteers) {
    if (await advanceVolunteer(tx, volunteer, from, toSize)) volunteersAdvanced += 1;
    else await refreshVolunteer(tx, volunteer, toSize);
  }
  await tx.query(
    "insert into views_cursor (id, log_size) values (1, $1) on conflict (id) do update set log_size = excluded.log_size",
    [toSize],
  );
  return { ...result, orgs: orgs.size, volunteers: volunteers.size, volunteersAdvanced };
}

/**
 * The stored organisations whose stream gained entries from `from` on. An organisation's row ends
 * at its stream's last entry, which entries that name it in no field `touched` reads move too:
 * credit it issues, an attestation about it, a redemption at it, goods handed to it.
 */
async function orgsWithNewEntries(tx: Queryable, from: bigint, toSize: bigint): Promise<bigint[]> {
  const stored = await tx.query<{ org_id: bigint }>("select org_id from orgs");
  if (stored.length === 0) return [];
  const ids = stored.map(({ org_id }) => org_id);
  const streams = Buffer.concat(ids.map(orgStreamBytes));
  const rows = await tx.query<{ n: number }>(
    `select n from generate_series(1, $2::integer) as n
     where exists (select 1 from entry_streams
                   where stream_id = substring($1::bytea from n * 32 - 31 for 32) and idx >= $3 and idx < $4)`,
    [streams, ids.length, from, toSize],
  );
  return rows.map(({ n }) => ids[Number(n) - 1] as bigint);
}

/**
 * An organisation's stream id as bytes. Remembered: every refresh at the head asks for every stored
 * organisation's (orgsWithNewEntries), and each is a keccak-256; organisations are few.
 */
const orgStreams = new Map<bigint, Uint8Array>();
function orgStreamBytes(orgId: bigint): Uint8Array {
  let id = orgStreams.get(orgId);
  if (id === undefined) {
    id = hexToBytes(orgStream(orgId));
    orgStreams.set(orgId, id);
  }
  return id;
}

/** Forgets every view (after a reorg): the next refresh rebuilds them from the entries. */
export async function resetViews(tx: Queryable): Promise<void> {
  for (const table of ["campaigns", "allocations", "orgs", "org_totals", "volunteers", "views_cursor"]) {
    await tx.query(`delete from ${table}`);
  }
}

/**
 * What `touched` reads of an entry: its kind, its organisation and the record fields that name keys
 * (ids as the store's text, or as a decoded record's bigints).
 */
export type TouchedRow = {
  kind: number;
  actor_org: bigint;
  campaign_id: string | bigint | null;
  payee_campaign_id: string | bigint | null;
  org_id: string | bigint | null;
  volunteer: Hex | null;
  /** The donor of a donation by an organisation (donorKind 1): the organisation's id as bytes32. */
  org_donor: Hex | null;
};

/** Kinds that name a campaign, and of those the outflows, which may name a payee campaign too. */
const OUTFLOW_KINDS: readonly number[] = [entryKind.disbursementRecorded, entryKind.recordReversed];
const CAMPAIGN_KINDS: readonly number[] = [
  entryKind.campaignOpened,
  entryKind.campaignClosed,
  entryKind.donationRecorded,
  ...OUTFLOW_KINDS,
];
/**
 * Kinds that join a campaign's stream (when they name one) without moving its money: they count in
 * its `entry_count` and nothing else.
 */
const STREAM_ONLY_TYPES = ["disclosurePublished", "attestationRecorded"] as const;
const STREAM_ONLY_KINDS: readonly number[] = STREAM_ONLY_TYPES.map((type) => entryKind[type]);
/** The entry kinds of an organisation's stream that its `orgs` row follows. */
const LIFECYCLE: readonly number[] = [
  entryKind.orgAccredited,
  entryKind.orgSuspended,
  entryKind.orgReinstated,
  entryKind.adminChanged,
];
/**
 * Kinds that name a volunteer: those its stream holds. A consent key counts in no total, but its
 * entry is the volunteer's latest (its row's last_idx), or its first (a row of zeros).
 */
const VOLUNTEER_KINDS: readonly number[] = [
  entryKind.creditIssued,
  entryKind.creditReversed,
  entryKind.creditRedeemed,
  entryKind.certificateIssued,
  entryKind.consentKeySet,
];

/** The keys whose views an entry changes. */
export function touched(entry: TouchedRow, campaigns: Set<bigint>, orgs: Set<bigint>, volunteers: Set<Hex>) {
  const key = (value: string | bigint | null) => (typeof value === "bigint" ? value : BigInt(value ?? ""));
  if (CAMPAIGN_KINDS.includes(entry.kind)) {
    campaigns.add(key(entry.campaign_id));
    orgs.add(entry.actor_org);
    if (entry.org_donor !== null) orgs.add(BigInt(entry.org_donor));
    if (OUTFLOW_KINDS.includes(entry.kind)) {
      const payee = key(entry.payee_campaign_id);
      if (payee !== 0n) campaigns.add(payee);
    }
  } else if (STREAM_ONLY_KINDS.includes(entry.kind)) {
    const campaignId = key(entry.campaign_id);
    if (campaignId !== 0n) campaigns.add(campaignId);
  } else if (LIFECYCLE.includes(entry.kind)) {
    orgs.add(key(entry.org_id));
  } else if (VOLUNTEER_KINDS.includes(entry.kind) && entry.volunteer !== null) {
    volunteers.add(entry.volunteer);
  }
}

/** The entries fromSize…toSize−1 of a stream, decoded. */
async function streamEntries(tx: Queryable, streamId: Hex, fromSize: bigint, toSize: bigint): Promise<Entry[]> {
  const rows = await tx.query<{ leaf: Uint8Array }>(
    `select e.leaf from entry_streams s join entries e on e.idx = s.idx
     where s.stream_id = $1 and s.idx >= $2 and s.idx < $3 order by s.idx`,
    [hexToBytes(streamId), fromSize, toSize],
  );
  return rows.map(({ leaf }) => decodeLeaf(leaf));
}

/** Kinds whose stored record recordFromJson reads back; other kinds' leaves are decoded. */
const MONEY_KINDS = [
  entryKind.campaignOpened,
  entryKind.campaignClosed,
  entryKind.donationRecorded,
  entryKind.disbursementRecorded,
  entryKind.recordReversed,
];

/** Entries of a campaign's stream per query: what is held at once, however long the stream. */
const CAMPAIGN_PAGE = 5_000;

/**
 * The entries fromSize…toSize−1 of a campaign's stream, a page at a time, mostly from the stored
 * records: thousands of entries, each parsed rather than decoded, and dropped once the page is used
 * (the views keep lots, not entries).
 */
async function* campaignPages(
  tx: Queryable,
  campaignId: bigint,
  fromSize: bigint,
  toSize: bigint,
  pageSize: number,
): AsyncGenerator<CampaignEntry[]> {
  const stream = hexToBytes(campaignStream(campaignId));
  // The page's entries are looked up one by one (a lateral join), whatever the planner would guess
  // of a join: a merge join read every entry between the page's first and last, the other streams'
  // too, and right after a backfill (no statistics yet) worse plans came up.
  const read = (after: bigint) => {
    const rows = tx.query<{ idx: bigint; actor_org: bigint; record: unknown; leaf: Uint8Array | null }>(
      `select e.idx, e.actor_org, e.record, e.leaf
       from (select idx from entry_streams where stream_id = $1 and idx > $2 and idx < $3 order by idx limit $4) s
       cross join lateral (
         select e.idx, e.actor_org, e.record,
                case when e.kind in (${MONEY_KINDS.join(", ")}) then null else e.leaf end as leaf
         from entries e where e.idx = s.idx
       ) e
       order by s.idx`,
      [stream, after, toSize, pageSize],
    );
    // Its failure, if any, is reported where it is awaited (not at all if the caller stopped reading).
    rows.catch(() => {});
    return rows;
  };
  let next = read(fromSize - 1n);
  for (;;) {
    const rows = await next;
    const last = rows.at(-1);
    const more = last !== undefined && rows.length === pageSize;
    // The database reads the next page while this one is used.
    if (more) next = read(last.idx);
    yield rows.map(({ idx, actor_org, record, leaf }) => {
      const stored = leaf === null ? recordFromJson(record) : undefined;
      return stored ? { index: idx, actorOrg: actor_org, record: stored } : decodeLeaf(leaf ?? new Uint8Array());
    });
    if (!more) return;
  }
}

/**
 * The common case at the head, where donations keep coming: since the last refresh (`from`), the
 * campaign's stream gained only donations to it (and perhaps disclosures and attestations, which
 * only count). New lots pay for nothing yet, so its allocations
 * stay as they are, and its row grows by plain sums: the work is that of the new entries, not of
 * the campaign's whole stream, however long it is. Returns the organisations whose totals depend
 * on what changed (the campaign's own, and any organisation among the new donors), or undefined
 * when the new entries are anything else: then refreshCampaign reads the whole stream again.
 */
async function advanceCampaign(
  tx: Queryable,
  campaignId: bigint,
  from: bigint,
  toSize: bigint,
  pageSize: number,
): Promise<bigint[] | undefined> {
  const [row] = await tx.query<{ org_id: bigint; currency: string }>(
    "select org_id, currency from campaigns where campaign_id = $1",
    [campaignId],
  );
  if (row === undefined) return undefined;
  const related = new Set([row.org_id]);
  let received = 0n;
  let count = 0n;
  // A page at a time, as after a restart the new entries may be many; the first that is not a
  // donation to this campaign ends it.
  for await (const page of campaignPages(tx, campaignId, from, toSize, pageSize)) {
    for (const { record: r } of page) {
      count += 1n;
      if ((STREAM_ONLY_TYPES as readonly string[]).includes(r.type)) continue;
      // Another currency is the full refresh's to report (allocateFunds refuses it).
      if (r.type !== "donationRecorded" || r.campaignId !== campaignId || r.currency !== row.currency) return undefined;
      received += r.amount;
      if (r.donorKind === 1) related.add(BigInt(r.donor));
    }
  }
  if (count === 0n) return undefined;
  await tx.query(
    `update campaigns set received = received + $2::numeric, balance = balance + $2::numeric,
       entry_count = entry_count + $3
     where campaign_id = $1`,
    [campaignId, String(received), count],
  );
  return [...related];
}

/**
 * Recomputes one campaign from its whole stream, and stages what it computed in `states`, if given;
 * returns the organisations whose totals depend on it.
 */
async function refreshCampaign(
  tx: Queryable,
  campaignId: bigint,
  toSize: bigint,
  pageSize: number,
  states: CampaignStates | undefined,
): Promise<bigint[]> {
  const state: CampaignState = {
    tally: createCampaignTally(),
    balances: createCampaignBalances(),
    allocator: createAllocator(),
    allocations: 0,
  };
  await foldCampaignEntries(tx, campaignId, state, 0n, toSize, pageSize);
  const balance = state.balances.finish().find((x) => x.campaignId === campaignId);
  const allocations = state.allocator.finish().filter((a) => a.campaignId === campaignId);
  state.allocations = allocations.length;
  if (await writeCampaign(tx, campaignId, state.tally, balance, allocations)) states?.stage(campaignId, state);
  return [...state.tally.related];
}

/**
 * Brings a campaign up to date from the state the last refresh left (campaignStates.ts) and its new
 * entries, `from` on: its row is replaced, and the allocations made since are stored after its
 * earlier ones — all of them written again if a reversal came, which may change earlier ones.
 */
async function resumeCampaign(
  tx: Queryable,
  campaignId: bigint,
  state: CampaignState,
  from: bigint,
  toSize: bigint,
  pageSize: number,
  states: CampaignStates | undefined,
): Promise<bigint[]> {
  const mark = state.allocator.mark();
  const reversal = await foldCampaignEntries(tx, campaignId, state, from, toSize, pageSize);
  const balance = state.balances.finish().find((x) => x.campaignId === campaignId);
  let stored: boolean;
  if (reversal) {
    const allocations = state.allocator.finish().filter((a) => a.campaignId === campaignId);
    state.allocations = allocations.length;
    stored = await writeCampaign(tx, campaignId, state.tally, balance, allocations);
  } else {
    const added = state.allocator.finishSince(mark).filter((a) => a.campaignId === campaignId);
    stored = await writeCampaignRow(tx, campaignId, state.tally, balance);
    if (stored) await insertAllocations(tx, campaignId, added, state.allocations);
    state.allocations += added.length;
  }
  if (stored) states?.stage(campaignId, state);
  return [...state.tally.related];
}

/** Folds the campaign's entries fromSize…toSize−1 into `state`; returns whether a reversal was among them. */
async function foldCampaignEntries(
  tx: Queryable,
  campaignId: bigint,
  state: CampaignState,
  fromSize: bigint,
  toSize: bigint,
  pageSize: number,
): Promise<boolean> {
  let reversal = false;
  for await (const page of campaignPages(tx, campaignId, fromSize, toSize, pageSize)) {
    for (const entry of page) {
      tallyCampaignEntry(state.tally, entry);
      state.balances.add(entry.record);
      state.allocator.add(entry);
      if (entry.record.type === "recordReversed") reversal = true;
    }
  }
  return reversal;
}

async function refreshOrg(tx: Queryable, orgId: bigint, toSize: bigint) {
  const stream = orgStreamBytes(orgId);
  // Of the organisation's stream (every record it writes), only its lifecycle and its donations as
  // an organisation donor count here: the database leaves out the rest, however long the stream.
  const entries = (
    await tx.query<{ leaf: Uint8Array }>(
      `select e.leaf from entry_streams s join entries e on e.idx = s.idx
       where s.stream_id = $1 and s.idx < $2
         and (e.kind in (${LIFECYCLE.join(", ")})
              or (e.kind = ${entryKind.donationRecorded} and e.record->>'donorKind' = '1'))
       order by s.idx`,
      [stream, toSize],
    )
  ).map(({ leaf }) => decodeLeaf(leaf));
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
    const [last] = await tx.query<{ idx: bigint | null }>(
      "select max(idx) as idx from entry_streams where stream_id = $1 and idx < $2",
      [stream, toSize],
    );
    await tx.query(
      `insert into orgs (org_id, kind, credit_code, check_overridden, name, admin, metadata_hash, status, suspension_reason, accredited_idx, last_idx)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        orgId,
        a.orgKind,
        a.creditCode,
        a.checkOverridden,
        a.name,
        hexToBytes(admin),
        hexToBytes(a.metadataHash),
        status,
        reason,
        accredited.index,
        last?.idx ?? accredited.index,
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
  const donations = entries.filter(
    (e) => e.record.type === "donationRecorded" && e.record.donorKind === 1 && BigInt(e.record.donor) === orgId,
  );
  if (donations.length === 0) return;
  const reversed = new Set(
    (
      await tx.query<{ target: string }>(
        `select distinct record->>'targetIndex' as target from entries
         where kind = ${entryKind.recordReversed} and idx < $2 and (record->>'targetIndex') = any($1::text[])`,
        [donations.map((e) => String(e.index)), toSize],
      )
    ).map((row) => row.target),
  );
  const given = new Map<string, bigint>();
  for (const { index, record: r } of donations) {
    if (r.type !== "donationRecorded" || reversed.has(String(index))) continue;
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

type VolunteerTotals = {
  minutes: bigint;
  issued: bigint;
  reversed: bigint;
  redeemed: bigint;
  credits: bigint;
  redemptions: bigint;
  certificates: bigint;
};

/** Adds to `t` a volunteer's totals over some entries of its stream: plain sums, so a stream's parts add up. */
function addVolunteerEntries(t: VolunteerTotals, entries: readonly Entry[]): VolunteerTotals {
  for (const { record } of entries) {
    if (record.type === "creditIssued") {
      t.minutes += BigInt(record.minutes);
      t.issued += record.points;
      t.credits += 1n;
    } else if (record.type === "creditReversed") {
      t.minutes -= BigInt(record.minutes);
      t.reversed += record.points;
    } else if (record.type === "creditRedeemed") {
      t.redeemed += record.points;
      t.redemptions += 1n;
    } else if (record.type === "certificateIssued") {
      t.certificates += 1n;
    }
  }
  return t;
}

/**
 * A volunteer that has a row already, advanced by its new entries (`from` on): its totals are sums,
 * so the work is that of the new entries, not of its whole stream, which a courier earning credit
 * for every delivery makes long. Returns false when it has no row yet: refreshVolunteer reads it.
 */
async function advanceVolunteer(tx: Queryable, volunteer: Hex, from: bigint, toSize: bigint): Promise<boolean> {
  const [row] = await tx.query<{ [K in keyof VolunteerTotals]: bigint | string }>(
    `select minutes, points_issued as issued, points_reversed as reversed, points_redeemed as redeemed, credits,
            redemptions, certificates
     from volunteers where volunteer = $1`,
    [hexToBytes(volunteer)],
  );
  if (row === undefined) return false;
  const entries = await streamEntries(tx, volunteerStream(volunteer), from, toSize);
  const last = entries.at(-1);
  if (last === undefined) return true;
  const stored = Object.fromEntries(Object.entries(row).map(([k, v]) => [k, BigInt(v)])) as VolunteerTotals;
  await writeVolunteer(tx, volunteer, addVolunteerEntries(stored, entries), last.index);
  return true;
}

async function refreshVolunteer(tx: Queryable, volunteer: Hex, toSize: bigint) {
  const entries = await streamEntries(tx, volunteerStream(volunteer), 0n, toSize);
  const last = entries.at(-1);
  const zero: VolunteerTotals = {
    minutes: 0n,
    issued: 0n,
    reversed: 0n,
    redeemed: 0n,
    credits: 0n,
    redemptions: 0n,
    certificates: 0n,
  };
  if (last === undefined) await tx.query("delete from volunteers where volunteer = $1", [hexToBytes(volunteer)]);
  else await writeVolunteer(tx, volunteer, addVolunteerEntries(zero, entries), last.index);
}

/** Replaces the volunteer's row. */
async function writeVolunteer(tx: Queryable, volunteer: Hex, t: VolunteerTotals, lastIdx: bigint): Promise<void> {
  await tx.query("delete from volunteers where volunteer = $1", [hexToBytes(volunteer)]);
  await tx.query(
    `insert into volunteers (volunteer, minutes, points_issued, points_reversed, points_redeemed, points, credits, redemptions, certificates, last_idx)
     values ($1, $2, $3::numeric, $4::numeric, $5::numeric, $6::numeric, $7, $8, $9, $10)`,
    [
      hexToBytes(volunteer),
      t.minutes,
      String(t.issued),
      String(t.reversed),
      String(t.redeemed),
      String(t.issued - t.reversed - t.redeemed),
      t.credits,
      t.redemptions,
      t.certificates,
      lastIdx,
    ],
  );
}
