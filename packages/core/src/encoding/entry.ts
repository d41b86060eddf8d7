/**
 * The decoded form of one log entry: the header every leaf starts with, its streams with their
 * back-pointers, and the kind-specific record.
 */
import type { Address, Hex } from "viem";
import type { EntryRecord } from "./schemas.ts";

export type EntryStream = {
  /** keccak256(streamKind ‖ key), see streamId. */
  id: Hex;
  /** The index of the previous entry of this stream, or null for its first entry. */
  prevIndex: bigint | null;
};

export type Entry = {
  version: number;
  /** The entry kind number (see entryKind); `record.type` names it. */
  kind: number;
  index: bigint;
  /** Block timestamp, unix seconds. */
  timestamp: bigint;
  /** The organisation the entry was written for; 0 for governance or a volunteer's own act. */
  actorOrg: bigint;
  /** The key that sent the write. */
  operator: Address;
  streams: EntryStream[];
  record: EntryRecord;
};

/** Byte layout of the header: u8 version | u8 kind | u64 index | u64 timestamp | u64 actorOrg | address operator | u8 n. */
export const HEADER_BYTES = 47;
/** Each stream: bytes32 id | u64 prevIndex. */
export const STREAM_BYTES = 40;
