// Helpers for the module tests (CharityLedger, VolunteerCredit, TransparencyLog): build a system
// once per file and restore a chain snapshot before each test, and run a write and decode the log
// entries it appended.
import { decodeLeaf, type Entry, type EntryKindName, type EntryRecordOf, leafHash } from "@shanji/core";
import { type Hex, hexToBytes, isAddressEqual, parseEventLogs, toHex } from "viem";
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
