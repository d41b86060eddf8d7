// Model-based property test of the money and credit rules across CharityLedger, VolunteerCredit
// and the TransparencyLog: random sequences of donations, disbursements, grants, reversals,
// closures, credits and redemptions run against the chain and against a plain model
// (ledger.model.ts), which predicts success or the exact custom error of every call. After every
// step the chain's balances, the log's size and root, and the heads of every stream touched must
// agree with the model and with what anyone can rebuild from the log's EntryAppended events alone.
import type { WalletClient } from "@nomicfoundation/hardhat-viem/types";
import { decodeLeaf, type Entry, entryKind, leafHash, merkleRoot } from "@shanji/core";
import fc from "fast-check";
import {
  BaseError,
  ContractFunctionRevertedError,
  getAddress,
  type Hex,
  hexToBytes,
  keccak256,
  type LocalAccount,
  sha256,
  slice,
  stringToHex,
  toHex,
} from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { beforeAll, describe, expect, test } from "vitest";
import { accreditOrg, deploySystem, orgKind, readEntries, type System } from "./_fixture/deploySystem.ts";
import {
  type Call,
  type CampaignContext,
  CNY,
  type DisbursementSpec,
  initialState,
  type LedgerContext,
  type Op,
  opArbitrary,
  step,
} from "./ledger.model.ts";

// Long sequences rather than many runs: a reversal that must fail needs a record, then spending
// from its campaign, then the reversal. 25 runs of up to 80 steps take about 30 s on 2 cores.
const SEED = 0x5a4e4a49;
const NUM_RUNS = 25;
const MAX_STEPS = 80;
/** Stops the runs (or the shrinking of a failure) well inside vitest's 120 s test timeout. */
const TIME_LIMIT_MS = 60_000;
/** Outcomes the seeded runs must include, or the property says less than it seems to. */
const MUST_REACH = [
  "recordDonation: ok",
  "recordDonation: CharityRecordExists",
  "recordDonations: ok",
  "recordDonations: CharityRecordExists",
  "disburse: ok",
  "disburse: CharityBalanceInsufficient",
  "grant: ok",
  "recordDisbursements with grants: ok",
  "reverse donation: ok",
  "reverse donation: CharityBalanceInsufficient",
  "reverse disbursement: ok",
  "reverse grant: ok",
  "reverse grant: CharityBalanceInsufficient",
  "closeCampaign: ok",
  "issueCredit: ok",
  "issueCredits: ok",
  "reverseCredit: ok",
  "reverseCredit: CreditBalanceInsufficient",
  "redeem: ok",
  "redeem: CreditBalanceInsufficient",
];

// ---------------------------------------------------------------- what the events say
interface StreamHead {
  count: bigint;
  lastIndex: bigint;
  lastLeafHash: Hex;
}

/** The log as rebuilt from its EntryAppended events, and the balances those entries imply. */
interface Observed {
  leaves: Uint8Array[];
  leafHex: Hex[];
  heads: Map<Hex, StreamHead>;
  campaignBalances: Map<bigint, bigint>;
  points: Map<Hex, bigint>;
}

function cloneObserved(o: Observed): Observed {
  return {
    leaves: [...o.leaves],
    leafHex: [...o.leafHex],
    heads: new Map(o.heads),
    campaignBalances: new Map(o.campaignBalances),
    points: new Map(o.points),
  };
}

function add<K>(map: Map<K, bigint>, key: K, delta: bigint, what: string): void {
  const value = (map.get(key) ?? 0n) + delta;
  expect(value >= 0n, `${what} ${String(key)} would be ${value} by the log's entries`).toBe(true);
  map.set(key, value);
}

