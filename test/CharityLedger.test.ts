// CharityLedger: campaigns, donations, disbursements and grants, reversals, disclosures,
// attestations and enterprise contribution claims — each function's behaviour and its errors,
// read back through the log entries it appends.

import type { ContractReturnType, WalletClient } from "@nomicfoundation/hardhat-viem/types";
import { campaignStream, orgStream, recordStream } from "@shanji/core";
import { type Address, getAddress, type Hex, keccak256, numberToHex, sha256, stringToHex, zeroHash } from "viem";
import { describe, expect, test } from "vitest";
import { accreditOrg, deploySystem, type OrgKind, orgKind, type System } from "./_fixture/deploySystem.ts";
import { type Appended, mined, minedOne, recordOf, snapshotFixture, streamsOf, tamper } from "./_moduleKit.ts";

// ---------------------------------------------------------------- values
const CNY = stringToHex("CNY", { size: 3 });
const USD = stringToHex("USD", { size: 3 });
const TAG_FOOD = stringToHex("food", { size: 32 });
const TAG_SCHOOL = stringToHex("school", { size: 32 });
const TAG_OTHER = stringToHex("shelter", { size: 32 });
const JAN_2026 = 1_767_225_600n;
const NINETY_DAYS = 90n * 24n * 3600n;

const ref = (label: string): Hex => stringToHex(label, { size: 32 });
const hash = (label: string): Hex => sha256(stringToHex(label));
const orgAsBytes32 = (orgId: bigint): Hex => numberToHex(orgId, { size: 32 });

const category = { none: 0, program: 1, administration: 2, fundraising: 3 } as const;
const donorKind = { receipt: 0, organisation: 1 } as const;
const payeeKind = { external: 0, organisation: 1 } as const;
const campaignStatus = { none: 0, open: 1, closed: 2 } as const;

interface OpenCampaignInput {
  currency: Hex;
  target: bigint;
  startTime: bigint;
  endTime: bigint;
  filingNumber: Hex;
  descriptionHash: Hex;
  purposeTags: readonly Hex[];
}

interface DonationInput {
  externalRef: Hex;
  donorKind: number;
  donor: Hex;
  amount: bigint;
  channel: number;
  purposeTag: Hex;
  inKindHash: Hex;
  claimId: bigint;
}

interface DisbursementInput {
  externalRef: Hex;
  category: number;
  amount: bigint;
  payeeKind: number;
  payee: Hex;
  payeeCampaignId: bigint;
  purposeTag: Hex;
  evidence: readonly Hex[];
}

function campaignInput(overrides: Partial<OpenCampaignInput> = {}): OpenCampaignInput {
  return {
    currency: CNY,
    target: 1_000_000_00n,
    startTime: JAN_2026,
    endTime: JAN_2026 + NINETY_DAYS,
    filingNumber: stringToHex("53110105MJ0000001A-2026-001", { size: 32 }),
    descriptionHash: hash("campaign description"),
    purposeTags: [TAG_FOOD, TAG_SCHOOL],
    ...overrides,
  };
}

/** A money donation from a receipt holder (the donor keeps the secret behind the commitment). */
function donation(externalRef: Hex, overrides: Partial<DonationInput> = {}): DonationInput {
  return {
    externalRef,
    donorKind: donorKind.receipt,
    donor: hash(`receipt secret of ${externalRef}`),
    amount: 10_000n,
    channel: 3,
    purposeTag: zeroHash,
    inKindHash: zeroHash,
    claimId: 0n,
    ...overrides,
  };
}

/** Program spending paid to an external payee, with one evidence hash. */
function disbursement(externalRef: Hex, overrides: Partial<DisbursementInput> = {}): DisbursementInput {
  return {
    externalRef,
    category: category.program,
    amount: 1_000n,
    payeeKind: payeeKind.external,
    payee: keccak256(stringToHex("keyed pseudonym of a supplier")),
    payeeCampaignId: 0n,
    purposeTag: zeroHash,
    evidence: [hash("invoice 1")],
    ...overrides,
  };
}

// ---------------------------------------------------------------- fixture
interface Party {
  orgId: bigint;
  operator: Address;
  wallet: WalletClient;
  /** The CharityLedger, writing as this organisation's operator. */
  charity: ContractReturnType<"CharityLedger">;
}

async function party(system: System, kind: OrgKind, name: string): Promise<Party> {
  const org = await accreditOrg(system, { kind, name });
  const [wallet] = org.operators;
  if (wallet === undefined) throw new Error("accreditOrg gave no operator");
  const charity = await system.viem.getContractAt("CharityLedger", system.charity.address, { client: { wallet } });
  return { orgId: org.orgId, operator: getAddress(wallet.account.address), wallet, charity };
}

/**
 * Charities A, B and C, two enterprises and an auditor. Campaign 1 is A's (CNY, tags food and
 * school), campaign 2 is B's (CNY), campaign 3 is B's (USD). All open, all empty.
 */
const setup = snapshotFixture(async () => {
  const system = await deploySystem();
  const a = await party(system, orgKind.Charity, "Charity A Foundation");
  const b = await party(system, orgKind.Charity, "Charity B Foundation");
  const c = await party(system, orgKind.Charity, "Charity C Foundation");
  const enterprise = await party(system, orgKind.Enterprise, "Enterprise One Ltd");
  const enterprise2 = await party(system, orgKind.Enterprise, "Enterprise Two Ltd");
  const auditor = await party(system, orgKind.Auditor, "Auditor CPA");
  await mined(system, a.charity.write.openCampaign([campaignInput()]));
  await mined(system, b.charity.write.openCampaign([campaignInput({ purposeTags: [] })]));
  await mined(system, b.charity.write.openCampaign([campaignInput({ currency: USD, purposeTags: [] })]));
  return { system, a, b, c, enterprise, enterprise2, auditor, campaignA: 1n, campaignB: 2n, campaignBUsd: 3n };
});

type Ctx = Awaited<ReturnType<typeof setup>>;

async function balanceOf(ctx: Ctx, campaignId: bigint): Promise<bigint> {
  return (await ctx.system.charity.read.campaign([campaignId])).balance;
}

/** MAX_BATCH as the ledger states it. */
async function maxBatch(ctx: Ctx): Promise<number> {
  return Number(await ctx.system.charity.read.MAX_BATCH());
}

/**
 * `send()` reverts with CharityRecordExists(`externalRef`, the entry `at(before)` names) and leaves
 * `state()` as it was `before`.
 */
async function expectRecordExists<S extends { size: bigint }>(
  ctx: Ctx,
  state: () => Promise<S>,
  send: () => Promise<unknown>,
  externalRef: Hex,
  at: (before: S) => bigint,
): Promise<void> {
  const before = await state();
  await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(send(), ctx.a.charity, "CharityRecordExists", [
    externalRef,
    at(before),
  ]);
  expect(await state()).toEqual(before);
}

/** Records a receipt donation of `amount` to A's campaign. */
async function donateToA(ctx: Ctx, externalRef: Hex, amount = 10_000n): Promise<Appended> {
  return minedOne(ctx.system, ctx.a.charity.write.recordDonation([ctx.campaignA, donation(externalRef, { amount })]));
}

/** A grant of `amount` from A's campaign to B's CNY campaign. */
function grantToB(ctx: Ctx, externalRef: Hex, amount = 1_000n): DisbursementInput {
  return disbursement(externalRef, {
    amount,
    payeeKind: payeeKind.organisation,
    payee: orgAsBytes32(ctx.b.orgId),
    payeeCampaignId: ctx.campaignB,
  });
}

