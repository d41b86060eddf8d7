// Registry: accreditation and its credit-code and name checks, keys (single-use, retired for good),
// suspension, organisation admin transfer, the governance admin's delayed transfer, and the log
// entries that every change leaves — in the organisation's stream, and for governance changes in
// the governance stream. Who may call what is in accessMatrix.test.ts.

import type { SnapshotRestorer } from "@nomicfoundation/hardhat-network-helpers/types";
import { decodeLeaf, type Entry, type EntryRecordOf, leafHash, orgStream } from "@shanji/core";
import {
  type Abi,
  type Account,
  type Address,
  getAddress,
  type Hash,
  type Hex,
  hexToBytes,
  parseEventLogs,
  sha256,
  size,
  stringToHex,
  zeroAddress,
  zeroHash,
} from "viem";
import type { PrivateKeyAccount } from "viem/accounts";
import { beforeAll, beforeEach, describe, expect, test } from "vitest";
import {
  creditCodeCheckCharacter,
  creditCodeToBytes18,
  deploySystem,
  makeCreditCode,
  type OrgKind,
  orgKind,
  readEntries,
  type System,
} from "./_fixture/deploySystem.ts";
import { type GovernanceActionName, governanceChanges, governanceRecord } from "./_moduleKit.ts";
import { expectRevert, freshAddress, freshBytes32, fundedKey, systemErrorsAbi } from "./accessMatrix.helpers.ts";

const ADMIN_TRANSFER_DELAY = 3600;
const GOVERNANCE_DELAY = 3600;
const KEY_ROLE = { None: 0, Admin: 1, Operator: 2, Retired: 3 } as const;
const ORG_STATUS = { None: 0, Active: 1, Suspended: 2 } as const;
const CNY = stringToHex("CNY", { size: 3 });

let system: System;
let errors: Abi;
let snapshot: SnapshotRestorer;
/** An active regulator and its operator key: the other governance besides the default admin. */
let regulator: { orgId: bigint; operator: PrivateKeyAccount };
let governance: Account;

let serial = 0;
/** A valid credit code of `kind` that no earlier call returned. */
const nextCode = (kind: OrgKind = orgKind.Charity): string => makeCreditCode(kind, ++serial);

/**
 * Sends a registry write, asserts that it appended exactly one entry to the log (the log grew by
 * one and the receipt has one EntryAppended), and returns that entry decoded.
 */
async function oneEntry(write: Promise<Hash>): Promise<Entry & { leaf: Hex }> {
  const before = await system.log.read.size();
  const receipt = await system.publicClient.waitForTransactionReceipt({ hash: await write });
  expect(receipt.status).toBe("success");
  const events = parseEventLogs({ abi: system.log.abi, logs: receipt.logs, eventName: "EntryAppended" });
  expect(events).toHaveLength(1);
  expect(await system.log.read.size()).toBe(before + 1n);
  const leaf = events[0]?.args.leaf as Hex;
  const entry = decodeLeaf(leaf);
  expect(entry.index).toBe(before);
  return { ...entry, leaf };
}

/** Narrows a decoded record to entry kind `type`. */
function recordOf<K extends Entry["record"]["type"]>(entry: Entry, type: K): EntryRecordOf<K> {
  expect(entry.record.type).toBe(type);
  return entry.record as EntryRecordOf<K>;
}

interface AccreditParameters {
  kind?: OrgKind;
  code?: string;
  name?: string;
  metadataHash?: Hex;
  admin?: Address;
  override?: boolean;
  from?: Account;
}

function accreditWrite(p: AccreditParameters = {}): Promise<Hash> {
  return system.registry.write.accredit(
    [
      p.kind ?? orgKind.Charity,
      creditCodeToBytes18(p.code ?? nextCode(p.kind)),
      p.name ?? "测试慈善基金会",
      p.metadataHash ?? sha256(stringToHex("profile")),
      p.admin ?? freshAddress(),
      p.override ?? false,
    ],
    { account: p.from ?? governance },
  );
}

/** Accredits an organisation with a funded admin key and one operator key. */
async function newOrg(kind: OrgKind = orgKind.Charity) {
  const admin = await fundedKey(system);
  const operator = await fundedKey(system);
  const entry = await oneEntry(accreditWrite({ kind, admin: admin.address }));
  const { orgId } = recordOf(entry, "orgAccredited");
  await oneEntry(system.registry.write.addOperator([orgId, operator.address], { account: admin }));
  return { orgId, admin, operator };
}

