// Helpers for the module tests (CharityLedger, VolunteerCredit, TransparencyLog, Registry): build a
// system once per file and restore a chain snapshot before each test, run a write and decode the
// log entries it appended, and stand in for a writer module.
import {
  decodeLeaf,
  type Entry,
  type EntryKindName,
  type EntryRecordOf,
  governanceAction,
  governanceStream,
  leafHash,
} from "@shanji/core";
import {
  type Abi,
  type Address,
  getAddress,
  type Hex,
  hexToBytes,
  isAddressEqual,
  parseEther,
  parseEventLogs,
  toHex,
  zeroHash,
} from "viem";
import { expect } from "vitest";
import type { System } from "./_fixture/deploySystem.ts";

/** One entry that a transaction appended: decoded, and its raw leaf data (to reverse the record). */
export interface Appended {
  entry: Entry;
  leaf: Hex;
}

type Snapshot = Awaited<ReturnType<System["networkHelpers"]["takeSnapshot"]>>;

/**
 * Returns a function that gives every test the same prepared state: the first call runs `build`
 * and takes a chain snapshot, every call restores it. Tests must not take `wallets.fresh()` keys
 * after the snapshot (the fixture's counter is not part of the chain).
 */
export function snapshotFixture<T extends { system: System }>(build: () => Promise<T>): () => Promise<T> {
  let prepared: Promise<{ value: T; snapshot: Snapshot }> | undefined;
  return async () => {
    prepared ??= build().then(async (value) => ({ value, snapshot: await value.system.networkHelpers.takeSnapshot() }));
    const { value, snapshot } = await prepared;
    await snapshot.restore();
    return value;
  };
}

/** Waits for a write, checks it succeeded and returns the log entries it appended, in order. */
export async function mined(system: System, hash: Promise<Hex> | Hex): Promise<Appended[]> {
  const receipt = await system.publicClient.waitForTransactionReceipt({ hash: await hash });
  if (receipt.status !== "success") throw new Error(`transaction ${receipt.transactionHash} reverted`);
  return parseEventLogs({ abi: system.log.abi, logs: receipt.logs, eventName: "EntryAppended", strict: true })
    .filter((log) => isAddressEqual(log.address, system.log.address))
    .map(({ args }) => ({ entry: decodeLeaf(args.leaf), leaf: args.leaf }));
}

/** Waits for a write that appends exactly one entry and returns it. */
export async function minedOne(system: System, hash: Promise<Hex> | Hex): Promise<Appended> {
  const appended = await mined(system, hash);
  const [first] = appended;
  if (first === undefined || appended.length !== 1) {
    throw new Error(`expected one entry, the transaction appended ${appended.length}`);
  }
  return first;
}

/** The record of `entry`, checked to be of kind `type`. */
export function recordOf<K extends EntryKindName>(entry: Entry, type: K): EntryRecordOf<K> {
  if (entry.record.type !== type) throw new Error(`expected a ${type} entry, got ${entry.record.type}`);
  return entry.record as EntryRecordOf<K>;
}

/** The ids of the streams `entry` belongs to, in the order the entry lists them. */
export function streamsOf(entry: Entry): Hex[] {
  return entry.streams.map((s) => s.id);
}

/** The first 16 bytes of an entry's Merkle leaf hash, as a stream head keeps it. */
export function leafHash16(leaf: Hex): Hex {
  return leafHash(hexToBytes(leaf)).slice(0, 34) as Hex;
}

/** `leaf` with the byte at `offset` (default: the last) flipped. */
export function tamper(leaf: Hex, offset?: number): Hex {
  const bytes = hexToBytes(leaf);
  const at = offset ?? bytes.length - 1;
  bytes[at] = (bytes[at] ?? 0) ^ 0xff;
  return toHex(bytes);
}

/** The names of the functions in `abi` that can change state (neither view nor pure), sorted. */
export function stateChangingFunctions(abi: Abi): string[] {
  return abi
    .flatMap((item) =>
      item.type === "function" && item.stateMutability !== "view" && item.stateMutability !== "pure" ? [item.name] : [],
    )
    .sort();
}

/**
 * Deploys a contract that is no Shanji module (the EventFloor gas baseline) and impersonates it,
 * with ether for gas: a writer that tests can send from, since setWriter refuses addresses without
 * code. Impersonation outlives snapshot restores, so a fixture may call this before its snapshot.
 */
export async function impersonatedContract(system: System): Promise<Address> {
  const { address } = await system.viem.deployContract("EventFloor");
  await system.networkHelpers.impersonateAccount(address);
  await system.networkHelpers.setBalance(address, parseEther("100"));
  return getAddress(address);
}

export type GovernanceActionName = keyof typeof governanceAction;

/**
 * The governanceChanged record that `contract` writes for `action` on `account` (RecordedAdminRules):
 * the role is DEFAULT_ADMIN_ROLE and the value 0 unless given.
 */
export function governanceRecord(
  contract: Address,
  action: GovernanceActionName,
  account: Address,
  { role = zeroHash, value = 0n }: { role?: Hex; value?: bigint } = {},
): EntryRecordOf<"governanceChanged"> {
  return {
    type: "governanceChanged",
    contract: getAddress(contract),
    action: governanceAction[action],
    role,
    account: getAddress(account),
    value,
  };
}

/**
 * Sends a governance write of `contract` (the log or the registry) and returns the GOVERNANCE_CHANGED
 * records it appended, in order, after checking that each names `contract`, was written by `from`
 * for no organisation, and follows the entry before it in the governance stream.
 */
export async function governanceChanges(
  system: System,
  write: Promise<Hex> | Hex,
  { contract, from }: { contract: Address; from: Address },
): Promise<EntryRecordOf<"governanceChanged">[]> {
  let prevIndex: bigint | null = (await system.log.read.streamHead([governanceStream()])).lastIndex;
  return (await mined(system, write)).map(({ entry }) => {
    expect(entry.actorOrg).toBe(0n);
    expect(entry.operator).toBe(getAddress(from));
    expect(entry.streams).toEqual([{ id: governanceStream(), prevIndex }]);
    prevIndex = entry.index;
    const record = recordOf(entry, "governanceChanged");
    expect(record.contract).toBe(getAddress(contract));
    return record;
  });
}