// ---------------------------------------------------------------- openCampaign
describe("openCampaign", () => {
  test("behavior: appends a CAMPAIGN_OPENED entry whose fields decode to the input", async () => {
    const ctx = await setup();
    const input = campaignInput({ purposeTags: [TAG_OTHER] });
    const { entry } = await minedOne(ctx.system, ctx.a.charity.write.openCampaign([input]));
    expect(entry.actorOrg).toBe(ctx.a.orgId);
    expect(entry.operator).toBe(ctx.a.operator);
    expect(streamsOf(entry)).toEqual([campaignStream(4n), orgStream(ctx.a.orgId)]);
    expect(recordOf(entry, "campaignOpened")).toEqual({
      type: "campaignOpened",
      campaignId: 4n,
      currency: "CNY",
      target: input.target,
      startTime: input.startTime,
      endTime: input.endTime,
      filingNumber: input.filingNumber,
      descriptionHash: input.descriptionHash,
      purposeTags: [TAG_OTHER],
    });
  });

  test("behavior: the campaign is open, empty, in its currency and owned by the caller's organisation", async () => {
    const ctx = await setup();
    await mined(ctx.system, ctx.a.charity.write.openCampaign([campaignInput({ currency: USD })]));
    expect(await ctx.system.charity.read.campaignCount()).toBe(4n);
    expect(await ctx.system.charity.read.campaign([4n])).toEqual({
      orgId: ctx.a.orgId,
      balance: 0n,
      currency: USD,
      status: campaignStatus.open,
    });
  });

  test("behavior: the campaign's purpose tags are its own", async () => {
    const ctx = await setup();
    const { charity } = ctx.system;
    expect(await charity.read.hasPurpose([ctx.campaignA, TAG_FOOD])).toBe(true);
    expect(await charity.read.hasPurpose([ctx.campaignA, TAG_SCHOOL])).toBe(true);
    expect(await charity.read.hasPurpose([ctx.campaignA, TAG_OTHER])).toBe(false);
    expect(await charity.read.hasPurpose([ctx.campaignB, TAG_FOOD])).toBe(false);
  });

  test("args: an open-ended campaign (endTime 0) is accepted", async () => {
    const ctx = await setup();
    const { entry } = await minedOne(ctx.system, ctx.a.charity.write.openCampaign([campaignInput({ endTime: 0n })]));
    expect(recordOf(entry, "campaignOpened").endTime).toBe(0n);
  });

  test("args: 16 purpose tags (the maximum) are accepted", async () => {
    const ctx = await setup();
    const tags = Array.from({ length: 16 }, (_, i) => ref(`purpose ${i}`));
    const { entry } = await minedOne(
      ctx.system,
      ctx.a.charity.write.openCampaign([campaignInput({ purposeTags: tags })]),
    );
    expect(recordOf(entry, "campaignOpened").purposeTags).toEqual(tags);
  });

  test.each([
    ["lower case", "cny"],
    ["a digit", "CN1"],
    ["a space", "C Y"],
    ["zero bytes", "\0\0\0"],
  ])("error: a currency with %s is refused with CharityCurrencyInvalid", async (_, code) => {
    const ctx = await setup();
    const currency = stringToHex(code, { size: 3 });
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.openCampaign([campaignInput({ currency })]),
      ctx.a.charity,
      "CharityCurrencyInvalid",
      [currency],
    );
  });

  test.each([
    ["equals", JAN_2026],
    ["precedes", JAN_2026 - 1n],
  ])("error: an end time that %s the start time is refused with CharityTimeWindowInvalid", async (_, endTime) => {
    const ctx = await setup();
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.openCampaign([campaignInput({ startTime: JAN_2026, endTime })]),
      ctx.a.charity,
      "CharityTimeWindowInvalid",
      [JAN_2026, endTime],
    );
  });

  test("error: a zero purpose tag is refused with CharityPurposeTagInvalid", async () => {
    const ctx = await setup();
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.openCampaign([campaignInput({ purposeTags: [TAG_FOOD, zeroHash] })]),
      ctx.a.charity,
      "CharityPurposeTagInvalid",
      [zeroHash],
    );
  });

  test("error: a repeated purpose tag is refused with CharityPurposeTagInvalid", async () => {
    const ctx = await setup();
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.openCampaign([campaignInput({ purposeTags: [TAG_FOOD, TAG_SCHOOL, TAG_FOOD] })]),
      ctx.a.charity,
      "CharityPurposeTagInvalid",
      [TAG_FOOD],
    );
  });

  test("error: a 17th purpose tag is refused with CharityPurposeTagInvalid naming it", async () => {
    const ctx = await setup();
    const tags = Array.from({ length: 17 }, (_, i) => ref(`purpose ${i}`));
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.openCampaign([campaignInput({ purposeTags: tags })]),
      ctx.a.charity,
      "CharityPurposeTagInvalid",
      [ref("purpose 16")],
    );
  });

  test("error: an enterprise cannot open a campaign (RegistryOrgKindNotAllowed)", async () => {
    const ctx = await setup();
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.enterprise.charity.write.openCampaign([campaignInput()]),
      ctx.system.registry,
      "RegistryOrgKindNotAllowed",
      [ctx.enterprise.orgId, orgKind.Enterprise],
    );
  });
});

// ---------------------------------------------------------------- closeCampaign
describe("closeCampaign", () => {
  test("behavior: closes the campaign and appends CAMPAIGN_CLOSED with its balance", async () => {
    const ctx = await setup();
    await donateToA(ctx, ref("DON-1"), 7_000n);
    const { entry } = await minedOne(ctx.system, ctx.a.charity.write.closeCampaign([ctx.campaignA]));
    expect(streamsOf(entry)).toEqual([campaignStream(ctx.campaignA), orgStream(ctx.a.orgId)]);
    expect(recordOf(entry, "campaignClosed")).toEqual({
      type: "campaignClosed",
      campaignId: ctx.campaignA,
      balance: 7_000n,
    });
    expect((await ctx.system.charity.read.campaign([ctx.campaignA])).status).toBe(campaignStatus.closed);
  });

  test("error: a donation to a closed campaign is refused with CharityCampaignClosed", async () => {
    const ctx = await setup();
    await mined(ctx.system, ctx.a.charity.write.closeCampaign([ctx.campaignA]));
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.recordDonation([ctx.campaignA, donation(ref("DON-1"))]),
      ctx.a.charity,
      "CharityCampaignClosed",
      [ctx.campaignA],
    );
  });

  test("error: a batch of donations to a closed campaign is refused with CharityCampaignClosed", async () => {
    const ctx = await setup();
    await mined(ctx.system, ctx.a.charity.write.closeCampaign([ctx.campaignA]));
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.recordDonations([ctx.campaignA, [donation(ref("DON-1"))]]),
      ctx.a.charity,
      "CharityCampaignClosed",
      [ctx.campaignA],
    );
  });

  test("behavior: a closed campaign can still spend its balance", async () => {
    const ctx = await setup();
    await donateToA(ctx, ref("DON-1"), 7_000n);
    await mined(ctx.system, ctx.a.charity.write.closeCampaign([ctx.campaignA]));
    await minedOne(
      ctx.system,
      ctx.a.charity.write.recordDisbursement([ctx.campaignA, disbursement(ref("DIS-1"), { amount: 7_000n })]),
    );
    expect(await balanceOf(ctx, ctx.campaignA)).toBe(0n);
  });

  test("error: closing a closed campaign again is refused with CharityCampaignClosed", async () => {
    const ctx = await setup();
    await mined(ctx.system, ctx.a.charity.write.closeCampaign([ctx.campaignA]));
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.closeCampaign([ctx.campaignA]),
      ctx.a.charity,
      "CharityCampaignClosed",
      [ctx.campaignA],
    );
  });

  test("error: closing another organisation's campaign is refused with CharityCampaignNotOwned", async () => {
    const ctx = await setup();
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.closeCampaign([ctx.campaignB]),
      ctx.a.charity,
      "CharityCampaignNotOwned",
      [ctx.campaignB, ctx.a.orgId],
    );
  });

  test("error: closing a campaign that does not exist is refused with CharityCampaignNotFound", async () => {
    const ctx = await setup();
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.closeCampaign([99n]),
      ctx.a.charity,
      "CharityCampaignNotFound",
      [99n],
    );
  });
});

// ---------------------------------------------------------------- publishDisclosure
describe("publishDisclosure", () => {
  test("behavior: a campaign disclosure is an entry of the campaign's and the organisation's streams", async () => {
    const ctx = await setup();
    const report = hash("progress report Q1");
    const { entry } = await minedOne(
      ctx.system,
      ctx.a.charity.write.publishDisclosure([ctx.campaignA, 1, report, JAN_2026, JAN_2026 + NINETY_DAYS]),
    );
    expect(streamsOf(entry)).toEqual([campaignStream(ctx.campaignA), orgStream(ctx.a.orgId)]);
    expect(recordOf(entry, "disclosurePublished")).toEqual({
      type: "disclosurePublished",
      campaignId: ctx.campaignA,
      disclosureKind: 1,
      reportHash: report,
      periodStart: JAN_2026,
      periodEnd: JAN_2026 + NINETY_DAYS,
    });
  });

  test("behavior: an organisation disclosure (campaignId 0) is an entry of the organisation's stream only", async () => {
    const ctx = await setup();
    const report = hash("annual work report 2025");
    const { entry } = await minedOne(
      ctx.system,
      ctx.a.charity.write.publishDisclosure([0n, 3, report, JAN_2026 - 365n * 86_400n, JAN_2026 - 1n]),
    );
    expect(streamsOf(entry)).toEqual([orgStream(ctx.a.orgId)]);
    expect(recordOf(entry, "disclosurePublished")).toMatchObject({
      campaignId: 0n,
      disclosureKind: 3,
      reportHash: report,
    });
  });

  test("behavior: a closed campaign can still publish its final disclosure", async () => {
    const ctx = await setup();
    await mined(ctx.system, ctx.a.charity.write.closeCampaign([ctx.campaignA]));
    const { entry } = await minedOne(
      ctx.system,
      ctx.a.charity.write.publishDisclosure([ctx.campaignA, 2, hash("final"), JAN_2026, JAN_2026]),
    );
    expect(recordOf(entry, "disclosurePublished").disclosureKind).toBe(2);
  });

  test.each([0, 9])("error: disclosure kind %i is refused with CharityDisclosureInvalid", async (kind) => {
    const ctx = await setup();
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.publishDisclosure([ctx.campaignA, kind, hash("report"), JAN_2026, JAN_2026]),
      ctx.a.charity,
      "CharityDisclosureInvalid",
      [kind],
    );
  });

  test("error: a zero report hash is refused with CharityHashInvalid", async () => {
    const ctx = await setup();
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.publishDisclosure([ctx.campaignA, 1, zeroHash, JAN_2026, JAN_2026]),
      ctx.a.charity,
      "CharityHashInvalid",
      [],
    );
  });

  test("error: a period that ends before it starts is refused with CharityTimeWindowInvalid", async () => {
    const ctx = await setup();
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.publishDisclosure([ctx.campaignA, 1, hash("report"), JAN_2026, JAN_2026 - 1n]),
      ctx.a.charity,
      "CharityTimeWindowInvalid",
      [JAN_2026, JAN_2026 - 1n],
    );
  });

  test("error: a disclosure about another organisation's campaign is refused with CharityCampaignNotOwned", async () => {
    const ctx = await setup();
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.publishDisclosure([ctx.campaignB, 1, hash("report"), JAN_2026, JAN_2026]),
      ctx.a.charity,
      "CharityCampaignNotOwned",
      [ctx.campaignB, ctx.a.orgId],
    );
  });
});

