/**
 * Stream ids, computed as the contracts compute them (contracts/libraries/Entries.sol):
 * keccak256(u8 streamKind ‖ bytes32 key). A record's key is keccak256(u64 orgId ‖ bytes32 externalRef).
 */
import { concatHex, type Hex, keccak256, numberToHex, pad } from "viem";
import { type StreamKindName, streamKind } from "./kinds.ts";

export type StreamIdParameters = { kind: StreamKindName; key: Hex | bigint };

export function streamId({ kind, key }: StreamIdParameters): Hex {
  const keyHex = typeof key === "bigint" ? numberToHex(key, { size: 32 }) : pad(key, { size: 32 });
  return keccak256(concatHex([numberToHex(streamKind[kind], { size: 1 }), keyHex]));
}

export const orgStream = (orgId: bigint): Hex => streamId({ kind: "org", key: orgId });
export const campaignStream = (campaignId: bigint): Hex => streamId({ kind: "campaign", key: campaignId });
export const activityStream = (activityId: bigint): Hex => streamId({ kind: "activity", key: activityId });
export const volunteerStream = (pseudonym: Hex): Hex => streamId({ kind: "volunteer", key: pseudonym });
export const governanceStream = (): Hex => streamId({ kind: "governance", key: 0n });

/** The stream of record `externalRef` of organisation `orgId` (the record and its corrections). */
export function recordStream(orgId: bigint, externalRef: Hex): Hex {
  const key = keccak256(concatHex([numberToHex(orgId, { size: 8 }), pad(externalRef, { size: 32 })]));
  return streamId({ kind: "record", key });
}
