// A plain TypeScript model of what CharityLedger and VolunteerCredit accept, for the property test
// beside it (ledger.property.test.ts): the operations it generates, and for each one the call to
// send, then either the entries the contracts must append or the exact custom error they must
// revert with. The model knows nothing of the chain; it is the specification in executable form.
import {
  activityStream,
  campaignStream,
  type EntryRecord,
  entryKind,
  orgStream,
  recordStream,
  volunteerStream,
} from "@shanji/core";
import fc from "fast-check";
import { type Address, type Hex, keccak256, numberToHex, stringToHex } from "viem";

// ---------------------------------------------------------------- context (fixed by the setup)
export interface CharityContext {
  orgId: bigint;
  operator: Address;
}

export interface CampaignContext {
  id: bigint;
  /** Index into `LedgerContext.charities`. */
  charity: number;
  purposeTags: readonly Hex[];
}

export interface LedgerContext {
  charities: readonly CharityContext[];
  enterpriseOrg: bigint;
  volunteerOrg: { orgId: bigint; operator: Address; activityId: bigint };
  merchant: { orgId: bigint; operator: Address };
  campaigns: readonly CampaignContext[];
  /** The tags earmarks pick from: some in a campaign's list, some not. */
  purposeTags: readonly Hex[];
  volunteers: readonly { pseudonym: Hex; hasConsentKey: boolean }[];
  /** The log's size once the setup is done. */
  initialSize: bigint;
}

export const CNY = "CNY";
/** Far beyond any block time of a test chain; a redemption signature's expiry is not under test. */
export const REDEEM_DEADLINE = 2n ** 40n;

// ---------------------------------------------------------------- operations
/** An amount relative to what is available: a share of it (at least 1), a bit over it, or any. */
export type AmountSpec =
  | { kind: "share"; permille: number }
  | { kind: "over"; extra: bigint }
  | { kind: "raw"; value: bigint };

/** `reuse`: null for a fresh externalRef, or a pick among every ref used so far (any organisation). */
export interface DonationSpec {
  amount: bigint;
  channel: number;
  /** Index into `purposeTags`, or null for an unrestricted donation. */
  purpose: number | null;
  donor: "receipt" | "enterprise" | "otherCharity";
  inKind: boolean;
  reuse: number | null;
}

export interface DisbursementSpec {
  amount: AmountSpec;
  category: number;
  /** How many evidence hashes (at least 1 for program spending). */
  evidence: number;
  purpose: number | null;
  /**
   * For a grant, the payee campaign as an offset from the paying one (0: itself, which is
   * refused; the campaigns wrap around); null for an external payee.
   */
  grantTo: number | null;
  reuse: number | null;
}

export interface CreditSpec {
  volunteer: number;
  minutes: number;
  points: bigint;
  serviceDate: number;
  reuse: number | null;
}

export type Op =
  | { type: "donate"; campaign: number; donation: DonationSpec }
  | { type: "donateBatch"; campaign: number; donations: DonationSpec[] }
  | {
      type: "disburse";
      campaign: number;
      /** Pick `campaign` among the campaigns that hold money (if any), not among all. */
      funded: boolean;
      disbursement: DisbursementSpec;
    }
  | { type: "disburseBatch"; campaign: number; funded: boolean; disbursements: DisbursementSpec[] }
  | {
      type: "reverse";
      pick: number;
      /**
       * Pick among all records, or only among those (if any) that are rarer: disbursements,
       * grants, or records whose money has been spent since, so that reversing them must fail.
       */
      among: "records" | "disbursements" | "grants" | "spent";
      reason: number;
      wrongLeaf: boolean;
    }
  | { type: "close"; campaign: number }
  | { type: "issueCredit"; credit: CreditSpec }
  | { type: "issueCredits"; credits: CreditSpec[] }
  | { type: "reverseCredit"; pick: number; reason: number; wrongLeaf: boolean }
  | {
      type: "redeem";
      volunteer: number;
      /** Pick `volunteer` among those who have points (if any). */
      funded: boolean;
      points: AmountSpec;
      reuse: number | null;
      forged: boolean;
    };

const rarely = <T>(common: fc.Arbitrary<T>, rare: fc.Arbitrary<T>, odds: number) =>
  fc.oneof({ weight: odds, arbitrary: common }, { weight: 1, arbitrary: rare });

const campaignIndex = fc.nat({ max: 3 });