// ---------------------------------------------------------------- recordDonation
describe("recordDonation", () => {
  test("behavior: the campaign balance grows by each donation", async () => {
    const ctx = await setup();
    await donateToA(ctx, ref("DON-1"), 10_000n);
    await donateToA(ctx, ref("DON-2"), 2_500n);
    expect(await balanceOf(ctx, ctx.campaignA)).toBe(12_500n);
  });

  test("behavior: a DONATION_RECORDED entry of the campaign and record streams decodes to the donation", async () => {
    const ctx = await setup();
    const input = donation(ref("DON-1"), { amount: 88_800n, channel: 4 });
    const { entry } = await minedOne(ctx.system, ctx.a.charity.write.recordDonation([ctx.campaignA, input]));
    expect(entry.index).toBe((await ctx.system.log.read.size()) - 1n);
    expect(entry.actorOrg).toBe(ctx.a.orgId);
    expect(streamsOf(entry)).toEqual([campaignStream(ctx.campaignA), recordStream(ctx.a.orgId, input.externalRef)]);
    expect(recordOf(entry, "donationRecorded")).toEqual({
      type: "donationRecorded",
      campaignId: ctx.campaignA,
      externalRef: input.externalRef,
      donorKind: donorKind.receipt,
      donor: input.donor,
      currency: "CNY",
      amount: 88_800n,
      channel: 4,
      purposeTag: zeroHash,
      inKindHash: zeroHash,
      claimId: 0n,
    });
  });

  test("behavior: an in-kind donation records the hash of the item description and its valuation", async () => {
    const ctx = await setup();
    const items = hash("200 winter coats, valued by invoice 2026-01");
    const input = donation(ref("DON-1"), { amount: 40_000_00n, inKindHash: items });
    const { entry } = await minedOne(ctx.system, ctx.a.charity.write.recordDonation([ctx.campaignA, input]));
    expect(recordOf(entry, "donationRecorded")).toMatchObject({ inKindHash: items, amount: 40_000_00n });
    expect(await balanceOf(ctx, ctx.campaignA)).toBe(40_000_00n);
  });

  test("behavior: an earmarked donation names a purpose tag of the campaign", async () => {
    const ctx = await setup();
    const input = donation(ref("DON-1"), { purposeTag: TAG_SCHOOL });
    const { entry } = await minedOne(ctx.system, ctx.a.charity.write.recordDonation([ctx.campaignA, input]));
    expect(recordOf(entry, "donationRecorded").purposeTag).toBe(TAG_SCHOOL);
  });

  test("behavior: a donation from a registered organisation is also an entry of the donor's stream", async () => {
    const ctx = await setup();
    const input = donation(ref("DON-1"), {
      donorKind: donorKind.organisation,
      donor: orgAsBytes32(ctx.enterprise.orgId),
    });
    const { entry } = await minedOne(ctx.system, ctx.a.charity.write.recordDonation([ctx.campaignA, input]));
    expect(streamsOf(entry)).toEqual([
      campaignStream(ctx.campaignA),
      recordStream(ctx.a.orgId, input.externalRef),
      orgStream(ctx.enterprise.orgId),
    ]);
  });

  test("behavior: two organisations may use the same external reference", async () => {
    const ctx = await setup();
    await donateToA(ctx, ref("DON-1"));
    await minedOne(ctx.system, ctx.b.charity.write.recordDonation([ctx.campaignB, donation(ref("DON-1"))]));
    expect(await balanceOf(ctx, ctx.campaignB)).toBe(10_000n);
  });

  test("error: a purpose tag that is not the campaign's is refused with CharityPurposeNotInCampaign", async () => {
    const ctx = await setup();
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.recordDonation([ctx.campaignA, donation(ref("DON-1"), { purposeTag: TAG_OTHER })]),
      ctx.a.charity,
      "CharityPurposeNotInCampaign",
      [ctx.campaignA, TAG_OTHER],
    );
  });

  test("error: re-importing the same external reference is refused with CharityRecordExists naming the entry", async () => {
    const ctx = await setup();
    const first = await donateToA(ctx, ref("DON-1"));
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.recordDonation([ctx.campaignA, donation(ref("DON-1"))]),
      ctx.a.charity,
      "CharityRecordExists",
      [ref("DON-1"), first.entry.index],
    );
  });

  test("error: re-importing a reference to another campaign is refused too (references are per organisation)", async () => {
    const ctx = await setup();
    const first = await donateToA(ctx, ref("DON-1"));
    await mined(ctx.system, ctx.a.charity.write.openCampaign([campaignInput()]));
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.recordDonation([4n, donation(ref("DON-1"))]),
      ctx.a.charity,
      "CharityRecordExists",
      [ref("DON-1"), first.entry.index],
    );
  });

  test("error: re-importing a reversed record is still refused with CharityRecordExists", async () => {
    const ctx = await setup();
    const { leaf } = await donateToA(ctx, ref("DON-1"));
    await minedOne(ctx.system, ctx.a.charity.write.reverseRecord([ref("DON-1"), 1, leaf]));
    await ctx.system.viem.assertions.revertWithCustomError(
      ctx.a.charity.write.recordDonation([ctx.campaignA, donation(ref("DON-1"))]),
      ctx.a.charity,
      "CharityRecordExists",
    );
  });

  // CharityRecordExists(externalRef, latestIndex) names the record's latest entry: the record
  // itself until it is reversed, its reversal after (an importer follows the reversal's targetIndex
  // back to the record).
  test("error: re-importing a reversed record names the record's latest entry, the reversal, in CharityRecordExists", async () => {
    const ctx = await setup();
    const donated = await donateToA(ctx, ref("DON-1"));
    const reversal = await minedOne(ctx.system, ctx.a.charity.write.reverseRecord([ref("DON-1"), 1, donated.leaf]));
    expect(recordOf(reversal.entry, "recordReversed").targetIndex).toBe(donated.entry.index);
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.recordDonation([ctx.campaignA, donation(ref("DON-1"))]),
      ctx.a.charity,
      "CharityRecordExists",
      [ref("DON-1"), reversal.entry.index],
    );
  });

  test("error: a zero external reference is refused with CharityExternalRefInvalid", async () => {
    const ctx = await setup();
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.recordDonation([ctx.campaignA, donation(zeroHash)]),
      ctx.a.charity,
      "CharityExternalRefInvalid",
      [],
    );
  });

  test("error: a zero amount is refused with CharityAmountInvalid", async () => {
    const ctx = await setup();
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.recordDonation([ctx.campaignA, donation(ref("DON-1"), { amount: 0n })]),
      ctx.a.charity,
      "CharityAmountInvalid",
      [ref("DON-1")],
    );
  });

  test("args: channel 7 (the last) is accepted", async () => {
    const ctx = await setup();
    const { entry } = await minedOne(
      ctx.system,
      ctx.a.charity.write.recordDonation([ctx.campaignA, donation(ref("DON-1"), { channel: 7 })]),
    );
    expect(recordOf(entry, "donationRecorded").channel).toBe(7);
  });

  test.each([8, 255])("error: channel %i is refused with CharityChannelInvalid", async (channel) => {
    const ctx = await setup();
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.recordDonation([ctx.campaignA, donation(ref("DON-1"), { channel })]),
      ctx.a.charity,
      "CharityChannelInvalid",
      [ref("DON-1"), channel],
    );
  });

  test("error: a zero receipt commitment is refused with CharityDonorInvalid", async () => {
    const ctx = await setup();
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.recordDonation([ctx.campaignA, donation(ref("DON-1"), { donor: zeroHash })]),
      ctx.a.charity,
      "CharityDonorInvalid",
      [ref("DON-1")],
    );
  });

  test("error: a receipt donation that names a claim is refused with CharityDonorInvalid", async () => {
    const ctx = await setup();
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.recordDonation([ctx.campaignA, donation(ref("DON-1"), { claimId: 1n })]),
      ctx.a.charity,
      "CharityDonorInvalid",
      [ref("DON-1")],
    );
  });

  test.each([
    ["zero", 0n],
    ["an organisation that does not exist", 999n],
    ["above uint64", 2n ** 64n],
  ])("error: an organisation donor id that is %s is refused with CharityDonorInvalid", async (_, id) => {
    const ctx = await setup();
    const input = donation(ref("DON-1"), { donorKind: donorKind.organisation, donor: orgAsBytes32(id) });
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.recordDonation([ctx.campaignA, input]),
      ctx.a.charity,
      "CharityDonorInvalid",
      [ref("DON-1")],
    );
  });

  test("error: the charity itself as organisation donor is refused with CharityDonorInvalid", async () => {
    const ctx = await setup();
    const input = donation(ref("DON-1"), { donorKind: donorKind.organisation, donor: orgAsBytes32(ctx.a.orgId) });
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.recordDonation([ctx.campaignA, input]),
      ctx.a.charity,
      "CharityDonorInvalid",
      [ref("DON-1")],
    );
  });

  test("error: a donation to another organisation's campaign is refused with CharityCampaignNotOwned", async () => {
    const ctx = await setup();
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.recordDonation([ctx.campaignB, donation(ref("DON-1"))]),
      ctx.a.charity,
      "CharityCampaignNotOwned",
      [ctx.campaignB, ctx.a.orgId],
    );
  });

  test("error: a donation to a campaign that does not exist is refused with CharityCampaignNotFound", async () => {
    const ctx = await setup();
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.recordDonation([99n, donation(ref("DON-1"))]),
      ctx.a.charity,
      "CharityCampaignNotFound",
      [99n],
    );
  });

  test("error: a key that is no operator is refused with RegistryKeyNotOperator", async () => {
    const ctx = await setup();
    const [governance] = ctx.system.wallets.all;
    if (governance === undefined) throw new Error("no governance wallet");
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.system.charity.write.recordDonation([ctx.campaignA, donation(ref("DON-1"))], {
        account: governance.account,
      }),
      ctx.system.registry,
      "RegistryKeyNotOperator",
      [governance.account.address],
    );
  });
});

