// VolunteerCredit: activities, credit issued to volunteers (one by one and in batches), reversals,
// consent keys and their rotation, redemptions at merchants signed by the volunteer, certificates —
// each function's behaviour and its errors, read back through the log entries it appends.
import type { ContractReturnType } from "@nomicfoundation/hardhat-viem/types";
import { activityStream, orgStream, recordStream, volunteerStream } from "@shanji/core";
import {
  type Address,
  getAddress,
  type Hex,
  hashTypedData,
  keccak256,
  sha256,
  stringToHex,
  zeroAddress,
  zeroHash,
} from "viem";
import { generatePrivateKey, type PrivateKeyAccount, privateKeyToAccount } from "viem/accounts";
import { describe, expect, test } from "vitest";
import { accreditOrg, deploySystem, type OrgKind, orgKind, type System } from "./_fixture/deploySystem.ts";
import {
  type Appended,
  mined,
  minedOne,
  recordOf,
  snapshotFixture,
  stateChangingFunctions,
  streamsOf,
  tamper,
} from "./_moduleKit.ts";

// ---------------------------------------------------------------- values
const SERVICE_DATE = 20_260_105;
const ONE_HOUR = 3_600n;

const ref = (label: string): Hex => stringToHex(label, { size: 32 });
const hash = (label: string): Hex => sha256(stringToHex(label));
/** A keyed pseudonym (HMAC of the volunteer's identity under the organisation's key, off chain). */
const pseudonym = (label: string): Hex => keccak256(stringToHex(`pseudonym of ${label}`));

const ALICE = pseudonym("alice");
const BOB = pseudonym("bob");

interface CreditInput {
  externalRef: Hex;
  volunteer: Hex;
  serviceMinutes: number;
  points: bigint;
  serviceDate: number;
}

interface RedeemInput {
  volunteer: Hex;
  points: bigint;
  externalRef: Hex;
  serviceHash: Hex;
  deadline: bigint;
}

function credit(externalRef: Hex, overrides: Partial<CreditInput> = {}): CreditInput {
  return { externalRef, volunteer: ALICE, serviceMinutes: 120, points: 20n, serviceDate: SERVICE_DATE, ...overrides };
}

// ---------------------------------------------------------------- fixture
interface Party {
  orgId: bigint;
  operator: Address;
  /** The VolunteerCredit module, writing as this organisation's operator. */
  credit: ContractReturnType<"VolunteerCredit">;
}

async function party(system: System, kind: OrgKind, name: string): Promise<Party> {
  const org = await accreditOrg(system, { kind, name });
  const [wallet] = org.operators;
  if (wallet === undefined) throw new Error("accreditOrg gave no operator");
  const credit = await system.viem.getContractAt("VolunteerCredit", system.credit.address, { client: { wallet } });
  return { orgId: org.orgId, operator: getAddress(wallet.account.address), credit };
}

/**
 * A volunteer organisation (activity 1), a charity (activity 2), an enterprise (activity 3) and two
 * merchants. Alice's consent key is generated here but not yet bound.
 */
const setup = snapshotFixture(async () => {
  const system = await deploySystem();
  const volunteerOrg = await party(system, orgKind.VolunteerOrg, "Sunshine Volunteers Association");
  const charity = await party(system, orgKind.Charity, "Charity Foundation");
  const enterprise = await party(system, orgKind.Enterprise, "Enterprise Ltd");
  const merchant = await party(system, orgKind.Merchant, "Elder Care Service Point");
  const merchant2 = await party(system, orgKind.Merchant, "Community Canteen");
  await mined(system, volunteerOrg.credit.write.registerActivity([hash("river clean-up"), 0n, 0n]));
  await mined(system, charity.credit.write.registerActivity([hash("food bank"), 0n, 0n]));
  await mined(system, enterprise.credit.write.registerActivity([hash("staff volunteering day"), 0n, 0n]));
  const aliceKey = privateKeyToAccount(generatePrivateKey());
  return {
    system,
    volunteerOrg,
    charity,
    enterprise,
    merchant,
    merchant2,
    aliceKey,
    activity: 1n,
    charityActivity: 2n,
  };
});

type Ctx = Awaited<ReturnType<typeof setup>>;

async function pointsOf(ctx: Ctx, volunteer: Hex): Promise<bigint> {
  return (await ctx.system.credit.read.account([volunteer])).points;
}

async function now(ctx: Ctx): Promise<bigint> {
  return BigInt(await ctx.system.networkHelpers.time.latest());
}

async function issue(ctx: Ctx, input: CreditInput): Promise<Appended> {
  return minedOne(ctx.system, ctx.volunteerOrg.credit.write.issueCredit([ctx.activity, input]));
}

/** Binds `key` to `volunteer` as `party`, showing its credit `credited` (reference and leaf). */
function bindKey(party: Party, volunteer: Hex, key: Address, credited: { ref: Hex; leaf: Hex }) {
  return party.credit.write.setConsentKey([volunteer, key, credited.ref, credited.leaf]);
}

/** Credits Alice `points` and binds her consent key with that credit. */
async function enrolAlice(ctx: Ctx, points = 100n): Promise<void> {
  const { leaf } = await issue(ctx, credit(ref("CRED-ENROL"), { points }));
  await mined(ctx.system, bindKey(ctx.volunteerOrg, ALICE, ctx.aliceKey.address, { ref: ref("CRED-ENROL"), leaf }));
}

/** MAX_BATCH as the module states it. */
async function maxBatch(ctx: Ctx): Promise<number> {
  return Number(await ctx.system.credit.read.MAX_BATCH());
}

async function redeemInput(ctx: Ctx, overrides: Partial<RedeemInput> = {}): Promise<RedeemInput> {
  return {
    volunteer: ALICE,
    points: 30n,
    externalRef: ref("RED-1"),
    serviceHash: hash("two hours of home care"),
    deadline: (await now(ctx)) + ONE_HOUR,
    ...overrides,
  };
}

/** The volunteer's consent: `signer` signs the Redeem digest for `merchantOrg` at the current nonce. */
async function consent(ctx: Ctx, input: RedeemInput, merchantOrg: bigint, signer: PrivateKeyAccount): Promise<Hex> {
  return signer.sign({ hash: await ctx.system.credit.read.redeemDigest([input, merchantOrg]) });
}

async function rotationSignature(
  ctx: Ctx,
  volunteer: Hex,
  newKey: Address,
  deadline: bigint,
  signer: PrivateKeyAccount,
): Promise<Hex> {
  return signer.sign({ hash: await ctx.system.credit.read.rotateKeyDigest([volunteer, newKey, deadline]) });
}