/** Appends one event's entry to `o`, checking its index and its back-pointers on the way. */
function ingest(o: Observed, index: bigint, leaf: Hex): Entry {
  expect(index, "entries arrive in order, without gaps").toBe(BigInt(o.leaves.length));
  const bytes = hexToBytes(leaf);
  const entry = decodeLeaf(bytes);
  expect(entry.index).toBe(index);
  const lastLeafHash = slice(leafHash(bytes), 0, 16);
  for (const { id, prevIndex } of entry.streams) {
    const head = o.heads.get(id);
    expect(prevIndex, `entry ${index}: prevIndex in stream ${id}`).toBe(head?.lastIndex ?? null);
    o.heads.set(id, { count: (head?.count ?? 0n) + 1n, lastIndex: index, lastLeafHash });
  }
  const r = entry.record;
  switch (r.type) {
    case "donationRecorded":
      add(o.campaignBalances, r.campaignId, r.amount, "campaign");
      break;
    case "disbursementRecorded":
      add(o.campaignBalances, r.campaignId, -r.amount, "campaign");
      if (r.payeeCampaignId !== 0n) add(o.campaignBalances, r.payeeCampaignId, r.amount, "campaign");
      break;
    case "recordReversed":
      if (r.targetKind === entryKind.donationRecorded) {
        add(o.campaignBalances, r.campaignId, -r.amount, "campaign");
      } else {
        add(o.campaignBalances, r.campaignId, r.amount, "campaign");
        if (r.payeeCampaignId !== 0n) add(o.campaignBalances, r.payeeCampaignId, -r.amount, "campaign");
      }
      break;
    case "creditIssued":
      add(o.points, r.volunteer, r.points, "volunteer");
      break;
    case "creditReversed":
    case "creditRedeemed":
      add(o.points, r.volunteer, -r.points, "volunteer");
      break;
  }
  o.leaves.push(bytes);
  o.leafHex.push(leaf);
  return entry;
}

// ---------------------------------------------------------------- the system under test
interface Harness {
  system: System;
  ctx: LedgerContext;
  charityOperators: WalletClient[];
  volunteerOperator: WalletClient;
  merchantOperator: WalletClient;
  /** By volunteer; undefined for the one without a consent key. */
  consentKeys: (LocalAccount | undefined)[];
  chainId: number;
  observed: Observed;
  restore: () => Promise<void>;
}

async function confirm(system: System, hash: Promise<Hex>): Promise<bigint> {
  // Hardhat's in-process chain mines on send, so the receipt is already there.
  const receipt = await system.publicClient.getTransactionReceipt({ hash: await hash });
  expect(receipt.status).toBe("success");
  return receipt.blockNumber;
}

const tag = (name: string): Hex => keccak256(stringToHex(`purpose:${name}`));