/** Mostly a share of what is available, so that most spending succeeds and some overdraws. */
const amountSpec: fc.Arbitrary<AmountSpec> = fc.oneof(
  {
    weight: 8,
    // Some shares take everything, to drain campaigns that later owe a reversal.
    arbitrary: fc.record({
      kind: fc.constant("share"),
      permille: rarely(fc.integer({ min: 1, max: 1000 }), fc.constant(1000), 4),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("over"), extra: fc.bigInt({ min: 1n, max: 10n ** 6n }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("raw"), value: fc.bigInt({ min: 1n, max: 10n ** 12n }) }) },
);

/** About 1 in `errorOdds + 1` donations reuses a ref, and as many name a purpose (valid or not). */
const donationSpec = (errorOdds: number): fc.Arbitrary<DonationSpec> =>
  fc.record({
    amount: fc.bigInt({ min: 1n, max: 10n ** 12n }),
    channel: fc.integer({ min: 0, max: 7 }),
    purpose: rarely(fc.constant(null), fc.nat({ max: 2 }), errorOdds),
    donor: fc.constantFrom("receipt", "receipt", "enterprise", "otherCharity"),
    inKind: fc.boolean(),
    reuse: rarely(fc.constant(null), fc.nat(), errorOdds),
  });

const disbursementSpec = (errorOdds: number): fc.Arbitrary<DisbursementSpec> => {
  // Batches rarely grant to the paying campaign itself, or one bad item would sink most of them.
  const grantOffset =
    errorOdds > 10 ? rarely(fc.integer({ min: 1, max: 3 }), fc.constant(0), errorOdds) : campaignIndex;
  return fc.record({
    amount: amountSpec,
    category: fc.integer({ min: 1, max: 3 }),
    evidence: fc.integer({ min: 0, max: 3 }),
    purpose: rarely(fc.constant(null), fc.nat({ max: 2 }), errorOdds),
    grantTo: fc.option(grantOffset, { freq: 2 }),
    reuse: rarely(fc.constant(null), fc.nat(), errorOdds * 3),
  });
};

const serviceDate = fc.oneof(
  {
    weight: 20,
    arbitrary: fc
      .tuple(fc.integer({ min: 2020, max: 2030 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }))
      .map(([y, m, d]) => y * 10_000 + m * 100 + d),
  },
  // Leap days and month ends that exist.
  { weight: 2, arbitrary: fc.constantFrom(20_240_229, 20_000_229, 20_250_131, 20_250_430, 29_991_231, 19_000_101) },
  // And dates that do not.
  { weight: 1, arbitrary: fc.constantFrom(0, 18_991_231, 30_000_101, 20_230_229, 21_000_229, 20_250_431, 20_251_301) },
);

const creditSpec = (errorOdds: number): fc.Arbitrary<CreditSpec> =>
  fc.record({
    volunteer: fc.nat({ max: 3 }),
    minutes: fc.integer({ min: 0, max: 600 }),
    points: fc.bigInt({ min: 0n, max: 10n ** 6n }),
    serviceDate: errorOdds > 10 ? serviceDate.filter(isServiceDate) : serviceDate,
    reuse: rarely(fc.constant(null), fc.nat(), errorOdds),
  });

const reason = fc.integer({ min: 1, max: 0xffff });
const seldom = rarely(fc.constant(false), fc.constant(true), 9);

/** One operation, weighted towards the money-moving ones. */
export const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.record({ type: fc.constant("donate"), campaign: campaignIndex, donation: donationSpec(4) }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      type: fc.constant("donateBatch"),
      campaign: campaignIndex,
      donations: fc.array(donationSpec(40), { minLength: 1, maxLength: 20 }),
    }),
  },
  {
    weight: 10,
    arbitrary: fc.record({
      type: fc.constant("disburse"),
      campaign: campaignIndex,
      funded: rarely(fc.constant(true), fc.constant(false), 3),
      disbursement: disbursementSpec(3),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      type: fc.constant("disburseBatch"),
      campaign: campaignIndex,
      funded: rarely(fc.constant(true), fc.constant(false), 3),
      disbursements: fc.array(disbursementSpec(20), { minLength: 1, maxLength: 5 }),
    }),
  },
  {
    weight: 8,
    arbitrary: fc.record({
      type: fc.constant("reverse"),
      pick: fc.nat(),
      among: fc.constantFrom("records", "records", "disbursements", "grants", "spent", "spent"),
      reason,
      wrongLeaf: seldom,
    }),
  },
  { weight: 1, arbitrary: fc.record({ type: fc.constant("close"), campaign: campaignIndex }) },
  { weight: 8, arbitrary: fc.record({ type: fc.constant("issueCredit"), credit: creditSpec(6) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      type: fc.constant("issueCredits"),
      credits: fc.array(creditSpec(40), { minLength: 1, maxLength: 20 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({ type: fc.constant("reverseCredit"), pick: fc.nat(), reason, wrongLeaf: seldom }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      type: fc.constant("redeem"),
      // Volunteer 3 has no consent key.
      volunteer: rarely(fc.nat({ max: 2 }), fc.constant(3), 6),
      funded: rarely(fc.constant(true), fc.constant(false), 3),
      points: amountSpec,
      reuse: rarely(fc.constant(null), fc.nat(), 8),
      forged: seldom,
    }),
  },
);

// ---------------------------------------------------------------- contract inputs
export interface DonationInput {
  externalRef: Hex;
  donorKind: number;
  donor: Hex;
  amount: bigint;
  channel: number;
  purposeTag: Hex;
  inKindHash: Hex;
  claimId: bigint;
}

export interface DisbursementInput {
  externalRef: Hex;
  category: number;
  amount: bigint;
  payeeKind: number;
  payee: Hex;
  payeeCampaignId: bigint;
  purposeTag: Hex;
  evidence: Hex[];
}

export interface CreditInput {
  externalRef: Hex;
  volunteer: Hex;
  serviceMinutes: number;
  points: bigint;
  serviceDate: number;
}

export interface RedeemInput {
  volunteer: Hex;
  points: bigint;
  externalRef: Hex;
  serviceHash: Hex;
  deadline: bigint;
}

/** What to send. Leaves are named by their entry index; the runner holds the bytes. */
export type Call =
  | { fn: "recordDonation"; charity: number; campaignId: bigint; donation: DonationInput }
  | { fn: "recordDonations"; charity: number; campaignId: bigint; donations: DonationInput[] }
  | { fn: "recordDisbursement"; charity: number; campaignId: bigint; disbursement: DisbursementInput }
  | { fn: "recordDisbursements"; charity: number; campaignId: bigint; disbursements: DisbursementInput[] }
  | { fn: "reverseRecord"; charity: number; externalRef: Hex; reason: number; leafIndex: bigint }
  | { fn: "closeCampaign"; charity: number; campaignId: bigint }
  | { fn: "issueCredit"; activityId: bigint; credit: CreditInput }
  | { fn: "issueCredits"; activityId: bigint; credits: CreditInput[] }
  | { fn: "reverseCredit"; externalRef: Hex; reason: number; leafIndex: bigint }
  | {
      fn: "redeem";
      input: RedeemInput;
      /** Sign with this volunteer's consent key, at this nonce (a random key when `forged`). */
      volunteer: number;
      nonce: number;
      forged: boolean;
    };

export interface ExpectedEntry {
  index: bigint;
  actorOrg: bigint;
  operator: Address;
  streams: Hex[];
  record: EntryRecord;
}

export type Outcome = { ok: true; entries: ExpectedEntry[] } | { ok: false; error: string; args: readonly unknown[] };

// ---------------------------------------------------------------- state
interface CampaignState {
  balance: bigint;
  open: boolean;
}

interface CharityRecord {
  charity: number;
  ref: Hex;
  kind: "donation" | "disbursement";
  index: bigint;
  reversed: boolean;
  campaign: number;
  amount: bigint;
  /** The campaign a grant went to. */
  payee: number | null;
}

interface CreditRecord {
  ref: Hex;
  index: bigint;
  reversed: boolean;
  volunteer: number;
  minutes: number;
  points: bigint;
}

export interface LedgerState {
  size: bigint;
  refCounter: number;
  /** Every externalRef any organisation used, in order: what `reuse` picks from. */
  usedRefs: Hex[];
  /** `${orgId}:${ref}` → the last entry of that record stream. */
  recordHeads: Map<string, bigint>;
  campaigns: CampaignState[];
  charityRecords: CharityRecord[];
  creditRecords: CreditRecord[];
  accounts: { points: bigint; nonce: number }[];
}

export function initialState(ctx: LedgerContext): LedgerState {
  return {
    size: ctx.initialSize,
    refCounter: 0,
    usedRefs: [],
    recordHeads: new Map(),
    campaigns: ctx.campaigns.map(() => ({ balance: 0n, open: true })),
    charityRecords: [],
    creditRecords: [],
    accounts: ctx.volunteers.map(() => ({ points: 0n, nonce: 0 })),
  };
}

// ---------------------------------------------------------------- the step function
class Revert {
  readonly error: string;
  readonly args: readonly unknown[];
  constructor(error: string, args: readonly unknown[]) {
    this.error = error;
    this.args = args;
  }
}

const ZERO32: Hex = `0x${"00".repeat(32)}`;
const donorKind = { receipt: 0, organisation: 1 } as const;
const payeeKind = { external: 0, organisation: 1 } as const;
const programCategory = 1;

const at = <T>(items: readonly T[], i: number, what: string): T => {
  const item = items[i];
  if (item === undefined) throw new Error(`ledger model: no ${what} ${i}`);
  return item;
};
const hashOf = (label: string): Hex => keccak256(stringToHex(label));
const recordKey = (orgId: bigint, ref: Hex) => `${orgId}:${ref}`;

/**
 * Plans one operation against `state`: the call to send and its outcome. `state` is not changed;
 * the returned `state` is the one after the call (the same object when the call must revert).
 * `label` names what happened ("reverse grant: CharityBalanceInsufficient"), to measure coverage.
 */
export function step(
  ctx: LedgerContext,
  state: LedgerState,
  op: Op,
): { call: Call; outcome: Outcome; state: LedgerState; label: string } {
  const draft = structuredClone(state);
  const m = new Draft(ctx, draft);
  const call = m.prepare(op);
  const what = describeCall(call, state);
  try {
    const entries = m.apply(call);
    return { call, outcome: { ok: true, entries }, state: draft, label: `${what}: ok` };
  } catch (e) {
    if (!(e instanceof Revert)) throw e;
    return { call, outcome: { ok: false, error: e.error, args: e.args }, state, label: `${what}: ${e.error}` };
  }
}

function describeCall(call: Call, state: LedgerState): string {
  switch (call.fn) {
    case "recordDisbursement":
      return call.disbursement.payeeKind === payeeKind.organisation ? "grant" : "disburse";
    case "recordDisbursements":
      return call.disbursements.some((d) => d.payeeKind === payeeKind.organisation)
        ? "recordDisbursements with grants"
        : "recordDisbursements";
    case "reverseRecord": {
      const r = state.charityRecords.find((x) => x.charity === call.charity && x.ref === call.externalRef);
      if (r === undefined) return "reverse nothing";
      return r.kind === "donation" ? "reverse donation" : r.payee === null ? "reverse disbursement" : "reverse grant";
    }
    default:
      return call.fn;
  }
}

class Draft {
  private readonly entries: ExpectedEntry[] = [];
  private readonly ctx: LedgerContext;
  /** The state being changed; thrown away if the call reverts. */
  private readonly s: LedgerState;

  constructor(ctx: LedgerContext, s: LedgerState) {
    this.ctx = ctx;
    this.s = s;
  }

  // ---------------------------------------------------------------- building the call
  prepare(op: Op): Call {
    const { ctx, s } = this;
    switch (op.type) {
      case "donate": {
        const c = at(ctx.campaigns, op.campaign, "campaign");
        return { fn: "recordDonation", charity: c.charity, campaignId: c.id, donation: this.donation(c, op.donation) };
      }
      case "donateBatch": {
        const c = at(ctx.campaigns, op.campaign, "campaign");
        const donations = op.donations.map((d) => this.donation(c, d));
        return { fn: "recordDonations", charity: c.charity, campaignId: c.id, donations };
      }
      case "disburse":
      case "disburseBatch": {
        const ci = op.funded ? pickAmong(s.campaigns, (c) => c.balance > 0n, op.campaign) : op.campaign;
        const c = at(ctx.campaigns, ci, "campaign");
        // Shares are of what is left after the batch's earlier disbursements.
        let available = at(s.campaigns, ci, "campaign").balance;
        const specs = op.type === "disburse" ? [op.disbursement] : op.disbursements;
        const disbursements = specs.map((spec) => {
          const d = this.disbursement(ci, spec, available);
          available = available > d.amount ? available - d.amount : 0n;
          return d;
        });
        return op.type === "disburse"
          ? {
              fn: "recordDisbursement",
              charity: c.charity,
              campaignId: c.id,
              disbursement: at(disbursements, 0, "item"),
            }
          : { fn: "recordDisbursements", charity: c.charity, campaignId: c.id, disbursements };
      }
      case "reverse": {
        if (s.charityRecords.length === 0) {
          // Nothing to reverse yet: a ref no one recorded.
          return { fn: "reverseRecord", charity: 0, externalRef: this.freshRef(), reason: op.reason, leafIndex: 0n };
        }
        const balance = (campaign: number | null) =>
          campaign === null ? 0n : at(s.campaigns, campaign, "campaign").balance;
        const wanted = (r: CharityRecord): boolean => {
          switch (op.among) {
            case "records":
              return true;
            case "disbursements":
              return r.kind === "disbursement";
            case "grants":
              return r.payee !== null;
            case "spent":
              return !r.reversed && r.amount > balance(r.kind === "donation" ? r.campaign : r.payee);
          }
        };
        const i = pickAmong(s.charityRecords, wanted, op.pick);
        const r = at(s.charityRecords, i % s.charityRecords.length, "record");
        // Entry 0 (the log's first governance entry) is no record's leaf.
        const leafIndex = op.wrongLeaf ? 0n : r.index;
        return { fn: "reverseRecord", charity: r.charity, externalRef: r.ref, reason: op.reason, leafIndex };
      }
      case "close": {
        const c = at(ctx.campaigns, op.campaign, "campaign");
        return { fn: "closeCampaign", charity: c.charity, campaignId: c.id };
      }
      case "issueCredit":
        return { fn: "issueCredit", activityId: ctx.volunteerOrg.activityId, credit: this.credit(op.credit) };
      case "issueCredits":
        return {
          fn: "issueCredits",
          activityId: ctx.volunteerOrg.activityId,
          credits: op.credits.map((c) => this.credit(c)),
        };
      case "reverseCredit": {
        if (s.creditRecords.length === 0) {
          return { fn: "reverseCredit", externalRef: this.freshRef(), reason: op.reason, leafIndex: 0n };
        }
        const r = at(s.creditRecords, op.pick % s.creditRecords.length, "credit");
        return { fn: "reverseCredit", externalRef: r.ref, reason: op.reason, leafIndex: op.wrongLeaf ? 0n : r.index };
      }
      case "redeem": {
        const vi = op.funded ? pickAmong(s.accounts, (a) => a.points > 0n, op.volunteer) : op.volunteer;
        const v = at(ctx.volunteers, vi, "volunteer");
        const account = at(s.accounts, vi, "volunteer");
        const externalRef = this.ref(op.reuse);
        const input: RedeemInput = {
          volunteer: v.pseudonym,
          points: resolveAmount(op.points, account.points),
          externalRef,
          serviceHash: hashOf(`service:${externalRef}`),
          deadline: REDEEM_DEADLINE,
        };
        return { fn: "redeem", input, volunteer: vi, nonce: account.nonce, forged: op.forged };
      }
    }
  }

  private freshRef(): Hex {
    this.s.refCounter += 1;
    const ref = hashOf(`ref:${this.s.refCounter}`);
    this.s.usedRefs.push(ref);
    return ref;
  }

  private ref(reuse: number | null): Hex {
    const used = this.s.usedRefs;
    if (reuse === null || used.length === 0) return this.freshRef();
    return at(used, reuse % used.length, "ref");
  }

  private purposeTag(purpose: number | null): Hex {
    return purpose === null ? ZERO32 : at(this.ctx.purposeTags, purpose, "purpose tag");
  }

  private donation(c: CampaignContext, d: DonationSpec): DonationInput {
    const externalRef = this.ref(d.reuse);
    const other = at(this.ctx.charities, 1 - c.charity, "charity").orgId;
    const donorOrg = d.donor === "enterprise" ? this.ctx.enterpriseOrg : other;
    return {
      externalRef,
      donorKind: d.donor === "receipt" ? donorKind.receipt : donorKind.organisation,
      donor: d.donor === "receipt" ? hashOf(`receipt:${externalRef}`) : numberToHex(donorOrg, { size: 32 }),
      amount: d.amount,
      channel: d.channel,
      purposeTag: this.purposeTag(d.purpose),
      inKindHash: d.inKind ? hashOf(`item:${externalRef}`) : ZERO32,
      claimId: 0n,
    };
  }

  private disbursement(ci: number, spec: DisbursementSpec, available: bigint): DisbursementInput {
    const externalRef = this.ref(spec.reuse);
    const campaigns = this.ctx.campaigns;
    const grant = spec.grantTo === null ? null : at(campaigns, (ci + spec.grantTo) % campaigns.length, "campaign");
    const evidenceCount = spec.category === programCategory ? Math.max(1, spec.evidence) : spec.evidence;
    return {
      externalRef,
      category: spec.category,
      amount: resolveAmount(spec.amount, available),
      payeeKind: grant === null ? payeeKind.external : payeeKind.organisation,
      payee:
        grant === null
          ? hashOf(`payee:${externalRef}`)
          : numberToHex(at(this.ctx.charities, grant.charity, "charity").orgId, { size: 32 }),
      payeeCampaignId: grant?.id ?? 0n,
      purposeTag: this.purposeTag(spec.purpose),
      evidence: Array.from({ length: evidenceCount }, (_, i) => hashOf(`evidence:${externalRef}:${i}`)),
    };
  }

  private credit(c: CreditSpec): CreditInput {
    return {
      externalRef: this.ref(c.reuse),
      volunteer: at(this.ctx.volunteers, c.volunteer, "volunteer").pseudonym,
      serviceMinutes: c.minutes,
      points: c.points,
      serviceDate: c.serviceDate,
    };
  }

  // ---------------------------------------------------------------- applying it
  /** Applies `call` to the draft in the contracts' order of checks; throws Revert like they do. */
  apply(call: Call): ExpectedEntry[] {
    switch (call.fn) {
      case "recordDonation":
      case "recordDonations": {
        const ci = this.campaignIndex(call.campaignId);
        if (!at(this.s.campaigns, ci, "campaign").open) throw new Revert("CharityCampaignClosed", [call.campaignId]);
        const donations = call.fn === "recordDonation" ? [call.donation] : call.donations;
        for (const d of donations) this.donate(call.charity, ci, d);
        break;
      }
      case "recordDisbursement":
        this.disburse(call.charity, this.campaignIndex(call.campaignId), call.disbursement);
        break;
      case "recordDisbursements":
        for (const d of call.disbursements) this.disburse(call.charity, this.campaignIndex(call.campaignId), d);
        break;
      case "reverseRecord":
        this.reverse(call.charity, call.externalRef, call.reason, call.leafIndex);
        break;
      case "closeCampaign":
        this.close(call.charity, this.campaignIndex(call.campaignId));
        break;
      case "issueCredit":
        this.issue(call.credit);
        break;
      case "issueCredits":
        for (const c of call.credits) this.issue(c);
        break;
      case "reverseCredit":
        this.reverseCredit(call.externalRef, call.reason, call.leafIndex);
        break;
      case "redeem":
        this.redeem(call.input, call.volunteer, call.forged);
        break;
    }
    return this.entries;
  }

  private campaignIndex(id: bigint): number {
    return this.ctx.campaigns.findIndex((c) => c.id === id);
  }

  private append(actorOrg: bigint, operator: Address, streams: Hex[], record: EntryRecord): bigint {
    const index = this.s.size;
    this.s.size += 1n;
    this.entries.push({ index, actorOrg, operator, streams, record });
    return index;
  }

  /** Claims `ref` for a new record of `orgId`, as _newRecordStream does. */
  private newRecord(orgId: bigint, ref: Hex, exists: "CharityRecordExists" | "CreditRecordExists"): void {
    const head = this.s.recordHeads.get(recordKey(orgId, ref));
    if (head !== undefined) throw new Revert(exists, [ref, head]);
  }

  private donate(charity: number, ci: number, d: DonationInput): void {
    const org = at(this.ctx.charities, charity, "charity");
    const c = at(this.ctx.campaigns, ci, "campaign");
    this.newRecord(org.orgId, d.externalRef, "CharityRecordExists");
    if (d.purposeTag !== ZERO32 && !c.purposeTags.includes(d.purposeTag)) {
      throw new Revert("CharityPurposeNotInCampaign", [c.id, d.purposeTag]);
    }
    at(this.s.campaigns, ci, "campaign").balance += d.amount;
    const streams = [campaignStream(c.id), recordStream(org.orgId, d.externalRef)];
    if (d.donorKind === donorKind.organisation) streams.push(orgStream(BigInt(d.donor)));
    const index = this.append(org.orgId, org.operator, streams, {
      type: "donationRecorded",
      campaignId: c.id,
      externalRef: d.externalRef,
      donorKind: d.donorKind,
      donor: d.donor,
      currency: CNY,
      amount: d.amount,
      channel: d.channel,
      purposeTag: d.purposeTag,
      inKindHash: d.inKindHash,
      claimId: d.claimId,
    });
    this.s.recordHeads.set(recordKey(org.orgId, d.externalRef), index);
    this.s.charityRecords.push({
      charity,
      ref: d.externalRef,
      kind: "donation",
      index,
      reversed: false,
      campaign: ci,
      amount: d.amount,
      payee: null,
    });
  }

  private disburse(charity: number, ci: number, d: DisbursementInput): void {
    const org = at(this.ctx.charities, charity, "charity");
    const c = at(this.ctx.campaigns, ci, "campaign");
    const source = at(this.s.campaigns, ci, "campaign");
    this.newRecord(org.orgId, d.externalRef, "CharityRecordExists");
    if (d.purposeTag !== ZERO32 && !c.purposeTags.includes(d.purposeTag)) {
      throw new Revert("CharityPurposeNotInCampaign", [c.id, d.purposeTag]);
    }
    if (d.amount > source.balance) throw new Revert("CharityBalanceInsufficient", [c.id, source.balance, d.amount]);
    source.balance -= d.amount;
    const streams = [campaignStream(c.id), recordStream(org.orgId, d.externalRef)];
    let payee: number | null = null;
    if (d.payeeKind === payeeKind.organisation) {
      payee = this.campaignIndex(d.payeeCampaignId);
      const target = at(this.s.campaigns, payee, "campaign");
      if (payee === ci || !target.open)
        throw new Revert("CharityGrantCampaignInvalid", [d.externalRef, d.payeeCampaignId]);
      target.balance += d.amount;
      streams.push(campaignStream(d.payeeCampaignId));
    }
    const index = this.append(org.orgId, org.operator, streams, {
      type: "disbursementRecorded",
      campaignId: c.id,
      externalRef: d.externalRef,
      category: d.category,
      currency: CNY,
      amount: d.amount,
      payeeKind: d.payeeKind,
      payee: d.payee,
      payeeCampaignId: d.payeeCampaignId,
      purposeTag: d.purposeTag,
      evidence: d.evidence,
    });
    this.s.recordHeads.set(recordKey(org.orgId, d.externalRef), index);
    this.s.charityRecords.push({
      charity,
      ref: d.externalRef,
      kind: "disbursement",
      index,
      reversed: false,
      campaign: ci,
      amount: d.amount,
      payee,
    });
  }

  private reverse(charity: number, ref: Hex, reason: number, leafIndex: bigint): void {
    const org = at(this.ctx.charities, charity, "charity");
    const r = this.s.charityRecords.find((x) => x.charity === charity && x.ref === ref);
    if (r === undefined) throw new Revert("CharityRecordNotFound", [ref]);
    const key = recordKey(org.orgId, ref);
    const head = this.s.recordHeads.get(key) ?? -1n;
    if (r.reversed) throw new Revert("CharityRecordAlreadyReversed", [ref, head]);
    if (leafIndex !== r.index) throw new Revert("CharityRecordLeafMismatch", [ref]);
    const c = at(this.ctx.campaigns, r.campaign, "campaign");
    const source = at(this.s.campaigns, r.campaign, "campaign");
    const streams = [campaignStream(c.id), recordStream(org.orgId, ref)];
    let payeeCampaignId = 0n;
    if (r.kind === "donation") {
      if (r.amount > source.balance) throw new Revert("CharityBalanceInsufficient", [c.id, source.balance, r.amount]);
      source.balance -= r.amount;
    } else {
      source.balance += r.amount;
      if (r.payee !== null) {
        // A reversed grant comes back out of the payee's campaign, which must still hold it.
        payeeCampaignId = at(this.ctx.campaigns, r.payee, "campaign").id;
        const target = at(this.s.campaigns, r.payee, "campaign");
        if (r.amount > target.balance) {
          throw new Revert("CharityBalanceInsufficient", [payeeCampaignId, target.balance, r.amount]);
        }
        target.balance -= r.amount;
        streams.push(campaignStream(payeeCampaignId));
      }
    }
    const index = this.append(org.orgId, org.operator, streams, {
      type: "recordReversed",
      targetIndex: r.index,
      targetKind: r.kind === "donation" ? entryKind.donationRecorded : entryKind.disbursementRecorded,
      reason,
      campaignId: c.id,
      amount: r.amount,
      payeeCampaignId,
    });
    r.reversed = true;
    this.s.recordHeads.set(key, index);
  }

  private close(charity: number, ci: number): void {
    const org = at(this.ctx.charities, charity, "charity");
    const c = at(this.ctx.campaigns, ci, "campaign");
    const state = at(this.s.campaigns, ci, "campaign");
    if (!state.open) throw new Revert("CharityCampaignClosed", [c.id]);
    state.open = false;
    this.append(org.orgId, org.operator, [campaignStream(c.id), orgStream(org.orgId)], {
      type: "campaignClosed",
      campaignId: c.id,
      balance: state.balance,
    });
  }

  private issue(c: CreditInput): void {
    const { orgId, operator, activityId } = this.ctx.volunteerOrg;
    const ref = c.externalRef;
    this.newRecord(orgId, ref, "CreditRecordExists");
    if (c.serviceMinutes === 0 && c.points === 0n) throw new Revert("CreditAmountInvalid", [ref]);
    if (!isServiceDate(c.serviceDate)) throw new Revert("CreditDateInvalid", [ref, c.serviceDate]);
    const v = this.ctx.volunteers.findIndex((x) => x.pseudonym === c.volunteer);
    at(this.s.accounts, v, "volunteer").points += c.points;
    const streams = [activityStream(activityId), volunteerStream(c.volunteer), recordStream(orgId, ref)];
    const index = this.append(orgId, operator, streams, {
      type: "creditIssued",
      activityId,
      externalRef: ref,
      volunteer: c.volunteer,
      minutes: c.serviceMinutes,
      points: c.points,
      serviceDate: c.serviceDate,
    });
    this.s.recordHeads.set(recordKey(orgId, ref), index);
    this.s.creditRecords.push({
      ref,
      index,
      reversed: false,
      volunteer: v,
      minutes: c.serviceMinutes,
      points: c.points,
    });
  }

  private reverseCredit(ref: Hex, reason: number, leafIndex: bigint): void {
    const { orgId, operator, activityId } = this.ctx.volunteerOrg;
    const r = this.s.creditRecords.find((x) => x.ref === ref);
    if (r === undefined) throw new Revert("CreditRecordNotFound", [ref]);
    const key = recordKey(orgId, ref);
    if (r.reversed) throw new Revert("CreditRecordAlreadyReversed", [ref, this.s.recordHeads.get(key)]);
    if (leafIndex !== r.index) throw new Revert("CreditRecordLeafMismatch", [ref]);
    const volunteer = at(this.ctx.volunteers, r.volunteer, "volunteer").pseudonym;
    const account = at(this.s.accounts, r.volunteer, "volunteer");
    if (r.points > account.points) throw new Revert("CreditBalanceInsufficient", [volunteer, account.points, r.points]);
    account.points -= r.points;
    const streams = [activityStream(activityId), volunteerStream(volunteer), recordStream(orgId, ref)];
    const index = this.append(orgId, operator, streams, {
      type: "creditReversed",
      targetIndex: r.index,
      reason,
      activityId,
      volunteer,
      minutes: r.minutes,
      points: r.points,
    });
    r.reversed = true;
    this.s.recordHeads.set(key, index);
  }

  private redeem(input: RedeemInput, v: number, forged: boolean): void {
    const { orgId, operator } = this.ctx.merchant;
    const ref = input.externalRef;
    this.newRecord(orgId, ref, "CreditRecordExists");
    if (!at(this.ctx.volunteers, v, "volunteer").hasConsentKey) {
      throw new Revert("CreditConsentKeyMissing", [input.volunteer]);
    }
    if (forged) throw new Revert("CreditConsentInvalid", [input.volunteer]);
    const account = at(this.s.accounts, v, "volunteer");
    if (input.points > account.points) {
      throw new Revert("CreditBalanceInsufficient", [input.volunteer, account.points, input.points]);
    }
    const nonce = account.nonce;
    account.points -= input.points;
    account.nonce += 1;
    const streams = [volunteerStream(input.volunteer), orgStream(orgId), recordStream(orgId, ref)];
    const index = this.append(orgId, operator, streams, {
      type: "creditRedeemed",
      volunteer: input.volunteer,
      points: input.points,
      externalRef: ref,
      serviceHash: input.serviceHash,
      nonce,
    });
    this.s.recordHeads.set(recordKey(orgId, ref), index);
  }
}

/** Whether `date` (YYYYMMDD) is a calendar date in the years 1900..2999. */
export function isServiceDate(date: number): boolean {
  const [year, month, day] = [Math.floor(date / 10_000), Math.floor(date / 100) % 100, date % 100];
  if (year < 1900 || year > 2999 || month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The index of the `pick`-th item (cyclically) that satisfies `test`; `pick` itself if none does. */
function pickAmong<T>(items: readonly T[], test: (item: T) => boolean, pick: number): number {
  const matching = items.flatMap((item, i) => (test(item) ? [i] : []));
  return matching.length === 0 ? pick : (matching[pick % matching.length] as number);
}

/** The amount `spec` names when `available` is on hand; never 0. */
export function resolveAmount(spec: AmountSpec, available: bigint): bigint {
  switch (spec.kind) {
    case "share": {
      const amount = (available * BigInt(spec.permille)) / 1000n;
      return amount > 0n ? amount : 1n;
    }
    case "over":
      return available + spec.extra;
    case "raw":
      return spec.value;
  }
}
