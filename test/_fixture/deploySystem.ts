// Shared contract-test fixture: a fresh in-process chain with the whole Shanji system deployed by
// the Ignition module (so tests exercise the same deployment as production), plus the helpers
// that most tests need: accredit an organisation with a valid credit code, read the log's entries.
import type { ContractReturnType, PublicClient, WalletClient } from "@nomicfoundation/hardhat-viem/types";
import { creditCodeCheckCharacter } from "@shanji/core";
import { network } from "hardhat";
import type { NetworkConnection } from "hardhat/types/network";
import { type Hex, sha256, stringToHex } from "viem";
import ShanjiModule from "../../ignition/modules/Shanji.ts";

/** IRegistry.OrgKind, as the uint8 the ABI takes. */
export const orgKind = {
  None: 0,
  Charity: 1,
  Enterprise: 2,
  VolunteerOrg: 3,
  Merchant: 4,
  Auditor: 5,
  Regulator: 6,
} as const;

export type OrgKind = (typeof orgKind)[keyof typeof orgKind];

export interface DeploySystemOptions {
  /** Seconds a governance admin transfer waits (default 3600: short enough to cross in a test). */
  governanceDelay?: number;
  /** Seconds an organisation's admin transfer waits (default 3600). */
  orgAdminTransferDelay?: number;
}

export interface SystemWallets {
  /** Account 0: the governance admin of the log and the registry, and the deployer. */
  governance: WalletClient;
  /** Every account of the chain, governance first. */
  all: readonly WalletClient[];
  /**
   * A wallet that no earlier `fresh()` call returned, from account 1 on. Registry keys are
   * single-use (a key belongs to one organisation, ever), so tests take new keys from here
   * rather than from `all`; it throws when the chain's accounts run out.
   */
  fresh: () => WalletClient;
}

export interface System {
  connection: NetworkConnection;
  viem: NetworkConnection["viem"];
  networkHelpers: NetworkConnection["networkHelpers"];
  publicClient: PublicClient;
  wallets: SystemWallets;
  log: ContractReturnType<"TransparencyLog">;
  registry: ContractReturnType<"Registry">;
  charity: ContractReturnType<"CharityLedger">;
  credit: ContractReturnType<"VolunteerCredit">;
}

/** Creates a fresh in-process chain and deploys the system on it with the Ignition module. */
export async function deploySystem(options: DeploySystemOptions = {}): Promise<System> {
  const { governanceDelay = 3600, orgAdminTransferDelay = 3600 } = options;
  const connection = await network.create();
  const { viem, networkHelpers, ignition } = connection;

  const { log, registry, charityLedger, volunteerCredit } = await ignition.deploy(ShanjiModule, {
    parameters: { Shanji: { governanceDelay, orgAdminTransferDelay } },
  });

  const all = await viem.getWalletClients();
  const [governance] = all;
  if (governance === undefined) throw new Error("deploySystem: the network has no accounts");
  let nextFresh = 1;
  const fresh = (): WalletClient => {
    const wallet = all[nextFresh];
    if (wallet === undefined) throw new Error(`deploySystem: all ${all.length} accounts are taken`);
    nextFresh += 1;
    return wallet;
  };

  return {
    connection,
    viem,
    networkHelpers,
    publicClient: await viem.getPublicClient(),
    wallets: { governance, all, fresh },
    log,
    registry,
    charity: charityLedger,
    credit: volunteerCredit,
  };
}

// ---------------------------------------------------------------- credit codes
/** Positions 1-2 (registering authority and type) by kind: 53 foundation, 51 social group, 91 enterprise, 92 sole trader, 11 government organ. */
const CODE_PREFIX: Record<OrgKind, string> = {
  [orgKind.None]: "59",
  [orgKind.Charity]: "53",
  [orgKind.Enterprise]: "91",
  [orgKind.VolunteerOrg]: "51",
  [orgKind.Merchant]: "92",
  [orgKind.Auditor]: "91",
  [orgKind.Regulator]: "11",
};
/** Beijing, Chaoyang district: any valid six-digit region code would do. */
const CODE_REGION = "110105";

/** The check character (position 18) that the first 17 characters of a credit code call for. */
export { creditCodeCheckCharacter };

/** A valid credit code for an organisation of `kind`, distinct for each `serial` (0 .. 10^9 - 1). */
export function makeCreditCode(kind: OrgKind, serial: number): string {
  const first17 = `${CODE_PREFIX[kind]}${CODE_REGION}${serial.toString().padStart(9, "0")}`;
  return first17 + creditCodeCheckCharacter(first17);
}

/** A credit code as the registry's `bytes18`: the ASCII bytes of the 18 characters. */
export function creditCodeToBytes18(code: string): Hex {
  return stringToHex(code, { size: 18 });
}

// ---------------------------------------------------------------- organisations
const codeSerials = new WeakMap<System, number>();

export interface AccreditOrgParameters {
  kind: OrgKind;
  name: string;
  /** Default: the next generated valid code of this system. */
  creditCode?: string;
  /** Default: a fresh wallet. */
  admin?: WalletClient;
  /** Added by the admin, in order. Default: one fresh wallet; pass [] for none. */
  operators?: readonly WalletClient[];
}

export interface AccreditOrgReturnType {
  orgId: bigint;
  creditCode: string;
  admin: WalletClient;
  operators: readonly WalletClient[];
}

/** Accredits an organisation as governance, then adds its operators from its admin key. */
export async function accreditOrg(system: System, parameters: AccreditOrgParameters): Promise<AccreditOrgReturnType> {
  const { registry, publicClient, wallets } = system;
  const { kind, name } = parameters;
  let creditCode = parameters.creditCode;
  if (creditCode === undefined) {
    const serial = (codeSerials.get(system) ?? 0) + 1;
    codeSerials.set(system, serial);
    creditCode = makeCreditCode(kind, serial);
  }
  const admin = parameters.admin ?? wallets.fresh();
  const operators = parameters.operators ?? [wallets.fresh()];
  const code = creditCodeToBytes18(creditCode);

  await publicClient.waitForTransactionReceipt({
    hash: await registry.write.accredit([kind, code, name, sha256(stringToHex(name)), admin.account.address, false], {
      account: wallets.governance.account,
    }),
  });
  const orgId = await registry.read.orgIdByCreditCode([code]);
  for (const operator of operators) {
    await publicClient.waitForTransactionReceipt({
      hash: await registry.write.addOperator([orgId, operator.account.address], { account: admin.account }),
    });
  }
  return { orgId, creditCode, admin, operators };
}

// ---------------------------------------------------------------- the log
export interface LogEntry {
  index: bigint;
  leaf: Hex;
}

/** Every entry the log has appended (from its EntryAppended events), by index. */
export async function readEntries(system: System): Promise<LogEntry[]> {
  const events = await system.publicClient.getContractEvents({
    address: system.log.address,
    abi: system.log.abi,
    eventName: "EntryAppended",
    fromBlock: 0n,
    strict: true,
  });
  return events
    .map(({ args }) => ({ index: args.index, leaf: args.leaf }))
    .sort((a, b) => (a.index < b.index ? -1 : a.index > b.index ? 1 : 0));
}