async function setUp(): Promise<Harness> {
  const system = await deploySystem();
  const { charity, credit } = system;
  const charityOrgs = [
    await accreditOrg(system, { kind: orgKind.Charity, name: "春蕾助学基金会" }),
    await accreditOrg(system, { kind: orgKind.Charity, name: "蓝天救援促进会" }),
  ];
  const enterprise = await accreditOrg(system, { kind: orgKind.Enterprise, name: "示例科技有限公司", operators: [] });
  const volunteerOrg = await accreditOrg(system, { kind: orgKind.VolunteerOrg, name: "社区志愿者协会" });
  const merchant = await accreditOrg(system, { kind: orgKind.Merchant, name: "社区便民超市" });
  const [education, medical, disaster] = [tag("education"), tag("medical"), tag("disaster")];
  const tagsOf = [
    [education, medical],
    [education, disaster],
  ];

  const charityOperators = charityOrgs.map((o) => o.operators[0] as WalletClient);
  const campaigns: CampaignContext[] = [];
  for (const [i, o] of charityOrgs.entries()) {
    for (const purposeTags of [tagsOf[i] ?? [], []]) {
      const name = `campaign ${campaigns.length}`;
      await confirm(
        system,
        charity.write.openCampaign(
          [
            {
              currency: toHex(CNY),
              target: 0n,
              startTime: 0n,
              endTime: 0n,
              filingNumber: toHex(0, { size: 32 }),
              descriptionHash: sha256(stringToHex(name)),
              purposeTags,
            },
          ],
          { account: (o.operators[0] as WalletClient).account },
        ),
      );
      campaigns.push({ id: await charity.read.campaignCount(), charity: i, purposeTags });
    }
  }

  const volunteerOperator = volunteerOrg.operators[0] as WalletClient;
  await confirm(
    system,
    credit.write.registerActivity([sha256(stringToHex("河道清洁日")), 0n, 0n], { account: volunteerOperator.account }),
  );
  const activityId = await credit.read.activityCount();

  // Four pseudonyms; the last one never enrols a wallet, so its redemptions lack consent. Binding
  // a key takes a credit of the binding organisation to the volunteer: one of service minutes
  // only, so that every volunteer starts with no points.
  const volunteers = [0, 1, 2, 3].map((i) => keccak256(stringToHex(`volunteer:${i}`)));
  const consentKeys = volunteers.map((_, i) => (i < 3 ? privateKeyToAccount(generatePrivateKey()) : undefined));
  for (const [i, key] of consentKeys.entries()) {
    const volunteer = volunteers[i];
    if (key === undefined || volunteer === undefined) continue;
    const creditRef = keccak256(stringToHex(`enrolment:${i}`));
    const block = await confirm(
      system,
      credit.write.issueCredit(
        [activityId, { externalRef: creditRef, volunteer, serviceMinutes: 60, points: 0n, serviceDate: 20_250_101 }],
        { account: volunteerOperator.account },
      ),
    );
    const [issued] = await system.publicClient.getContractEvents({
      address: system.log.address,
      abi: system.log.abi,
      eventName: "EntryAppended",
      fromBlock: block,
      toBlock: block,
      strict: true,
    });
    if (issued === undefined) throw new Error("setUp: the enrolment credit appended no entry");
    await confirm(
      system,
      credit.write.setConsentKey([volunteer, key.address, creditRef, issued.args.leaf], {
        account: volunteerOperator.account,
      }),
    );
  }

  const observed: Observed = {
    leaves: [],
    leafHex: [],
    heads: new Map(),
    campaignBalances: new Map(),
    points: new Map(),
  };
  for (const { index, leaf } of await readEntries(system)) ingest(observed, index, leaf);

  const ctx: LedgerContext = {
    charities: charityOrgs.map((o, i) => ({
      orgId: o.orgId,
      operator: getAddress((charityOperators[i] as WalletClient).account.address),
    })),
    enterpriseOrg: enterprise.orgId,
    volunteerOrg: {
      orgId: volunteerOrg.orgId,
      operator: getAddress(volunteerOperator.account.address),
      activityId,
    },
    merchant: {
      orgId: merchant.orgId,
      operator: getAddress((merchant.operators[0] as WalletClient).account.address),
    },
    campaigns,
    purposeTags: [education, medical, disaster],
    volunteers: volunteers.map((pseudonym, i) => ({ pseudonym, hasConsentKey: consentKeys[i] !== undefined })),
    initialSize: BigInt(observed.leaves.length),
  };
  expect(await system.log.read.size()).toBe(ctx.initialSize);

  const snapshot = await system.networkHelpers.takeSnapshot();
  return {
    system,
    ctx,
    charityOperators,
    volunteerOperator,
    merchantOperator: merchant.operators[0] as WalletClient,
    consentKeys,
    chainId: await system.publicClient.getChainId(),
    observed,
    restore: () => snapshot.restore(),
  };
}

// ---------------------------------------------------------------- sending a call
type Sent = { ok: true; blockNumber: bigint } | { ok: false; error: string; args: readonly unknown[] };

function charityOperator(h: Harness, i: number): WalletClient {
  const w = h.charityOperators[i];
  if (w === undefined) throw new Error(`no charity ${i}`);
  return w;
}

async function sign(h: Harness, call: Extract<Call, { fn: "redeem" }>): Promise<Hex> {
  const key = call.forged ? undefined : h.consentKeys[call.volunteer];
  const signer = key ?? privateKeyToAccount(generatePrivateKey());
  return signer.signTypedData({
    domain: {
      name: "Shanji VolunteerCredit",
      version: "1",
      chainId: h.chainId,
      verifyingContract: h.system.credit.address,
    },
    types: {
      Redeem: [
        { name: "volunteer", type: "bytes32" },
        { name: "merchantOrg", type: "uint64" },
        { name: "points", type: "uint64" },
        { name: "externalRef", type: "bytes32" },
        { name: "serviceHash", type: "bytes32" },
        { name: "nonce", type: "uint32" },
        { name: "deadline", type: "uint64" },
      ],
    },
    primaryType: "Redeem",
    message: { ...call.input, merchantOrg: h.ctx.merchant.orgId, nonce: call.nonce },
  });
}

