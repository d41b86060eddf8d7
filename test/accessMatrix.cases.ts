// The access matrix of Shanji's contracts as a table: every write function of the registry, the
// charity ledger, volunteer credit and the transparency log, and for each caller role what must
// happen — "ok" with the log entries the call appends, or the custom error.
// test/accessMatrix.test.ts builds the world the rows refer to (one organisation of each kind,
// active and suspended, with campaigns, records and activities) and runs one test per cell.
import type { EntryKindName } from "@shanji/core";
import { type Address, encodePacked, type Hash, type Hex, stringToHex, zeroHash } from "viem";
import type { Account, PrivateKeyAccount } from "viem/accounts";
import { creditCodeToBytes18, makeCreditCode, orgKind, type System } from "./_fixture/deploySystem.ts";
import type { GovernanceActionName } from "./_moduleKit.ts";
import { freshAddress, freshBytes32 } from "./accessMatrix.helpers.ts";

// ---------------------------------------------------------------- the world the rows act on
export const kindNames = ["Charity", "Enterprise", "VolunteerOrg", "Merchant", "Auditor", "Regulator"] as const;
export type KindName = (typeof kindNames)[number];

/** The reason code every suspended organisation of the matrix was suspended with. */
export const SUSPENSION_REASON = 7;

export interface RecordRef {
  externalRef: Hex;
  /** The record's leaf data, as its EntryAppended event gave it. */
  leaf: Hex;
}

export interface OrgState {
  kind: KindName;
  orgId: bigint;
  admin: PrivateKeyAccount;
  operator: PrivateKeyAccount;
  /** An operator key that the admin added and then revoked (active organisations only). */
  revoked?: PrivateKeyAccount;
  /** Charity organisations: an open campaign holding donations. */
  campaignId?: bigint;
  donation?: RecordRef;
  /** Credit issuers: an activity and a credit issued for it to `volunteer`, who has no consent key. */
  activityId?: bigint;
  credit?: RecordRef & { volunteer: Hex };
}

export interface MatrixContext {
  system: System;
  chainId: number;
  active: Record<KindName, OrgState>;
  suspended: Record<KindName, OrgState>;
  /** Organisations that only serve as targets of suspend (active) and reinstate (suspended). */
  suspendTarget: bigint;
  reinstateTarget: bigint;
  /** A volunteer with points and a consent key, for redeem and rotateConsentKey. */
  volunteer: { pseudonym: Hex; consentKey: PrivateKeyAccount };
  stranger: PrivateKeyAccount;
  /** The key a pending organisation admin transfer names (see acceptAdminTransfer). */
  pendingAdmin: PrivateKeyAccount;
  /** The key a pending governance admin transfer names (see acceptDefaultAdminTransfer). */
  pendingGovernance: PrivateKeyAccount;
  /** A contract that governance allowed as a log writer and then disallowed, impersonated. */
  removedWriter: Address;
  /** A writer module's address (CharityLedger), impersonated. */
  writerModule: Address;
  /** A contract that is not a writer: what setWriter is given (it refuses addresses without code). */
  writerCandidate: Address;
  /** Seconds an organisation admin transfer / a governance admin transfer waits. */
  orgAdminTransferDelay: number;
  governanceDelay: number;
}

// ---------------------------------------------------------------- callers
export type Role =
  | "governance"
  | "stranger"
  | `operator:${KindName}`
  | "orgAdmin"
  | "otherOrgAdmin"
  | "suspended"
  | "revoked"
  | "pendingAdmin"
  | "pendingGovernance"
  | "writerModule"
  | "removedWriter";

const baseRoles: readonly Role[] = [
  "governance",
  "stranger",
  ...kindNames.map((kind) => `operator:${kind}` as const),
  "orgAdmin",
  "suspended",
  "revoked",
];

export interface Caller {
  role: Role;
  label: string;
  account: Account | Address;
  address: Address;
  /** The organisation the key belongs to (for an "other org admin", that other organisation). */
  org?: OrgState;
}