// ---------------------------------------------------------------- registerActivity
describe("registerActivity", () => {
  test("behavior: appends ACTIVITY_REGISTERED to the activity's and the organisation's streams", async () => {
    const ctx = await setup();
    const { entry } = await minedOne(
      ctx.system,
      ctx.volunteerOrg.credit.write.registerActivity([hash("reading to children"), 1_767_225_600n, 1_767_232_800n]),
    );
    expect(entry.actorOrg).toBe(ctx.volunteerOrg.orgId);
    expect(streamsOf(entry)).toEqual([activityStream(4n), orgStream(ctx.volunteerOrg.orgId)]);
    expect(recordOf(entry, "activityRegistered")).toEqual({
      type: "activityRegistered",
      activityId: 4n,
      descriptionHash: hash("reading to children"),
      startTime: 1_767_225_600n,
      endTime: 1_767_232_800n,
    });
  });

  test("behavior: the activity belongs to the registering organisation", async () => {
    const ctx = await setup();
    await mined(ctx.system, ctx.volunteerOrg.credit.write.registerActivity([hash("reading"), 0n, 0n]));
    expect(await ctx.system.credit.read.activityCount()).toBe(4n);
    expect(await ctx.system.credit.read.activityOrg([4n])).toBe(ctx.volunteerOrg.orgId);
  });

  test("args: an activity that ends when it starts is accepted", async () => {
    const ctx = await setup();
    const { entry } = await minedOne(
      ctx.system,
      ctx.volunteerOrg.credit.write.registerActivity([hash("one moment"), 1_767_225_600n, 1_767_225_600n]),
    );
    expect(recordOf(entry, "activityRegistered").endTime).toBe(1_767_225_600n);
  });

  test("error: a zero description hash is refused with CreditHashInvalid", async () => {
    const ctx = await setup();
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.volunteerOrg.credit.write.registerActivity([zeroHash, 0n, 0n]),
      ctx.system.credit,
      "CreditHashInvalid",
      [],
    );
  });

  test("error: an end before the start is refused with CreditTimeWindowInvalid", async () => {
    const ctx = await setup();
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.volunteerOrg.credit.write.registerActivity([hash("x"), 1_767_225_600n, 1_767_225_599n]),
      ctx.system.credit,
      "CreditTimeWindowInvalid",
      [1_767_225_600n, 1_767_225_599n],
    );
  });

  test("error: a merchant cannot register an activity (RegistryOrgKindNotAllowed)", async () => {
    const ctx = await setup();
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.merchant.credit.write.registerActivity([hash("x"), 0n, 0n]),
      ctx.system.registry,
      "RegistryOrgKindNotAllowed",
      [ctx.merchant.orgId, orgKind.Merchant],
    );
  });
});

// ---------------------------------------------------------------- issueCredit
describe("issueCredit", () => {
  test("behavior: the volunteer's points grow by each credit", async () => {
    const ctx = await setup();
    await issue(ctx, credit(ref("CRED-1"), { points: 20n }));
    await issue(ctx, credit(ref("CRED-2"), { points: 15n }));
    expect(await pointsOf(ctx, ALICE)).toBe(35n);
  });

  test("behavior: appends CREDIT_ISSUED to the activity, volunteer and record streams", async () => {
    const ctx = await setup();
    const input = credit(ref("CRED-1"), { serviceMinutes: 150, points: 25n });
    const { entry } = await issue(ctx, input);
    expect(entry.actorOrg).toBe(ctx.volunteerOrg.orgId);
    expect(entry.operator).toBe(ctx.volunteerOrg.operator);
    expect(streamsOf(entry)).toEqual([
      activityStream(ctx.activity),
      volunteerStream(ALICE),
      recordStream(ctx.volunteerOrg.orgId, ref("CRED-1")),
    ]);
    expect(recordOf(entry, "creditIssued")).toEqual({
      type: "creditIssued",
      activityId: ctx.activity,
      externalRef: ref("CRED-1"),
      volunteer: ALICE,
      minutes: 150,
      points: 25n,
      serviceDate: SERVICE_DATE,
    });
  });

  test("args: a credit of minutes only (no points) is accepted and leaves the points unchanged", async () => {
    const ctx = await setup();
    await issue(ctx, credit(ref("CRED-1"), { serviceMinutes: 90, points: 0n }));
    expect(await pointsOf(ctx, ALICE)).toBe(0n);
  });

  test("args: a credit of points only (no minutes) is accepted", async () => {
    const ctx = await setup();
    await issue(ctx, credit(ref("CRED-1"), { serviceMinutes: 0, points: 5n }));
    expect(await pointsOf(ctx, ALICE)).toBe(5n);
  });

  test("behavior: a charity and an enterprise may issue credit for their own activities", async () => {
    const ctx = await setup();
    await minedOne(ctx.system, ctx.charity.credit.write.issueCredit([2n, credit(ref("CRED-1"), { points: 3n })]));
    await minedOne(ctx.system, ctx.enterprise.credit.write.issueCredit([3n, credit(ref("CRED-1"), { points: 4n })]));
    expect(await pointsOf(ctx, ALICE)).toBe(7n);
  });

  test("error: the same reference twice is refused with CreditRecordExists naming the entry", async () => {
    const ctx = await setup();
    const { entry } = await issue(ctx, credit(ref("CRED-1")));
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.volunteerOrg.credit.write.issueCredit([ctx.activity, credit(ref("CRED-1"), { volunteer: BOB })]),
      ctx.system.credit,
      "CreditRecordExists",
      [ref("CRED-1"), entry.index],
    );
  });

  test("error: re-issuing a reversed credit's reference is refused with CreditRecordExists naming the record's latest entry, the reversal", async () => {
    const ctx = await setup();
    const { leaf } = await issue(ctx, credit(ref("CRED-1")));
    const reversal = await minedOne(ctx.system, ctx.volunteerOrg.credit.write.reverseCredit([ref("CRED-1"), 1, leaf]));
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.volunteerOrg.credit.write.issueCredit([ctx.activity, credit(ref("CRED-1"))]),
      ctx.system.credit,
      "CreditRecordExists",
      [ref("CRED-1"), reversal.entry.index],
    );
  });

  test("error: a zero reference is refused with CreditExternalRefInvalid", async () => {
    const ctx = await setup();
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.volunteerOrg.credit.write.issueCredit([ctx.activity, credit(zeroHash)]),
      ctx.system.credit,
      "CreditExternalRefInvalid",
      [],
    );
  });

  test("error: a zero volunteer is refused with CreditVolunteerInvalid", async () => {
    const ctx = await setup();
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.volunteerOrg.credit.write.issueCredit([ctx.activity, credit(ref("CRED-1"), { volunteer: zeroHash })]),
      ctx.system.credit,
      "CreditVolunteerInvalid",
      [ref("CRED-1")],
    );
  });

  test("error: zero minutes and zero points are refused with CreditAmountInvalid", async () => {
    const ctx = await setup();
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.volunteerOrg.credit.write.issueCredit([
        ctx.activity,
        credit(ref("CRED-1"), { serviceMinutes: 0, points: 0n }),
      ]),
      ctx.system.credit,
      "CreditAmountInvalid",
      [ref("CRED-1")],
    );
  });

  // Service dates are YYYYMMDD calendar dates of the years 1900-2999, leap years included.
  test.each([
    { date: 19_000_101, why: "the first day" },
    { date: 29_991_231, why: "the last day" },
    { date: 20_240_229, why: "29 February of a leap year" },
    { date: 20_000_229, why: "29 February 2000 (divisible by 400: a leap year)" },
    { date: 20_260_430, why: "30 April" },
    { date: 20_260_131, why: "31 January" },
    { date: 20_261_231, why: "31 December" },
  ])("args: service date $date ($why) is accepted", async ({ date }) => {
    const ctx = await setup();
    const { entry } = await issue(ctx, credit(ref("CRED-1"), { serviceDate: date }));
    expect(recordOf(entry, "creditIssued").serviceDate).toBe(date);
  });

  test.each([
    { date: 0, why: "zero" },
    { date: 18_991_231, why: "before 1900" },
    { date: 30_000_101, why: "after 2999" },
    { date: 20_261_399, why: "month 13, day 99" },
    { date: 20_261_301, why: "month 13" },
    { date: 20_260_001, why: "month 0" },
    { date: 20_260_100, why: "day 0" },
    { date: 20_260_132, why: "32 January" },
    { date: 20_260_229, why: "29 February of a common year" },
    { date: 20_260_431, why: "31 April" },
    { date: 20_260_931, why: "31 September" },
    { date: 19_000_229, why: "29 February 1900 (a century not divisible by 400: no leap year)" },
    { date: 20_240_230, why: "30 February of a leap year" },
  ])("error: service date $date ($why) is refused with CreditDateInvalid", async ({ date }) => {
    const ctx = await setup();
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.volunteerOrg.credit.write.issueCredit([ctx.activity, credit(ref("CRED-1"), { serviceDate: date })]),
      ctx.system.credit,
      "CreditDateInvalid",
      [ref("CRED-1"), date],
    );
  });

  test("error: crediting another organisation's activity is refused with CreditActivityNotOwned", async () => {
    const ctx = await setup();
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.volunteerOrg.credit.write.issueCredit([ctx.charityActivity, credit(ref("CRED-1"))]),
      ctx.system.credit,
      "CreditActivityNotOwned",
      [ctx.charityActivity, ctx.volunteerOrg.orgId],
    );
  });

  test("error: an activity that does not exist is refused with CreditActivityNotFound", async () => {
    const ctx = await setup();
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.volunteerOrg.credit.write.issueCredit([99n, credit(ref("CRED-1"))]),
      ctx.system.credit,
      "CreditActivityNotFound",
      [99n],
    );
  });
});