// ---------------------------------------------------------------- recordDonations
describe("recordDonations", () => {
  const batch = (size: number, prefix = "BATCH", amount = (i: number) => BigInt(i + 1)): DonationInput[] =>
    Array.from({ length: size }, (_, i) => donation(ref(`${prefix}-${i}`), { amount: amount(i) }));

  /** What a refused batch must leave untouched. */
  async function ledgerState(ctx: Ctx, refs: readonly Hex[]) {
    const { log } = ctx.system;
    return {
      size: await log.read.size(),
      root: await log.read.root(),
      balance: await balanceOf(ctx, ctx.campaignA),
      campaignHead: await log.read.streamHead([campaignStream(ctx.campaignA)]),
      recordHeads: await Promise.all(refs.map((r) => log.read.streamHead([recordStream(ctx.a.orgId, r)]))),
    };
  }

  test("behavior: MAX_BATCH is 200, as ICharityLedger documents", async () => {
    const ctx = await setup();
    expect(await maxBatch(ctx)).toBe(200);
  });

  test("error: an empty batch is refused with CharityBatchSizeInvalid(0, MAX_BATCH)", async () => {
    const ctx = await setup();
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.recordDonations([ctx.campaignA, []]),
      ctx.a.charity,
      "CharityBatchSizeInvalid",
      [0n, BigInt(await maxBatch(ctx))],
    );
  });

  test("behavior: a batch of MAX_BATCH (the maximum) appends MAX_BATCH entries and adds up the balance", async () => {
    const ctx = await setup();
    const max = await maxBatch(ctx);
    const sizeBefore = await ctx.system.log.read.size();
    const donations = batch(max);
    const appended = await mined(ctx.system, ctx.a.charity.write.recordDonations([ctx.campaignA, donations]));
    expect(appended).toHaveLength(max);
    expect(await ctx.system.log.read.size()).toBe(sizeBefore + BigInt(max));
    expect(await balanceOf(ctx, ctx.campaignA)).toBe(donations.reduce((sum, d) => sum + d.amount, 0n));
    expect((await ctx.system.log.read.streamHead([campaignStream(ctx.campaignA)])).count).toBe(1n + BigInt(max));
  });

  test("error: a batch of MAX_BATCH + 1 is refused with CharityBatchSizeInvalid(MAX_BATCH + 1, MAX_BATCH)", async () => {
    const ctx = await setup();
    const max = await maxBatch(ctx);
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.recordDonations([ctx.campaignA, batch(max + 1)]),
      ctx.a.charity,
      "CharityBatchSizeInvalid",
      [BigInt(max + 1), BigInt(max)],
    );
  });

  // The caller is checked before the batch's size.
  test("error: an empty batch from a key that is no operator is refused with RegistryKeyNotOperator", async () => {
    const ctx = await setup();
    const governance = ctx.system.wallets.governance.account;
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.system.charity.write.recordDonations([ctx.campaignA, []], { account: governance }),
      ctx.system.registry,
      "RegistryKeyNotOperator",
      [getAddress(governance.address)],
    );
  });

  test("error: an oversized batch from an enterprise is refused with RegistryOrgKindNotAllowed", async () => {
    const ctx = await setup();
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.enterprise.charity.write.recordDonations([ctx.campaignA, batch((await maxBatch(ctx)) + 1)]),
      ctx.system.registry,
      "RegistryOrgKindNotAllowed",
      [ctx.enterprise.orgId, orgKind.Enterprise],
    );
  });

  test("error: a batch that repeats a reference is refused entirely with CharityRecordExists", async () => {
    const ctx = await setup();
    await donateToA(ctx, ref("EARLIER"));
    const donations = [...batch(3), donation(ref("BATCH-1")), ...batch(2, "MORE")];
    const refs = donations.map((d) => d.externalRef);
    // BATCH-1 is the second donation of the batch: it would have been appended at size + 1.
    await expectRecordExists(
      ctx,
      () => ledgerState(ctx, refs),
      () => ctx.a.charity.write.recordDonations([ctx.campaignA, donations]),
      ref("BATCH-1"),
      (before) => before.size + 1n,
    );
  });

  test("error: a full batch whose last row repeats its first is refused with CharityRecordExists naming the first row's entry", async () => {
    const ctx = await setup();
    const max = await maxBatch(ctx);
    const donations = [...batch(max - 1), donation(ref("BATCH-0"))];
    await expectRecordExists(
      ctx,
      () => ledgerState(ctx, []),
      () => ctx.a.charity.write.recordDonations([ctx.campaignA, donations]),
      ref("BATCH-0"),
      (before) => before.size,
    );
  });

  test("error: a batch that repeats a reference recorded before is refused with CharityRecordExists naming the recorded entry", async () => {
    const ctx = await setup();
    const earlier = await donateToA(ctx, ref("EARLIER"));
    const donations = [...batch(3), donation(ref("EARLIER"))];
    const refs = donations.map((d) => d.externalRef);
    await expectRecordExists(
      ctx,
      () => ledgerState(ctx, refs),
      () => ctx.a.charity.write.recordDonations([ctx.campaignA, donations]),
      ref("EARLIER"),
      () => earlier.entry.index,
    );
  });

  // The rows are checked in order, each as if the rows before it had been appended: a repeated
  // reference is refused before a later row's fault is seen, and a row's own checks keep their order.
  test("error: a repeated reference is refused before a later row's zero amount (CharityRecordExists), and a zero reference before the row's amount (CharityExternalRefInvalid)", async () => {
    const ctx = await setup();
    const repeated = [...batch(2), donation(ref("BATCH-0")), donation(ref("LATER"), { amount: 0n })];
    const size = await ctx.system.log.read.size();
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.recordDonations([ctx.campaignA, repeated]),
      ctx.a.charity,
      "CharityRecordExists",
      [ref("BATCH-0"), size],
    );
    await ctx.system.viem.assertions.revertWithCustomError(
      ctx.a.charity.write.recordDonations([ctx.campaignA, [...batch(1), donation(zeroHash, { amount: 0n })]]),
      ctx.a.charity,
      "CharityExternalRefInvalid",
    );
  });

  test("error: a batch with a zero amount in the middle is refused entirely with CharityAmountInvalid", async () => {
    const ctx = await setup();
    await donateToA(ctx, ref("EARLIER"));
    const donations = batch(5, "BATCH", (i) => (i === 2 ? 0n : 100n));
    const refs = donations.map((d) => d.externalRef);
    const before = await ledgerState(ctx, refs);
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.recordDonations([ctx.campaignA, donations]),
      ctx.a.charity,
      "CharityAmountInvalid",
      [ref("BATCH-2")],
    );
    expect(await ledgerState(ctx, refs)).toEqual(before);
  });
});