/** The kind of the "other organisation" whose admin tries to administer the home organisation. */
const otherKind = (home: KindName): KindName => (home === "Enterprise" ? "Charity" : "Enterprise");

export function roleLabel(role: Role, home: KindName): string {
  switch (role) {
    case "governance":
      return "governance admin";
    case "stranger":
      return "stranger key";
    case "orgAdmin":
      return `${home} org admin key`;
    case "otherOrgAdmin":
      return `another org's admin key (${otherKind(home)})`;
    case "suspended":
      return `suspended ${home} operator`;
    case "revoked":
      return `revoked ${home} operator key`;
    case "pendingAdmin":
      return "pending org admin key";
    case "pendingGovernance":
      return "pending governance admin";
    case "writerModule":
      return "writer module (CharityLedger)";
    case "removedWriter":
      return "removed writer (a contract)";
    default:
      return `${role.slice("operator:".length)} operator`;
  }
}

export function resolveCaller(ctx: MatrixContext, role: Role, home: KindName): Caller {
  const label = roleLabel(role, home);
  const key = (account: PrivateKeyAccount, org?: OrgState): Caller => ({
    role,
    label,
    account,
    address: account.address,
    org,
  });
  switch (role) {
    case "governance": {
      const { account } = ctx.system.wallets.governance;
      return { role, label, account, address: account.address };
    }
    case "stranger":
      return key(ctx.stranger);
    case "orgAdmin":
      return key(ctx.active[home].admin, ctx.active[home]);
    case "otherOrgAdmin": {
      const other = ctx.active[otherKind(home)];
      return key(other.admin, other);
    }
    case "suspended":
      return key(ctx.suspended[home].operator, ctx.suspended[home]);
    case "revoked": {
      const org = ctx.active[home];
      if (org.revoked === undefined) throw new Error(`no revoked key in the ${home} organisation`);
      return key(org.revoked, org);
    }
    case "pendingAdmin":
      return key(ctx.pendingAdmin);
    case "pendingGovernance":
      return key(ctx.pendingGovernance);
    case "writerModule":
      return { role, label, account: ctx.writerModule, address: ctx.writerModule };
    case "removedWriter":
      return { role, label, account: ctx.removedWriter, address: ctx.removedWriter };
    default: {
      const org = ctx.active[role.slice("operator:".length) as KindName];
      return key(org.operator, org);
    }
  }
}

// ---------------------------------------------------------------- expected outcomes
export type Outcome = "ok" | string;

/** Module writes: operators of active organisations of `kinds`. */
const operatorsOf =
  (...kinds: KindName[]) =>
  (role: Role): Outcome => {
    if (role.startsWith("operator:")) {
      return kinds.includes(role.slice("operator:".length) as KindName) ? "ok" : "RegistryOrgKindNotAllowed";
    }
    if (role === "suspended") return "RegistryOrgSuspended";
    return "RegistryKeyNotOperator";
  };

/** Registry governance: the governance admin and operators of active regulators. */
const registryGovernance = (role: Role): Outcome => {
  if (role === "governance" || role === "operator:Regulator") return "ok";
  if (role === "suspended") return "RegistryOrgSuspended";
  return "RegistryNotGovernance";
};

/** The organisation's own admin key. */
const orgAdminOnly = (role: Role): Outcome => (role === "orgAdmin" ? "ok" : "RegistryNotOrgAdmin");

/** OpenZeppelin's DEFAULT_ADMIN_ROLE: the governance admin only. */
const defaultAdminOnly = (role: Role): Outcome => (role === "governance" ? "ok" : "AccessControlUnauthorizedAccount");

const everyone =
  (outcome: Outcome) =>
  (_role: Role): Outcome =>
    outcome;

// ---------------------------------------------------------------- argument helpers
/**
 * The organisation an organisation-admin function is aimed at: an operator's or a suspended
 * operator's own organisation (an operator is not its organisation's admin), else the home one.
 */