// ---------------------------------------------------------------- issueCredits
describe("issueCredits", () => {
  /** `size` credits of 1..size points, spread over a few volunteers. */
  const batch = (size: number, volunteers = 4): CreditInput[] =>
    Array.from({ length: size }, (_, i) =>
      credit(ref(`BATCH-${i}`), { volunteer: pseudonym(`volunteer ${i % volunteers}`), points: BigInt(i + 1) }),
    );

  /** `credits` are refused with CreditRecordExists naming BATCH-0 and the entry its row would get; nothing changes. */
  async function expectFirstRepeatedRefused(ctx: Ctx, credits: readonly CreditInput[]) {
    const before = await creditState(ctx, credits);
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.volunteerOrg.credit.write.issueCredits([ctx.activity, credits]),
      ctx.system.credit,
      "CreditRecordExists",
      [ref("BATCH-0"), before.size],
    );
    expect(await creditState(ctx, credits)).toEqual(before);
  }

  async function creditState(ctx: Ctx, credits: readonly CreditInput[]) {
    const { log, credit: module } = ctx.system;
    return {
      size: await log.read.size(),
      root: await log.read.root(),
      accounts: await Promise.all(credits.map((c) => module.read.account([c.volunteer]))),
      activityHead: await log.read.streamHead([activityStream(ctx.activity)]),
      recordHeads: await Promise.all(
        credits.map((c) => log.read.streamHead([recordStream(ctx.volunteerOrg.orgId, c.externalRef)])),
      ),
    };
  }

  test("behavior: MAX_BATCH is 150, as IVolunteerCredit documents", async () => {
    const ctx = await setup();
    expect(await maxBatch(ctx)).toBe(150);
  });

  test("error: an empty batch is refused with CreditBatchSizeInvalid(0, MAX_BATCH)", async () => {
    const ctx = await setup();
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.volunteerOrg.credit.write.issueCredits([ctx.activity, []]),
      ctx.system.credit,
      "CreditBatchSizeInvalid",
      [0n, BigInt(await maxBatch(ctx))],
    );
  });

  test("behavior: a batch of MAX_BATCH (the maximum) appends MAX_BATCH entries and credits every volunteer", async () => {
    const ctx = await setup();
    const max = await maxBatch(ctx);
    const sizeBefore = await ctx.system.log.read.size();
    const credits = batch(max);
    const appended = await mined(ctx.system, ctx.volunteerOrg.credit.write.issueCredits([ctx.activity, credits]));
    expect(appended).toHaveLength(max);
    expect(await ctx.system.log.read.size()).toBe(sizeBefore + BigInt(max));
    for (let v = 0; v < 4; v++) {
      const expected = credits.filter((_, i) => i % 4 === v).reduce((sum, c) => sum + c.points, 0n);
      expect(await pointsOf(ctx, pseudonym(`volunteer ${v}`))).toBe(expected);
    }
  });

  // The costliest batch: every credit to a volunteer seen for the first time. It must fit in the
  // 2^24 (16,777,216) gas that one transaction may use since Osaka (EIP-7825).
  test("behavior: a batch of MAX_BATCH credits to MAX_BATCH new volunteers fits in one transaction", async () => {
    const ctx = await setup();
    const max = await maxBatch(ctx);
    const appended = await mined(
      ctx.system,
      ctx.volunteerOrg.credit.write.issueCredits([ctx.activity, batch(max, max)]),
    );
    expect(appended).toHaveLength(max);
  });

  test("error: a batch of MAX_BATCH + 1 is refused with CreditBatchSizeInvalid(MAX_BATCH + 1, MAX_BATCH)", async () => {
    const ctx = await setup();
    const max = await maxBatch(ctx);
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.volunteerOrg.credit.write.issueCredits([ctx.activity, batch(max + 1)]),
      ctx.system.credit,
      "CreditBatchSizeInvalid",
      [BigInt(max + 1), BigInt(max)],
    );
  });

  // The caller and the activity are checked before the batch's size.
  test("error: an empty batch from a key that is no operator is refused with RegistryKeyNotOperator", async () => {
    const ctx = await setup();
    const governance = ctx.system.wallets.governance.account;
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.system.credit.write.issueCredits([ctx.activity, []], { account: governance }),
      ctx.system.registry,
      "RegistryKeyNotOperator",
      [getAddress(governance.address)],
    );
  });

  test("error: an oversized batch from a merchant is refused with RegistryOrgKindNotAllowed", async () => {
    const ctx = await setup();
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.merchant.credit.write.issueCredits([ctx.activity, batch((await maxBatch(ctx)) + 1)]),
      ctx.system.registry,
      "RegistryOrgKindNotAllowed",
      [ctx.merchant.orgId, orgKind.Merchant],
    );
  });

  test("error: an empty batch for another organisation's activity is refused with CreditActivityNotOwned", async () => {
    const ctx = await setup();
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.volunteerOrg.credit.write.issueCredits([ctx.charityActivity, []]),
      ctx.system.credit,
      "CreditActivityNotOwned",
      [ctx.charityActivity, ctx.volunteerOrg.orgId],
    );
  });

  test("error: a batch with one bad credit in the middle is refused entirely", async () => {
    const ctx = await setup();
    await issue(ctx, credit(ref("EARLIER"), { volunteer: pseudonym("volunteer 0") }));
    const credits = batch(5);
    credits[2] = credit(ref("BATCH-2"), { volunteer: pseudonym("volunteer 2"), serviceMinutes: 0, points: 0n });
    const before = await creditState(ctx, credits);
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.volunteerOrg.credit.write.issueCredits([ctx.activity, credits]),
      ctx.system.credit,
      "CreditAmountInvalid",
      [ref("BATCH-2")],
    );
    expect(await creditState(ctx, credits)).toEqual(before);
  });

  test("error: a batch that repeats a reference is refused entirely with CreditRecordExists", async () => {
    const ctx = await setup();
    await expectFirstRepeatedRefused(ctx, [...batch(3), credit(ref("BATCH-0"), { volunteer: BOB })]);
  });

  test("error: a full batch whose last row repeats its first is refused with CreditRecordExists naming the first row's entry", async () => {
    const ctx = await setup();
    const max = await maxBatch(ctx);
    await expectFirstRepeatedRefused(ctx, [...batch(max - 1), credit(ref("BATCH-0"), { volunteer: BOB })]);
  });

  test("error: a batch for another organisation's activity is refused with CreditActivityNotOwned", async () => {
    const ctx = await setup();
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.volunteerOrg.credit.write.issueCredits([ctx.charityActivity, batch(2)]),
      ctx.system.credit,
      "CreditActivityNotOwned",
      [ctx.charityActivity, ctx.volunteerOrg.orgId],
    );
  });
});