function openCampaign(operator: Account): Promise<Hash> {
  return system.charity.write.openCampaign(
    [
      {
        currency: CNY,
        target: 0n,
        startTime: 0n,
        endTime: 0n,
        filingNumber: zeroHash,
        descriptionHash: freshBytes32("description"),
        purposeTags: [],
      },
    ],
    { account: operator },
  );
}

/** `code` with the character at 1-based `position` replaced by `char`. */
function withChar(code: string, position: number, char: string): string {
  return code.slice(0, position - 1) + char + code.slice(position);
}

beforeAll(async () => {
  system = await deploySystem({ governanceDelay: GOVERNANCE_DELAY, orgAdminTransferDelay: ADMIN_TRANSFER_DELAY });
  errors = systemErrorsAbi(system);
  governance = system.wallets.governance.account;
  const { orgId, operator } = await newOrg(orgKind.Regulator);
  regulator = { orgId, operator };
  snapshot = await system.networkHelpers.takeSnapshot();
});

beforeEach(async () => {
  await snapshot.restore();
});

// ---------------------------------------------------------------- accredit
describe("accredit", () => {
  test("behavior: appends one ORG_ACCREDITED entry that decodes to what was accredited", async () => {
    const admin = freshAddress();
    const code = nextCode(orgKind.Charity);
    const name = "北京市善迹慈善基金会";
    const metadataHash = sha256(stringToHex("profile of 善迹"));
    const orgCount = await system.registry.read.orgCount();

    const entry = await oneEntry(accreditWrite({ kind: orgKind.Charity, code, name, metadataHash, admin }));

    const orgId = orgCount + 1n;
    expect(recordOf(entry, "orgAccredited")).toEqual({
      type: "orgAccredited",
      orgId,
      orgKind: orgKind.Charity,
      creditCode: code,
      checkOverridden: false,
      admin,
      metadataHash,
      name,
    });
    expect(entry.actorOrg).toBe(0n); // the governance admin acts as organisation 0
    expect(entry.operator).toBe(getAddress(governance.address));
    expect(entry.streams).toEqual([{ id: orgStream(orgId), prevIndex: null }]);
    expect(await system.registry.read.orgIdByCreditCode([creditCodeToBytes18(code)])).toBe(orgId);
    expect(await system.registry.read.org([orgId])).toMatchObject({
      kind: orgKind.Charity,
      status: ORG_STATUS.Active,
      admin,
      creditCode: creditCodeToBytes18(code),
    });
    expect(await system.registry.read.keyInfo([admin])).toEqual({ orgId, role: KEY_ROLE.Admin });
  });

  test("behavior: the name's UTF-8 bytes round-trip through the entry, up to 200 bytes", async () => {
    // 66 three-byte characters and two ASCII letters: exactly MAX_NAME_BYTES.
    const name = `${"善".repeat(66)}ab`;
    expect(size(stringToHex(name))).toBe(200);
    const entry = await oneEntry(accreditWrite({ name }));
    expect(recordOf(entry, "orgAccredited").name).toBe(name);
  });

  test.each(Object.entries(orgKind).filter(([, kind]) => kind !== orgKind.None))(
    "args: kind %s is recorded",
    async (_, kind) => {
      const entry = await oneEntry(accreditWrite({ kind }));
      const { orgId, orgKind: recorded } = recordOf(entry, "orgAccredited");
      expect(recorded).toBe(kind);
      expect((await system.registry.read.org([orgId])).kind).toBe(kind);
    },
  );

  test("behavior: a regulator's operator accredits on behalf of its organisation", async () => {
    const entry = await oneEntry(accreditWrite({ from: regulator.operator }));
    expect(entry.actorOrg).toBe(regulator.orgId);
    expect(entry.operator).toBe(regulator.operator.address);
  });

  // accredit takes the kind as a uint8, so the registry itself refuses numbers that name no kind.
  test.each([
    { why: "0 (None)", kind: 0 },
    { why: "7 (one past Regulator)", kind: 7 },
    { why: "255", kind: 255 },
  ])("error: kind $why → RegistryOrgKindInvalid(kind)", async ({ kind }) => {
    const code = nextCode();
    await expectRevert(accreditWrite({ kind: kind as OrgKind, code }), errors, "RegistryOrgKindInvalid", [kind]);
    expect(await system.registry.read.orgIdByCreditCode([creditCodeToBytes18(code)])).toBe(0n);
  });

  test("error: the zero address as admin → RegistryKeyInvalid", async () => {
    await expectRevert(accreditWrite({ admin: zeroAddress }), errors, "RegistryKeyInvalid", []);
  });

  const valid = makeCreditCode(orgKind.Charity, 424_242);
  test.each([
    { why: "an O (not in the alphabet) at position 5", code: withChar(valid, 5, "O"), position: 5 },
    { why: "a lower-case letter at position 10", code: withChar(valid, 10, "a"), position: 10 },
    { why: "an I at position 12", code: withChar(valid, 12, "I"), position: 12 },
    { why: "a letter in the region code (position 3)", code: withChar(valid, 3, "A"), position: 3 },
    { why: "a letter in the region code (position 8)", code: withChar(valid, 8, "B"), position: 8 },
    { why: "a Z as check character (position 18)", code: withChar(valid, 18, "Z"), position: 18 },
    { why: "a space at position 1", code: withChar(valid, 1, " "), position: 1 },
    { why: "17 characters (position 18 is a zero byte)", code: valid.slice(0, 17), position: 18 },
  ])("error: $why → RegistryCreditCodeMalformed at that position", async ({ code, position }) => {
    await expectRevert(accreditWrite({ code }), errors, "RegistryCreditCodeMalformed", [
      creditCodeToBytes18(code),
      position,
    ]);
    // No override accredits a malformed code.
    await expectRevert(
      accreditWrite({ code, override: true, from: regulator.operator }),
      errors,
      "RegistryCreditCodeMalformed",
      [creditCodeToBytes18(code), position],
    );
  });

  /** A well-formed code whose check character is wrong, and the one it should have. */
  function wrongCheckCode(): { code: string; expected: string; actual: string } {
    const good = nextCode(orgKind.Enterprise);
    const expected = creditCodeCheckCharacter(good.slice(0, 17));
    const actual = expected === "1" ? "2" : "1";
    return { code: withChar(good, 18, actual), expected, actual };
  }

  test("error: a wrong check character → RegistryCreditCodeCheckFailed with expected and actual", async () => {
    const { code, expected, actual } = wrongCheckCode();
    await expectRevert(accreditWrite({ code }), errors, "RegistryCreditCodeCheckFailed", [
      creditCodeToBytes18(code),
      stringToHex(expected),
      stringToHex(actual),
    ]);
  });

  test("behavior: a regulator overrides a wrong check character and the entry says so", async () => {
    const { code } = wrongCheckCode();
    const entry = await oneEntry(accreditWrite({ code, override: true, from: regulator.operator }));
    const record = recordOf(entry, "orgAccredited");
    expect(record.creditCode).toBe(code);
    expect(record.checkOverridden).toBe(true);
    expect(entry.actorOrg).toBe(regulator.orgId);
    expect(await system.registry.read.orgIdByCreditCode([creditCodeToBytes18(code)])).toBe(record.orgId);
  });

  test("behavior: an override of a code whose check character is right is not recorded as one", async () => {
    const entry = await oneEntry(accreditWrite({ override: true, from: regulator.operator }));
    expect(recordOf(entry, "orgAccredited").checkOverridden).toBe(false);
  });

  test("error: a credit code already accredited → RegistryCreditCodeTaken", async () => {
    const code = nextCode();
    const { orgId } = recordOf(await oneEntry(accreditWrite({ code })), "orgAccredited");
    await expectRevert(accreditWrite({ code }), errors, "RegistryCreditCodeTaken", [creditCodeToBytes18(code), orgId]);
    await expectRevert(
      accreditWrite({ code, override: true, from: regulator.operator }),
      errors,
      "RegistryCreditCodeTaken",
      [creditCodeToBytes18(code), orgId],
    );
  });

  test("error: an empty name → RegistryNameInvalid(0)", async () => {
    await expectRevert(accreditWrite({ name: "" }), errors, "RegistryNameInvalid", [0n]);
  });

  test("error: a name of 201 bytes → RegistryNameInvalid(201)", async () => {
    const name = "善".repeat(67); // 201 bytes of UTF-8
    await expectRevert(accreditWrite({ name }), errors, "RegistryNameInvalid", [201n]);
  });
});

