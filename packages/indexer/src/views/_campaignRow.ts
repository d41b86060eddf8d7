/**
 * A campaign's row of `campaigns` and its rows of `allocations`, as refreshViews writes them: from
 * its stream read in log order (refreshCampaign), or from a backfill's entries folded as they were
 * read (foldViews.ts). Both feed the same tally and write through the same function, so that the
 * rows cannot differ by the way they were computed.
 */
import type { Entry } from "@shanji/core";
import { hexToBytes } from "viem";
import type { Queryable } from "../store/types.ts";
import type { Allocation } from "./allocateFunds.ts";
import type { CampaignBalance } from "./campaignBalances.ts";

/** An entry as the campaign views read it. */
export type CampaignEntry = Pick<Entry, "index" | "actorOrg" | "record">;

/** What a campaign's row takes from its stream besides the money: its opening, closing and size. */
export type CampaignTally = {
  opened: CampaignEntry | undefined;
  closed: CampaignEntry | undefined;
  /** Entries of its stream. */
  count: bigint;
  /** Organisations whose totals follow the campaign: its own, and its organisation donors. */
  related: Set<bigint>;
};

export function createCampaignTally(): CampaignTally {
  return { opened: undefined, closed: undefined, count: 0n, related: new Set() };
}

/** Counts one entry of the campaign's stream (in log order) into its tally. */
export function tallyCampaignEntry(tally: CampaignTally, entry: CampaignEntry): void {
  const { actorOrg, record } = entry;
  if (record.type === "campaignOpened") {
    tally.related.add(actorOrg);
    tally.opened ??= entry;
  }
  if (record.type === "campaignClosed") tally.closed ??= entry;
  if (record.type === "donationRecorded" && record.donorKind === 1) tally.related.add(BigInt(record.donor));
  tally.count += 1n;
}

/** Allocation rows per insert statement. */
const ALLOCATIONS_PER_INSERT = 5_000;

/**
 * Replaces the campaign's rows: none if its stream has no opening (or no balance), else its row and
 * its allocations (those of this campaign, in the allocator's order). Returns whether it has a row.
 */
export async function writeCampaign(
  tx: Queryable,
  campaignId: bigint,
  tally: CampaignTally,
  balance: CampaignBalance | undefined,
  allocations: readonly Allocation[],
): Promise<boolean> {
  await tx.query("delete from allocations where campaign_id = $1", [campaignId]);
  if (!(await writeCampaignRow(tx, campaignId, tally, balance))) return false;
  await insertAllocations(tx, campaignId, allocations, 0);
  return true;
}

/** Replaces the campaign's row alone (none without an opening or a balance); returns whether it has one. */
export async function writeCampaignRow(
  tx: Queryable,
  campaignId: bigint,
  tally: CampaignTally,
  balance: CampaignBalance | undefined,
): Promise<boolean> {
  await tx.query("delete from campaigns where campaign_id = $1", [campaignId]);
  const { opened, closed } = tally;
  if (opened?.record.type !== "campaignOpened" || balance === undefined) return false;
  const o = opened.record;
  const b = balance;
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
      hexToBytes(o.filingNumber),
      hexToBytes(o.descriptionHash),
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
      tally.count,
    ],
  );
  return true;
}

/** Adds the campaign's allocations `allocations`, numbered from `firstSeq` on (its rows before them). */
export async function insertAllocations(
  tx: Queryable,
  campaignId: bigint,
  allocations: readonly Allocation[],
  firstSeq: number,
): Promise<void> {
  for (let start = 0; start < allocations.length; start += ALLOCATIONS_PER_INSERT) {
    const chunk = allocations.slice(start, start + ALLOCATIONS_PER_INSERT);
    await tx.query(
      `insert into allocations (campaign_id, seq, source_idx, target_idx, target_kind, amount, restricted_misuse, reversed_by_idx)
       select $1, seq, s, t, k, a::numeric, m, r from unnest($2::int[], $3::bigint[], $4::bigint[], $5::text[], $6::text[], $7::boolean[], $8::bigint[])
         as x(seq, s, t, k, a, m, r)`,
      [
        campaignId,
        chunk.map((_, i) => firstSeq + start + i),
        chunk.map((a) => a.sourceIndex),
        chunk.map((a) => a.targetIndex),
        chunk.map((a) => a.targetKind),
        chunk.map((a) => String(a.amount)),
        chunk.map((a) => a.restrictedMisuse),
        chunk.map((a) => a.reversedByIndex),
      ],
    );
  }
}