// ---------------------------------------------------------------- reverseCredit
describe("reverseCredit", () => {
  test("behavior: reversing a credit takes its points back", async () => {
    const ctx = await setup();
    await issue(ctx, credit(ref("CRED-1"), { points: 20n }));
    const { leaf } = await issue(ctx, credit(ref("CRED-2"), { points: 15n }));
    await minedOne(ctx.system, ctx.volunteerOrg.credit.write.reverseCredit([ref("CRED-2"), 1, leaf]));
    expect(await pointsOf(ctx, ALICE)).toBe(20n);
  });

  test("behavior: appends CREDIT_REVERSED to the activity, volunteer and record streams", async () => {
    const ctx = await setup();
    const issued = await issue(ctx, credit(ref("CRED-1"), { serviceMinutes: 45, points: 9n }));
    const { entry } = await minedOne(
      ctx.system,
      ctx.volunteerOrg.credit.write.reverseCredit([ref("CRED-1"), 4, issued.leaf]),
    );
    expect(streamsOf(entry)).toEqual([
      activityStream(ctx.activity),
      volunteerStream(ALICE),
      recordStream(ctx.volunteerOrg.orgId, ref("CRED-1")),
    ]);
    expect(recordOf(entry, "creditReversed")).toEqual({
      type: "creditReversed",
      targetIndex: issued.entry.index,
      reason: 4,
      activityId: ctx.activity,
      volunteer: ALICE,
      minutes: 45,
      points: 9n,
    });
  });

  test("error: reversing twice is refused with CreditRecordAlreadyReversed naming the reversal", async () => {
    const ctx = await setup();
    const { leaf } = await issue(ctx, credit(ref("CRED-1")));
    const reversal = await minedOne(ctx.system, ctx.volunteerOrg.credit.write.reverseCredit([ref("CRED-1"), 1, leaf]));
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.volunteerOrg.credit.write.reverseCredit([ref("CRED-1"), 1, leaf]),
      ctx.system.credit,
      "CreditRecordAlreadyReversed",
      [ref("CRED-1"), reversal.entry.index],
    );
  });

  test("error: a leaf with one byte changed is refused with CreditRecordLeafMismatch", async () => {
    const ctx = await setup();
    const { leaf } = await issue(ctx, credit(ref("CRED-1")));
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.volunteerOrg.credit.write.reverseCredit([ref("CRED-1"), 1, tamper(leaf)]),
      ctx.system.credit,
      "CreditRecordLeafMismatch",
      [ref("CRED-1")],
    );
  });

  test("error: an unknown reference is refused with CreditRecordNotFound", async () => {
    const ctx = await setup();
    const { leaf } = await issue(ctx, credit(ref("CRED-1")));
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.volunteerOrg.credit.write.reverseCredit([ref("NO-SUCH-REF"), 1, leaf]),
      ctx.system.credit,
      "CreditRecordNotFound",
      [ref("NO-SUCH-REF")],
    );
  });

  test("error: reversing points the volunteer already redeemed is refused with CreditBalanceInsufficient", async () => {
    const ctx = await setup();
    const { leaf } = await issue(ctx, credit(ref("CRED-1"), { points: 40n }));
    await mined(ctx.system, bindKey(ctx.volunteerOrg, ALICE, ctx.aliceKey.address, { ref: ref("CRED-1"), leaf }));
    const input = await redeemInput(ctx, { points: 30n });
    await minedOne(
      ctx.system,
      ctx.merchant.credit.write.redeem([input, await consent(ctx, input, ctx.merchant.orgId, ctx.aliceKey)]),
    );
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.volunteerOrg.credit.write.reverseCredit([ref("CRED-1"), 1, leaf]),
      ctx.system.credit,
      "CreditBalanceInsufficient",
      [ALICE, 10n, 40n],
    );
  });

  test("error: reason 0 is refused with CreditReasonInvalid", async () => {
    const ctx = await setup();
    const { leaf } = await issue(ctx, credit(ref("CRED-1")));
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.volunteerOrg.credit.write.reverseCredit([ref("CRED-1"), 0, leaf]),
      ctx.system.credit,
      "CreditReasonInvalid",
      [],
    );
  });

  test("error: a certificate is refused with CreditRecordNotReversible", async () => {
    const ctx = await setup();
    const certificate = hash("certificate 2026-0001");
    const { leaf } = await minedOne(
      ctx.system,
      ctx.volunteerOrg.credit.write.issueCertificate([ALICE, certificate, 600n]),
    );
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.volunteerOrg.credit.write.reverseCredit([certificate, 1, leaf]),
      ctx.system.credit,
      "CreditRecordNotReversible",
      [certificate, 64],
    );
  });
});