// ---------------------------------------------------------------- keys
describe("keys", () => {
  test("behavior: addOperator appends OPERATOR_ADDED and makes the key an operator", async () => {
    const { orgId, admin } = await newOrg();
    const key = freshAddress();
    const entry = await oneEntry(system.registry.write.addOperator([orgId, key], { account: admin }));
    expect(recordOf(entry, "operatorAdded")).toEqual({ type: "operatorAdded", orgId, key });
    expect(entry.actorOrg).toBe(orgId);
    expect(entry.operator).toBe(admin.address);
    expect(await system.registry.read.keyInfo([key])).toEqual({ orgId, role: KEY_ROLE.Operator });
  });

  test("error: a key of one organisation cannot join another → RegistryKeyTaken", async () => {
    const a = await newOrg();
    const b = await newOrg();
    // A's operator as B's operator, A's admin as B's operator, A's admin as a new organisation's admin.
    await expectRevert(
      system.registry.write.addOperator([b.orgId, a.operator.address], { account: b.admin }),
      errors,
      "RegistryKeyTaken",
      [a.operator.address, a.orgId],
    );
    await expectRevert(
      system.registry.write.addOperator([b.orgId, a.admin.address], { account: b.admin }),
      errors,
      "RegistryKeyTaken",
      [a.admin.address, a.orgId],
    );
    await expectRevert(accreditWrite({ admin: a.operator.address }), errors, "RegistryKeyTaken", [
      a.operator.address,
      a.orgId,
    ]);
  });

  test("error: an organisation's admin key cannot also be its operator → RegistryKeyTaken", async () => {
    const { orgId, admin } = await newOrg();
    await expectRevert(
      system.registry.write.addOperator([orgId, admin.address], { account: admin }),
      errors,
      "RegistryKeyTaken",
      [admin.address, orgId],
    );
  });

  test("behavior: revokeOperator appends OPERATOR_REVOKED and retires the key", async () => {
    const { orgId, admin, operator } = await newOrg();
    const entry = await oneEntry(system.registry.write.revokeOperator([orgId, operator.address], { account: admin }));
    expect(recordOf(entry, "operatorRevoked")).toEqual({ type: "operatorRevoked", orgId, key: operator.address });
    expect(await system.registry.read.keyInfo([operator.address])).toEqual({ orgId, role: KEY_ROLE.Retired });
    await expectRevert(openCampaign(operator), errors, "RegistryKeyNotOperator", [operator.address]);
  });

  test("error: a revoked key can never be added again, here or elsewhere → RegistryKeyTaken", async () => {
    const { orgId, admin, operator } = await newOrg();
    const other = await newOrg();
    await oneEntry(system.registry.write.revokeOperator([orgId, operator.address], { account: admin }));
    await expectRevert(
      system.registry.write.addOperator([orgId, operator.address], { account: admin }),
      errors,
      "RegistryKeyTaken",
      [operator.address, orgId],
    );
    await expectRevert(
      system.registry.write.addOperator([other.orgId, operator.address], { account: other.admin }),
      errors,
      "RegistryKeyTaken",
      [operator.address, orgId],
    );
    await expectRevert(accreditWrite({ admin: operator.address }), errors, "RegistryKeyTaken", [
      operator.address,
      orgId,
    ]);
    await expectRevert(
      system.registry.write.beginAdminTransfer([other.orgId, operator.address], { account: other.admin }),
      errors,
      "RegistryKeyTaken",
      [operator.address, orgId],
    );
  });

  test("error: revoking a key that is not an operator of the organisation → RegistryKeyNotOperatorOf", async () => {
    const { orgId, admin, operator } = await newOrg();
    const other = await newOrg();
    for (const key of [other.operator.address, admin.address, freshAddress()]) {
      await expectRevert(
        system.registry.write.revokeOperator([orgId, key], { account: admin }),
        errors,
        "RegistryKeyNotOperatorOf",
        [key, orgId],
      );
    }
    await oneEntry(system.registry.write.revokeOperator([orgId, operator.address], { account: admin }));
    await expectRevert(
      system.registry.write.revokeOperator([orgId, operator.address], { account: admin }),
      errors,
      "RegistryKeyNotOperatorOf",
      [operator.address, orgId],
    );
  });

  test("error: addOperator with the zero address → RegistryKeyInvalid; to no organisation → RegistryOrgNotFound", async () => {
    const { orgId, admin } = await newOrg();
    await expectRevert(
      system.registry.write.addOperator([orgId, zeroAddress], { account: admin }),
      errors,
      "RegistryKeyInvalid",
      [],
    );
    const missing = (await system.registry.read.orgCount()) + 1n;
    await expectRevert(
      system.registry.write.addOperator([missing, freshAddress()], { account: admin }),
      errors,
      "RegistryOrgNotFound",
      [missing],
    );
  });
});