// ---------------------------------------------------------------- recordDisbursement
describe("recordDisbursement", () => {
  test("behavior: the campaign balance falls by the amount paid", async () => {
    const ctx = await setup();
    await donateToA(ctx, ref("DON-1"), 10_000n);
    await minedOne(ctx.system, ctx.a.charity.write.recordDisbursement([ctx.campaignA, disbursement(ref("DIS-1"))]));
    expect(await balanceOf(ctx, ctx.campaignA)).toBe(9_000n);
  });

  test("behavior: a DISBURSEMENT_RECORDED entry of the campaign and record streams decodes to the payment", async () => {
    const ctx = await setup();
    await donateToA(ctx, ref("DON-1"), 10_000n);
    const input = disbursement(ref("DIS-1"), {
      amount: 2_000n,
      purposeTag: TAG_FOOD,
      evidence: [hash("invoice 1"), hash("delivery photo")],
    });
    const { entry } = await minedOne(ctx.system, ctx.a.charity.write.recordDisbursement([ctx.campaignA, input]));
    expect(streamsOf(entry)).toEqual([campaignStream(ctx.campaignA), recordStream(ctx.a.orgId, input.externalRef)]);
    expect(recordOf(entry, "disbursementRecorded")).toEqual({
      type: "disbursementRecorded",
      campaignId: ctx.campaignA,
      externalRef: input.externalRef,
      category: category.program,
      currency: "CNY",
      amount: 2_000n,
      payeeKind: payeeKind.external,
      payee: input.payee,
      payeeCampaignId: 0n,
      purposeTag: TAG_FOOD,
      evidence: [hash("invoice 1"), hash("delivery photo")],
    });
  });

  test("args: paying out the whole balance leaves zero", async () => {
    const ctx = await setup();
    await donateToA(ctx, ref("DON-1"), 10_000n);
    await minedOne(
      ctx.system,
      ctx.a.charity.write.recordDisbursement([ctx.campaignA, disbursement(ref("DIS-1"), { amount: 10_000n })]),
    );
    expect(await balanceOf(ctx, ctx.campaignA)).toBe(0n);
  });

  test("error: paying more than the balance is refused with CharityBalanceInsufficient(campaign, available, requested)", async () => {
    const ctx = await setup();
    await donateToA(ctx, ref("DON-1"), 10_000n);
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.recordDisbursement([ctx.campaignA, disbursement(ref("DIS-1"), { amount: 10_001n })]),
      ctx.a.charity,
      "CharityBalanceInsufficient",
      [ctx.campaignA, 10_000n, 10_001n],
    );
  });

  test("error: paying out of an empty campaign is refused with CharityBalanceInsufficient", async () => {
    const ctx = await setup();
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.recordDisbursement([ctx.campaignA, disbursement(ref("DIS-1"), { amount: 1n })]),
      ctx.a.charity,
      "CharityBalanceInsufficient",
      [ctx.campaignA, 0n, 1n],
    );
  });

  test("error: program spending without evidence is refused with CharityEvidenceRequired", async () => {
    const ctx = await setup();
    await donateToA(ctx, ref("DON-1"));
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.recordDisbursement([ctx.campaignA, disbursement(ref("DIS-1"), { evidence: [] })]),
      ctx.a.charity,
      "CharityEvidenceRequired",
      [ref("DIS-1")],
    );
  });

  test.each([
    ["administration", category.administration],
    ["fundraising", category.fundraising],
  ])("behavior: %s spending without evidence is accepted", async (_, cat) => {
    const ctx = await setup();
    await donateToA(ctx, ref("DON-1"));
    const input = disbursement(ref("DIS-1"), { category: cat, evidence: [] });
    const { entry } = await minedOne(ctx.system, ctx.a.charity.write.recordDisbursement([ctx.campaignA, input]));
    expect(recordOf(entry, "disbursementRecorded")).toMatchObject({ category: cat, evidence: [] });
  });

  test("error: a zero evidence hash is refused with CharityEvidenceInvalid", async () => {
    const ctx = await setup();
    await donateToA(ctx, ref("DON-1"));
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.recordDisbursement([
        ctx.campaignA,
        disbursement(ref("DIS-1"), { evidence: [hash("invoice"), zeroHash] }),
      ]),
      ctx.a.charity,
      "CharityEvidenceInvalid",
      [ref("DIS-1")],
    );
  });

  test("args: 16 evidence hashes (the maximum) are accepted", async () => {
    const ctx = await setup();
    await donateToA(ctx, ref("DON-1"));
    const evidence = Array.from({ length: 16 }, (_, i) => hash(`evidence ${i}`));
    const { entry } = await minedOne(
      ctx.system,
      ctx.a.charity.write.recordDisbursement([ctx.campaignA, disbursement(ref("DIS-1"), { evidence })]),
    );
    expect(recordOf(entry, "disbursementRecorded").evidence).toEqual(evidence);
  });

  test("error: 17 evidence hashes are refused with CharityEvidenceInvalid", async () => {
    const ctx = await setup();
    await donateToA(ctx, ref("DON-1"));
    const evidence = Array.from({ length: 17 }, (_, i) => hash(`evidence ${i}`));
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.recordDisbursement([ctx.campaignA, disbursement(ref("DIS-1"), { evidence })]),
      ctx.a.charity,
      "CharityEvidenceInvalid",
      [ref("DIS-1")],
    );
  });

  test("error: category 0 (None) is refused with CharityCategoryInvalid", async () => {
    const ctx = await setup();
    await donateToA(ctx, ref("DON-1"));
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.recordDisbursement([ctx.campaignA, disbursement(ref("DIS-1"), { category: category.none })]),
      ctx.a.charity,
      "CharityCategoryInvalid",
      [ref("DIS-1"), 0],
    );
  });

  test("error: a zero amount is refused with CharityAmountInvalid", async () => {
    const ctx = await setup();
    await donateToA(ctx, ref("DON-1"));
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.recordDisbursement([ctx.campaignA, disbursement(ref("DIS-1"), { amount: 0n })]),
      ctx.a.charity,
      "CharityAmountInvalid",
      [ref("DIS-1")],
    );
  });

  test("error: a zero external payee is refused with CharityPayeeInvalid", async () => {
    const ctx = await setup();
    await donateToA(ctx, ref("DON-1"));
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.recordDisbursement([ctx.campaignA, disbursement(ref("DIS-1"), { payee: zeroHash })]),
      ctx.a.charity,
      "CharityPayeeInvalid",
      [ref("DIS-1")],
    );
  });

  test("error: an external payee with a payee campaign is refused with CharityPayeeInvalid", async () => {
    const ctx = await setup();
    await donateToA(ctx, ref("DON-1"));
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.recordDisbursement([
        ctx.campaignA,
        disbursement(ref("DIS-1"), { payeeCampaignId: ctx.campaignB }),
      ]),
      ctx.a.charity,
      "CharityPayeeInvalid",
      [ref("DIS-1")],
    );
  });

  test("error: a purpose tag that is not the campaign's is refused with CharityPurposeNotInCampaign", async () => {
    const ctx = await setup();
    await donateToA(ctx, ref("DON-1"));
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.recordDisbursement([ctx.campaignA, disbursement(ref("DIS-1"), { purposeTag: TAG_OTHER })]),
      ctx.a.charity,
      "CharityPurposeNotInCampaign",
      [ctx.campaignA, TAG_OTHER],
    );
  });

  test("error: a reference the organisation already used for a donation is refused with CharityRecordExists", async () => {
    const ctx = await setup();
    const { entry } = await donateToA(ctx, ref("REF-1"));
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.recordDisbursement([ctx.campaignA, disbursement(ref("REF-1"))]),
      ctx.a.charity,
      "CharityRecordExists",
      [ref("REF-1"), entry.index],
    );
  });

  test("error: paying out of another organisation's campaign is refused with CharityCampaignNotOwned", async () => {
    const ctx = await setup();
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.recordDisbursement([ctx.campaignB, disbursement(ref("DIS-1"))]),
      ctx.a.charity,
      "CharityCampaignNotOwned",
      [ctx.campaignB, ctx.a.orgId],
    );
  });
});

// ---------------------------------------------------------------- recordDisbursements
describe("recordDisbursements", () => {
  const payments = (size: number, amount = (i: number) => BigInt(i + 1)): DisbursementInput[] =>
    Array.from({ length: size }, (_, i) =>
      disbursement(ref(`PAY-${i}`), { amount: amount(i), evidence: [hash(`invoice ${i}`)] }),
    );

  async function ledgerState(ctx: Ctx, refs: readonly Hex[]) {
    const { log } = ctx.system;
    return {
      size: await log.read.size(),
      root: await log.read.root(),
      balances: [await balanceOf(ctx, ctx.campaignA), await balanceOf(ctx, ctx.campaignB)],
      campaignHead: await log.read.streamHead([campaignStream(ctx.campaignA)]),
      recordHeads: await Promise.all(refs.map((r) => log.read.streamHead([recordStream(ctx.a.orgId, r)]))),
    };
  }

  test("error: an empty batch is refused with CharityBatchSizeInvalid(0, MAX_BATCH)", async () => {
    const ctx = await setup();
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.recordDisbursements([ctx.campaignA, []]),
      ctx.a.charity,
      "CharityBatchSizeInvalid",
      [0n, BigInt(await maxBatch(ctx))],
    );
  });

  test("behavior: a batch of MAX_BATCH (the maximum) appends MAX_BATCH entries and lowers the balance by their sum", async () => {
    const ctx = await setup();
    const max = await maxBatch(ctx);
    await donateToA(ctx, ref("DON-1"), 1_000_000n);
    const sizeBefore = await ctx.system.log.read.size();
    const batch = payments(max);
    const appended = await mined(ctx.system, ctx.a.charity.write.recordDisbursements([ctx.campaignA, batch]));
    expect(appended).toHaveLength(max);
    expect(await ctx.system.log.read.size()).toBe(sizeBefore + BigInt(max));
    expect(await balanceOf(ctx, ctx.campaignA)).toBe(1_000_000n - batch.reduce((sum, d) => sum + d.amount, 0n));
  });

  // The costliest records: grants (they move two campaigns' balances) with 16 evidence hashes each.
  // A full batch of them must fit in the 2^24 (16,777,216) gas a transaction may use since Osaka.
  test("behavior: a batch of MAX_BATCH grants with 16 evidence hashes each fits in one transaction", async () => {
    const ctx = await setup();
    const max = await maxBatch(ctx);
    await donateToA(ctx, ref("DON-1"), 1_000_000n);
    const grants = Array.from({ length: max }, (_, i) => ({
      ...grantToB(ctx, ref(`GRANT-${i}`), 100n),
      evidence: Array.from({ length: 16 }, (_, j) => hash(`invoice ${i}.${j}`)),
    }));
    const appended = await mined(ctx.system, ctx.a.charity.write.recordDisbursements([ctx.campaignA, grants]));
    expect(appended).toHaveLength(max);
    expect(await balanceOf(ctx, ctx.campaignB)).toBe(100n * BigInt(max));
  });

  test("error: a batch of MAX_BATCH + 1 is refused with CharityBatchSizeInvalid(MAX_BATCH + 1, MAX_BATCH)", async () => {
    const ctx = await setup();
    const max = await maxBatch(ctx);
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.recordDisbursements([ctx.campaignA, payments(max + 1)]),
      ctx.a.charity,
      "CharityBatchSizeInvalid",
      [BigInt(max + 1), BigInt(max)],
    );
  });

  // The caller is checked before the batch's size.
  test("error: an empty batch from a key that is no operator is refused with RegistryKeyNotOperator", async () => {
    const ctx = await setup();
    const governance = ctx.system.wallets.governance.account;
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.system.charity.write.recordDisbursements([ctx.campaignA, []], { account: governance }),
      ctx.system.registry,
      "RegistryKeyNotOperator",
      [getAddress(governance.address)],
    );
  });

  test("error: an empty batch from an auditor is refused with RegistryOrgKindNotAllowed", async () => {
    const ctx = await setup();
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.auditor.charity.write.recordDisbursements([ctx.campaignA, []]),
      ctx.system.registry,
      "RegistryOrgKindNotAllowed",
      [ctx.auditor.orgId, orgKind.Auditor],
    );
  });

  test("error: each payment is checked against what the earlier ones left (CharityBalanceInsufficient)", async () => {
    const ctx = await setup();
    await donateToA(ctx, ref("DON-1"), 1_000n);
    const batch = payments(3, () => 400n);
    const before = await ledgerState(
      ctx,
      batch.map((d) => d.externalRef),
    );
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.recordDisbursements([ctx.campaignA, batch]),
      ctx.a.charity,
      "CharityBalanceInsufficient",
      [ctx.campaignA, 200n, 400n],
    );
    expect(
      await ledgerState(
        ctx,
        batch.map((d) => d.externalRef),
      ),
    ).toEqual(before);
  });

  test("error: a batch with one bad payment in the middle is refused entirely", async () => {
    const ctx = await setup();
    await donateToA(ctx, ref("DON-1"), 10_000n);
    const batch = [...payments(2), grantToB(ctx, ref("GRANT-1")), disbursement(ref("PAY-X"), { evidence: [] })];
    const before = await ledgerState(
      ctx,
      batch.map((d) => d.externalRef),
    );
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.recordDisbursements([ctx.campaignA, batch]),
      ctx.a.charity,
      "CharityEvidenceRequired",
      [ref("PAY-X")],
    );
    expect(
      await ledgerState(
        ctx,
        batch.map((d) => d.externalRef),
      ),
    ).toEqual(before);
  });

  test("error: a batch that repeats a reference, or names one recorded before, is refused with CharityRecordExists naming the first entry", async () => {
    const ctx = await setup();
    await donateToA(ctx, ref("DON-1"), 10_000n);
    const repeated = [...payments(3), disbursement(ref("PAY-1"), { evidence: [hash("again")] })];
    const refs = repeated.map((d) => d.externalRef);
    // PAY-1 is the batch's second row: it would have been appended at size + 1.
    await expectRecordExists(
      ctx,
      () => ledgerState(ctx, refs),
      () => ctx.a.charity.write.recordDisbursements([ctx.campaignA, repeated]),
      ref("PAY-1"),
      (before) => before.size + 1n,
    );
    const paid = await minedOne(ctx.system, ctx.a.charity.write.recordDisbursements([ctx.campaignA, payments(1)]));
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.recordDisbursements([ctx.campaignA, [...payments(3)].slice(1).concat(payments(1))]),
      ctx.a.charity,
      "CharityRecordExists",
      [ref("PAY-0"), paid.entry.index],
    );
  });

  test("behavior: a batch may mix grants and external payments; both campaigns' balances follow", async () => {
    const ctx = await setup();
    await donateToA(ctx, ref("DON-1"), 10_000n);
    const batch = [...payments(2, () => 1_000n), grantToB(ctx, ref("GRANT-1"), 3_000n)];
    await mined(ctx.system, ctx.a.charity.write.recordDisbursements([ctx.campaignA, batch]));
    expect(await balanceOf(ctx, ctx.campaignA)).toBe(5_000n);
    expect(await balanceOf(ctx, ctx.campaignB)).toBe(3_000n);
  });

  test("behavior: a closed campaign can still pay out in a batch", async () => {
    const ctx = await setup();
    await donateToA(ctx, ref("DON-1"), 10_000n);
    await mined(ctx.system, ctx.a.charity.write.closeCampaign([ctx.campaignA]));
    await mined(ctx.system, ctx.a.charity.write.recordDisbursements([ctx.campaignA, payments(2, () => 5_000n)]));
    expect(await balanceOf(ctx, ctx.campaignA)).toBe(0n);
  });
});