// ---------------------------------------------------------------- setConsentKey
describe("setConsentKey", () => {
  /** Alice's account and her stream's head: what a refused binding must leave as it was. */
  async function aliceState(ctx: Ctx) {
    return {
      account: await ctx.system.credit.read.account([ALICE]),
      head: await ctx.system.log.read.streamHead([volunteerStream(ALICE)]),
    };
  }

  test("behavior: an organisation that credited the volunteer binds the key with that credit; CONSENT_KEY_SET goes to the volunteer's stream", async () => {
    const ctx = await setup();
    const issued = await issue(ctx, credit(ref("CRED-1"), { points: 20n }));
    const { entry } = await minedOne(
      ctx.system,
      bindKey(ctx.volunteerOrg, ALICE, ctx.aliceKey.address, { ref: ref("CRED-1"), leaf: issued.leaf }),
    );
    expect(entry.actorOrg).toBe(ctx.volunteerOrg.orgId);
    expect(entry.operator).toBe(ctx.volunteerOrg.operator);
    expect(entry.streams).toEqual([{ id: volunteerStream(ALICE), prevIndex: issued.entry.index }]);
    expect(recordOf(entry, "consentKeySet")).toEqual({
      type: "consentKeySet",
      volunteer: ALICE,
      key: ctx.aliceKey.address,
    });
    expect(await ctx.system.credit.read.account([ALICE])).toEqual({
      points: 20n,
      nonce: 0,
      consentKey: ctx.aliceKey.address,
    });
  });

  test("args: a credit of minutes only (no points) is enough to bind", async () => {
    const ctx = await setup();
    const { leaf } = await issue(ctx, credit(ref("CRED-1"), { points: 0n, serviceMinutes: 30 }));
    await minedOne(ctx.system, bindKey(ctx.volunteerOrg, ALICE, ctx.aliceKey.address, { ref: ref("CRED-1"), leaf }));
    expect((await ctx.system.credit.read.account([ALICE])).consentKey).toBe(ctx.aliceKey.address);
  });

  test("behavior: a charity that credited the volunteer for its own activity may bind too", async () => {
    const ctx = await setup();
    const { leaf } = await minedOne(
      ctx.system,
      ctx.charity.credit.write.issueCredit([ctx.charityActivity, credit(ref("CRED-1"))]),
    );
    const { entry } = await minedOne(
      ctx.system,
      bindKey(ctx.charity, ALICE, ctx.aliceKey.address, { ref: ref("CRED-1"), leaf }),
    );
    expect(entry.actorOrg).toBe(ctx.charity.orgId);
  });

  test("behavior: any unreversed credit of the organisation to the volunteer will do, even when another was reversed", async () => {
    const ctx = await setup();
    const first = await issue(ctx, credit(ref("CRED-1")));
    const second = await issue(ctx, credit(ref("CRED-2")));
    await minedOne(ctx.system, ctx.volunteerOrg.credit.write.reverseCredit([ref("CRED-1"), 1, first.leaf]));
    await minedOne(
      ctx.system,
      bindKey(ctx.volunteerOrg, ALICE, ctx.aliceKey.address, { ref: ref("CRED-2"), leaf: second.leaf }),
    );
    expect((await ctx.system.credit.read.account([ALICE])).consentKey).toBe(ctx.aliceKey.address);
  });

  test("error: an organisation that never credited the volunteer cannot bind their consent key (CreditConsentNotIssuer)", async () => {
    const ctx = await setup();
    await issue(ctx, credit(ref("CRED-1"), { points: 50n }));
    // The enterprise shows a credit of its own — to Bob.
    const { leaf } = await minedOne(
      ctx.system,
      ctx.enterprise.credit.write.issueCredit([3n, credit(ref("ENT-1"), { volunteer: BOB })]),
    );
    const intruder = privateKeyToAccount(generatePrivateKey());
    const before = await aliceState(ctx);
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      bindKey(ctx.enterprise, ALICE, intruder.address, { ref: ref("ENT-1"), leaf }),
      ctx.system.credit,
      "CreditConsentNotIssuer",
      [ALICE, ctx.enterprise.orgId],
    );
    expect(await aliceState(ctx)).toEqual(before);
  });

  test("error: another organisation's credit to the volunteer is not one of the caller's records (CreditRecordNotFound)", async () => {
    const ctx = await setup();
    const issued = await issue(ctx, credit(ref("CRED-1")));
    const intruder = privateKeyToAccount(generatePrivateKey());
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      bindKey(ctx.enterprise, ALICE, intruder.address, { ref: ref("CRED-1"), leaf: issued.leaf }),
      ctx.system.credit,
      "CreditRecordNotFound",
      [ref("CRED-1")],
    );
  });

  test("error: another organisation's credit leaf under a reference the caller also used is refused with CreditRecordLeafMismatch", async () => {
    const ctx = await setup();
    const issued = await issue(ctx, credit(ref("CRED-1")));
    // The enterprise's own CRED-1 is to Bob; it shows the volunteer organisation's CRED-1 (to Alice).
    await minedOne(
      ctx.system,
      ctx.enterprise.credit.write.issueCredit([3n, credit(ref("CRED-1"), { volunteer: BOB })]),
    );
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      bindKey(ctx.enterprise, ALICE, privateKeyToAccount(generatePrivateKey()).address, {
        ref: ref("CRED-1"),
        leaf: issued.leaf,
      }),
      ctx.system.credit,
      "CreditRecordLeafMismatch",
      [ref("CRED-1")],
    );
  });

  test("error: a leaf with one byte changed is refused with CreditRecordLeafMismatch", async () => {
    const ctx = await setup();
    const { leaf } = await issue(ctx, credit(ref("CRED-1")));
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      bindKey(ctx.volunteerOrg, ALICE, ctx.aliceKey.address, { ref: ref("CRED-1"), leaf: tamper(leaf) }),
      ctx.system.credit,
      "CreditRecordLeafMismatch",
      [ref("CRED-1")],
    );
  });

  test("error: a reversed credit is refused with CreditRecordAlreadyReversed naming the reversal", async () => {
    const ctx = await setup();
    const { leaf } = await issue(ctx, credit(ref("CRED-1")));
    const reversal = await minedOne(ctx.system, ctx.volunteerOrg.credit.write.reverseCredit([ref("CRED-1"), 1, leaf]));
    const before = await aliceState(ctx);
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      bindKey(ctx.volunteerOrg, ALICE, ctx.aliceKey.address, { ref: ref("CRED-1"), leaf }),
      ctx.system.credit,
      "CreditRecordAlreadyReversed",
      [ref("CRED-1"), reversal.entry.index],
    );
    expect(await aliceState(ctx)).toEqual(before);
  });

  test("error: a record that is not a credit (a certificate to the volunteer) is refused with CreditConsentNotIssuer", async () => {
    const ctx = await setup();
    const certificate = hash("certificate 2026-0001");
    const { leaf } = await minedOne(
      ctx.system,
      ctx.volunteerOrg.credit.write.issueCertificate([ALICE, certificate, 600n]),
    );
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      bindKey(ctx.volunteerOrg, ALICE, ctx.aliceKey.address, { ref: certificate, leaf }),
      ctx.system.credit,
      "CreditConsentNotIssuer",
      [ALICE, ctx.volunteerOrg.orgId],
    );
  });

  test("error: a zero volunteer is refused with CreditConsentNotIssuer (no credit is to volunteer 0)", async () => {
    const ctx = await setup();
    const { leaf } = await issue(ctx, credit(ref("CRED-1")));
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      bindKey(ctx.volunteerOrg, zeroHash, ctx.aliceKey.address, { ref: ref("CRED-1"), leaf }),
      ctx.system.credit,
      "CreditConsentNotIssuer",
      [zeroHash, ctx.volunteerOrg.orgId],
    );
  });

  test("error: a second key is refused with CreditConsentKeySet naming the current key, whichever issuer asks", async () => {
    const ctx = await setup();
    await enrolAlice(ctx);
    const other = privateKeyToAccount(generatePrivateKey());
    const { leaf } = await issue(ctx, credit(ref("CRED-1")));
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      bindKey(ctx.volunteerOrg, ALICE, other.address, { ref: ref("CRED-1"), leaf }),
      ctx.system.credit,
      "CreditConsentKeySet",
      [ALICE, ctx.aliceKey.address],
    );
    // A charity that also credited Alice cannot replace the key either: only the key itself rotates it.
    const charityCredit = await minedOne(
      ctx.system,
      ctx.charity.credit.write.issueCredit([ctx.charityActivity, credit(ref("CHA-1"))]),
    );
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      bindKey(ctx.charity, ALICE, other.address, { ref: ref("CHA-1"), leaf: charityCredit.leaf }),
      ctx.system.credit,
      "CreditConsentKeySet",
      [ALICE, ctx.aliceKey.address],
    );
  });

  test("error: the zero address is refused with CreditConsentKeyInvalid", async () => {
    const ctx = await setup();
    const { leaf } = await issue(ctx, credit(ref("CRED-1")));
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      bindKey(ctx.volunteerOrg, ALICE, zeroAddress, { ref: ref("CRED-1"), leaf }),
      ctx.system.credit,
      "CreditConsentKeyInvalid",
      [],
    );
  });

  test("error: a merchant cannot bind a key (RegistryOrgKindNotAllowed)", async () => {
    const ctx = await setup();
    const { leaf } = await issue(ctx, credit(ref("CRED-1")));
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      bindKey(ctx.merchant, ALICE, ctx.aliceKey.address, { ref: ref("CRED-1"), leaf }),
      ctx.system.registry,
      "RegistryOrgKindNotAllowed",
      [ctx.merchant.orgId, orgKind.Merchant],
    );
  });

  // DESIGN RISK (remaining; contracts/VolunteerCredit.sol, setConsentKey): the binder must show a
  // credit of its own to the volunteer, but any issuer may credit any pseudonym it reads in the log
  // — one minute of service is enough — and then bind its own key to a volunteer who has not
  // enrolled yet, locking them out (only that key can rotate). It now costs a credit entry that
  // names the issuer in the volunteer's stream, so the abuse is visible, but it is not prevented.
  test("behavior: an issuer that credits a volunteer it never served (one minute) may then bind their key", async () => {
    const ctx = await setup();
    await issue(ctx, credit(ref("CRED-1"), { points: 50n }));
    const { leaf } = await minedOne(
      ctx.system,
      ctx.enterprise.credit.write.issueCredit([3n, credit(ref("ENT-1"), { serviceMinutes: 1, points: 0n })]),
    );
    const intruder = privateKeyToAccount(generatePrivateKey());
    const { entry } = await minedOne(
      ctx.system,
      bindKey(ctx.enterprise, ALICE, intruder.address, { ref: ref("ENT-1"), leaf }),
    );
    expect(entry.actorOrg).toBe(ctx.enterprise.orgId);
    expect((await ctx.system.credit.read.account([ALICE])).consentKey).toBe(intruder.address);
  });
});

