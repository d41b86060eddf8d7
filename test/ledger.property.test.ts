// Model-based property test of the money and credit rules across CharityLedger, VolunteerCredit
// and the TransparencyLog: random sequences of donations, disbursements, grants, reversals,
// closures, credits and redemptions run against the chain and against a plain model
// (ledger.model.ts), which predicts success or the exact custom error of every call. After every
// step the chain's balances, the log's size and root, and the heads of every stream touched must
// agree with the model and with what anyone can rebuild from the log's EntryAppended events alone.
import type { WalletClient } from "@nomicfoundation/hardhat-viem/types";
import {
  campaignStream,
  decodeLeaf,
  type Entry,
  entryKind,
  leafHash,
  merkleRoot,
  orgStream,
  recordStream,
  volunteerStream,
} from "@shanji/core";
import fc from "fast-check";
import {
  BaseError,
  ContractFunctionRevertedError,
  getAddress,
  type Hex,
  hexToBytes,
  type LocalAccount,
  keccak256,
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
  type LedgerContext,
  type LedgerState,
  initialState,
  type Op,
  opArbitrary,
  type Outcome,
  step,
} from "./ledger.model.ts";

// 20 runs of up to 30 steps keep the file near a minute on a 2-core machine.
const SEED = 0x5a4e4a49;
const NUM_RUNS = 20;
const MAX_STEPS = 30;

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

  // Four pseudonyms; the last one never enrols a wallet, so its redemptions lack consent.
  const volunteers = [0, 1, 2, 3].map((i) => ({ pseudonym: keccak256(stringToHex(`volunteer:${i}`)), i }));
  const consentKeys = volunteers.map(({ i }) => (i < 3 ? privateKeyToAccount(generatePrivateKey()) : undefined));
  for (const [i, key] of consentKeys.entries()) {
    const volunteer = volunteers[i];
    if (key === undefined || volunteer === undefined) continue;
    await confirm(
      system,
      credit.write.setConsentKey([volunteer.pseudonym, key.address], { account: volunteerOperator.account }),
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
    volunteers: volunteers.map(({ pseudonym }, i) => ({ pseudonym, hasConsentKey: consentKeys[i] !== undefined })),
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
    domain: { name: "Shanji VolunteerCredit", version: "1", chainId: h.chainId, verifyingContract: h.system.credit.address },
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
async function runStep(h: Harness, state: LedgerState, o: Observed, op: Op): Promise<{ state: LedgerState; outcome: Outcome }> {
  const { system, ctx } = h;
  const planned = step(ctx, state, op);
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
  return { state: next, outcome };
}

/** Runs `ops` from the snapshot; returns what each call did ("ok" or its error's name). */
async function runSequence(h: Harness, ops: readonly Op[]): Promise<string[]> {
  await h.restore();
  let state = initialState(h.ctx);
  const observed = cloneObserved(h.observed);
  const outcomes: string[] = [];
  for (const op of ops) {
    const r = await runStep(h, state, observed, op);
    state = r.state;
    outcomes.push(r.outcome.ok ? "ok" : r.outcome.error);
  }
  return outcomes;
}

// ---------------------------------------------------------------- the tests
describe("CharityLedger + VolunteerCredit against a model", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await setUp();
  });

  test("behavior: a hand-written sequence of money and credit moves", async () => {
    const donation = { channel: 1, purpose: null, donor: "receipt", inKind: false, reuse: null } as const;
    const disbursement = { category: 2, evidence: 0, purpose: null, grantTo: null, reuse: null } as const;
    const credit = { volunteer: 0, minutes: 120, serviceDate: 20_250_601, reuse: null } as const;
    const raw = (value: bigint) => ({ kind: "raw", value }) as const;
    const outcomes = await runSequence(h, [
      // A1 takes 500 (earmarked for education) and grants 200 of it to B1.
      { type: "donate", campaign: 0, donation: { ...donation, amount: 500n, purpose: 0 } },
      { type: "disburse", campaign: 0, ...disbursement, amount: raw(200n), category: 1, evidence: 1, grantTo: 2 },
      { type: "disburse", campaign: 0, ...disbursement, amount: raw(400n) },
      // A may not reuse its ref; B may use the same one.
      { type: "donate", campaign: 1, donation: { ...donation, amount: 50n, reuse: 0 } },
      { type: "donate", campaign: 2, donation: { ...donation, amount: 70n, donor: "enterprise", reuse: 0 } },
      { type: "disburse", campaign: 2, ...disbursement, amount: raw(250n) },
      // B1 has spent the grant, A1 the donation: neither can be reversed yet.
      { type: "reverse", pick: 1, reason: 1, wrongLeaf: false },
      { type: "reverse", pick: 0, reason: 1, wrongLeaf: false },
      { type: "reverse", pick: 0, reason: 1, wrongLeaf: true },
      { type: "reverse", pick: 3, reason: 2, wrongLeaf: false },
      { type: "reverse", pick: 1, reason: 2, wrongLeaf: false },
      { type: "reverse", pick: 0, reason: 2, wrongLeaf: false },
      { type: "reverse", pick: 0, reason: 2, wrongLeaf: false },
      { type: "close", campaign: 1 },
      { type: "donate", campaign: 1, donation: { ...donation, amount: 1n } },
      { type: "close", campaign: 1 },
      // Closed campaigns still pay out, but receive no grants.
      { type: "disburse", campaign: 0, ...disbursement, amount: raw(1n), grantTo: 1 },
      { type: "issueCredit", credit: { ...credit, points: 100n } },
      { type: "redeem", volunteer: 0, points: raw(150n), reuse: null, forged: false },
      { type: "redeem", volunteer: 0, points: raw(60n), reuse: null, forged: false },
      { type: "reverseCredit", pick: 0, reason: 1, wrongLeaf: false },
      { type: "redeem", volunteer: 3, points: raw(1n), reuse: null, forged: false },
      { type: "redeem", volunteer: 0, points: raw(10n), reuse: null, forged: true },
      { type: "redeem", volunteer: 0, points: raw(40n), reuse: null, forged: false },
      {
        type: "issueCredits",
        credits: [
          { ...credit, volunteer: 1, points: 10n },
          { ...credit, volunteer: 2, points: 0n, minutes: 0 },
        ],
      },
      { type: "issueCredits", credits: [{ ...credit, volunteer: 1, points: 10n }] },
      // A batch that repeats its own first ref (used refs so far: A's 3, B's 1, V's 2, M's 2).
      {
        type: "donateBatch",
        campaign: 3,
        donations: [
          { ...donation, amount: 5n },
          { ...donation, amount: 6n, reuse: 8 },
        ],
      },
      { type: "donateBatch", campaign: 3, donations: [{ ...donation, amount: 5n }, { ...donation, amount: 6n }] },
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
    ]);
  });

  test("behavior: random sequences keep balances, the log and its stream heads consistent", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArbitrary, { minLength: 1, maxLength: MAX_STEPS }), async (ops) => {
        await runSequence(h, ops);
      }),
      { seed: SEED, numRuns: NUM_RUNS },
    );
  });
});

// Referenced so the stream helpers stay in the public surface this test relies on.
void [campaignStream, orgStream, recordStream, volunteerStream];