// ---------------------------------------------------------------- suspension
describe("suspension", () => {
  test("behavior: a suspended organisation's operators cannot write until it is reinstated", async () => {
    const { orgId, operator } = await newOrg(orgKind.Charity);
    await oneEntry(openCampaign(operator));

    const suspended = await oneEntry(system.registry.write.suspend([orgId, 42], { account: governance }));
    expect(recordOf(suspended, "orgSuspended")).toEqual({ type: "orgSuspended", orgId, reason: 42 });
    expect(await system.registry.read.org([orgId])).toMatchObject({
      status: ORG_STATUS.Suspended,
      suspensionReason: 42,
    });
    await expectRevert(openCampaign(operator), errors, "RegistryOrgSuspended", [orgId, 42]);

    const reinstated = await oneEntry(system.registry.write.reinstate([orgId], { account: regulator.operator }));
    expect(recordOf(reinstated, "orgReinstated")).toEqual({ type: "orgReinstated", orgId });
    expect(reinstated.actorOrg).toBe(regulator.orgId);
    expect(await system.registry.read.org([orgId])).toMatchObject({ status: ORG_STATUS.Active, suspensionReason: 0 });
    await oneEntry(openCampaign(operator));
  });

  test("error: suspending with reason 0 → RegistryReasonInvalid", async () => {
    const { orgId } = await newOrg();
    await expectRevert(
      system.registry.write.suspend([orgId, 0], { account: governance }),
      errors,
      "RegistryReasonInvalid",
      [],
    );
  });

  test("error: suspending a suspended organisation → RegistryOrgSuspended with the first reason", async () => {
    const { orgId } = await newOrg();
    await oneEntry(system.registry.write.suspend([orgId, 3], { account: governance }));
    await expectRevert(
      system.registry.write.suspend([orgId, 4], { account: regulator.operator }),
      errors,
      "RegistryOrgSuspended",
      [orgId, 3],
    );
  });

  test("error: reinstating an active organisation → RegistryOrgNotSuspended", async () => {
    const { orgId } = await newOrg();
    await expectRevert(
      system.registry.write.reinstate([orgId], { account: governance }),
      errors,
      "RegistryOrgNotSuspended",
      [orgId],
    );
  });

  test("error: suspending or reinstating no organisation → RegistryOrgNotFound", async () => {
    const missing = (await system.registry.read.orgCount()) + 1n;
    await expectRevert(
      system.registry.write.suspend([missing, 1], { account: governance }),
      errors,
      "RegistryOrgNotFound",
      [missing],
    );
    await expectRevert(
      system.registry.write.reinstate([missing], { account: governance }),
      errors,
      "RegistryOrgNotFound",
      [missing],
    );
  });

  test("behavior: a suspended regulator's operators lose their governance powers", async () => {
    await oneEntry(system.registry.write.suspend([regulator.orgId, 5], { account: governance }));
    await expectRevert(accreditWrite({ from: regulator.operator }), errors, "RegistryOrgSuspended", [
      regulator.orgId,
      5,
    ]);
  });
});

