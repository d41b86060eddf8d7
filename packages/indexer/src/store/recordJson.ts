/**
 * The `entries.record` column: an entry's decoded record as JSON, bigints written as decimal
 * strings (JSON numbers past 2^53 would lose digits). recordToJson writes it when a batch is
 * stored; recordFromJson reads back the records of the kinds that move a campaign's money, for the
 * views, which read a campaign's whole stream on every refresh: parsing this JSON costs a fraction
 * of decoding each leaf again.
 *
 * recordFromJson names each field with its type; the compiler checks the result against core's
 * record types, and a test round-trips every kind, so the two directions cannot drift apart.
 */
import type { EntryRecord, EntryRecordOf } from "@shanji/core";
import type { Hex } from "viem";
import { StoreError } from "./errors.ts";

export type RecordToJsonParameters = EntryRecord;
export type RecordToJsonReturnType = string;

export function recordToJson(record: RecordToJsonParameters): RecordToJsonReturnType {
  // What JSON.stringify with a bigint replacer gives, without calling back into JavaScript for every
  // value: a record is flat, its values bigints, numbers, booleans, strings or lists of strings.
  let json = "";
  const fields = record as Record<string, unknown>;
  for (const key in fields) {
    const value = fields[key];
    if (value === undefined) continue;
    json += `${json === "" ? "{" : ","}${quotedKey(key)}:${typeof value === "bigint" ? `"${value}"` : JSON.stringify(value)}`;
  }
  return json === "" ? "{}" : `${json}}`;
}

/** Each field name as JSON, written once: records reuse a few dozen names. */
const quotedKeys = new Map<string, string>();
function quotedKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = JSON.stringify(key);
    quotedKeys.set(key, quoted);
  }
  return quoted;
}

/** The record kinds recordFromJson reads: those the campaign views use. */
export type MoneyRecord = EntryRecordOf<
  "campaignOpened" | "campaignClosed" | "donationRecorded" | "disbursementRecorded" | "recordReversed"
>;

export type RecordFromJsonParameters = unknown;
/** The record, or undefined for a kind it does not read (decode the leaf for those). */
export type RecordFromJsonReturnType = MoneyRecord | undefined;

export function recordFromJson(json: RecordFromJsonParameters): RecordFromJsonReturnType {
  const r = json as Record<string, unknown>;
  switch (r.type) {
    case "campaignOpened":
      return {
        type: r.type,
        campaignId: big(r, "campaignId"),
        currency: text(r, "currency"),
        target: big(r, "target"),
        startTime: big(r, "startTime"),
        endTime: big(r, "endTime"),
        filingNumber: hex(r, "filingNumber"),
        descriptionHash: hex(r, "descriptionHash"),
        purposeTags: hexes(r, "purposeTags"),
      };
    case "campaignClosed":
      return { type: r.type, campaignId: big(r, "campaignId"), balance: big(r, "balance") };
    case "donationRecorded":
      return {
        type: r.type,
        campaignId: big(r, "campaignId"),
        externalRef: hex(r, "externalRef"),
        donorKind: small(r, "donorKind"),
        donor: hex(r, "donor"),
        currency: text(r, "currency"),
        amount: big(r, "amount"),
        channel: small(r, "channel"),
        purposeTag: hex(r, "purposeTag"),
        inKindHash: hex(r, "inKindHash"),
        claimId: big(r, "claimId"),
      };
    case "disbursementRecorded":
      return {
        type: r.type,
        campaignId: big(r, "campaignId"),
        externalRef: hex(r, "externalRef"),
        category: small(r, "category"),
        currency: text(r, "currency"),
        amount: big(r, "amount"),
        payeeKind: small(r, "payeeKind"),
        payee: hex(r, "payee"),
        payeeCampaignId: big(r, "payeeCampaignId"),
        purposeTag: hex(r, "purposeTag"),
        evidence: hexes(r, "evidence"),
      };
    case "recordReversed":
      return {
        type: r.type,
        targetIndex: big(r, "targetIndex"),
        targetKind: small(r, "targetKind"),
        reason: small(r, "reason"),
        campaignId: big(r, "campaignId"),
        amount: big(r, "amount"),
        payeeCampaignId: big(r, "payeeCampaignId"),
      };
    default:
      return undefined;
  }
}

function field(r: Record<string, unknown>, name: string, type: "string" | "number"): unknown {
  const value = r[name];
  if (typeof value !== type) {
    throw new StoreError(`A stored ${String(r.type)} record has no ${type} field ${name}.`, {
      details: JSON.stringify(r),
    });
  }
  return value;
}

const big = (r: Record<string, unknown>, name: string): bigint => BigInt(field(r, name, "string") as string);
const small = (r: Record<string, unknown>, name: string): number => field(r, name, "number") as number;
const text = (r: Record<string, unknown>, name: string): string => field(r, name, "string") as string;
const hex = (r: Record<string, unknown>, name: string): Hex => field(r, name, "string") as Hex;

function hexes(r: Record<string, unknown>, name: string): Hex[] {
  const value = r[name];
  if (!Array.isArray(value) || value.some((item) => typeof item !== "string")) {
    throw new StoreError(`A stored ${String(r.type)} record has no list field ${name}.`, {
      details: JSON.stringify(r),
    });
  }
  return value as Hex[];
}
