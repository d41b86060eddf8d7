/**
 * Per campaign, the totals of money in and out as the ledger records them, and the balance the
 * contract holds. Plain sums of the entries, independent of the fund-flow allocation, so that
 * each can check the other:
 *
 *   balance = received + grantsIn − spent (all categories)
 *             − reversed.donations − reversed.grantsIn + reversed.disbursements
 *
 * Every figure is gross: a record that was later reversed still counts where it was recorded, and
 * once more under `reversed`. Pure: the same entries always give the same totals.
 */
import { type Entry, entryKind, payeeKind } from "@shanji/core";
import { type CategoryName, categoryName } from "./_fundFlow.ts";

export type CampaignBalance = {
  campaignId: bigint;
  /** ISO 4217 code, or null when no entry given names it. */
  currency: string | null;
  /** Donations recorded. */
  received: bigint;
  /** Grants received from other campaigns. */
  grantsIn: bigint;
  /** Disbursements by category, grants paid included. */
  spent: Record<CategoryName, bigint>;
  /** The part of `spent` paid as grants to other organisations' campaigns. */
  grantsOut: bigint;
  reversed: {
    donations: bigint;
    /** Grants this campaign received that their payer reversed. */
    grantsIn: bigint;
    /** Disbursements of this campaign reversed, grants paid included. */
    disbursements: bigint;
  };
  /** What the campaign holds now: the contract's balance. */
  balance: bigint;
};

/** Every entry of the ledger in log order; entries other than the charity module's are ignored. */
export type CampaignBalancesParameters = readonly Pick<Entry, "record">[];
/** One per campaign any entry names, by campaign id. */
export type CampaignBalancesReturnType = CampaignBalance[];

export function campaignBalances(entries: CampaignBalancesParameters): CampaignBalancesReturnType {
  const totals = createCampaignBalances();
  for (const { record } of entries) totals.add(record);
  return totals.finish();
}

/** campaignBalances a record at a time (in log order), for a stream read a page at a time. */
export function createCampaignBalances(): {
  add(record: CampaignBalancesParameters[number]["record"]): void;
  finish(): CampaignBalancesReturnType;
} {
  const balances = new Map<bigint, CampaignBalance>();
  const of = (campaignId: bigint, currency: string | null): CampaignBalance => {
    let b = balances.get(campaignId);
    if (b === undefined) {
      b = {
        campaignId,
        currency,
        received: 0n,
        grantsIn: 0n,
        spent: { program: 0n, administration: 0n, fundraising: 0n },
        grantsOut: 0n,
        reversed: { donations: 0n, grantsIn: 0n, disbursements: 0n },
        balance: 0n,
      };
      balances.set(campaignId, b);
    } else if (b.currency === null) {
      b.currency = currency;
    }
    return b;
  };

  const add = (r: CampaignBalancesParameters[number]["record"]) => {
    switch (r.type) {
      case "campaignOpened":
        of(r.campaignId, r.currency);
        break;
      case "campaignClosed":
        of(r.campaignId, null);
        break;
      case "donationRecorded": {
        const b = of(r.campaignId, r.currency);
        b.received += r.amount;
        b.balance += r.amount;
        break;
      }
      case "disbursementRecorded": {
        const b = of(r.campaignId, r.currency);
        const category = categoryName(r.category);
        // The contract refuses category 0 and unknown ones; such an entry would still move money.
        if (category !== undefined) b.spent[category] += r.amount;
        b.balance -= r.amount;
        if (r.payeeKind === payeeKind.organisation) {
          b.grantsOut += r.amount;
          const payee = of(r.payeeCampaignId, r.currency);
          payee.grantsIn += r.amount;
          payee.balance += r.amount;
        }
        break;
      }
      case "recordReversed": {
        const b = of(r.campaignId, null);
        if (r.targetKind === entryKind.donationRecorded) {
          b.reversed.donations += r.amount;
          b.balance -= r.amount;
        } else if (r.targetKind === entryKind.disbursementRecorded) {
          b.reversed.disbursements += r.amount;
          b.balance += r.amount;
          if (r.payeeCampaignId !== 0n) {
            const payee = of(r.payeeCampaignId, null);
            payee.reversed.grantsIn += r.amount;
            payee.balance -= r.amount;
          }
        }
        break;
      }
      default:
        break;
    }
  };
  const finish = () =>
    [...balances.values()].sort((a, b) => (a.campaignId < b.campaignId ? -1 : a.campaignId > b.campaignId ? 1 : 0));
  return { add, finish };
}