// ---------------------------------------------------------------- organisation admin transfer
describe("admin transfer", () => {
  test("behavior: accept works only after the delay; the old admin key retires, the new one administers", async () => {
    const { orgId, admin } = await newOrg();
    const newAdmin = await fundedKey(system);

    const started = await oneEntry(
      system.registry.write.beginAdminTransfer([orgId, newAdmin.address], { account: admin }),
    );
    const readyAt = started.timestamp + BigInt(ADMIN_TRANSFER_DELAY);
    expect(recordOf(started, "adminTransferStarted")).toEqual({
      type: "adminTransferStarted",
      orgId,
      newAdmin: newAdmin.address,
      readyAt,
    });
    expect(await system.registry.read.org([orgId])).toMatchObject({
      pendingAdmin: newAdmin.address,
      pendingAdminReadyAt: readyAt,
    });

    await expectRevert(
      system.registry.write.acceptAdminTransfer([orgId], { account: newAdmin }),
      errors,
      "RegistryAdminTransferNotReady",
      [orgId, readyAt],
    );

    await system.networkHelpers.time.increase(ADMIN_TRANSFER_DELAY);
    const changed = await oneEntry(system.registry.write.acceptAdminTransfer([orgId], { account: newAdmin }));
    expect(recordOf(changed, "adminChanged")).toEqual({
      type: "adminChanged",
      orgId,
      previousAdmin: admin.address,
      newAdmin: newAdmin.address,
    });
    expect(await system.registry.read.org([orgId])).toMatchObject({
      admin: newAdmin.address,
      pendingAdmin: zeroAddress,
      pendingAdminReadyAt: 0n,
    });
    expect(await system.registry.read.keyInfo([admin.address])).toEqual({ orgId, role: KEY_ROLE.Retired });
    expect(await system.registry.read.keyInfo([newAdmin.address])).toEqual({ orgId, role: KEY_ROLE.Admin });

    await expectRevert(
      system.registry.write.addOperator([orgId, freshAddress()], { account: admin }),
      errors,
      "RegistryNotOrgAdmin",
      [orgId, admin.address],
    );
    await oneEntry(system.registry.write.addOperator([orgId, freshAddress()], { account: newAdmin }));
    // The retired admin key is single-use too.
    await expectRevert(accreditWrite({ admin: admin.address }), errors, "RegistryKeyTaken", [admin.address, orgId]);
  });

  test("behavior: cancel appends ADMIN_TRANSFER_CANCELLED and the pending key can no longer accept", async () => {
    const { orgId, admin } = await newOrg();
    const newAdmin = await fundedKey(system);
    await oneEntry(system.registry.write.beginAdminTransfer([orgId, newAdmin.address], { account: admin }));

    const cancelled = await oneEntry(system.registry.write.cancelAdminTransfer([orgId], { account: admin }));
    expect(recordOf(cancelled, "adminTransferCancelled")).toEqual({
      type: "adminTransferCancelled",
      orgId,
      pendingAdmin: newAdmin.address,
    });

    await system.networkHelpers.time.increase(ADMIN_TRANSFER_DELAY);
    await expectRevert(
      system.registry.write.acceptAdminTransfer([orgId], { account: newAdmin }),
      errors,
      "RegistryAdminTransferNotPending",
      [orgId],
    );
    expect((await system.registry.read.org([orgId])).admin).toBe(admin.address);
  });

  test("error: cancel with no transfer pending → RegistryAdminTransferNotPending", async () => {
    const { orgId, admin } = await newOrg();
    await expectRevert(
      system.registry.write.cancelAdminTransfer([orgId], { account: admin }),
      errors,
      "RegistryAdminTransferNotPending",
      [orgId],
    );
  });

  test("error: accept by a key other than the pending one → RegistryAdminTransferNotPending", async () => {
    const { orgId, admin, operator } = await newOrg();
    const newAdmin = await fundedKey(system);
    await oneEntry(system.registry.write.beginAdminTransfer([orgId, newAdmin.address], { account: admin }));
    await system.networkHelpers.time.increase(ADMIN_TRANSFER_DELAY);
    for (const wrong of [admin, operator, await fundedKey(system)]) {
      await expectRevert(
        system.registry.write.acceptAdminTransfer([orgId], { account: wrong }),
        errors,
        "RegistryAdminTransferNotPending",
        [orgId],
      );
    }
  });

  test("error: begin towards a key that belongs to an organisation → RegistryKeyTaken", async () => {
    const { orgId, admin, operator } = await newOrg();
    await expectRevert(
      system.registry.write.beginAdminTransfer([orgId, operator.address], { account: admin }),
      errors,
      "RegistryKeyTaken",
      [operator.address, orgId],
    );
  });

  test("error: accept after the pending key was taken by another organisation → RegistryKeyTaken", async () => {
    const { orgId, admin } = await newOrg();
    const other = await newOrg();
    const newAdmin = await fundedKey(system);
    await oneEntry(system.registry.write.beginAdminTransfer([orgId, newAdmin.address], { account: admin }));
    await oneEntry(system.registry.write.addOperator([other.orgId, newAdmin.address], { account: other.admin }));
    await system.networkHelpers.time.increase(ADMIN_TRANSFER_DELAY);
    await expectRevert(
      system.registry.write.acceptAdminTransfer([orgId], { account: newAdmin }),
      errors,
      "RegistryKeyTaken",
      [newAdmin.address, other.orgId],
    );
  });
});