async function write(h: Harness, call: Call, leafHex: readonly Hex[]): Promise<Hex> {
  const { charity, credit } = h.system;
  const leaf = (i: bigint): Hex => leafHex[Number(i)] ?? "0x";
  switch (call.fn) {
    case "recordDonation":
      return charity.write.recordDonation([call.campaignId, call.donation], {
        account: charityOperator(h, call.charity).account,
      });
    case "recordDonations":
      return charity.write.recordDonations([call.campaignId, call.donations], {
        account: charityOperator(h, call.charity).account,
      });
    case "recordDisbursement":
      return charity.write.recordDisbursement([call.campaignId, call.disbursement], {
        account: charityOperator(h, call.charity).account,
      });
    case "recordDisbursements":
      return charity.write.recordDisbursements([call.campaignId, call.disbursements], {
        account: charityOperator(h, call.charity).account,
      });
    case "reverseRecord":
      return charity.write.reverseRecord([call.externalRef, call.reason, leaf(call.leafIndex)], {
        account: charityOperator(h, call.charity).account,
      });
    case "closeCampaign":
      return charity.write.closeCampaign([call.campaignId], { account: charityOperator(h, call.charity).account });
    case "issueCredit":
      return credit.write.issueCredit([call.activityId, call.credit], { account: h.volunteerOperator.account });
    case "issueCredits":
      return credit.write.issueCredits([call.activityId, call.credits], { account: h.volunteerOperator.account });
    case "reverseCredit":
      return credit.write.reverseCredit([call.externalRef, call.reason, leaf(call.leafIndex)], {
        account: h.volunteerOperator.account,
      });
    case "redeem":
      return credit.write.redeem([call.input, await sign(h, call)], { account: h.merchantOperator.account });
  }
}

async function send(h: Harness, call: Call, leafHex: readonly Hex[]): Promise<Sent> {
  try {
    return { ok: true, blockNumber: await confirm(h.system, write(h, call, leafHex)) };
  } catch (e) {
    const reverted = e instanceof BaseError ? e.walk((c) => c instanceof ContractFunctionRevertedError) : null;
    if (!(reverted instanceof ContractFunctionRevertedError) || reverted.data === undefined) throw e;
    return { ok: false, error: reverted.data.errorName, args: reverted.data.args ?? [] };
  }
}

// ---------------------------------------------------------------- one step, then the checks
type Planned = ReturnType<typeof step>;

/** Sends the planned call and checks the chain against the model and the events afterwards. */
async function runStep(h: Harness, planned: Planned, o: Observed): Promise<void> {
  const { system, ctx } = h;
  const { call, outcome } = planned;
  const sent = await send(h, call, o.leafHex);

  const touched = new Set<Hex>();
  if (outcome.ok) {
    expect(sent, `${call.fn} should succeed`).toMatchObject({ ok: true });
    if (!sent.ok) throw new Error("unreachable");
    const events = await system.publicClient.getContractEvents({
      address: system.log.address,
      abi: system.log.abi,
      eventName: "EntryAppended",
      fromBlock: sent.blockNumber,
      toBlock: sent.blockNumber,
      strict: true,
    });
    const fresh = events.map(({ args }) => ingest(o, args.index, args.leaf));
    expect(fresh.length, `${call.fn}: entries appended`).toBe(outcome.entries.length);
    for (const [i, entry] of fresh.entries()) {
      const expected = outcome.entries[i];
      expect({
        index: entry.index,
        actorOrg: entry.actorOrg,
        operator: entry.operator,
        streams: entry.streams.map((s) => s.id),
        record: entry.record,
      }).toEqual(expected);
      for (const s of entry.streams) touched.add(s.id);
    }
  } else {
    expect(sent, `${call.fn} should revert`).toEqual({ ok: false, error: outcome.error, args: outcome.args });
  }
  const next = planned.state;

  const { charity, credit, log } = system;
  const touchedIds = [...touched];
  const [campaigns, accounts, size, root, heads] = await Promise.all([
    Promise.all(ctx.campaigns.map((c) => charity.read.campaign([c.id]))),
    Promise.all(ctx.volunteers.map((v) => credit.read.account([v.pseudonym]))),
    log.read.size(),
    log.read.root(),
    Promise.all(touchedIds.map((id) => log.read.streamHead([id]))),
  ]);
  for (const [i, c] of ctx.campaigns.entries()) {
    const onChain = campaigns[i];
    const modelled = next.campaigns[i];
    expect(onChain?.balance, `campaign ${c.id}: balance on chain vs model`).toBe(modelled?.balance);
    expect(onChain?.balance, `campaign ${c.id}: balance on chain vs the log's entries`).toBe(
      o.campaignBalances.get(c.id) ?? 0n,
    );
    expect(onChain?.status, `campaign ${c.id}: status`).toBe(modelled?.open ? 1 : 2);
  }
  for (const [i, v] of ctx.volunteers.entries()) {
    const onChain = accounts[i];
    const modelled = next.accounts[i];
    expect(onChain?.points, `volunteer ${i}: points on chain vs model`).toBe(modelled?.points);
    expect(onChain?.points, `volunteer ${i}: points on chain vs the log's entries`).toBe(
      o.points.get(v.pseudonym) ?? 0n,
    );
    expect(onChain?.nonce, `volunteer ${i}: nonce`).toBe(modelled?.nonce);
  }
  expect(size, "log size vs entries read").toBe(BigInt(o.leaves.length));
  expect(size, "log size vs model").toBe(next.size);
  expect(root, "log root vs the Merkle root of the entries read").toBe(merkleRoot(o.leaves));
  for (const [i, id] of touchedIds.entries()) {
    expect(heads[i], `head of stream ${id}`).toEqual(o.heads.get(id));
  }
}