// ---------------------------------------------------------------- rotateConsentKey
describe("rotateConsentKey", () => {
  test("behavior: a signature of the current key replaces it and moves the nonce", async () => {
    const ctx = await setup();
    await enrolAlice(ctx);
    const next = privateKeyToAccount(generatePrivateKey());
    const deadline = (await now(ctx)) + ONE_HOUR;
    const signature = await rotationSignature(ctx, ALICE, next.address, deadline, ctx.aliceKey);
    await minedOne(ctx.system, ctx.merchant.credit.write.rotateConsentKey([ALICE, next.address, deadline, signature]));
    expect(await ctx.system.credit.read.account([ALICE])).toEqual({ points: 100n, nonce: 1, consentKey: next.address });
  });

  test("behavior: the rotation is a CONSENT_KEY_SET entry on the volunteer's own authority (no organisation)", async () => {
    const ctx = await setup();
    await enrolAlice(ctx);
    const next = privateKeyToAccount(generatePrivateKey());
    const deadline = (await now(ctx)) + ONE_HOUR;
    const signature = await rotationSignature(ctx, ALICE, next.address, deadline, ctx.aliceKey);
    const { entry } = await minedOne(
      ctx.system,
      ctx.system.credit.write.rotateConsentKey([ALICE, next.address, deadline, signature]),
    );
    expect(entry.actorOrg).toBe(0n);
    expect(entry.operator).toBe(ctx.aliceKey.address);
    expect(streamsOf(entry)).toEqual([volunteerStream(ALICE)]);
    expect(recordOf(entry, "consentKeySet")).toEqual({ type: "consentKeySet", volunteer: ALICE, key: next.address });
  });

  test("behavior: rotateKeyDigest is the EIP-712 RotateKey hash a wallet signs", async () => {
    const ctx = await setup();
    const next = privateKeyToAccount(generatePrivateKey());
    const expected = hashTypedData({
      domain: {
        name: "Shanji VolunteerCredit",
        version: "1",
        chainId: await ctx.system.publicClient.getChainId(),
        verifyingContract: ctx.system.credit.address,
      },
      types: {
        RotateKey: [
          { name: "volunteer", type: "bytes32" },
          { name: "newKey", type: "address" },
          { name: "nonce", type: "uint32" },
          { name: "deadline", type: "uint64" },
        ],
      },
      primaryType: "RotateKey",
      message: { volunteer: ALICE, newKey: next.address, nonce: 0, deadline: 1_900_000_000n },
    });
    expect(await ctx.system.credit.read.rotateKeyDigest([ALICE, next.address, 1_900_000_000n])).toBe(expected);
  });

  test("error: a signature of another key is refused with CreditConsentInvalid", async () => {
    const ctx = await setup();
    await enrolAlice(ctx);
    const thief = privateKeyToAccount(generatePrivateKey());
    const deadline = (await now(ctx)) + ONE_HOUR;
    const signature = await rotationSignature(ctx, ALICE, thief.address, deadline, thief);
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.merchant.credit.write.rotateConsentKey([ALICE, thief.address, deadline, signature]),
      ctx.system.credit,
      "CreditConsentInvalid",
      [ALICE],
    );
  });

  test("error: a rotation signature used a second time is refused with CreditConsentInvalid (nonce moved)", async () => {
    const ctx = await setup();
    await enrolAlice(ctx);
    const next = privateKeyToAccount(generatePrivateKey());
    const deadline = (await now(ctx)) + ONE_HOUR;
    const back = await rotationSignature(ctx, ALICE, ctx.aliceKey.address, deadline, ctx.aliceKey);
    const forward = await rotationSignature(ctx, ALICE, next.address, deadline, ctx.aliceKey);
    await minedOne(ctx.system, ctx.system.credit.write.rotateConsentKey([ALICE, next.address, deadline, forward]));
    // `back` was signed by the then-current key for nonce 0: the key and the nonce have both moved.
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.system.credit.write.rotateConsentKey([ALICE, ctx.aliceKey.address, deadline, back]),
      ctx.system.credit,
      "CreditConsentInvalid",
      [ALICE],
    );
  });

  test("error: an expired deadline is refused with CreditConsentExpired", async () => {
    const ctx = await setup();
    await enrolAlice(ctx);
    const next = privateKeyToAccount(generatePrivateKey());
    const deadline = (await now(ctx)) - 1n;
    const signature = await rotationSignature(ctx, ALICE, next.address, deadline, ctx.aliceKey);
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.system.credit.write.rotateConsentKey([ALICE, next.address, deadline, signature]),
      ctx.system.credit,
      "CreditConsentExpired",
      [deadline],
    );
  });

  test("error: a volunteer without a key is refused with CreditConsentKeyMissing", async () => {
    const ctx = await setup();
    const next = privateKeyToAccount(generatePrivateKey());
    const deadline = (await now(ctx)) + ONE_HOUR;
    const signature = await rotationSignature(ctx, BOB, next.address, deadline, next);
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.system.credit.write.rotateConsentKey([BOB, next.address, deadline, signature]),
      ctx.system.credit,
      "CreditConsentKeyMissing",
      [BOB],
    );
  });

  test("error: rotating to the zero address is refused with CreditConsentKeyInvalid", async () => {
    const ctx = await setup();
    await enrolAlice(ctx);
    const deadline = (await now(ctx)) + ONE_HOUR;
    const signature = await rotationSignature(ctx, ALICE, zeroAddress, deadline, ctx.aliceKey);
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.system.credit.write.rotateConsentKey([ALICE, zeroAddress, deadline, signature]),
      ctx.system.credit,
      "CreditConsentKeyInvalid",
      [],
    );
  });
});

