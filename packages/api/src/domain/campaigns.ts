/**
 * Campaigns as the indexer's `campaigns` view holds them, with the organisation's name and the
 * time the campaign was closed, and the summary every campaign answer shares.
 */
import type { Queryable } from "@shanji/indexer";
import { Type } from "typebox";
import { bytesToHex } from "viem";
import { Decimal } from "../schemas.ts";
import { EvidenceLink, evidenceLink, Time } from "./schemas.ts";
import { isoTime } from "./time.ts";

export type CampaignRow = {
  campaign_id: bigint;
  org_id: bigint;
  org_name: string | null;
  org_kind: number | null;
  credit_code: string | null;
  currency: string;
  target: string;
  start_time: bigint;
  end_time: bigint;
  filing_number: Uint8Array;
  description_hash: Uint8Array;
  opened_idx: bigint;
  closed_idx: bigint | null;
  closed_ts: bigint | null;
  received: string;
  grants_in: string;
  spent_program: string;
  spent_administration: string;
  spent_fundraising: string;
  grants_out: string;
  reversed_donations: string;
  reversed_grants_in: string;
  reversed_disbursements: string;
  balance: string;
  entry_count: bigint;
};

export type LoadCampaignsParameters = {
  campaignIds?: readonly bigint[];
  orgId?: bigint;
  status?: "open" | "closed";
  /** Keyset: campaigns with a larger id. */
  after?: bigint;
  limit?: number;
};

export async function loadCampaigns(q: Queryable, p: LoadCampaignsParameters = {}): Promise<CampaignRow[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  if (p.campaignIds) where.push(`c.campaign_id = any(${param(p.campaignIds.map(String))}::bigint[])`);
  if (p.orgId !== undefined) where.push(`c.org_id = ${param(p.orgId)}`);
  if (p.status === "open") where.push("c.closed_idx is null");
  if (p.status === "closed") where.push("c.closed_idx is not null");
  if (p.after !== undefined) where.push(`c.campaign_id > ${param(p.after)}`);
  const limit = p.limit === undefined ? "" : `limit ${param(p.limit)}`;
  return q.query<CampaignRow>(
    `select c.*, o.name as org_name, o.kind as org_kind, o.credit_code, ce.ts as closed_ts
     from campaigns c
     left join orgs o on o.org_id = c.org_id
     left join entries ce on ce.idx = c.closed_idx
     ${where.length > 0 ? `where ${where.join(" and ")}` : ""}
     order by c.campaign_id ${limit}`,
    params,
  );
}

/** The campaign's end for disclosure rules: its planned end or its closing, whichever is first. */
export function campaignEnd(row: CampaignRow): number | null {
  const planned = row.end_time === 0n ? null : Number(row.end_time);
  const closed = row.closed_ts === null ? null : Number(row.closed_ts);
  if (planned === null) return closed;
  if (closed === null) return planned;
  return Math.min(planned, closed);
}

/** A filing number (备案编号): ASCII, left-aligned, zero-padded; hex if it is not printable ASCII. */
export function filingNumberText(bytes: Uint8Array): string | null {
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  if (end === 0) return null;
  const used = bytes.subarray(0, end);
  if (used.every((b) => b >= 0x20 && b < 0x7f)) return new TextDecoder().decode(used);
  return bytesToHex(bytes);
}

export const CampaignSummary = Type.Object(
  {
    campaignId: Decimal(),
    orgId: Decimal(),
    orgName: Type.Union([Type.String(), Type.Null()]),
    currency: Type.String({ pattern: "^[A-Z]{3}$" }),
    target: Decimal("Minor units; 0 = no target."),
    startTime: Time(),
    endTime: Type.Union([Time(), Type.Null()], { description: "null: open-ended." }),
    filingNumber: Type.Union([Type.String(), Type.Null()], {
      description: "备案编号 of a public fundraising campaign.",
    }),
    description: EvidenceLink,
    status: Type.Union([Type.Literal("open"), Type.Literal("closed")]),
    openedIndex: Decimal(),
    closedIndex: Type.Union([Decimal(), Type.Null()]),
    closedAt: Type.Union([Time(), Type.Null()]),
    raised: Decimal("Donations and grants received, net of reversals, in minor units."),
    balance: Decimal("What the campaign holds now (the contract's balance), in minor units."),
    entryCount: Decimal("Entries in the campaign's stream."),
  },
  { additionalProperties: false },
);

export function campaignSummaryJson(row: CampaignRow) {
  const raised =
    BigInt(row.received) + BigInt(row.grants_in) - BigInt(row.reversed_donations) - BigInt(row.reversed_grants_in);
  return {
    campaignId: row.campaign_id.toString(),
    orgId: row.org_id.toString(),
    orgName: row.org_name,
    currency: row.currency,
    target: row.target,
    startTime: isoTime(row.start_time),
    endTime: row.end_time === 0n ? null : isoTime(row.end_time),
    filingNumber: filingNumberText(row.filing_number),
    description: evidenceLink(bytesToHex(row.description_hash)),
    status: row.closed_idx === null ? ("open" as const) : ("closed" as const),
    openedIndex: row.opened_idx.toString(),
    closedIndex: row.closed_idx === null ? null : row.closed_idx.toString(),
    closedAt: row.closed_ts === null ? null : isoTime(row.closed_ts),
    raised: raised.toString(),
    balance: row.balance,
    entryCount: row.entry_count.toString(),
  };
}