export function adminTarget(ctx: MatrixContext, caller: Caller, home: KindName): OrgState {
  if (caller.role === "otherOrgAdmin" || caller.org === undefined) return ctx.active[home];
  return caller.org;
}

/** State owned by the caller's organisation when it has some, else by the active home organisation. */
function own<K extends keyof OrgState>(ctx: MatrixContext, caller: Caller, home: KindName, field: K) {
  const value = caller.org?.[field] ?? ctx.active[home][field];
  if (value === undefined) throw new Error(`the ${home} organisation has no ${field}`);
  return value as NonNullable<OrgState[K]>;
}

const CNY = stringToHex("CNY", { size: 3 });
const FAR_FUTURE = 4_102_444_800n; // 2100-01-01
const OTHER_ROLE = freshBytes32("role");
/** An account that holds OTHER_ROLE in the revokeRole row. */
const ROLE_HOLDER = freshAddress();

const donation = () => ({
  externalRef: freshBytes32("donation"),
  donorKind: 0,
  donor: freshBytes32("receipt"),
  amount: 100n,
  channel: 1,
  purposeTag: zeroHash,
  inKindHash: zeroHash,
  claimId: 0n,
});

/** Program spending paid to an external payee, with an invoice as evidence. */
const disbursement = () => ({
  externalRef: freshBytes32("disbursement"),
  category: 1,
  amount: 10n,
  payeeKind: 0,
  payee: freshBytes32("payee"),
  payeeCampaignId: 0n,
  purposeTag: zeroHash,
  evidence: [freshBytes32("invoice")],
});

const creditInput = () => ({
  externalRef: freshBytes32("credit"),
  volunteer: freshBytes32("volunteer"),
  serviceMinutes: 90,
  points: 5n,
  serviceDate: 20_250_601,
});

let creditCodeSerial = 900_000;
const nextCreditCode = () => creditCodeToBytes18(makeCreditCode(orgKind.Enterprise, ++creditCodeSerial));

