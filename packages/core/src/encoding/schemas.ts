/**
 * The payload layout of every entry kind: the fields in order, each with its packed type. The
 * contracts write payloads with `abi.encodePacked` in exactly this order; encodeLeaf and decodeLeaf
 * read this table, so a field changes in one place here and in the contract that writes it.
 *
 * Packed types: uN is N/8 bytes big-endian; bool is one byte 0/1; address 20 bytes; bytes3 and
 * bytes18 are ASCII (a currency code, a credit code); bytes32 is 32 bytes; bytes32[] is a u8 count
 * followed by that many bytes32; string16 is a u16 byte length followed by UTF-8 (the contracts do
 * not check it: readers decode ill-formed bytes and NUL to U+FFFD, see decodeText in _bytes.ts).
 */
import type { Address, Hex } from "viem";
import type { EntryKindName } from "./kinds.ts";

export type FieldType =
  | "u8"
  | "u16"
  | "u32"
  | "u64"
  | "u128"
  | "bool"
  | "address"
  | "bytes3"
  | "bytes18"
  | "bytes32"
  | "bytes32[]"
  | "string16";

type Schema = readonly (readonly [name: string, type: FieldType])[];

export const payloadSchemas = {
  writerSet: [
    ["writer", "address"],
    ["allowed", "bool"],
  ],
  governanceChanged: [
    ["contract", "address"],
    ["action", "u8"],
    ["role", "bytes32"],
    ["account", "address"],
    ["value", "u64"],
  ],
  orgAccredited: [
    ["orgId", "u64"],
    ["orgKind", "u8"],
    ["creditCode", "bytes18"],
    ["checkOverridden", "bool"],
    ["admin", "address"],
    ["metadataHash", "bytes32"],
    ["name", "string16"],
  ],
  orgSuspended: [
    ["orgId", "u64"],
    ["reason", "u16"],
  ],
  orgReinstated: [["orgId", "u64"]],
  operatorAdded: [
    ["orgId", "u64"],
    ["key", "address"],
  ],
  operatorRevoked: [
    ["orgId", "u64"],
    ["key", "address"],
  ],
  adminTransferStarted: [
    ["orgId", "u64"],
    ["newAdmin", "address"],
    ["readyAt", "u64"],
  ],
  adminTransferCancelled: [
    ["orgId", "u64"],
    ["pendingAdmin", "address"],
  ],
  adminChanged: [
    ["orgId", "u64"],
    ["previousAdmin", "address"],
    ["newAdmin", "address"],
  ],
  campaignOpened: [
    ["campaignId", "u64"],
    ["currency", "bytes3"],
    ["target", "u128"],
    ["startTime", "u64"],
    ["endTime", "u64"],
    ["filingNumber", "bytes32"],
    ["descriptionHash", "bytes32"],
    ["purposeTags", "bytes32[]"],
  ],
  campaignClosed: [
    ["campaignId", "u64"],
    ["balance", "u128"],
  ],
  disclosurePublished: [
    ["campaignId", "u64"],
    ["disclosureKind", "u8"],
    ["reportHash", "bytes32"],
    ["periodStart", "u64"],
    ["periodEnd", "u64"],
  ],
  donationRecorded: [
    ["campaignId", "u64"],
    ["externalRef", "bytes32"],
    ["donorKind", "u8"],
    ["donor", "bytes32"],
    ["currency", "bytes3"],
    ["amount", "u128"],
    ["channel", "u8"],
    ["purposeTag", "bytes32"],
    ["inKindHash", "bytes32"],
    ["claimId", "u64"],
  ],
  disbursementRecorded: [
    ["campaignId", "u64"],
    ["externalRef", "bytes32"],
    ["category", "u8"],
    ["currency", "bytes3"],
    ["amount", "u128"],
    ["payeeKind", "u8"],
    ["payee", "bytes32"],
    ["payeeCampaignId", "u64"],
    ["purposeTag", "bytes32"],
    ["evidence", "bytes32[]"],
  ],
  recordReversed: [
    ["targetIndex", "u64"],
    ["targetKind", "u8"],
    ["reason", "u16"],
    ["campaignId", "u64"],
    ["amount", "u128"],
    ["payeeCampaignId", "u64"],
  ],
  attestationRecorded: [
    ["subjectOrg", "u64"],
    ["campaignId", "u64"],
    ["opinion", "u8"],
    ["reportHash", "bytes32"],
    ["coversToIndex", "u64"],
  ],
  contributionClaimed: [
    ["claimId", "u64"],
    ["externalRef", "bytes32"],
    ["recipientOrg", "u64"],
    ["currency", "bytes3"],
    ["amount", "u128"],
    ["evidenceHash", "bytes32"],
  ],
  activityRegistered: [
    ["activityId", "u64"],
    ["descriptionHash", "bytes32"],
    ["startTime", "u64"],
    ["endTime", "u64"],
  ],
  creditIssued: [
    ["activityId", "u64"],
    ["externalRef", "bytes32"],
    ["volunteer", "bytes32"],
    ["minutes", "u32"],
    ["points", "u64"],
    ["serviceDate", "u32"],
  ],
  creditReversed: [
    ["targetIndex", "u64"],
    ["reason", "u16"],
    ["activityId", "u64"],
    ["volunteer", "bytes32"],
    ["minutes", "u32"],
    ["points", "u64"],
  ],
  creditRedeemed: [
    ["volunteer", "bytes32"],
    ["points", "u64"],
    ["externalRef", "bytes32"],
    ["serviceHash", "bytes32"],
    ["nonce", "u32"],
  ],
  certificateIssued: [
    ["volunteer", "bytes32"],
    ["certificateHash", "bytes32"],
    ["minutesCovered", "u64"],
  ],
  consentKeySet: [
    ["volunteer", "bytes32"],
    ["key", "address"],
  ],
} as const satisfies Record<EntryKindName, Schema>;

type FieldValue<T extends FieldType> = T extends "u8" | "u16" | "u32"
  ? number
  : T extends "u64" | "u128"
    ? bigint
    : T extends "bool"
      ? boolean
      : T extends "address"
        ? Address
        : T extends "bytes3" | "bytes18" | "string16"
          ? string
          : T extends "bytes32"
            ? Hex
            : Hex[];

type PayloadOf<K extends EntryKindName> = {
  -readonly [F in (typeof payloadSchemas)[K][number] as F[0]]: FieldValue<F[1]>;
};

/** A decoded payload, tagged with its entry kind's name. */
export type EntryRecord = { [K in EntryKindName]: { type: K } & PayloadOf<K> }[EntryKindName];

/** The decoded payload of entry kind `K`. */
export type EntryRecordOf<K extends EntryKindName> = Extract<EntryRecord, { type: K }>;