// ---------------------------------------------------------------- governance admin
describe("governance admin", () => {
  const registryChanges = (write: Promise<Hash>, from: Address = governance.address) =>
    governanceChanges(system, write, { contract: system.registry.address, from });
  const change = (action: GovernanceActionName, account: Address, options?: { role?: Hex; value?: bigint }) =>
    governanceRecord(system.registry.address, action, account, options);

  test("behavior: goes through AccessControlDefaultAdminRules' delay, then the new admin governs", async () => {
    const newGovernance = await fundedKey(system);
    await registryChanges(system.registry.write.beginDefaultAdminTransfer([newGovernance.address]));
    const [pending, schedule] = await system.registry.read.pendingDefaultAdmin();
    expect(pending).toBe(newGovernance.address);

    await expectRevert(
      system.registry.write.acceptDefaultAdminTransfer({ account: newGovernance }),
      errors,
      "AccessControlEnforcedDefaultAdminDelay",
      [schedule],
    );

    await system.networkHelpers.time.increaseTo(schedule + 1);
    await registryChanges(
      system.registry.write.acceptDefaultAdminTransfer({ account: newGovernance }),
      newGovernance.address,
    );
    expect(await system.registry.read.defaultAdmin()).toBe(newGovernance.address);

    const entry = await oneEntry(accreditWrite({ from: newGovernance }));
    expect(entry.actorOrg).toBe(0n);
    expect(entry.operator).toBe(newGovernance.address);
    await expectRevert(accreditWrite(), errors, "RegistryNotGovernance", [governance.address]);
  });

  test("behavior: the first admin, granted while the registry was constructed (not yet a writer), is not an entry", async () => {
    expect(await system.registry.read.defaultAdmin()).toBe(getAddress(governance.address));
    const registryEntries = (await readEntries(system))
      .map(({ leaf }) => decodeLeaf(leaf).record)
      .filter(
        (record) => record.type === "governanceChanged" && record.contract === getAddress(system.registry.address),
      );
    expect(registryEntries).toEqual([]);
  });

  test("behavior: beginDefaultAdminTransfer appends adminTransferBegun naming the new admin and the schedule", async () => {
    const next = freshAddress();
    const changes = await registryChanges(system.registry.write.beginDefaultAdminTransfer([next]));
    const [, schedule] = await system.registry.read.pendingDefaultAdmin();
    expect(BigInt(schedule)).toBe(BigInt(await system.networkHelpers.time.latest()) + BigInt(GOVERNANCE_DELAY));
    expect(changes).toEqual([change("adminTransferBegun", next, { value: BigInt(schedule) })]);
  });

  test("behavior: cancelDefaultAdminTransfer appends adminTransferCancelled naming the admin that was pending", async () => {
    const next = freshAddress();
    await registryChanges(system.registry.write.beginDefaultAdminTransfer([next]));
    const [, schedule] = await system.registry.read.pendingDefaultAdmin();
    const changes = await registryChanges(system.registry.write.cancelDefaultAdminTransfer());
    expect(changes).toEqual([change("adminTransferCancelled", next, { value: BigInt(schedule) })]);
    expect(await system.registry.read.pendingDefaultAdmin()).toEqual([zeroAddress, 0]);
  });

  test("behavior: acceptDefaultAdminTransfer appends roleRevoked for the old admin, then roleGranted for the new", async () => {
    const next = await fundedKey(system);
    await registryChanges(system.registry.write.beginDefaultAdminTransfer([next.address]));
    await system.networkHelpers.time.increase(GOVERNANCE_DELAY + 1);
    const changes = await registryChanges(
      system.registry.write.acceptDefaultAdminTransfer({ account: next }),
      next.address,
    );
    expect(changes).toEqual([change("roleRevoked", governance.address), change("roleGranted", next.address)]);
  });

  test("behavior: changeDefaultAdminDelay appends delayChangeBegun with the new delay", async () => {
    const changes = await registryChanges(system.registry.write.changeDefaultAdminDelay([7_200]));
    expect(changes).toEqual([change("delayChangeBegun", zeroAddress, { value: 7_200n })]);
    expect((await system.registry.read.pendingDefaultAdminDelay())[0]).toBe(7_200);
  });

  test("behavior: rollbackDefaultAdminDelay appends delayChangeRolledBack and the pending delay is dropped", async () => {
    await registryChanges(system.registry.write.changeDefaultAdminDelay([60]));
    const changes = await registryChanges(system.registry.write.rollbackDefaultAdminDelay());
    expect(changes).toEqual([change("delayChangeRolledBack", zeroAddress, { value: 60n })]);
    expect(await system.registry.read.pendingDefaultAdminDelay()).toEqual([0, 0]);
    expect(await system.registry.read.defaultAdminDelay()).toBe(GOVERNANCE_DELAY);
  });

  test("behavior: grantRole and revokeRole of another role append roleGranted and roleRevoked naming the role", async () => {
    const role = freshBytes32("role");
    const account = freshAddress();
    expect(await registryChanges(system.registry.write.grantRole([role, account], { account: governance }))).toEqual([
      change("roleGranted", account, { role }),
    ]);
    expect(await registryChanges(system.registry.write.revokeRole([role, account], { account: governance }))).toEqual([
      change("roleRevoked", account, { role }),
    ]);
  });

  test("behavior: the registry's and the log's governance changes share the governance stream", async () => {
    const next = freshAddress();
    await registryChanges(system.registry.write.beginDefaultAdminTransfer([next]));
    // governanceChanges checks that each entry follows the stream's previous one, whoever wrote it.
    const changes = await governanceChanges(system, system.log.write.beginDefaultAdminTransfer([next]), {
      contract: system.log.address,
      from: governance.address,
    });
    expect(changes).toHaveLength(1);
  });

  test("error: once the registry is no longer a writer, its governance cannot change either (LogWriterNotAllowed)", async () => {
    await system.publicClient.waitForTransactionReceipt({
      hash: await system.log.write.setWriter([system.registry.address, false], { account: governance }),
    });
    await expectRevert(
      system.registry.write.beginDefaultAdminTransfer([freshAddress()], { account: governance }),
      errors,
      "LogWriterNotAllowed",
      [system.registry.address],
    );
    expect(await system.registry.read.pendingDefaultAdmin()).toEqual([zeroAddress, 0]);
  });
});