// ---------------------------------------------------------------- grants
describe("recordDisbursement to an organisation (grant)", () => {
  test("behavior: a grant moves the amount from the paying campaign to the payee's campaign", async () => {
    const ctx = await setup();
    await donateToA(ctx, ref("DON-1"), 10_000n);
    await minedOne(
      ctx.system,
      ctx.a.charity.write.recordDisbursement([ctx.campaignA, grantToB(ctx, ref("GRANT-1"), 3_000n)]),
    );
    expect(await balanceOf(ctx, ctx.campaignA)).toBe(7_000n);
    expect(await balanceOf(ctx, ctx.campaignB)).toBe(3_000n);
  });

  test("behavior: a grant is an entry of both campaigns' streams and the record stream", async () => {
    const ctx = await setup();
    await donateToA(ctx, ref("DON-1"), 10_000n);
    const input = grantToB(ctx, ref("GRANT-1"));
    const { entry } = await minedOne(ctx.system, ctx.a.charity.write.recordDisbursement([ctx.campaignA, input]));
    expect(streamsOf(entry)).toEqual([
      campaignStream(ctx.campaignA),
      recordStream(ctx.a.orgId, input.externalRef),
      campaignStream(ctx.campaignB),
    ]);
    expect(recordOf(entry, "disbursementRecorded")).toMatchObject({
      payeeKind: payeeKind.organisation,
      payee: orgAsBytes32(ctx.b.orgId),
      payeeCampaignId: ctx.campaignB,
    });
  });

  test("behavior: the payee can spend the grant", async () => {
    const ctx = await setup();
    await donateToA(ctx, ref("DON-1"), 10_000n);
    await minedOne(
      ctx.system,
      ctx.a.charity.write.recordDisbursement([ctx.campaignA, grantToB(ctx, ref("GRANT-1"), 3_000n)]),
    );
    await minedOne(
      ctx.system,
      ctx.b.charity.write.recordDisbursement([ctx.campaignB, disbursement(ref("B-DIS-1"), { amount: 3_000n })]),
    );
    expect(await balanceOf(ctx, ctx.campaignB)).toBe(0n);
  });

  test("behavior: a grant between two campaigns of the same organisation is accepted", async () => {
    const ctx = await setup();
    await donateToA(ctx, ref("DON-1"), 10_000n);
    await mined(ctx.system, ctx.a.charity.write.openCampaign([campaignInput()]));
    const input = { ...grantToB(ctx, ref("GRANT-1"), 4_000n), payee: orgAsBytes32(ctx.a.orgId), payeeCampaignId: 4n };
    await minedOne(ctx.system, ctx.a.charity.write.recordDisbursement([ctx.campaignA, input]));
    expect(await balanceOf(ctx, 4n)).toBe(4_000n);
  });

  test("error: a payee organisation that does not own the campaign is refused with CharityGrantCampaignInvalid", async () => {
    const ctx = await setup();
    await donateToA(ctx, ref("DON-1"));
    const input = { ...grantToB(ctx, ref("GRANT-1")), payee: orgAsBytes32(ctx.c.orgId) };
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.recordDisbursement([ctx.campaignA, input]),
      ctx.a.charity,
      "CharityGrantCampaignInvalid",
      [ref("GRANT-1"), ctx.campaignB],
    );
  });

  test("error: a closed payee campaign is refused with CharityGrantCampaignInvalid", async () => {
    const ctx = await setup();
    await donateToA(ctx, ref("DON-1"));
    await mined(ctx.system, ctx.b.charity.write.closeCampaign([ctx.campaignB]));
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.recordDisbursement([ctx.campaignA, grantToB(ctx, ref("GRANT-1"))]),
      ctx.a.charity,
      "CharityGrantCampaignInvalid",
      [ref("GRANT-1"), ctx.campaignB],
    );
  });

  test("error: a payee campaign in another currency is refused with CharityGrantCampaignInvalid", async () => {
    const ctx = await setup();
    await donateToA(ctx, ref("DON-1"));
    const input = { ...grantToB(ctx, ref("GRANT-1")), payeeCampaignId: ctx.campaignBUsd };
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.recordDisbursement([ctx.campaignA, input]),
      ctx.a.charity,
      "CharityGrantCampaignInvalid",
      [ref("GRANT-1"), ctx.campaignBUsd],
    );
  });

  test("error: a grant to the paying campaign itself is refused with CharityGrantCampaignInvalid", async () => {
    const ctx = await setup();
    await donateToA(ctx, ref("DON-1"));
    const input = {
      ...grantToB(ctx, ref("GRANT-1")),
      payee: orgAsBytes32(ctx.a.orgId),
      payeeCampaignId: ctx.campaignA,
    };
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.recordDisbursement([ctx.campaignA, input]),
      ctx.a.charity,
      "CharityGrantCampaignInvalid",
      [ref("GRANT-1"), ctx.campaignA],
    );
  });

  test("error: a payee campaign that does not exist is refused with CharityGrantCampaignInvalid", async () => {
    const ctx = await setup();
    await donateToA(ctx, ref("DON-1"));
    const input = { ...grantToB(ctx, ref("GRANT-1")), payeeCampaignId: 99n };
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.recordDisbursement([ctx.campaignA, input]),
      ctx.a.charity,
      "CharityGrantCampaignInvalid",
      [ref("GRANT-1"), 99n],
    );
  });

  test("error: a suspended payee organisation is refused with CharityPayeeInvalid", async () => {
    const ctx = await setup();
    await donateToA(ctx, ref("DON-1"));
    await mined(ctx.system, ctx.system.registry.write.suspend([ctx.b.orgId, 1]));
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.recordDisbursement([ctx.campaignA, grantToB(ctx, ref("GRANT-1"))]),
      ctx.a.charity,
      "CharityPayeeInvalid",
      [ref("GRANT-1")],
    );
  });
});

