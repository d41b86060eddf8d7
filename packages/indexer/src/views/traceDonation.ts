/**
 * Where a donation's money went, hop by hop, from the fund-flow allocation (allocateFunds).
 *
 * Hop 0 is the donation's campaign: each disbursement, grant or reversal its lot paid for, with
 * the exact amount, and what is left of the lot. A grant leads to the next hop, in the receiving
 * campaign: the grant's lot was split among the outflows it paid for, and the donor's part of
 * each is the donor's part of the grant × that allocation ÷ the grant's amount. Allocations
 * reversed since are left out: their money is back in the lot.
 *
 * Rounding: amounts are whole minor units, so each part is rounded down and the units still
 * missing (fewer than the number of parts) go one each to the parts with the largest remainders;
 * ties go to the earlier entry, and the unspent part of the lot counts as the latest. The parts
 * of a hop therefore add up exactly to the donor's part of the grant. Each donor is rounded on
 * their own, so the parts of all donors in one outflow can differ from it by less than one unit
 * per donor.
 */
import type { Entry } from "@shanji/core";
import type { Hex } from "viem";
import { type CategoryName, categoryName } from "./_fundFlow.ts";
import type { Allocation } from "./allocateFunds.ts";
import { FundFlowError } from "./fundFlowError.ts";

export type TraceStepKind = "disbursement" | "grant" | "reversal" | "unspent";

export type TraceStep = {
  /** 0 in the donation's campaign, one more for each grant followed. */
  depth: number;
  campaignId: bigint;
  /** The lot the money was in at this hop: the donation, or the grant that carried it here. */
  sourceIndex: bigint;
  /** The outflow (disbursement, grant or reversal entry), or for "unspent" the lot itself. */
  entryIndex: bigint;
  /** The donor's part, in minor units. */
  amount: bigint;
  /**
   * "grant": paid to another organisation's campaign; the steps that follow it, one level deeper,
   * show where it went. "reversal": used to take a reversed donation or grant back out. "unspent":
   * still held by the campaign.
   */
  kind: TraceStepKind;
  /** For a disbursement or grant. */
  category?: CategoryName;
  /** For a disbursement or grant: SHA-256 of its invoices, contracts and photos. */
  evidence?: Hex[];
};

export type TraceDonationParameters = {
  donationIndex: bigint;
  /** The entries the allocations were computed from. */
  entries: readonly Entry[];
  /** allocateFunds(entries): of every campaign the money reaches, for the trace to follow grants. */
  allocations: readonly Allocation[];
};

/**
 * Depth first: a grant is followed by the steps of its hop before the next step of its own. Within
 * a hop, steps follow entry order and "unspent" comes last. Parts of zero are left out.
 */
export type TraceDonationReturnType = TraceStep[];

type Item = { entryIndex: bigint; weight: bigint; allocation: Allocation | null };

export function traceDonation({
  donationIndex,
  entries,
  allocations,
}: TraceDonationParameters): TraceDonationReturnType {
  const byIndex = new Map<bigint, Entry>();
  for (const entry of entries) byIndex.set(entry.index, entry);
  // Lots taken out by a reversal hold nothing: what their allocations do not cover was refunded.
  const reversedLots = new Set<bigint>();
  for (const entry of entries) {
    if (entry.record.type === "recordReversed") reversedLots.add(entry.record.targetIndex);
  }
  const standing = new Map<bigint, Allocation[]>();
  for (const a of allocations) {
    if (a.reversedByIndex !== null) continue;
    let list = standing.get(a.sourceIndex);
    if (list === undefined) {
      list = [];
      standing.set(a.sourceIndex, list);
    }
    list.push(a);
  }

  const donation = byIndex.get(donationIndex)?.record;
  if (donation?.type !== "donationRecorded") {
    throw new FundFlowError(`Entry ${donationIndex} is not a donation.`, { entryIndex: donationIndex });
  }

  const steps: TraceStep[] = [];
  const visit = (depth: number, campaignId: bigint, lotIndex: bigint, lotAmount: bigint, share: bigint) => {
    const items: Item[] = (standing.get(lotIndex) ?? [])
      .filter((a) => a.campaignId === campaignId)
      .sort((a, b) => (a.targetIndex < b.targetIndex ? -1 : a.targetIndex > b.targetIndex ? 1 : 0))
      .map((a) => ({ entryIndex: a.targetIndex, weight: a.amount, allocation: a }));
    if (!reversedLots.has(lotIndex)) {
      const spent = items.reduce((sum, item) => sum + item.weight, 0n);
      if (spent < lotAmount) items.push({ entryIndex: lotIndex, weight: lotAmount - spent, allocation: null });
    }
    const parts = apportion(share, lotAmount, items);
    items.forEach((item, i) => {
      const amount = parts[i] ?? 0n;
      if (amount === 0n) return;
      const base = { depth, campaignId, sourceIndex: lotIndex, entryIndex: item.entryIndex, amount };
      if (item.allocation === null) {
        steps.push({ ...base, kind: "unspent" });
        return;
      }
      const target = byIndex.get(item.entryIndex)?.record;
      if (target?.type === "recordReversed") {
        steps.push({ ...base, kind: "reversal" });
        return;
      }
      if (target?.type !== "disbursementRecorded") {
        throw new FundFlowError(`Allocation to entry ${item.entryIndex}, which is not in the entries as given.`, {
          entryIndex: item.entryIndex,
        });
      }
      const isGrant = target.payeeCampaignId !== 0n;
      const category = categoryName(target.category);
      steps.push({
        ...base,
        kind: isGrant ? "grant" : "disbursement",
        ...(category === undefined ? {} : { category }),
        evidence: [...target.evidence],
      });
      if (isGrant) visit(depth + 1, target.payeeCampaignId, item.entryIndex, target.amount, amount);
    });
  };
  visit(0, donation.campaignId, donationIndex, donation.amount, donation.amount);
  return steps;
}

/**
 * Splits `share` in proportion to the items' weights (share × weight ÷ total) by the largest
 * remainder method, ties to the earlier item. The parts add up to share × Σweights ÷ total rounded
 * down: exactly `share` when the weights add up to `total`.
 */
function apportion(share: bigint, total: bigint, items: readonly Item[]): bigint[] {
  if (total === 0n) return items.map(() => 0n);
  const weightSum = items.reduce((sum, item) => sum + item.weight, 0n);
  const parts = items.map((item) => (share * item.weight) / total);
  let missing = (share * weightSum) / total - parts.reduce((sum, part) => sum + part, 0n);
  const order = items
    .map((item, i) => ({ i, remainder: (share * item.weight) % total }))
    // Items are in entry order with "unspent" last, so a stable sort breaks ties as documented.
    .sort((a, b) => (a.remainder > b.remainder ? -1 : a.remainder < b.remainder ? 1 : 0));
  for (const { i } of order) {
    if (missing === 0n) break;
    parts[i] = (parts[i] ?? 0n) + 1n;
    missing--;
  }
  return parts;
}