/** The volunteer's EIP-712 consent to redeeming `input` at merchant organisation `merchantOrg`. */
async function signRedeem(
  ctx: MatrixContext,
  input: { volunteer: Hex; points: bigint; externalRef: Hex; serviceHash: Hex; deadline: bigint },
  merchantOrg: bigint,
): Promise<Hex> {
  return ctx.volunteer.consentKey.signTypedData({
    domain: {
      name: "Shanji VolunteerCredit",
      version: "1",
      chainId: ctx.chainId,
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
    message: { ...input, merchantOrg, nonce: 0 },
  });
}

// ---------------------------------------------------------------- the table
export type ContractName = "Registry" | "CharityLedger" | "VolunteerCredit" | "TransparencyLog";

export interface Row {
  contract: ContractName;
  /** The ABI function name. */
  fn: string;
  /** Shown instead of `fn` when one function has several rows (e.g. grantRole of two roles). */
  variant?: string;
  /** The kind of organisation whose admin, suspended operator and revoked key are the callers. */
  home: KindName;
  /** Callers beyond the base roles. */
  extraRoles?: readonly Role[];
  expected: (role: Role) => Outcome;
  /** What a call that succeeds appends to the log, in order (see Appended). */
  appends: readonly Appended[];
  /** State the call needs that must be set up in the cell itself (it runs before the call). */
  prepare?: (ctx: MatrixContext, caller: Caller) => Promise<void>;
  call: (ctx: MatrixContext, caller: Caller) => Promise<Hash>;
}

/** An entry kind, or for a GOVERNANCE_CHANGED entry `governanceChanged.<action>`. */
export type Appended = Exclude<EntryKindName, "governanceChanged"> | `governanceChanged.${GovernanceActionName}`;

export function rolesOf(row: Row): readonly Role[] {
  return [...baseRoles, ...(row.extraRoles ?? [])];
}

const logRoles: readonly Role[] = ["writerModule", "removedWriter"];
/** Entries.WRITER_SET: any kind will do for a writer's append; this one has a two-field payload. */
const ENTRY_WRITER_SET = 1;

/** The rows of OpenZeppelin's AccessControlDefaultAdminRules, which the registry and the log both inherit. */
function defaultAdminRows(contract: "Registry" | "TransparencyLog", extraRoles: readonly Role[] = []): Row[] {
  // Both contracts inherit these functions from the same OpenZeppelin contract, so one ABI's typing serves both.
  const target = (ctx: MatrixContext) => ({
    write: (contract === "Registry" ? ctx.system.registry.write : ctx.system.log.write) as typeof ctx.system.log.write,
  });
  const home: KindName = "Charity";
  return [
    {
      contract,
      fn: "beginDefaultAdminTransfer",
      home,
      extraRoles,
      expected: defaultAdminOnly,
      appends: ["governanceChanged.adminTransferBegun"],
      call: (ctx, c) => target(ctx).write.beginDefaultAdminTransfer([freshAddress()], { account: c.account }),
    },
    {
      contract,
      fn: "cancelDefaultAdminTransfer",
      home,
      extraRoles,
      expected: defaultAdminOnly,
      appends: ["governanceChanged.adminTransferCancelled"],
      prepare: async (ctx) => {
        await target(ctx).write.beginDefaultAdminTransfer([ctx.pendingGovernance.address], {
          account: ctx.system.wallets.governance.account,
        });
      },
      call: (ctx, c) => target(ctx).write.cancelDefaultAdminTransfer({ account: c.account }),
    },
    {
      contract,
      fn: "acceptDefaultAdminTransfer",
      home,
      extraRoles: [...extraRoles, "pendingGovernance"],
      expected: (role) => (role === "pendingGovernance" ? "ok" : "AccessControlInvalidDefaultAdmin"),
      appends: ["governanceChanged.roleRevoked", "governanceChanged.roleGranted"],
      prepare: async (ctx) => {
        await target(ctx).write.beginDefaultAdminTransfer([ctx.pendingGovernance.address], {
          account: ctx.system.wallets.governance.account,
        });
        await ctx.system.networkHelpers.time.increase(ctx.governanceDelay + 1);
      },
      call: (ctx, c) => target(ctx).write.acceptDefaultAdminTransfer({ account: c.account }),
    },
    {
      contract,
      fn: "changeDefaultAdminDelay",
      home,
      extraRoles,
      expected: defaultAdminOnly,
      appends: ["governanceChanged.delayChangeBegun"],
      call: (ctx, c) => target(ctx).write.changeDefaultAdminDelay([7200], { account: c.account }),
    },
    {
      contract,
      fn: "rollbackDefaultAdminDelay",
      home,
      extraRoles,
      expected: defaultAdminOnly,
      appends: ["governanceChanged.delayChangeRolledBack"],
      prepare: async (ctx) => {
        await target(ctx).write.changeDefaultAdminDelay([7200], { account: ctx.system.wallets.governance.account });
      },
      call: (ctx, c) => target(ctx).write.rollbackDefaultAdminDelay({ account: c.account }),
    },
    {
      contract,
      fn: "grantRole",
      variant: "grantRole(DEFAULT_ADMIN_ROLE)",
      home,
      extraRoles,
      expected: everyone("AccessControlEnforcedDefaultAdminRules"),
      appends: [],
      call: (ctx, c) => target(ctx).write.grantRole([zeroHash, freshAddress()], { account: c.account }),
    },
    {
      contract,
      fn: "grantRole",
      variant: "grantRole(another role)",
      home,
      extraRoles,
      expected: defaultAdminOnly,
      appends: ["governanceChanged.roleGranted"],
      call: (ctx, c) => target(ctx).write.grantRole([OTHER_ROLE, freshAddress()], { account: c.account }),
    },
    {
      contract,
      fn: "revokeRole",
      variant: "revokeRole(DEFAULT_ADMIN_ROLE)",
      home,
      extraRoles,
      expected: everyone("AccessControlEnforcedDefaultAdminRules"),
      appends: [],
      call: (ctx, c) =>
        target(ctx).write.revokeRole([zeroHash, ctx.system.wallets.governance.account.address], {
          account: c.account,
        }),
    },
    {
      contract,
      fn: "revokeRole",
      variant: "revokeRole(another role)",
      home,
      extraRoles,
      expected: defaultAdminOnly,
      appends: ["governanceChanged.roleRevoked"],
      prepare: async (ctx) => {
        await target(ctx).write.grantRole([OTHER_ROLE, ROLE_HOLDER], {
          account: ctx.system.wallets.governance.account,
        });
      },
      call: (ctx, c) => target(ctx).write.revokeRole([OTHER_ROLE, ROLE_HOLDER], { account: c.account }),
    },
    {
      // Renouncing a role one does not hold is a no-op (and no entry); the governance admin must
      // schedule it first.
      contract,
      fn: "renounceRole",
      variant: "renounceRole(DEFAULT_ADMIN_ROLE, self)",
      home,
      extraRoles,
      expected: (role) => (role === "governance" ? "AccessControlEnforcedDefaultAdminDelay" : "ok"),
      appends: [],
      call: (ctx, c) => target(ctx).write.renounceRole([zeroHash, c.address], { account: c.account }),
    },
  ];
}

export const rows: readonly Row[] = [
  // ------------------------------------------------------------ Registry: governance
  {
    contract: "Registry",
    fn: "accredit",
    home: "Regulator",
    expected: registryGovernance,
    appends: ["orgAccredited"],
    call: (ctx, c) =>
      ctx.system.registry.write.accredit(
        [orgKind.Enterprise, nextCreditCode(), "矩阵测试有限公司", freshBytes32("metadata"), freshAddress(), false],
        { account: c.account },
      ),
  },
  {
    contract: "Registry",
    fn: "suspend",
    home: "Regulator",
    expected: registryGovernance,
    appends: ["orgSuspended"],
    call: (ctx, c) => ctx.system.registry.write.suspend([ctx.suspendTarget, SUSPENSION_REASON], { account: c.account }),
  },
  {
    contract: "Registry",
    fn: "reinstate",
    home: "Regulator",
    expected: registryGovernance,
    appends: ["orgReinstated"],
    call: (ctx, c) => ctx.system.registry.write.reinstate([ctx.reinstateTarget], { account: c.account }),
  },
  // ------------------------------------------------------------ Registry: organisation admin
  {
    contract: "Registry",
    fn: "addOperator",
    home: "Charity",
    extraRoles: ["otherOrgAdmin"],
    expected: orgAdminOnly,
    appends: ["operatorAdded"],
    call: (ctx, c) =>
      ctx.system.registry.write.addOperator([adminTarget(ctx, c, "Charity").orgId, freshAddress()], {
        account: c.account,
      }),
  },
  {
    contract: "Registry",
    fn: "revokeOperator",
    home: "Charity",
    extraRoles: ["otherOrgAdmin"],
    expected: orgAdminOnly,
    appends: ["operatorRevoked"],
    call: (ctx, c) => {
      const org = adminTarget(ctx, c, "Charity");
      return ctx.system.registry.write.revokeOperator([org.orgId, org.operator.address], { account: c.account });
    },
  },
  {
    contract: "Registry",
    fn: "beginAdminTransfer",
    home: "Charity",
    extraRoles: ["otherOrgAdmin"],
    expected: orgAdminOnly,
    appends: ["adminTransferStarted"],
    call: (ctx, c) =>
      ctx.system.registry.write.beginAdminTransfer([adminTarget(ctx, c, "Charity").orgId, freshAddress()], {
        account: c.account,
      }),
  },
  {
    contract: "Registry",
    fn: "cancelAdminTransfer",
    home: "Charity",
    extraRoles: ["otherOrgAdmin"],
    expected: orgAdminOnly,
    appends: ["adminTransferCancelled"],
    prepare: async (ctx, c) => {
      const org = adminTarget(ctx, c, "Charity");
      await ctx.system.registry.write.beginAdminTransfer([org.orgId, freshAddress()], { account: org.admin });
    },
    call: (ctx, c) =>
      ctx.system.registry.write.cancelAdminTransfer([adminTarget(ctx, c, "Charity").orgId], { account: c.account }),
  },
  {
    contract: "Registry",
    fn: "acceptAdminTransfer",
    home: "Charity",
    extraRoles: ["otherOrgAdmin", "pendingAdmin"],
    expected: (role) => (role === "pendingAdmin" ? "ok" : "RegistryAdminTransferNotPending"),
    appends: ["adminChanged"],
    prepare: async (ctx, c) => {
      const org = adminTarget(ctx, c, "Charity");
      await ctx.system.registry.write.beginAdminTransfer([org.orgId, ctx.pendingAdmin.address], {
        account: org.admin,
      });
      await ctx.system.networkHelpers.time.increase(ctx.orgAdminTransferDelay);
    },
    call: (ctx, c) =>
      ctx.system.registry.write.acceptAdminTransfer([adminTarget(ctx, c, "Charity").orgId], { account: c.account }),
  },
  ...defaultAdminRows("Registry"),

  // ------------------------------------------------------------ CharityLedger
  {
    contract: "CharityLedger",
    fn: "openCampaign",
    home: "Charity",
    expected: operatorsOf("Charity"),
    appends: ["campaignOpened"],
    call: (ctx, c) =>
      ctx.system.charity.write.openCampaign(
        [
          {
            currency: CNY,
            target: 1_000_000n,
            startTime: 0n,
            endTime: 0n,
            filingNumber: zeroHash,
            descriptionHash: freshBytes32("description"),
            purposeTags: [freshBytes32("purpose")],
          },
        ],
        { account: c.account },
      ),
  },
  {
    contract: "CharityLedger",
    fn: "closeCampaign",
    home: "Charity",
    expected: operatorsOf("Charity"),
    appends: ["campaignClosed"],
    call: (ctx, c) =>
      ctx.system.charity.write.closeCampaign([own(ctx, c, "Charity", "campaignId")], { account: c.account }),
  },
  {
    contract: "CharityLedger",
    fn: "publishDisclosure",
    home: "Charity",
    expected: operatorsOf("Charity"),
    appends: ["disclosurePublished"],
    call: (ctx, c) =>
      ctx.system.charity.write.publishDisclosure(
        [own(ctx, c, "Charity", "campaignId"), 1, freshBytes32("report"), 0n, 1n],
        { account: c.account },
      ),
  },
  {
    contract: "CharityLedger",
    fn: "recordDonation",
    home: "Charity",
    expected: operatorsOf("Charity"),
    appends: ["donationRecorded"],
    call: (ctx, c) =>
      ctx.system.charity.write.recordDonation([own(ctx, c, "Charity", "campaignId"), donation()], {
        account: c.account,
      }),
  },
  {
    contract: "CharityLedger",
    fn: "recordDonations",
    home: "Charity",
    expected: operatorsOf("Charity"),
    appends: ["donationRecorded", "donationRecorded"],
    call: (ctx, c) =>
      ctx.system.charity.write.recordDonations([own(ctx, c, "Charity", "campaignId"), [donation(), donation()]], {
        account: c.account,
      }),
  },
  {
    contract: "CharityLedger",
    fn: "recordDisbursement",
    home: "Charity",
    expected: operatorsOf("Charity"),
    appends: ["disbursementRecorded"],
    call: (ctx, c) =>
      ctx.system.charity.write.recordDisbursement([own(ctx, c, "Charity", "campaignId"), disbursement()], {
        account: c.account,
      }),
  },
  {
    contract: "CharityLedger",
    fn: "recordDisbursements",
    home: "Charity",
    expected: operatorsOf("Charity"),
    appends: ["disbursementRecorded", "disbursementRecorded"],
    call: (ctx, c) =>
      ctx.system.charity.write.recordDisbursements(
        [own(ctx, c, "Charity", "campaignId"), [disbursement(), disbursement()]],
        { account: c.account },
      ),
  },
  {
    contract: "CharityLedger",
    fn: "reverseRecord",
    home: "Charity",
    expected: operatorsOf("Charity"),
    appends: ["recordReversed"],
    call: (ctx, c) => {
      const { externalRef, leaf } = own(ctx, c, "Charity", "donation");
      return ctx.system.charity.write.reverseRecord([externalRef, 1, leaf], { account: c.account });
    },
  },
  {
    contract: "CharityLedger",
    fn: "attest",
    home: "Auditor",
    expected: operatorsOf("Auditor", "Regulator"),
    appends: ["attestationRecorded"],
    call: (ctx, c) => {
      const subject = ctx.active.Charity;
      return ctx.system.charity.write.attest([subject.orgId, subject.campaignId ?? 0n, 1, freshBytes32("audit"), 10n], {
        account: c.account,
      });
    },
  },
  {
    contract: "CharityLedger",
    fn: "claimContribution",
    home: "Enterprise",
    expected: operatorsOf("Enterprise"),
    appends: ["contributionClaimed"],
    call: (ctx, c) =>
      ctx.system.charity.write.claimContribution(
        [
          {
            externalRef: freshBytes32("claim"),
            recipientOrg: ctx.active.Charity.orgId,
            currency: CNY,
            amount: 5000n,
            evidenceHash: freshBytes32("evidence"),
          },
        ],
        { account: c.account },
      ),
  },

  // ------------------------------------------------------------ VolunteerCredit
  {
    contract: "VolunteerCredit",
    fn: "registerActivity",
    home: "VolunteerOrg",
    expected: operatorsOf("VolunteerOrg", "Charity", "Enterprise"),
    appends: ["activityRegistered"],
    call: (ctx, c) =>
      ctx.system.credit.write.registerActivity([freshBytes32("activity"), 1_700_000_000n, 1_700_003_600n], {
        account: c.account,
      }),
  },
  {
    contract: "VolunteerCredit",
    fn: "issueCredit",
    home: "VolunteerOrg",
    expected: operatorsOf("VolunteerOrg", "Charity", "Enterprise"),
    appends: ["creditIssued"],
    call: (ctx, c) =>
      ctx.system.credit.write.issueCredit([own(ctx, c, "VolunteerOrg", "activityId"), creditInput()], {
        account: c.account,
      }),
  },
  {
    contract: "VolunteerCredit",
    fn: "issueCredits",
    home: "VolunteerOrg",
    expected: operatorsOf("VolunteerOrg", "Charity", "Enterprise"),
    appends: ["creditIssued", "creditIssued"],
    call: (ctx, c) =>
      ctx.system.credit.write.issueCredits(
        [own(ctx, c, "VolunteerOrg", "activityId"), [creditInput(), creditInput()]],
        { account: c.account },
      ),
  },
  {
    contract: "VolunteerCredit",
    fn: "reverseCredit",
    home: "VolunteerOrg",
    expected: operatorsOf("VolunteerOrg", "Charity", "Enterprise"),
    appends: ["creditReversed"],
    call: (ctx, c) => {
      const { externalRef, leaf } = own(ctx, c, "VolunteerOrg", "credit");
      return ctx.system.credit.write.reverseCredit([externalRef, 1, leaf], { account: c.account });
    },
  },
  {
    contract: "VolunteerCredit",
    fn: "setConsentKey",
    home: "VolunteerOrg",
    expected: operatorsOf("VolunteerOrg", "Charity", "Enterprise"),
    appends: ["consentKeySet"],
    call: (ctx, c) => {
      // A credit of the caller's own organisation to a volunteer with no key yet: what binding needs.
      const { externalRef, leaf, volunteer } = own(ctx, c, "VolunteerOrg", "credit");
      return ctx.system.credit.write.setConsentKey([volunteer, freshAddress(), externalRef, leaf], {
        account: c.account,
      });
    },
  },
  {
    contract: "VolunteerCredit",
    fn: "issueCertificate",
    home: "VolunteerOrg",
    expected: operatorsOf("VolunteerOrg", "Charity", "Enterprise"),
    appends: ["certificateIssued"],
    call: (ctx, c) =>
      ctx.system.credit.write.issueCertificate([ctx.volunteer.pseudonym, freshBytes32("certificate"), 600n], {
        account: c.account,
      }),
  },
  {
    contract: "VolunteerCredit",
    fn: "redeem",
    home: "Merchant",
    expected: operatorsOf("Merchant"),
    appends: ["creditRedeemed"],
    call: async (ctx, c) => {
      const input = {
        volunteer: ctx.volunteer.pseudonym,
        points: 3n,
        externalRef: freshBytes32("redemption"),
        serviceHash: freshBytes32("service"),
        deadline: FAR_FUTURE,
      };
      // Consent to the caller's own organisation, so that only the caller's role can fail the call.
      const merchantOrg = c.org?.orgId ?? ctx.active.Merchant.orgId;
      const signature = await signRedeem(ctx, input, merchantOrg);
      return ctx.system.credit.write.redeem([input, signature], { account: c.account });
    },
  },
  {
    // Authorised by the volunteer's signature alone: whoever relays it.
    contract: "VolunteerCredit",
    fn: "rotateConsentKey",
    home: "VolunteerOrg",
    expected: everyone("ok"),
    appends: ["consentKeySet"],
    call: async (ctx, c) => {
      const { pseudonym, consentKey } = ctx.volunteer;
      const newKey = freshAddress();
      const digest = await ctx.system.credit.read.rotateKeyDigest([pseudonym, newKey, FAR_FUTURE]);
      const signature = await consentKey.sign({ hash: digest });
      return ctx.system.credit.write.rotateConsentKey([pseudonym, newKey, FAR_FUTURE, signature], {
        account: c.account,
      });
    },
  },

  // ------------------------------------------------------------ TransparencyLog
  {
    contract: "TransparencyLog",
    fn: "append",
    home: "Charity",
    extraRoles: logRoles,
    expected: (role) => (role === "writerModule" ? "ok" : "LogWriterNotAllowed"),
    appends: ["writerSet"],
    call: (ctx, c) =>
      ctx.system.log.write.append(
        [
          ENTRY_WRITER_SET,
          0n,
          c.address,
          [freshBytes32("stream")],
          encodePacked(["address", "bool"], [c.address, true]),
        ],
        { account: c.account },
      ),
  },
  {
    contract: "TransparencyLog",
    fn: "appendBatch",
    home: "Charity",
    extraRoles: logRoles,
    expected: (role) => (role === "writerModule" ? "ok" : "LogWriterNotAllowed"),
    appends: ["writerSet", "writerSet"],
    call: (ctx, c) =>
      ctx.system.log.write.appendBatch(
        [
          ENTRY_WRITER_SET,
          0n,
          c.address,
          [freshBytes32("stream"), freshBytes32("stream")].map((stream) => ({
            streams: [stream],
            payload: encodePacked(["address", "bool"], [c.address, true]),
          })),
        ],
        { account: c.account },
      ),
  },
  {
    contract: "TransparencyLog",
    fn: "setWriter",
    home: "Charity",
    extraRoles: logRoles,
    expected: defaultAdminOnly,
    appends: ["writerSet"],
    call: (ctx, c) => ctx.system.log.write.setWriter([ctx.writerCandidate, true], { account: c.account }),
  },
  ...defaultAdminRows("TransparencyLog", logRoles),
];

/** The display name of a row: `Contract.function` or its variant. */
export const rowName = (row: Row): string => `${row.contract}.${row.variant ?? row.fn}`;