// ---------------------------------------------------------------- reverseRecord
describe("reverseRecord", () => {
  const REASON_DUPLICATE_IMPORT = 3;

  test("behavior: reversing a donation lowers the campaign balance by its amount", async () => {
    const ctx = await setup();
    await donateToA(ctx, ref("DON-1"), 10_000n);
    const { leaf } = await donateToA(ctx, ref("DON-2"), 4_000n);
    await minedOne(ctx.system, ctx.a.charity.write.reverseRecord([ref("DON-2"), REASON_DUPLICATE_IMPORT, leaf]));
    expect(await balanceOf(ctx, ctx.campaignA)).toBe(10_000n);
  });

  test("behavior: a reversal is a RECORD_REVERSED entry of the campaign and record streams naming the donation", async () => {
    const ctx = await setup();
    const donated = await donateToA(ctx, ref("DON-1"), 4_000n);
    const { entry } = await minedOne(
      ctx.system,
      ctx.a.charity.write.reverseRecord([ref("DON-1"), REASON_DUPLICATE_IMPORT, donated.leaf]),
    );
    expect(streamsOf(entry)).toEqual([campaignStream(ctx.campaignA), recordStream(ctx.a.orgId, ref("DON-1"))]);
    expect(entry.streams[1]?.prevIndex).toBe(donated.entry.index);
    expect(recordOf(entry, "recordReversed")).toEqual({
      type: "recordReversed",
      targetIndex: donated.entry.index,
      targetKind: donated.entry.kind,
      reason: REASON_DUPLICATE_IMPORT,
      campaignId: ctx.campaignA,
      amount: 4_000n,
      payeeCampaignId: 0n,
    });
  });

  test("error: reversing a record twice is refused with CharityRecordAlreadyReversed naming the reversal", async () => {
    const ctx = await setup();
    const { leaf } = await donateToA(ctx, ref("DON-1"));
    const reversal = await minedOne(ctx.system, ctx.a.charity.write.reverseRecord([ref("DON-1"), 1, leaf]));
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.reverseRecord([ref("DON-1"), 1, leaf]),
      ctx.a.charity,
      "CharityRecordAlreadyReversed",
      [ref("DON-1"), reversal.entry.index],
    );
  });

  test.each([
    ["the amount", 47 + 2 * 40 + 76 + 15],
    ["the kind", 1],
    ["the last byte", undefined],
  ])("error: a leaf with one byte of %s changed is refused with CharityRecordLeafMismatch", async (_, offset) => {
    const ctx = await setup();
    await donateToA(ctx, ref("DON-1"), 100n);
    const { leaf } = await donateToA(ctx, ref("DON-2"), 100n);
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.reverseRecord([ref("DON-2"), 1, tamper(leaf, offset)]),
      ctx.a.charity,
      "CharityRecordLeafMismatch",
      [ref("DON-2")],
    );
  });

  test("error: another record's leaf is refused with CharityRecordLeafMismatch", async () => {
    const ctx = await setup();
    const other = await donateToA(ctx, ref("DON-1"));
    await donateToA(ctx, ref("DON-2"));
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.reverseRecord([ref("DON-2"), 1, other.leaf]),
      ctx.a.charity,
      "CharityRecordLeafMismatch",
      [ref("DON-2")],
    );
  });

  test("error: an unknown reference is refused with CharityRecordNotFound", async () => {
    const ctx = await setup();
    const { leaf } = await donateToA(ctx, ref("DON-1"));
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.reverseRecord([ref("NO-SUCH-REF"), 1, leaf]),
      ctx.a.charity,
      "CharityRecordNotFound",
      [ref("NO-SUCH-REF")],
    );
  });

  test("error: another organisation's record is not found (references are per organisation)", async () => {
    const ctx = await setup();
    const { leaf } = await donateToA(ctx, ref("DON-1"));
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.b.charity.write.reverseRecord([ref("DON-1"), 1, leaf]),
      ctx.a.charity,
      "CharityRecordNotFound",
      [ref("DON-1")],
    );
  });

  test("error: reversing a donation whose money was spent is refused with CharityBalanceInsufficient", async () => {
    const ctx = await setup();
    const { leaf } = await donateToA(ctx, ref("DON-1"), 10_000n);
    await minedOne(
      ctx.system,
      ctx.a.charity.write.recordDisbursement([ctx.campaignA, disbursement(ref("DIS-1"), { amount: 6_000n })]),
    );
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.reverseRecord([ref("DON-1"), 1, leaf]),
      ctx.a.charity,
      "CharityBalanceInsufficient",
      [ctx.campaignA, 4_000n, 10_000n],
    );
  });

  test("behavior: reversing a disbursement restores the balance", async () => {
    const ctx = await setup();
    await donateToA(ctx, ref("DON-1"), 10_000n);
    const { leaf } = await minedOne(
      ctx.system,
      ctx.a.charity.write.recordDisbursement([ctx.campaignA, disbursement(ref("DIS-1"), { amount: 6_000n })]),
    );
    const { entry } = await minedOne(ctx.system, ctx.a.charity.write.reverseRecord([ref("DIS-1"), 2, leaf]));
    expect(await balanceOf(ctx, ctx.campaignA)).toBe(10_000n);
    expect(recordOf(entry, "recordReversed")).toMatchObject({ amount: 6_000n, payeeCampaignId: 0n });
  });

  test("behavior: reversing a grant takes it back out of the payee's campaign", async () => {
    const ctx = await setup();
    await donateToA(ctx, ref("DON-1"), 10_000n);
    const { leaf } = await minedOne(
      ctx.system,
      ctx.a.charity.write.recordDisbursement([ctx.campaignA, grantToB(ctx, ref("GRANT-1"), 3_000n)]),
    );
    const { entry } = await minedOne(ctx.system, ctx.a.charity.write.reverseRecord([ref("GRANT-1"), 2, leaf]));
    expect(await balanceOf(ctx, ctx.campaignA)).toBe(10_000n);
    expect(await balanceOf(ctx, ctx.campaignB)).toBe(0n);
    expect(streamsOf(entry)).toEqual([
      campaignStream(ctx.campaignA),
      recordStream(ctx.a.orgId, ref("GRANT-1")),
      campaignStream(ctx.campaignB),
    ]);
  });

  test("error: reversing a grant the payee already spent is refused with CharityBalanceInsufficient", async () => {
    const ctx = await setup();
    await donateToA(ctx, ref("DON-1"), 10_000n);
    const { leaf } = await minedOne(
      ctx.system,
      ctx.a.charity.write.recordDisbursement([ctx.campaignA, grantToB(ctx, ref("GRANT-1"), 3_000n)]),
    );
    await minedOne(
      ctx.system,
      ctx.b.charity.write.recordDisbursement([ctx.campaignB, disbursement(ref("B-DIS-1"), { amount: 2_000n })]),
    );
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.reverseRecord([ref("GRANT-1"), 2, leaf]),
      ctx.a.charity,
      "CharityBalanceInsufficient",
      [ctx.campaignB, 1_000n, 3_000n],
    );
  });

  test("error: reason 0 is refused with CharityReasonInvalid", async () => {
    const ctx = await setup();
    const { leaf } = await donateToA(ctx, ref("DON-1"));
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.reverseRecord([ref("DON-1"), 0, leaf]),
      ctx.a.charity,
      "CharityReasonInvalid",
      [],
    );
  });

  test("error: a record of another module under the same reference is refused with CharityRecordNotReversible", async () => {
    // Record streams are keyed by (organisation, reference) across modules: a charity that also
    // issues volunteer credit shares one reference space between both.
    const ctx = await setup();
    const credit = await ctx.system.viem.getContractAt("VolunteerCredit", ctx.system.credit.address, {
      client: { wallet: ctx.a.wallet },
    });
    await mined(ctx.system, credit.write.registerActivity([hash("activity"), 0n, 0n]));
    const { leaf } = await minedOne(
      ctx.system,
      credit.write.issueCredit([
        1n,
        {
          externalRef: ref("CRED-1"),
          volunteer: hash("volunteer"),
          serviceMinutes: 60,
          points: 1n,
          serviceDate: 20_260_105,
        },
      ]),
    );
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.reverseRecord([ref("CRED-1"), 1, leaf]),
      ctx.a.charity,
      "CharityRecordNotReversible",
      [ref("CRED-1"), 61],
    );
  });
});

// ---------------------------------------------------------------- attest
describe("attest", () => {
  test("behavior: an auditor's attestation is an entry of the auditor's and the subject's streams", async () => {
    const ctx = await setup();
    const report = hash("audit report 2025");
    const coversTo = (await ctx.system.log.read.size()) - 1n;
    const { entry } = await minedOne(
      ctx.system,
      ctx.auditor.charity.write.attest([ctx.a.orgId, 0n, 1, report, coversTo]),
    );
    expect(entry.actorOrg).toBe(ctx.auditor.orgId);
    expect(streamsOf(entry)).toEqual([orgStream(ctx.auditor.orgId), orgStream(ctx.a.orgId)]);
    expect(recordOf(entry, "attestationRecorded")).toEqual({
      type: "attestationRecorded",
      subjectOrg: ctx.a.orgId,
      campaignId: 0n,
      opinion: 1,
      reportHash: report,
      coversToIndex: coversTo,
    });
  });

  test("behavior: an attestation of a campaign is also an entry of the campaign's stream", async () => {
    const ctx = await setup();
    const { entry } = await minedOne(
      ctx.system,
      ctx.auditor.charity.write.attest([ctx.a.orgId, ctx.campaignA, 2, hash("campaign audit"), 0n]),
    );
    expect(streamsOf(entry)).toEqual([
      orgStream(ctx.auditor.orgId),
      orgStream(ctx.a.orgId),
      campaignStream(ctx.campaignA),
    ]);
  });

  test.each([0, 5])("error: opinion %i is refused with CharityAttestationInvalid", async (opinion) => {
    const ctx = await setup();
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.auditor.charity.write.attest([ctx.a.orgId, 0n, opinion, hash("report"), 0n]),
      ctx.a.charity,
      "CharityAttestationInvalid",
      [opinion],
    );
  });

  test("error: a zero report hash is refused with CharityHashInvalid", async () => {
    const ctx = await setup();
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.auditor.charity.write.attest([ctx.a.orgId, 0n, 1, zeroHash, 0n]),
      ctx.a.charity,
      "CharityHashInvalid",
      [],
    );
  });

  test("error: an unknown subject organisation is refused with RegistryOrgNotFound", async () => {
    const ctx = await setup();
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.auditor.charity.write.attest([999n, 0n, 1, hash("report"), 0n]),
      ctx.system.registry,
      "RegistryOrgNotFound",
      [999n],
    );
  });

  test("error: a campaign of another organisation than the subject is refused with CharityCampaignNotOwned", async () => {
    const ctx = await setup();
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.auditor.charity.write.attest([ctx.a.orgId, ctx.campaignB, 1, hash("report"), 0n]),
      ctx.a.charity,
      "CharityCampaignNotOwned",
      [ctx.campaignB, ctx.a.orgId],
    );
  });

  test("args: coversToIndex may be the log's last entry", async () => {
    const ctx = await setup();
    const last = (await ctx.system.log.read.size()) - 1n;
    const { entry } = await minedOne(
      ctx.system,
      ctx.auditor.charity.write.attest([ctx.a.orgId, 0n, 1, hash("report"), last]),
    );
    expect(recordOf(entry, "attestationRecorded").coversToIndex).toBe(last);
    expect(entry.index).toBe(last + 1n);
  });

  test("error: coversToIndex equal to the log's size (the attestation's own index) is refused with CharityIndexInvalid", async () => {
    const ctx = await setup();
    const size = await ctx.system.log.read.size();
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.auditor.charity.write.attest([ctx.a.orgId, 0n, 1, hash("report"), size]),
      ctx.a.charity,
      "CharityIndexInvalid",
      [size, size],
    );
    expect(await ctx.system.log.read.size()).toBe(size);
  });

  test("error: coversToIndex 2^64 - 1 (the largest) is refused with CharityIndexInvalid", async () => {
    const ctx = await setup();
    const size = await ctx.system.log.read.size();
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.auditor.charity.write.attest([ctx.a.orgId, 0n, 1, hash("report"), 2n ** 64n - 1n]),
      ctx.a.charity,
      "CharityIndexInvalid",
      [2n ** 64n - 1n, size],
    );
  });

  test("error: a charity cannot attest (RegistryOrgKindNotAllowed)", async () => {
    const ctx = await setup();
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.b.charity.write.attest([ctx.a.orgId, 0n, 1, hash("report"), 0n]),
      ctx.system.registry,
      "RegistryOrgKindNotAllowed",
      [ctx.b.orgId, orgKind.Charity],
    );
  });
});