// ---------------------------------------------------------------- the organisation's stream
describe("log stream", () => {
  test("behavior: every change is one entry of the organisation's stream, each pointing at the previous", async () => {
    const admin = await fundedKey(system);
    const operator = freshAddress();
    const nextAdmin = await fundedKey(system);
    const laterAdmin = freshAddress();
    const orgId = (await system.registry.read.orgCount()) + 1n;
    const stream = orgStream(orgId);
    const { registry } = system;

    const writes: (() => Promise<Hash>)[] = [
      () => accreditWrite({ admin: admin.address }),
      () => registry.write.addOperator([orgId, operator], { account: admin }),
      () => registry.write.revokeOperator([orgId, operator], { account: admin }),
      () => registry.write.beginAdminTransfer([orgId, laterAdmin], { account: admin }),
      () => registry.write.cancelAdminTransfer([orgId], { account: admin }),
      () => registry.write.beginAdminTransfer([orgId, nextAdmin.address], { account: admin }),
      async () => {
        await system.networkHelpers.time.increase(ADMIN_TRANSFER_DELAY);
        return registry.write.acceptAdminTransfer([orgId], { account: nextAdmin });
      },
      () => registry.write.suspend([orgId, 9], { account: governance }),
      () => registry.write.reinstate([orgId], { account: regulator.operator }),
    ];
    const indices: bigint[] = [];
    for (const [i, write] of writes.entries()) {
      const entry = await oneEntry(write());
      expect(entry.streams.map((s) => s.id)).toEqual([stream]);
      const head = await system.log.read.streamHead([stream]);
      expect(head.count).toBe(BigInt(i + 1));
      expect(head.lastIndex).toBe(entry.index);
      expect(head.lastLeafHash).toBe(leafHash(hexToBytes(entry.leaf)).slice(0, 34));
      indices.push(entry.index);
    }

    // Read back from the events: the stream's entries, each naming the one before it.
    const ofStream = (await readEntries(system))
      .map(({ leaf }) => decodeLeaf(leaf))
      .filter((entry) => entry.streams.some((s) => s.id === stream));
    expect(ofStream.map((entry) => entry.index)).toEqual(indices);
    expect(ofStream.map((entry) => entry.streams[0]?.prevIndex)).toEqual([null, ...indices.slice(0, -1)]);
    expect(ofStream.map((entry) => entry.record.type)).toEqual([
      "orgAccredited",
      "operatorAdded",
      "operatorRevoked",
      "adminTransferStarted",
      "adminTransferCancelled",
      "adminTransferStarted",
      "adminChanged",
      "orgSuspended",
      "orgReinstated",
    ]);
  });

  test("behavior: a failed write appends nothing", async () => {
    const { orgId } = await newOrg();
    const logSize = await system.log.read.size();
    const head = await system.log.read.streamHead([orgStream(orgId)]);
    await expectRevert(
      system.registry.write.reinstate([orgId], { account: governance }),
      errors,
      "RegistryOrgNotSuspended",
      [orgId],
    );
    expect(await system.log.read.size()).toBe(logSize);
    expect(await system.log.read.streamHead([orgStream(orgId)])).toEqual(head);
  });
});