/**
 * Runs `ops` from the snapshot; returns what each call did ("ok" or its error's name) and the
 * model's label of it ("reverse grant: CharityBalanceInsufficient").
 */
async function runSequence(h: Harness, ops: readonly Op[]): Promise<{ outcomes: string[]; labels: string[] }> {
  await h.restore();
  let state = initialState(h.ctx);
  const observed = cloneObserved(h.observed);
  const outcomes: string[] = [];
  const labels: string[] = [];
  for (const [i, op] of ops.entries()) {
    const planned = step(h.ctx, state, op);
    try {
      await runStep(h, planned, observed);
    } catch (e) {
      // Say where in the sequence it broke: the counterexample alone is a wall of operations.
      if (e instanceof Error) {
        const history = labels.map((label, j) => `  ${j}. ${label}`).join("\n");
        e.message = `step ${i} (model: ${planned.label}) failed, after:\n${history}\n${e.message}`;
      }
      throw e;
    }
    state = planned.state;
    outcomes.push(planned.outcome.ok ? "ok" : planned.outcome.error);
    labels.push(planned.label);
  }
  return { outcomes, labels };
}

// ---------------------------------------------------------------- the tests
describe("CharityLedger + VolunteerCredit against a model", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await setUp();
  });

  test("behavior: a hand-written sequence of money and credit moves", async () => {
    const donation = { channel: 1, purpose: null, donor: "receipt", inKind: false, reuse: null } as const;
    const pay = { category: 2, evidence: 0, purpose: null, grantTo: null, reuse: null } as const;
    const credit = { volunteer: 0, minutes: 120, serviceDate: 20_250_601, reuse: null } as const;
    const raw = (value: bigint) => ({ kind: "raw", value }) as const;
    const disburse = (campaign: number, disbursement: DisbursementSpec): Op => ({
      type: "disburse",
      campaign,
      funded: false,
      disbursement,
    });
    const { outcomes } = await runSequence(h, [
      // A1 takes 500 (earmarked for education) and grants 200 of it to B1.
      { type: "donate", campaign: 0, donation: { ...donation, amount: 500n, purpose: 0 } },
      disburse(0, { ...pay, amount: raw(200n), category: 1, evidence: 1, grantTo: 2 }),
      disburse(0, { ...pay, amount: raw(400n) }),
      // A may not reuse its ref; B may use the same one.
      { type: "donate", campaign: 1, donation: { ...donation, amount: 50n, reuse: 0 } },
      { type: "donate", campaign: 2, donation: { ...donation, amount: 70n, donor: "enterprise", reuse: 0 } },
      disburse(2, { ...pay, amount: raw(250n) }),
      // B1 has spent the grant, A1 the donation: neither can be reversed yet.
      { type: "reverse", among: "records", pick: 1, reason: 1, wrongLeaf: false },
      { type: "reverse", among: "records", pick: 0, reason: 1, wrongLeaf: false },
      { type: "reverse", among: "records", pick: 0, reason: 1, wrongLeaf: true },
      // B takes its spending back; then the grant and the donation can be reversed, once.
      { type: "reverse", among: "records", pick: 3, reason: 2, wrongLeaf: false },
      { type: "reverse", among: "records", pick: 1, reason: 2, wrongLeaf: false },
      { type: "reverse", among: "records", pick: 0, reason: 2, wrongLeaf: false },
      { type: "reverse", among: "records", pick: 0, reason: 2, wrongLeaf: false },
      { type: "close", campaign: 1 },
      { type: "donate", campaign: 1, donation: { ...donation, amount: 1n } },
      { type: "close", campaign: 1 },
      // A closed campaign receives no grants.
      disburse(2, { ...pay, amount: raw(1n), grantTo: 3 }),
      { type: "issueCredit", credit: { ...credit, points: 100n } },
      { type: "redeem", funded: false, volunteer: 0, points: raw(150n), reuse: null, forged: false },
      { type: "redeem", funded: false, volunteer: 0, points: raw(60n), reuse: null, forged: false },
      { type: "reverseCredit", pick: 0, reason: 1, wrongLeaf: false },
      { type: "redeem", funded: false, volunteer: 3, points: raw(1n), reuse: null, forged: false },
      { type: "redeem", funded: false, volunteer: 0, points: raw(10n), reuse: null, forged: true },
      { type: "redeem", funded: false, volunteer: 0, points: raw(40n), reuse: null, forged: false },
      {
        type: "issueCredits",
        credits: [
          { ...credit, volunteer: 1, points: 10n },
          { ...credit, volunteer: 2, points: 0n, minutes: 0 },
        ],
      },
      { type: "issueCredits", credits: [{ ...credit, volunteer: 1, points: 10n }] },
      // A batch that repeats its own first ref: 7 refs are in use (A 2, B 1, V 2, M 2), it is the 8th.
      {
        type: "donateBatch",
        campaign: 3,
        donations: [
          { ...donation, amount: 5n },
          { ...donation, amount: 6n, reuse: 7 },
        ],
      },
      {
        type: "donateBatch",
        campaign: 3,
        donations: [
          { ...donation, amount: 5n },
          { ...donation, amount: 6n },
        ],
      },
      // B2 (11) pays 4 out and grants 4 to A1 in one batch; the next batch overdraws on its second item.
      {
        type: "disburseBatch",
        campaign: 3,
        funded: false,
        disbursements: [
          { ...pay, amount: raw(4n) },
          { ...pay, amount: raw(4n), grantTo: 1 },
        ],
      },
      {
        type: "disburseBatch",
        campaign: 3,
        funded: false,
        disbursements: [
          { ...pay, amount: raw(2n) },
          { ...pay, amount: raw(2n) },
        ],
      },
    ]);
    expect(outcomes).toEqual([
      "ok",
      "ok",
      "CharityBalanceInsufficient",
      "CharityRecordExists",
      "ok",
      "ok",
      "CharityBalanceInsufficient",
      "CharityBalanceInsufficient",
      "CharityRecordLeafMismatch",
      "ok",
      "ok",
      "ok",
      "CharityRecordAlreadyReversed",
      "ok",
      "CharityCampaignClosed",
      "CharityCampaignClosed",
      "CharityGrantCampaignInvalid",
      "ok",
      "CreditBalanceInsufficient",
      "ok",
      "CreditBalanceInsufficient",
      "CreditConsentKeyMissing",
      "CreditConsentInvalid",
      "ok",
      "CreditAmountInvalid",
      "ok",
      "CharityRecordExists",
      "ok",
      "ok",
      "CharityBalanceInsufficient",
    ]);
    // The same end state, read straight from the chain rather than through the model.
    const balances = await Promise.all(
      h.ctx.campaigns.map(async (c) => (await h.system.charity.read.campaign([c.id])).balance),
    );
    expect(balances).toEqual([4n, 0n, 70n, 3n]);
    const points = await Promise.all(
      h.ctx.volunteers.map(async (v) => (await h.system.credit.read.account([v.pseudonym])).points),
    );
    expect(points).toEqual([0n, 10n, 0n, 0n]);
  });

  test("behavior: random sequences keep balances, the log and its stream heads consistent", async () => {
    const seen = new Set<string>();
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(opArbitrary, { minLength: 1, maxLength: MAX_STEPS, size: "max" }), async (ops) => {
        const { labels } = await runSequence(h, ops);
        for (const label of labels) seen.add(label);
        runs += 1;
      }),
      { seed: SEED, numRuns: NUM_RUNS, interruptAfterTimeLimit: TIME_LIMIT_MS },
    );
    // A guard against a generator that drifts into testing nothing: the runs reached every rule
    // (unless a slow machine cut them short).
    if (runs === NUM_RUNS) expect([...seen].sort()).toEqual(expect.arrayContaining(MUST_REACH));
  });
});