// ---------------------------------------------------------------- claimContribution
describe("claimContribution", () => {
  const CLAIM_AMOUNT = 500_000n;

  async function claimToA(ctx: Ctx, amount = CLAIM_AMOUNT): Promise<Appended> {
    return minedOne(
      ctx.system,
      ctx.enterprise.charity.write.claimContribution([
        {
          externalRef: ref("CSR-1"),
          recipientOrg: ctx.a.orgId,
          currency: CNY,
          amount,
          evidenceHash: hash("transfer slip"),
        },
      ]),
    );
  }

  /** A's donation from the enterprise that names claim `claimId`. */
  const confirming = (ctx: Ctx, externalRef: Hex, claimId: bigint, amount = CLAIM_AMOUNT): DonationInput =>
    donation(externalRef, {
      donorKind: donorKind.organisation,
      donor: orgAsBytes32(ctx.enterprise.orgId),
      amount,
      claimId,
    });

  test("behavior: a claim is stored unconfirmed and is an entry of the enterprise's, record and recipient's streams", async () => {
    const ctx = await setup();
    const { entry } = await claimToA(ctx);
    expect(streamsOf(entry)).toEqual([
      orgStream(ctx.enterprise.orgId),
      recordStream(ctx.enterprise.orgId, ref("CSR-1")),
      orgStream(ctx.a.orgId),
    ]);
    expect(recordOf(entry, "contributionClaimed")).toMatchObject({
      claimId: 1n,
      recipientOrg: ctx.a.orgId,
      amount: CLAIM_AMOUNT,
    });
    expect(await ctx.system.charity.read.claim([1n])).toEqual({
      enterpriseOrg: ctx.enterprise.orgId,
      recipientOrg: ctx.a.orgId,
      amount: CLAIM_AMOUNT,
      currency: CNY,
      confirmed: false,
    });
  });

  test("behavior: the recipient's donation from the enterprise naming the claim confirms it", async () => {
    const ctx = await setup();
    await claimToA(ctx);
    const { entry } = await minedOne(
      ctx.system,
      ctx.a.charity.write.recordDonation([ctx.campaignA, confirming(ctx, ref("DON-CSR-1"), 1n)]),
    );
    expect(recordOf(entry, "donationRecorded").claimId).toBe(1n);
    expect((await ctx.system.charity.read.claim([1n])).confirmed).toBe(true);
  });

  test("behavior: a claim can be confirmed inside a batch", async () => {
    const ctx = await setup();
    await claimToA(ctx);
    await mined(
      ctx.system,
      ctx.a.charity.write.recordDonations([
        ctx.campaignA,
        [donation(ref("DON-0")), confirming(ctx, ref("DON-CSR-1"), 1n)],
      ]),
    );
    expect((await ctx.system.charity.read.claim([1n])).confirmed).toBe(true);
  });

  test("error: a donation of another amount is refused with CharityClaimMismatch", async () => {
    const ctx = await setup();
    await claimToA(ctx);
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.recordDonation([ctx.campaignA, confirming(ctx, ref("DON-CSR-1"), 1n, CLAIM_AMOUNT - 1n)]),
      ctx.a.charity,
      "CharityClaimMismatch",
      [1n],
    );
  });

  test("error: a donation from another organisation is refused with CharityClaimMismatch", async () => {
    const ctx = await setup();
    await claimToA(ctx);
    const input = { ...confirming(ctx, ref("DON-CSR-1"), 1n), donor: orgAsBytes32(ctx.enterprise2.orgId) };
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.recordDonation([ctx.campaignA, input]),
      ctx.a.charity,
      "CharityClaimMismatch",
      [1n],
    );
  });

  test("error: a donation recorded by another recipient is refused with CharityClaimMismatch", async () => {
    const ctx = await setup();
    await claimToA(ctx);
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.b.charity.write.recordDonation([ctx.campaignB, confirming(ctx, ref("DON-CSR-1"), 1n)]),
      ctx.a.charity,
      "CharityClaimMismatch",
      [1n],
    );
  });

  test("error: a donation to a campaign in another currency is refused with CharityClaimMismatch", async () => {
    const ctx = await setup();
    await claimToA(ctx);
    await mined(ctx.system, ctx.a.charity.write.openCampaign([campaignInput({ currency: USD })]));
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.recordDonation([4n, confirming(ctx, ref("DON-CSR-1"), 1n)]),
      ctx.a.charity,
      "CharityClaimMismatch",
      [1n],
    );
  });

  test("error: confirming a claim twice is refused with CharityClaimAlreadyConfirmed", async () => {
    const ctx = await setup();
    await claimToA(ctx);
    await minedOne(
      ctx.system,
      ctx.a.charity.write.recordDonation([ctx.campaignA, confirming(ctx, ref("DON-CSR-1"), 1n)]),
    );
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.recordDonation([ctx.campaignA, confirming(ctx, ref("DON-CSR-2"), 1n)]),
      ctx.a.charity,
      "CharityClaimAlreadyConfirmed",
      [1n],
    );
  });

  test("error: a claim that does not exist is refused with CharityClaimNotFound", async () => {
    const ctx = await setup();
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.a.charity.write.recordDonation([ctx.campaignA, confirming(ctx, ref("DON-CSR-1"), 7n)]),
      ctx.a.charity,
      "CharityClaimNotFound",
      [7n],
    );
  });

  test("behavior: reversing the confirming donation un-confirms the claim", async () => {
    const ctx = await setup();
    await claimToA(ctx);
    const { leaf } = await minedOne(
      ctx.system,
      ctx.a.charity.write.recordDonation([ctx.campaignA, confirming(ctx, ref("DON-CSR-1"), 1n)]),
    );
    await minedOne(ctx.system, ctx.a.charity.write.reverseRecord([ref("DON-CSR-1"), 1, leaf]));
    expect((await ctx.system.charity.read.claim([1n])).confirmed).toBe(false);
  });

  test("behavior: after its confirming donation is reversed, a claim can be confirmed again", async () => {
    const ctx = await setup();
    await claimToA(ctx);
    const { leaf } = await minedOne(
      ctx.system,
      ctx.a.charity.write.recordDonation([ctx.campaignA, confirming(ctx, ref("DON-CSR-1"), 1n)]),
    );
    await minedOne(ctx.system, ctx.a.charity.write.reverseRecord([ref("DON-CSR-1"), 1, leaf]));
    await minedOne(
      ctx.system,
      ctx.a.charity.write.recordDonation([ctx.campaignA, confirming(ctx, ref("DON-CSR-2"), 1n)]),
    );
    expect((await ctx.system.charity.read.claim([1n])).confirmed).toBe(true);
  });

  test("error: a claim to the enterprise itself is refused with CharityPayeeInvalid", async () => {
    const ctx = await setup();
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.enterprise.charity.write.claimContribution([
        {
          externalRef: ref("CSR-1"),
          recipientOrg: ctx.enterprise.orgId,
          currency: CNY,
          amount: 1n,
          evidenceHash: hash("x"),
        },
      ]),
      ctx.a.charity,
      "CharityPayeeInvalid",
      [ref("CSR-1")],
    );
  });

  test("error: a claim to an organisation that does not exist is refused with CharityPayeeInvalid", async () => {
    const ctx = await setup();
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.enterprise.charity.write.claimContribution([
        { externalRef: ref("CSR-1"), recipientOrg: 999n, currency: CNY, amount: 1n, evidenceHash: hash("x") },
      ]),
      ctx.a.charity,
      "CharityPayeeInvalid",
      [ref("CSR-1")],
    );
  });

  test("error: a zero claim amount is refused with CharityAmountInvalid", async () => {
    const ctx = await setup();
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.enterprise.charity.write.claimContribution([
        { externalRef: ref("CSR-1"), recipientOrg: ctx.a.orgId, currency: CNY, amount: 0n, evidenceHash: hash("x") },
      ]),
      ctx.a.charity,
      "CharityAmountInvalid",
      [ref("CSR-1")],
    );
  });

  test("error: a claim reference used twice is refused with CharityRecordExists", async () => {
    const ctx = await setup();
    const { entry } = await claimToA(ctx);
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.enterprise.charity.write.claimContribution([
        { externalRef: ref("CSR-1"), recipientOrg: ctx.b.orgId, currency: CNY, amount: 1n, evidenceHash: hash("x") },
      ]),
      ctx.a.charity,
      "CharityRecordExists",
      [ref("CSR-1"), entry.index],
    );
  });

  test("error: a charity cannot claim a contribution (RegistryOrgKindNotAllowed)", async () => {
    const ctx = await setup();
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.b.charity.write.claimContribution([
        { externalRef: ref("CSR-1"), recipientOrg: ctx.a.orgId, currency: CNY, amount: 1n, evidenceHash: hash("x") },
      ]),
      ctx.system.registry,
      "RegistryOrgKindNotAllowed",
      [ctx.b.orgId, orgKind.Charity],
    );
  });
});
