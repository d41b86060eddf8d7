/**
 * Spending by category, net of reversals, and the management-cost ratio (管理费用 ÷ total
 * spending) judged against the organisation's policy.
 *
 * Ratio = administration ÷ (program + administration + fundraising), all net of reversed
 * disbursements; grants to other organisations count as the category they were recorded under
 * (program, in practice). Shown with four decimal places, rounded half up; compared with the limit
 * exactly. A year whose administration spending is below the policy's exemption is not a breach.
 */
import type { Queryable } from "@shanji/indexer";
import { Type } from "typebox";
import { Decimal } from "../schemas.ts";
import type { ResolvedPolicy } from "./options.ts";
import { exceeds, formatRatio } from "./ratio.ts";
import { yearRange } from "./time.ts";

export type CategoryAmounts = { program: bigint; administration: bigint; fundraising: bigint };

const CATEGORY_BY_NUMBER: Record<number, keyof CategoryAmounts> = {
  1: "program",
  2: "administration",
  3: "fundraising",
};

const zero = (): CategoryAmounts => ({ program: 0n, administration: 0n, fundraising: 0n });

/** Per campaign: the disbursements later reversed, by the category they were recorded under. */
export async function reversedSpending(
  q: Queryable,
  campaignIds: readonly bigint[],
  logSize: bigint,
): Promise<Map<bigint, CategoryAmounts>> {
  const result = new Map<bigint, CategoryAmounts>();
  if (campaignIds.length === 0) return result;
  // Reversals are rare: entries_kind finds them all quickly; the target's category is on its entry.
  const rows = await q.query<{ campaign_id: string; category: number; amount: string }>(
    `select r.record->>'campaignId' as campaign_id, (t.record->>'category')::int as category,
            sum((r.record->>'amount')::numeric)::text as amount
     from entries r join entries t on t.idx = (r.record->>'targetIndex')::bigint
     where r.kind = 35 and (r.record->>'targetKind') = '34' and r.idx < $2
       and (r.record->>'campaignId') = any($1::text[])
     group by 1, 2`,
    [campaignIds.map(String), logSize],
  );
  for (const row of rows) {
    const id = BigInt(row.campaign_id);
    const amounts = result.get(id) ?? zero();
    const category = CATEGORY_BY_NUMBER[row.category];
    if (category) amounts[category] += BigInt(row.amount);
    result.set(id, amounts);
  }
  return result;
}

/** A campaign's spending by category from the campaigns view, minus what was reversed. */
export function netSpending(
  gross: { spent_program: string; spent_administration: string; spent_fundraising: string },
  reversed: CategoryAmounts | undefined,
): CategoryAmounts {
  const r = reversed ?? zero();
  return {
    program: BigInt(gross.spent_program) - r.program,
    administration: BigInt(gross.spent_administration) - r.administration,
    fundraising: BigInt(gross.spent_fundraising) - r.fundraising,
  };
}

export const ManagementCost = Type.Object(
  {
    administration: Decimal("Administration spending (管理费用), net of reversals, minor units."),
    total: Decimal("Program + administration + fundraising spending, net of reversals, minor units."),
    ratio: Type.Union([Type.String({ pattern: "^[0-9]+\\.[0-9]{4}$" }), Type.Null()], {
      description: "administration ÷ total, four decimal places rounded half up; null when nothing was spent.",
    }),
    limit: Type.String({
      description: "The policy's largest ratio, a decimal fraction (configurable per organisation).",
    }),
    exemptBelow: Type.Union([Decimal(), Type.Null()], {
      description: "Administration spending below this (minor units) is exempt from the limit; null: no exemption.",
    }),
    policySource: Type.Union(
      [Type.Literal("org"), Type.Literal("orgKind"), Type.Literal("foundation"), Type.Literal("default")],
      { description: "Which setting chose the policy: the API's configuration, not the chain." },
    ),
    exceedsLimit: Type.Boolean({ description: "ratio > limit exactly, and administration not under the exemption." }),
  },
  { additionalProperties: false },
);

export function managementCost(spending: CategoryAmounts, policy: ResolvedPolicy, currency: string) {
  const total = spending.program + spending.administration + spending.fundraising;
  const exemptBelow = policy.exemptBelow[currency];
  const exempt = exemptBelow !== undefined && spending.administration < exemptBelow;
  return {
    administration: spending.administration.toString(),
    total: total.toString(),
    ratio: formatRatio(spending.administration, total),
    limit: policy.limit,
    exemptBelow: exemptBelow === undefined ? null : exemptBelow.toString(),
    policySource: policy.source,
    exceedsLimit: !exempt && exceeds(spending.administration, total, policy.fraction),
  };
}

export type YearSpending = { orgId: bigint; year: number; currency: string; spending: CategoryAmounts };

/**
 * Each organisation's spending per calendar year (China Standard Time) and currency, net of
 * reversals (a reversed disbursement counts in no year). Reads every disbursement entry of the
 * organisations asked about: a regulator's question, not a donor's.
 */
export async function spendingByYear(
  q: Queryable,
  { orgId, logSize }: { orgId?: bigint; logSize: bigint },
): Promise<YearSpending[]> {
  const rows = await q.query<{ org_id: bigint; year: number; currency: string; category: number; amount: string }>(
    `select e.actor_org as org_id,
            extract(year from to_timestamp(e.ts + 28800) at time zone 'UTC')::int as year,
            e.record->>'currency' as currency, (e.record->>'category')::int as category,
            sum((e.record->>'amount')::numeric)::text as amount
     from entries e
     where e.kind = 34 and e.idx < $1 ${orgId === undefined ? "" : "and e.actor_org = $2"}
       and not exists (select 1 from entries r where r.kind in (35, 62)
                       and (r.record->>'targetIndex') = e.idx::text and r.idx < $1)
     group by 1, 2, 3, 4
     order by 1, 2, 3`,
    orgId === undefined ? [logSize] : [logSize, orgId],
  );
  const byKey = new Map<string, YearSpending>();
  for (const row of rows) {
    const key = `${row.org_id}:${row.year}:${row.currency}`;
    let entry = byKey.get(key);
    if (!entry) {
      entry = { orgId: row.org_id, year: row.year, currency: row.currency, spending: zero() };
      byKey.set(key, entry);
    }
    const category = CATEGORY_BY_NUMBER[row.category];
    if (category) entry.spending[category] += BigInt(row.amount);
  }
  return [...byKey.values()];
}

/** The administration disbursements behind one organisation-year (for an alert to name them). */
export async function administrationEntries(
  q: Queryable,
  {
    orgId,
    year,
    currency,
    logSize,
    limit,
  }: { orgId: bigint; year: number; currency: string; logSize: bigint; limit: number },
): Promise<{ indexes: bigint[]; lastTime: bigint | null }> {
  const [from, to] = yearRange(year);
  const rows = await q.query<{ idx: bigint; ts: bigint }>(
    `select e.idx, e.ts from entries e
     where e.kind = 34 and e.actor_org = $1 and (e.record->>'category') = '2' and e.record->>'currency' = $2
       and e.ts >= $3 and e.ts < $4 and e.idx < $5
       and not exists (select 1 from entries r where r.kind in (35, 62)
                       and (r.record->>'targetIndex') = e.idx::text and r.idx < $5)
     order by e.idx desc limit $6`,
    [orgId, currency, from, to, logSize, limit],
  );
  return { indexes: rows.map((r) => r.idx).reverse(), lastTime: rows[0]?.ts ?? null };
}