// ---------------------------------------------------------------- redeem
describe("redeem", () => {
  test("behavior: the volunteer's points fall and the nonce moves", async () => {
    const ctx = await setup();
    await enrolAlice(ctx, 100n);
    const input = await redeemInput(ctx, { points: 30n });
    await minedOne(
      ctx.system,
      ctx.merchant.credit.write.redeem([input, await consent(ctx, input, ctx.merchant.orgId, ctx.aliceKey)]),
    );
    expect(await ctx.system.credit.read.account([ALICE])).toEqual({
      points: 70n,
      nonce: 1,
      consentKey: ctx.aliceKey.address,
    });
  });

  test("behavior: appends CREDIT_REDEEMED to the volunteer's, the merchant's and the record stream", async () => {
    const ctx = await setup();
    await enrolAlice(ctx, 100n);
    const input = await redeemInput(ctx, { points: 30n });
    const { entry } = await minedOne(
      ctx.system,
      ctx.merchant.credit.write.redeem([input, await consent(ctx, input, ctx.merchant.orgId, ctx.aliceKey)]),
    );
    expect(entry.actorOrg).toBe(ctx.merchant.orgId);
    expect(streamsOf(entry)).toEqual([
      volunteerStream(ALICE),
      orgStream(ctx.merchant.orgId),
      recordStream(ctx.merchant.orgId, input.externalRef),
    ]);
    expect(recordOf(entry, "creditRedeemed")).toEqual({
      type: "creditRedeemed",
      volunteer: ALICE,
      points: 30n,
      externalRef: input.externalRef,
      serviceHash: input.serviceHash,
      nonce: 0,
    });
  });

  test("behavior: redeemDigest is the EIP-712 Redeem hash a wallet signs", async () => {
    const ctx = await setup();
    const input = await redeemInput(ctx);
    const expected = hashTypedData({
      domain: {
        name: "Shanji VolunteerCredit",
        version: "1",
        chainId: await ctx.system.publicClient.getChainId(),
        verifyingContract: ctx.system.credit.address,
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
      message: { ...input, merchantOrg: ctx.merchant.orgId, nonce: 0 },
    });
    expect(await ctx.system.credit.read.redeemDigest([input, ctx.merchant.orgId])).toBe(expected);
  });

  test("error: a consent signed for the previous nonce is refused with CreditConsentInvalid", async () => {
    const ctx = await setup();
    await enrolAlice(ctx, 100n);
    // Two consents signed before either is used: both are for nonce 0.
    const first = await redeemInput(ctx, { externalRef: ref("RED-1"), points: 10n });
    const second = await redeemInput(ctx, { externalRef: ref("RED-2"), points: 10n });
    const firstSignature = await consent(ctx, first, ctx.merchant.orgId, ctx.aliceKey);
    const secondSignature = await consent(ctx, second, ctx.merchant.orgId, ctx.aliceKey);
    await minedOne(ctx.system, ctx.merchant.credit.write.redeem([first, firstSignature]));
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.merchant.credit.write.redeem([second, secondSignature]),
      ctx.system.credit,
      "CreditConsentInvalid",
      [ALICE],
    );
  });

  test("error: replaying a used signature under a new reference is refused with CreditConsentInvalid", async () => {
    const ctx = await setup();
    await enrolAlice(ctx, 100n);
    const input = await redeemInput(ctx);
    const signature = await consent(ctx, input, ctx.merchant.orgId, ctx.aliceKey);
    await minedOne(ctx.system, ctx.merchant.credit.write.redeem([input, signature]));
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.merchant.credit.write.redeem([{ ...input, externalRef: ref("RED-REPLAY") }, signature]),
      ctx.system.credit,
      "CreditConsentInvalid",
      [ALICE],
    );
  });

  test("error: replaying a used signature under the same reference is refused with CreditRecordExists", async () => {
    const ctx = await setup();
    await enrolAlice(ctx, 100n);
    const input = await redeemInput(ctx);
    const signature = await consent(ctx, input, ctx.merchant.orgId, ctx.aliceKey);
    const { entry } = await minedOne(ctx.system, ctx.merchant.credit.write.redeem([input, signature]));
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.merchant.credit.write.redeem([input, signature]),
      ctx.system.credit,
      "CreditRecordExists",
      [input.externalRef, entry.index],
    );
  });

  test("error: a consent for another merchant is refused with CreditConsentInvalid", async () => {
    const ctx = await setup();
    await enrolAlice(ctx, 100n);
    const input = await redeemInput(ctx);
    const signature = await consent(ctx, input, ctx.merchant.orgId, ctx.aliceKey);
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.merchant2.credit.write.redeem([input, signature]),
      ctx.system.credit,
      "CreditConsentInvalid",
      [ALICE],
    );
  });

  test("error: more points than the consent names are refused with CreditConsentInvalid", async () => {
    const ctx = await setup();
    await enrolAlice(ctx, 100n);
    const input = await redeemInput(ctx, { points: 10n });
    const signature = await consent(ctx, input, ctx.merchant.orgId, ctx.aliceKey);
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.merchant.credit.write.redeem([{ ...input, points: 90n }, signature]),
      ctx.system.credit,
      "CreditConsentInvalid",
      [ALICE],
    );
  });

  test("error: more points than the balance are refused with CreditBalanceInsufficient", async () => {
    const ctx = await setup();
    await enrolAlice(ctx, 100n);
    const input = await redeemInput(ctx, { points: 101n });
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.merchant.credit.write.redeem([input, await consent(ctx, input, ctx.merchant.orgId, ctx.aliceKey)]),
      ctx.system.credit,
      "CreditBalanceInsufficient",
      [ALICE, 100n, 101n],
    );
  });

  test("error: a volunteer without a consent key is refused with CreditConsentKeyMissing", async () => {
    const ctx = await setup();
    await issue(ctx, credit(ref("CRED-1"), { points: 100n }));
    const input = await redeemInput(ctx);
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.merchant.credit.write.redeem([input, await consent(ctx, input, ctx.merchant.orgId, ctx.aliceKey)]),
      ctx.system.credit,
      "CreditConsentKeyMissing",
      [ALICE],
    );
  });

  test("error: an expired deadline is refused with CreditConsentExpired", async () => {
    const ctx = await setup();
    await enrolAlice(ctx, 100n);
    const input = await redeemInput(ctx, { deadline: (await now(ctx)) - 1n });
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.merchant.credit.write.redeem([input, await consent(ctx, input, ctx.merchant.orgId, ctx.aliceKey)]),
      ctx.system.credit,
      "CreditConsentExpired",
      [input.deadline],
    );
  });

  test("error: a consent that expires while waiting is refused with CreditConsentExpired", async () => {
    const ctx = await setup();
    await enrolAlice(ctx, 100n);
    const input = await redeemInput(ctx);
    const signature = await consent(ctx, input, ctx.merchant.orgId, ctx.aliceKey);
    await ctx.system.networkHelpers.time.increase(ONE_HOUR + 1n);
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.merchant.credit.write.redeem([input, signature]),
      ctx.system.credit,
      "CreditConsentExpired",
      [input.deadline],
    );
  });

  test("error: zero points are refused with CreditAmountInvalid", async () => {
    const ctx = await setup();
    await enrolAlice(ctx, 100n);
    const input = await redeemInput(ctx, { points: 0n });
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.merchant.credit.write.redeem([input, await consent(ctx, input, ctx.merchant.orgId, ctx.aliceKey)]),
      ctx.system.credit,
      "CreditAmountInvalid",
      [input.externalRef],
    );
  });

  test("error: an organisation that is not a merchant cannot redeem (RegistryOrgKindNotAllowed)", async () => {
    const ctx = await setup();
    await enrolAlice(ctx, 100n);
    const input = await redeemInput(ctx);
    const signature = await consent(ctx, input, ctx.volunteerOrg.orgId, ctx.aliceKey);
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.volunteerOrg.credit.write.redeem([input, signature]),
      ctx.system.registry,
      "RegistryOrgKindNotAllowed",
      [ctx.volunteerOrg.orgId, orgKind.VolunteerOrg],
    );
  });

  test("behavior: credit cannot be transferred — the only writes are the module's eight record functions", async () => {
    const ctx = await setup();
    const writes = stateChangingFunctions(ctx.system.credit.abi);
    expect(writes).toEqual(
      [
        "issueCertificate",
        "issueCredit",
        "issueCredits",
        "redeem",
        "registerActivity",
        "reverseCredit",
        "rotateConsentKey",
        "setConsentKey",
      ].sort(),
    );
    expect(writes.filter((name) => /transfer|send|approve|move|give/i.test(name))).toEqual([]);
  });
});

