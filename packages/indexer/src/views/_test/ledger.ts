/**
 * Synthetic ledgers for the fund-flow views' tests: a builder that writes the entries the charity
 * contract would append (log indexes in order, the fields a reversal copies from its target), and
 * a fast-check arbitrary of operation sequences that keep to the contract's rules — no payment
 * larger than the campaign's balance, no reversal the contract would refuse.
 */
import { type Entry, type EntryRecord, entryKind, payeeKind } from "@shanji/core";
import fc from "fast-check";
import { type Hex, keccak256, numberToHex, stringToHex, zeroHash } from "viem";

export const CNY = "CNY";

/** A purpose tag, as the SHA-256 of a purpose's text would be (any 32 bytes will do here). */
export const purpose = (name: string): Hex => keccak256(stringToHex(name));

const ref = (n: bigint): Hex => numberToHex(n + 1n, { size: 32 });
const evidenceOf = (n: bigint): Hex[] => [keccak256(numberToHex(n, { size: 8 }))];

export type DonateOptions = { purpose?: Hex | null };
export type DisburseOptions = { purpose?: Hex | null; category?: number; grantTo?: bigint | null };

export type LedgerBuilder = {
  readonly entries: Entry[];
  open(campaignId: bigint, currency?: string): bigint;
  donate(campaignId: bigint, amount: bigint, options?: DonateOptions): bigint;
  disburse(campaignId: bigint, amount: bigint, options?: DisburseOptions): bigint;
  /** Reverses the donation or disbursement at `targetIndex`, copying its fields as the contract does. */
  reverse(targetIndex: bigint): bigint;
  close(campaignId: bigint, balance: bigint): bigint;
  /** An entry of another module, which the views must ignore. */
  other(): bigint;
};

export function createLedger(): LedgerBuilder {
  const entries: Entry[] = [];
  const append = (record: EntryRecord): bigint => {
    const index = BigInt(entries.length);
    entries.push({
      version: 1,
      kind: entryKind[record.type],
      index,
      timestamp: 1_790_000_000n + index,
      actorOrg: 1n,
      operator: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
      streams: [],
      record,
    });
    return index;
  };
  return {
    entries,
    open: (campaignId, currency = CNY) =>
      append({
        type: "campaignOpened",
        campaignId,
        currency,
        target: 0n,
        startTime: 0n,
        endTime: 0n,
        filingNumber: zeroHash,
        descriptionHash: purpose(`campaign ${campaignId}`),
        purposeTags: [],
      }),
    donate: (campaignId, amount, options = {}) =>
      append({
        type: "donationRecorded",
        campaignId,
        externalRef: ref(BigInt(entries.length)),
        donorKind: 0,
        donor: purpose(`donor ${entries.length}`),
        currency: CNY,
        amount,
        channel: 1,
        purposeTag: options.purpose ?? zeroHash,
        inKindHash: zeroHash,
        claimId: 0n,
      }),
    disburse: (campaignId, amount, options = {}) => {
      const grantTo = options.grantTo ?? null;
      return append({
        type: "disbursementRecorded",
        campaignId,
        externalRef: ref(BigInt(entries.length)),
        category: options.category ?? 1,
        currency: CNY,
        amount,
        payeeKind: grantTo === null ? payeeKind.external : payeeKind.organisation,
        payee: grantTo === null ? purpose(`payee ${entries.length}`) : numberToHex(2n, { size: 32 }),
        payeeCampaignId: grantTo ?? 0n,
        purposeTag: options.purpose ?? zeroHash,
        evidence: evidenceOf(BigInt(entries.length)),
      });
    },
    reverse: (targetIndex) => {
      const target = entries[Number(targetIndex)]?.record;
      if (target?.type === "donationRecorded") {
        return append({
          type: "recordReversed",
          targetIndex,
          targetKind: entryKind.donationRecorded,
          reason: 1,
          campaignId: target.campaignId,
          amount: target.amount,
          payeeCampaignId: 0n,
        });
      }
      if (target?.type === "disbursementRecorded") {
        return append({
          type: "recordReversed",
          targetIndex,
          targetKind: entryKind.disbursementRecorded,
          reason: 1,
          campaignId: target.campaignId,
          amount: target.amount,
          payeeCampaignId: target.payeeCampaignId,
        });
      }
      throw new Error(`Entry ${targetIndex} is neither a donation nor a disbursement.`);
    },
    close: (campaignId, balance) => append({ type: "campaignClosed", campaignId, balance }),
    other: () =>
      append({
        type: "creditIssued",
        activityId: 1n,
        externalRef: ref(BigInt(entries.length)),
        volunteer: purpose("volunteer"),
        minutes: 60,
        points: 10n,
        serviceDate: 20_260_101,
      }),
  };
}

// ---------------------------------------------------------------- random ledgers
export const CAMPAIGNS = [1n, 2n, 3n] as const;
/** Two purposes for every campaign, so that earmarks meet matching and other spending. */
export const PURPOSES = [purpose("education"), purpose("medical")] as const;

export type Op =
  | { type: "donate"; campaign: number; amount: bigint; purpose: number | null }
  | {
      type: "disburse";
      campaign: number;
      /** Share of the campaign's balance, in per mille (at least one unit). */
      permille: number;
      purpose: number | null;
      category: number;
      grantTo: number | null;
    }
  | { type: "reverse"; pick: number }
  | { type: "close"; campaign: number }
  | { type: "other" };

