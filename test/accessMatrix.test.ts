// The access matrix: every write function of the four contracts × every caller role, one test per
// cell, from the table in accessMatrix.cases.ts. One system is deployed and populated once; each
// cell runs from a snapshot of it, so cells cannot see each other's writes. A cell that succeeds
// must append exactly the entries its row names.
import type { SnapshotRestorer } from "@nomicfoundation/hardhat-network-helpers/types";
import { type Entry, governanceAction } from "@shanji/core";
import { type Abi, type Hash, type Hex, parseEther, parseEventLogs, stringToHex, zeroHash } from "viem";
import { beforeAll, beforeEach, describe, expect, test } from "vitest";
import { creditCodeToBytes18, deploySystem, makeCreditCode, orgKind, type System } from "./_fixture/deploySystem.ts";
import { type GovernanceActionName, impersonatedContract, mined } from "./_moduleKit.ts";
import {
  type Appended,
  adminTarget,
  type Caller,
  type KindName,
  kindNames,
  type MatrixContext,
  type OrgState,
  type Outcome,
  type Role,
  type Row,
  resolveCaller,
  roleLabel,
  rolesOf,
  rowName,
  rows,
  SUSPENSION_REASON,
} from "./accessMatrix.cases.ts";
import { expectRevert, freshBytes32, fundedKey, systemErrorsAbi } from "./accessMatrix.helpers.ts";

const ORG_ADMIN_TRANSFER_DELAY = 3600;
const GOVERNANCE_DELAY = 3600;
const CNY = stringToHex("CNY", { size: 3 });

// ---------------------------------------------------------------- building the world
/** Sends a write and returns the leaf data of the last entry it appended to the log. */
async function lastLeaf(system: System, hash: Promise<Hash>): Promise<Hex> {
  const receipt = await system.publicClient.waitForTransactionReceipt({ hash: await hash });
  const events = parseEventLogs({ abi: system.log.abi, logs: receipt.logs, eventName: "EntryAppended" });
  const leaf = events.at(-1)?.args.leaf;
  if (leaf === undefined) throw new Error("the write appended no entry");
  return leaf;
}

let codeSerial = 0;

/**
 * Accredits an organisation with an admin, an operator and (optionally) a revoked operator key,
 * and gives it the state its kind's functions act on: a funded campaign with a donation for a
 * charity, an activity with an issued credit for a credit issuer.
 */
