/**
 * What a regulator's dashboard flags, computed from the indexed ledger on request:
 *
 * - selfCheckFailed: a batch the indexer refused because it did not add up to the chain's root()
 *   (self_check_failures). Names no organisation.
 * - disclosureOverdue: a campaign's progress or final report missing after its due date
 *   ("overdue"), or published after it ("late"), under the 3-month rule (disclosureSchedule.ts),
 *   judged at the chain's time.
 * - managementCostRatio: an organisation's administration spending in a calendar year above its
 *   policy's share of that year's total spending (options.ts, spending.ts).
 * - programWithoutEvidence: program spending (grants included) whose evidence files the evidence
 *   store does not hold: the chain has the hashes (the contract requires at least one), but nobody
 *   can see the invoice. "none" when no file is there, "partial" when some are.
 * - largeDonation: a donation at or above the configured threshold of its currency.
 *
 * Alerts are listed kind by kind in that order, and within a kind by a key that never changes
 * (failure id; campaign and due date; organisation, year and currency; entry index), so a cursor
 * stays valid while the ledger grows. Reversed records are not alerted (a reversed large donation
 * still is, with its reversal: the money did arrive).
 */
import type { Queryable } from "@shanji/indexer";
import { bytesToHex, type Hex } from "viem";
import { campaignEnd, loadCampaigns } from "./campaigns.ts";
import { disclosureSchedule } from "./disclosureSchedule.ts";
import type { DomainRules } from "./options.ts";
import { reversalsOf } from "./reversals.ts";
import { evidenceLink, reversalJson } from "./schemas.ts";
import { administrationEntries, managementCost, spendingByYear } from "./spending.ts";
import { isoTime, yearRange } from "./time.ts";