const campaign = fc.nat({ max: CAMPAIGNS.length - 1 });
const purposeIndex = fc.option(fc.nat({ max: PURPOSES.length - 1 }), { freq: 2 });

export const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      type: fc.constant("donate"),
      campaign,
      // Mostly small amounts of one scale, so that reversals and spending meet; a few huge ones.
      amount: fc.oneof(
        { weight: 9, arbitrary: fc.bigInt({ min: 1n, max: 1_000n }) },
        { weight: 1, arbitrary: fc.bigInt({ min: 1n, max: 10n ** 30n }) },
      ),
      purpose: purposeIndex,
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      type: fc.constant("disburse"),
      campaign,
      permille: fc.oneof(fc.integer({ min: 1, max: 1000 }), fc.constant(1000)),
      purpose: purposeIndex,
      category: fc.integer({ min: 1, max: 3 }),
      grantTo: fc.option(campaign, { freq: 3 }),
    }),
  },
  { weight: 5, arbitrary: fc.record({ type: fc.constant("reverse"), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant("close"), campaign }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant("other") }) },
);

/** The contract's own bookkeeping, kept beside the entries: the independent sums to compare with. */
export type ModelCampaign = {
  open: boolean;
  balance: bigint;
  received: bigint;
  grantsIn: bigint;
  spent: [program: bigint, administration: bigint, fundraising: bigint];
  grantsOut: bigint;
  reversedDonations: bigint;
  reversedGrantsIn: bigint;
  reversedDisbursements: bigint;
};

export type BuiltLedger = { entries: Entry[]; model: Map<bigint, ModelCampaign> };

/** Applies `ops`, skipping those the contract would refuse in the state reached. */
export function buildLedger(ops: readonly Op[]): BuiltLedger {
  const ledger = createLedger();
  const model = new Map<bigint, ModelCampaign>();
  const stateOf = (id: bigint): ModelCampaign => {
    const c = model.get(id);
    if (c === undefined) throw new Error(`No campaign ${id}.`);
    return c;
  };
  for (const id of CAMPAIGNS) {
    ledger.open(id);
    model.set(id, {
      open: true,
      balance: 0n,
      received: 0n,
      grantsIn: 0n,
      spent: [0n, 0n, 0n],
      grantsOut: 0n,
      reversedDonations: 0n,
      reversedGrantsIn: 0n,
      reversedDisbursements: 0n,
    });
  }
  const reversible: bigint[] = [];
  const tag = (i: number | null) => (i === null ? null : (PURPOSES[i] ?? null));

  for (const op of ops) {
    switch (op.type) {
      case "donate": {
        const id = CAMPAIGNS[op.campaign] ?? 1n;
        const c = stateOf(id);
        if (!c.open) break;
        reversible.push(ledger.donate(id, op.amount, { purpose: tag(op.purpose) }));
        c.balance += op.amount;
        c.received += op.amount;
        break;
      }
      case "disburse": {
        const id = CAMPAIGNS[op.campaign] ?? 1n;
        const c = stateOf(id);
        if (c.balance === 0n) break;
        const amount = 1n + ((c.balance - 1n) * BigInt(op.permille)) / 1000n;
        const payeeId = op.grantTo === null ? null : (CAMPAIGNS[op.grantTo] ?? null);
        const payee = payeeId === null || payeeId === id ? null : stateOf(payeeId);
        if (payee !== null && !payee.open) break;
        const index = ledger.disburse(id, amount, {
          purpose: tag(op.purpose),
          category: op.category,
          grantTo: payee === null ? null : payeeId,
        });
        reversible.push(index);
        c.balance -= amount;
        c.spent[op.category - 1] = (c.spent[op.category - 1] ?? 0n) + amount;
        if (payee !== null) {
          c.grantsOut += amount;
          payee.balance += amount;
          payee.grantsIn += amount;
        }
        break;
      }
      case "reverse": {
        if (reversible.length === 0) break;
        const at = op.pick % reversible.length;
        const targetIndex = reversible[at] ?? 0n;
        const r = ledger.entries[Number(targetIndex)]?.record;
        if (r?.type === "donationRecorded") {
          const c = stateOf(r.campaignId);
          if (r.amount > c.balance) break;
          c.balance -= r.amount;
          c.reversedDonations += r.amount;
        } else if (r?.type === "disbursementRecorded") {
          const c = stateOf(r.campaignId);
          const payee = r.payeeCampaignId === 0n ? null : stateOf(r.payeeCampaignId);
          if (payee !== null && r.amount > payee.balance) break;
          c.balance += r.amount;
          c.reversedDisbursements += r.amount;
          if (payee !== null) {
            payee.balance -= r.amount;
            payee.reversedGrantsIn += r.amount;
          }
        } else {
          break;
        }
        reversible.splice(at, 1);
        ledger.reverse(targetIndex);
        break;
      }
      case "close": {
        const id = CAMPAIGNS[op.campaign] ?? 1n;
        const c = stateOf(id);
        if (!c.open) break;
        c.open = false;
        ledger.close(id, c.balance);
        break;
      }
      case "other":
        ledger.other();
        break;
    }
  }
  return { entries: ledger.entries, model };
}

/** Random ledgers of up to `maxOps` operations. */
export const ledgerArbitrary = (maxOps = 80): fc.Arbitrary<BuiltLedger> =>
  fc.array(opArbitrary, { maxLength: maxOps, size: "max" }).map(buildLedger);