async function buildOrg(system: System, kind: KindName, withRevokedKey: boolean): Promise<OrgState> {
  const { registry, charity, credit, wallets } = system;
  const admin = await fundedKey(system);
  const operator = await fundedKey(system);
  codeSerial += 1;
  const code = creditCodeToBytes18(makeCreditCode(orgKind[kind], codeSerial));
  await registry.write.accredit([orgKind[kind], code, `${kind} ${codeSerial}`, zeroHash, admin.address, false], {
    account: wallets.governance.account,
  });
  const orgId = await registry.read.orgIdByCreditCode([code]);
  await registry.write.addOperator([orgId, operator.address], { account: admin });
  const org: OrgState = { kind, orgId, admin, operator };

  if (withRevokedKey) {
    const revoked = await fundedKey(system);
    await registry.write.addOperator([orgId, revoked.address], { account: admin });
    await registry.write.revokeOperator([orgId, revoked.address], { account: admin });
    org.revoked = revoked;
  }
  if (kind === "Charity") {
    await charity.write.openCampaign(
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
    org.campaignId = await charity.read.campaignCount();
    const externalRef = freshBytes32("donation");
    const leaf = await lastLeaf(
      system,
      charity.write.recordDonation(
        [
          org.campaignId,
          {
            externalRef,
            donorKind: 0,
            donor: freshBytes32("receipt"),
            amount: 10_000n,
            channel: 1,
            purposeTag: zeroHash,
            inKindHash: zeroHash,
            claimId: 0n,
          },
        ],
        { account: operator },
      ),
    );
    org.donation = { externalRef, leaf };
  }
  if (kind === "VolunteerOrg" || kind === "Charity" || kind === "Enterprise") {
    await credit.write.registerActivity([freshBytes32("activity"), 0n, 0n], { account: operator });
    org.activityId = await credit.read.activityCount();
    const externalRef = freshBytes32("credit");
    const volunteer = freshBytes32("volunteer");
    const leaf = await lastLeaf(
      system,
      credit.write.issueCredit(
        [org.activityId, { externalRef, volunteer, serviceMinutes: 120, points: 20n, serviceDate: 20_250_601 }],
        { account: operator },
      ),
    );
    org.credit = { externalRef, leaf, volunteer };
  }
  return org;
}

async function buildContext(): Promise<MatrixContext> {
  const system = await deploySystem({
    governanceDelay: GOVERNANCE_DELAY,
    orgAdminTransferDelay: ORG_ADMIN_TRANSFER_DELAY,
  });
  const { registry, credit, log, wallets, networkHelpers } = system;
  const governance = { account: wallets.governance.account };

  const active = {} as Record<KindName, OrgState>;
  const suspended = {} as Record<KindName, OrgState>;
  for (const kind of kindNames) {
    active[kind] = await buildOrg(system, kind, true);
    suspended[kind] = await buildOrg(system, kind, false);
  }
  const suspendTarget = (await buildOrg(system, "Enterprise", false)).orgId;
  const reinstateTarget = (await buildOrg(system, "Enterprise", false)).orgId;

  // A volunteer with points from the active volunteer organisation, which binds their consent key
  // with that credit.
  const consentKey = await fundedKey(system);
  const pseudonym = freshBytes32("volunteer");
  const volunteerOrg = active.VolunteerOrg;
  const creditRef = freshBytes32("credit");
  const creditLeaf = await lastLeaf(
    system,
    credit.write.issueCredit(
      [
        volunteerOrg.activityId ?? 0n,
        { externalRef: creditRef, volunteer: pseudonym, serviceMinutes: 600, points: 100n, serviceDate: 20_250_601 },
      ],
      { account: volunteerOrg.operator },
    ),
  );
  await credit.write.setConsentKey([pseudonym, consentKey.address, creditRef, creditLeaf], {
    account: volunteerOrg.operator,
  });

  for (const kind of kindNames) {
    await registry.write.suspend([suspended[kind].orgId, SUSPENSION_REASON], governance);
  }
  await registry.write.suspend([reinstateTarget, SUSPENSION_REASON], governance);

  // Writers are contracts (setWriter refuses keys): two stand-ins, one that was a writer and one never.
  const removedWriter = await impersonatedContract(system);
  await log.write.setWriter([removedWriter, true], governance);
  await log.write.setWriter([removedWriter, false], governance);
  const writerCandidate = (await system.viem.deployContract("EventFloor")).address;

  const writerModule = system.charity.address;
  await networkHelpers.impersonateAccount(writerModule);
  await networkHelpers.setBalance(writerModule, parseEther("100"));

  return {
    system,
    chainId: await system.publicClient.getChainId(),
    active,
    suspended,
    suspendTarget,
    reinstateTarget,
    volunteer: { pseudonym, consentKey },
    stranger: await fundedKey(system),
    pendingAdmin: await fundedKey(system),
    pendingGovernance: await fundedKey(system),
    removedWriter,
    writerModule,
    writerCandidate,
    orgAdminTransferDelay: ORG_ADMIN_TRANSFER_DELAY,
    governanceDelay: GOVERNANCE_DELAY,
  };
}

// ---------------------------------------------------------------- expected error arguments
/** The arguments the error must carry: they name the caller and the organisation it failed for. */
function expectedArgs(ctx: MatrixContext, row: Row, caller: Caller, errorName: string): readonly unknown[] {
  const org = (): OrgState => {
    if (caller.org === undefined) throw new Error(`${caller.label} has no organisation to expect in ${errorName}`);
    return caller.org;
  };
  switch (errorName) {
    case "RegistryKeyNotOperator":
    case "RegistryNotGovernance":
    case "LogWriterNotAllowed":
    case "AccessControlInvalidDefaultAdmin":
      return [caller.address];
    case "RegistryOrgKindNotAllowed":
      return [org().orgId, orgKind[org().kind]];
    case "RegistryOrgSuspended":
      return [org().orgId, SUSPENSION_REASON];
    case "RegistryNotOrgAdmin":
      return [adminTarget(ctx, caller, row.home).orgId, caller.address];
    case "RegistryAdminTransferNotPending":
      return [adminTarget(ctx, caller, row.home).orgId];
    case "AccessControlUnauthorizedAccount":
      return [caller.address, zeroHash];
    case "AccessControlEnforcedDefaultAdminRules":
      return [];
    case "AccessControlEnforcedDefaultAdminDelay":
      return [0];
    default:
      throw new Error(`the matrix expects ${errorName} but does not say with which arguments`);
  }
}

// ---------------------------------------------------------------- what a cell appended
const actionNames = new Map<number, GovernanceActionName>(
  Object.entries(governanceAction).map(([name, action]) => [action, name as GovernanceActionName]),
);

/** The label of `entry` as rows name what they append (see Appended). */
function appendedLabel(entry: Entry): Appended {
  const { record } = entry;
  if (record.type !== "governanceChanged") return record.type;
  const action = actionNames.get(record.action);
  if (action === undefined) throw new Error(`unknown governance action ${record.action}`);
  return `governanceChanged.${action}`;
}

// ---------------------------------------------------------------- the cells
interface Cell {
  name: string;
  row: Row;
  role: Role;
  expected: Outcome;
}

const cells: Cell[] = rows.flatMap((row) =>
  rolesOf(row).map((role) => {
    const expected = row.expected(role);
    const caller = `${rowName(row)} by ${roleLabel(role, row.home)}`;
    const name = expected === "ok" ? `behavior: ${caller} → ok` : `error: ${caller} → ${expected}`;
    return { name, row, role, expected };
  }),
);

describe("access matrix", () => {
  let ctx: MatrixContext;
  let snapshot: SnapshotRestorer;
  let errorsAbi: Abi;

  beforeAll(async () => {
    ctx = await buildContext();
    errorsAbi = systemErrorsAbi(ctx.system);
    snapshot = await ctx.system.networkHelpers.takeSnapshot();
  });

  beforeEach(async () => {
    await snapshot.restore();
  });

  test("args: the table has a row for every write function of the four contracts", () => {
    const contracts = {
      Registry: ctx.system.registry.abi,
      CharityLedger: ctx.system.charity.abi,
      VolunteerCredit: ctx.system.credit.abi,
      TransparencyLog: ctx.system.log.abi,
    } as const;
    for (const [contract, abi] of Object.entries(contracts)) {
      const writes = (abi as Abi)
        .filter(
          (item) =>
            item.type === "function" && (item.stateMutability === "nonpayable" || item.stateMutability === "payable"),
        )
        .map((item) => (item as { name: string }).name)
        .sort();
      const covered = [...new Set(rows.filter((row) => row.contract === contract).map((row) => row.fn))].sort();
      expect(covered, contract).toEqual(writes);
    }
  });

  for (const cell of cells) {
    test(cell.name, async () => {
      const caller = resolveCaller(ctx, cell.role, cell.row.home);
      await cell.row.prepare?.(ctx, caller);
      const call = cell.row.call(ctx, caller);
      if (cell.expected === "ok") {
        const appended = await mined(ctx.system, call);
        expect(appended.map(({ entry }) => appendedLabel(entry))).toEqual(cell.row.appends);
      } else {
        await expectRevert(call, errorsAbi, cell.expected, expectedArgs(ctx, cell.row, caller, cell.expected));
      }
    });
  }
});