export const ALERT_KINDS = [
  "selfCheckFailed",
  "disclosureOverdue",
  "managementCostRatio",
  "programWithoutEvidence",
  "largeDonation",
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

type Base = {
  id: string;
  orgId: string | null;
  campaignId: string | null;
  at: string;
  entries: string[];
  detail: string;
};

export type Alert =
  | (Base & {
      kind: "selfCheckFailed";
      fromBlock: string;
      toBlock: string;
      expectedRoot: string;
      computedRoot: string;
      message: string;
    })
  | (Base & {
      kind: "disclosureOverdue";
      obligation: "progress" | "final";
      status: "overdue" | "late";
      dueAt: string;
      disclosedAt: string | null;
    })
  | (Base & { kind: "managementCostRatio"; year: number; currency: string } & ReturnType<typeof managementCost>)
  | (Base & {
      kind: "programWithoutEvidence";
      amount: string;
      currency: string;
      status: "none" | "partial";
      evidence: { sha256: string; url: string; available: boolean }[];
    })
  | (Base & {
      kind: "largeDonation";
      amount: string;
      currency: string;
      threshold: string;
      donorKind: "receipt" | "organisation";
      reversedBy: ReturnType<typeof reversalJson>;
    });

export type Keyed = { key: string; alert: Alert };

export type AlertQuery = {
  store: Queryable;
  rules: DomainRules;
  logSize: bigint;
  /** The chain's time at the indexed head (unix seconds). */
  now: number;
  orgId: bigint | undefined;
  /** Alerts of this kind after this key. */
  after: string | undefined;
  limit: number;
};

/**
 * A kind's alerts after `after`, sorted by key, at most `limit`. A kind that scans records may stop
 * early (`resumeAfter`: the last key it examined) to keep one request bounded.
 */
export type AlertSource = (q: AlertQuery) => Promise<{ items: Keyed[]; resumeAfter?: string }>;

const pad = (n: bigint | number) => String(n).padStart(20, "0");
const firstLine = (text: string) => (text.split("\n")[0] ?? "").slice(0, 500);

/** Records a kind that scans looks at per request, at most. */
export const SCAN_BUDGET = 5_000;

const selfCheckFailed: AlertSource = async ({ store, orgId, after, limit }) => {
  if (orgId !== undefined) return { items: [] };
  const rows = await store.query<{
    id: bigint;
    at: Date;
    from_block: bigint;
    to_block: bigint;
    expected_root: Uint8Array;
    computed_root: Uint8Array;
    message: string;
  }>(
    `select id, at, from_block, to_block, expected_root, computed_root, message from self_check_failures
     where id > $1 order by id limit $2`,
    [after === undefined ? 0n : BigInt(after), limit],
  );
  return {
    items: rows.map((r) => ({
      key: pad(r.id),
      alert: {
        kind: "selfCheckFailed",
        id: `selfCheckFailed:${r.id}`,
        orgId: null,
        campaignId: null,
        at: r.at.toISOString().replace(/\.\d{3}Z$/, "Z"),
        entries: [],
        detail: `The indexer refused blocks ${r.from_block}–${r.to_block}: they did not rebuild the chain's root.`,
        fromBlock: r.from_block.toString(),
        toBlock: r.to_block.toString(),
        expectedRoot: bytesToHex(r.expected_root),
        computedRoot: bytesToHex(r.computed_root),
        message: firstLine(r.message),
      },
    })),
  };
};

const disclosureOverdue: AlertSource = async ({ store, orgId, after, limit, logSize, now }) => {
  const campaigns = await loadCampaigns(store, orgId === undefined ? {} : { orgId });
  const rows = await store.query<{ idx: bigint; ts: bigint; campaign_id: string; kind: number }>(
    `select idx, ts, record->>'campaignId' as campaign_id, (record->>'disclosureKind')::int as kind from entries
     where kind = 32 and idx < $1 and record->>'campaignId' <> '0' order by idx`,
    [logSize],
  );
  const byCampaign = new Map<string, { index: bigint; time: number; kind: number }[]>();
  for (const r of rows) {
    byCampaign.set(r.campaign_id, [
      ...(byCampaign.get(r.campaign_id) ?? []),
      { index: r.idx, time: Number(r.ts), kind: r.kind },
    ]);
  }
  const items: Keyed[] = [];
  for (const c of campaigns) {
    const obligations = disclosureSchedule({
      start: Number(c.start_time),
      end: campaignEnd(c),
      disclosures: byCampaign.get(c.campaign_id.toString()) ?? [],
      now,
    });
    for (const o of obligations) {
      if (o.status !== "overdue" && o.status !== "late") continue;
      const key = `${pad(c.campaign_id)}:${pad(o.dueAt)}:${o.obligation}`;
      if (after !== undefined && key <= after) continue;
      const what = o.obligation === "final" ? "final report" : "progress report";
      items.push({
        key,
        alert: {
          kind: "disclosureOverdue",
          id: `disclosureOverdue:${c.campaign_id}:${o.obligation}:${o.dueAt}`,
          orgId: c.org_id.toString(),
          campaignId: c.campaign_id.toString(),
          at: isoTime(o.dueAt),
          entries: [c.opened_idx, ...(o.disclosureIndex === null ? [] : [o.disclosureIndex])].map(String),
          detail:
            o.status === "overdue"
              ? `Campaign ${c.campaign_id}: the ${what} due ${isoTime(o.dueAt)} has not been published.`
              : `Campaign ${c.campaign_id}: the ${what} due ${isoTime(o.dueAt)} was published late, ${isoTime(o.disclosedAt ?? 0)}.`,
          obligation: o.obligation,
          status: o.status,
          dueAt: isoTime(o.dueAt),
          disclosedAt: o.disclosedAt === null ? null : isoTime(o.disclosedAt),
        },
      });
    }
  }
  items.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { items: items.slice(0, limit) };
};

const managementCostRatio: AlertSource = async ({ store, rules, orgId, after, limit, logSize }) => {
  const years = await spendingByYear(store, { ...(orgId === undefined ? {} : { orgId }), logSize });
  const orgs = await store.query<{ org_id: bigint; kind: number; credit_code: string }>(
    "select org_id, kind, credit_code from orgs where org_id = any($1::bigint[])",
    [[...new Set(years.map((y) => y.orgId.toString()))]],
  );
  const orgById = new Map(orgs.map((o) => [o.org_id, o]));
  const breaches: { key: string; year: (typeof years)[number]; cost: ReturnType<typeof managementCost> }[] = [];
  for (const y of years) {
    const org = orgById.get(y.orgId);
    const policy = rules.policyFor({ orgId: y.orgId, kind: org?.kind ?? 0, creditCode: org?.credit_code ?? "" });
    const cost = managementCost(y.spending, policy, y.currency);
    const key = `${pad(y.orgId)}:${y.year}:${y.currency}`;
    if (cost.exceedsLimit && (after === undefined || key > after)) breaches.push({ key, year: y, cost });
  }
  breaches.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const items: Keyed[] = [];
  for (const { key, year: y, cost } of breaches.slice(0, limit)) {
    const named = await administrationEntries(store, {
      orgId: y.orgId,
      year: y.year,
      currency: y.currency,
      logSize,
      limit: 100,
    });
    items.push({
      key,
      alert: {
        kind: "managementCostRatio",
        id: `managementCostRatio:${y.orgId}:${y.year}:${y.currency}`,
        orgId: y.orgId.toString(),
        campaignId: null,
        at: isoTime(named.lastTime ?? BigInt(yearRange(y.year)[0])),
        entries: named.indexes.map(String),
        detail: `Organisation ${y.orgId}, ${y.year}: administration is ${cost.ratio} of ${y.currency} spending, above its limit of ${cost.limit}.`,
        year: y.year,
        currency: y.currency,
        ...cost,
      },
    });
  }
  return { items };
};

const programWithoutEvidence: AlertSource = async ({ store, rules, orgId, after, limit, logSize }) => {
  const items: Keyed[] = [];
  let cursor = after === undefined ? -1n : BigInt(after);
  let scanned = 0;
  for (;;) {
    const page = Math.min(200, SCAN_BUDGET - scanned);
    if (page <= 0) return { items, resumeAfter: pad(cursor) };
    const rows = await store.query<{
      idx: bigint;
      ts: bigint;
      actor_org: bigint;
      campaign_id: string;
      amount: string;
      currency: string;
      evidence: string[] | null;
    }>(
      `select e.idx, e.ts, e.actor_org, e.record->>'campaignId' as campaign_id, e.record->>'amount' as amount,
              e.record->>'currency' as currency, e.record->'evidence' as evidence
       from entries e
       where e.kind = 34 and (e.record->>'category') = '1' and e.idx > $1 and e.idx < $2
         ${orgId === undefined ? "" : "and e.actor_org = $4"}
         and not exists (select 1 from entries r where r.kind in (35, 62)
                         and (r.record->>'targetIndex') = e.idx::text and r.idx < $2)
       order by e.idx limit $3`,
      orgId === undefined ? [cursor, logSize, page] : [cursor, logSize, page, orgId],
    );
    for (const r of rows) {
      scanned++;
      cursor = r.idx;
      const hashes = (r.evidence ?? []).map((h) => h.toLowerCase() as Hex);
      const available = await Promise.all(hashes.map((h) => rules.evidenceExists(h)));
      const held = available.filter(Boolean).length;
      if (hashes.length > 0 && held === hashes.length) continue;
      items.push({
        key: pad(r.idx),
        alert: {
          kind: "programWithoutEvidence",
          id: `programWithoutEvidence:${r.idx}`,
          orgId: r.actor_org.toString(),
          campaignId: r.campaign_id,
          at: isoTime(r.ts),
          entries: [r.idx.toString()],
          detail:
            held === 0
              ? `Program spending ${r.idx} of campaign ${r.campaign_id}: none of its ${hashes.length} evidence file(s) is in the evidence store.`
              : `Program spending ${r.idx} of campaign ${r.campaign_id}: ${hashes.length - held} of its ${hashes.length} evidence files are not in the evidence store.`,
          amount: r.amount,
          currency: r.currency,
          status: held === 0 ? "none" : "partial",
          evidence: hashes.map((h, i) => ({ ...evidenceLink(h), available: available[i] ?? false })),
        },
      });
      if (items.length >= limit) return { items };
    }
    if (rows.length < page) return { items };
  }
};

const largeDonation: AlertSource = async ({ store, rules, orgId, after, limit, logSize }) => {
  const thresholds = rules.largeDonation;
  if (thresholds.size === 0) return { items: [] };
  // The lowest threshold finds every candidate with one indexed range; each currency's is checked below.
  let lowest = 0n;
  for (const [i, t] of [...thresholds.values()].entries()) if (i === 0 || t < lowest) lowest = t;
  const items: Keyed[] = [];
  let cursor = after === undefined ? -1n : BigInt(after);
  for (;;) {
    const rows = await store.query<{
      idx: bigint;
      ts: bigint;
      actor_org: bigint;
      record: Record<string, string | number>;
    }>(
      `select idx, ts, actor_org, record from entries
       where kind = 33 and (record->>'amount')::numeric >= $1::numeric and idx > $2 and idx < $3
         ${orgId === undefined ? "" : "and actor_org = $5"}
       order by idx limit $4`,
      orgId === undefined
        ? [lowest.toString(), cursor, logSize, 200]
        : [lowest.toString(), cursor, logSize, 200, orgId],
    );
    const large = rows.filter((r) => {
      const threshold = thresholds.get(String(r.record.currency));
      return threshold !== undefined && BigInt(String(r.record.amount)) >= threshold;
    });
    const reversals = await reversalsOf(
      store,
      large.map((r) => r.idx),
      logSize,
    );
    for (const r of large) {
      const d = r.record;
      const currency = String(d.currency);
      const threshold = thresholds.get(currency) ?? 0n;
      items.push({
        key: pad(r.idx),
        alert: {
          kind: "largeDonation",
          id: `largeDonation:${r.idx}`,
          orgId: r.actor_org.toString(),
          campaignId: String(d.campaignId),
          at: isoTime(r.ts),
          entries: [r.idx.toString(), ...(reversals.has(r.idx) ? [String(reversals.get(r.idx)?.index)] : [])],
          detail: `Donation ${r.idx} to campaign ${d.campaignId}: ${d.amount} ${currency} (minor units), at or above ${threshold}.`,
          amount: String(d.amount),
          currency,
          threshold: threshold.toString(),
          donorKind: Number(d.donorKind) === 1 ? "organisation" : "receipt",
          reversedBy: reversalJson(reversals.get(r.idx)),
        },
      });
      if (items.length >= limit) return { items };
    }
    if (rows.length < 200) return { items };
    cursor = rows.at(-1)?.idx ?? cursor;
  }
};

export const ALERT_SOURCES: Record<AlertKind, AlertSource> = {
  selfCheckFailed,
  disclosureOverdue,
  managementCostRatio,
  programWithoutEvidence,
  largeDonation,
};