// ---------------------------------------------------------------- issueCertificate
describe("issueCertificate", () => {
  test("behavior: appends CERTIFICATE_ISSUED to the volunteer's, the organisation's and the record stream", async () => {
    const ctx = await setup();
    const certificate = hash("certificate 2026-0001");
    const { entry } = await minedOne(
      ctx.system,
      ctx.volunteerOrg.credit.write.issueCertificate([ALICE, certificate, 600n]),
    );
    expect(streamsOf(entry)).toEqual([
      volunteerStream(ALICE),
      orgStream(ctx.volunteerOrg.orgId),
      recordStream(ctx.volunteerOrg.orgId, certificate),
    ]);
    expect(recordOf(entry, "certificateIssued")).toEqual({
      type: "certificateIssued",
      volunteer: ALICE,
      certificateHash: certificate,
      minutesCovered: 600n,
    });
  });

  test("error: the same certificate hash twice is refused with CreditRecordExists", async () => {
    const ctx = await setup();
    const certificate = hash("certificate 2026-0001");
    const { entry } = await minedOne(
      ctx.system,
      ctx.volunteerOrg.credit.write.issueCertificate([ALICE, certificate, 600n]),
    );
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.volunteerOrg.credit.write.issueCertificate([BOB, certificate, 60n]),
      ctx.system.credit,
      "CreditRecordExists",
      [certificate, entry.index],
    );
  });

  test("error: a zero volunteer is refused with CreditVolunteerInvalid", async () => {
    const ctx = await setup();
    const certificate = hash("certificate 2026-0001");
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.volunteerOrg.credit.write.issueCertificate([zeroHash, certificate, 600n]),
      ctx.system.credit,
      "CreditVolunteerInvalid",
      [certificate],
    );
  });

  test("error: a zero certificate hash is refused with CreditExternalRefInvalid", async () => {
    const ctx = await setup();
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      ctx.volunteerOrg.credit.write.issueCertificate([ALICE, zeroHash, 600n]),
      ctx.system.credit,
      "CreditExternalRefInvalid",
      [],
    );
  });
});
