/**
 * A donation's trace (@shanji/indexer traceDonation) from the stored allocations: only the lots the
 * money reaches are read — the donation, then each grant it helped pay, hop by hop — and only the
 * entries those allocations name are decoded, so a trace costs a few queries per hop however large
 * the ledger is.
 */
import { decodeLeaf, type Entry } from "@shanji/core";
import { type Queryable, type TraceStep, traceDonation } from "@shanji/indexer";

/** Allocation as traceDonation takes it (the indexer exports the function, not the type). */
type Allocation = Parameters<typeof traceDonation>[0]["allocations"][number];

/** Hops followed at most; allocation targets always come after their lots, so this is a safety net. */
const MAX_HOPS = 64;

export async function donationTrace(q: Queryable, donation: Entry): Promise<TraceStep[]> {
  const entries = new Map<bigint, Entry>([[donation.index, donation]]);
  const allocations: Allocation[] = [];
  const lots = new Set<bigint>([donation.index]);
  let level = [donation.index];
  for (let hop = 0; level.length > 0 && hop < MAX_HOPS; hop++) {
    const rows = await q.query<{
      campaign_id: bigint;
      source_idx: bigint;
      target_idx: bigint;
      target_kind: string;
      amount: string;
      restricted_misuse: boolean;
      reversed_by_idx: bigint | null;
    }>(
      `select campaign_id, source_idx, target_idx, target_kind, amount::text as amount, restricted_misuse, reversed_by_idx
       from allocations where source_idx = any($1::bigint[]) order by campaign_id, seq`,
      [level],
    );
    for (const r of rows) {
      allocations.push({
        campaignId: r.campaign_id,
        sourceIndex: r.source_idx,
        targetIndex: r.target_idx,
        targetKind: r.target_kind as Allocation["targetKind"],
        amount: BigInt(r.amount),
        restrictedMisuse: r.restricted_misuse,
        reversedByIndex: r.reversed_by_idx,
      });
    }
    await decodeInto(
      q,
      entries,
      rows.map((r) => r.target_idx),
    );
    const next: bigint[] = [];
    for (const r of rows) {
      const target = entries.get(r.target_idx)?.record;
      if (target?.type === "disbursementRecorded" && target.payeeCampaignId !== 0n && !lots.has(r.target_idx)) {
        lots.add(r.target_idx);
        next.push(r.target_idx);
      }
    }
    level = next;
  }
  // A lot that was itself reversed (the donation, or a grant on the way) holds nothing more.
  const reversals = await q.query<{ leaf: Uint8Array }>(
    `select leaf from entries where kind in (35, 62) and (record->>'targetIndex') = any($1::text[])`,
    [[...lots].map(String)],
  );
  for (const { leaf } of reversals) {
    const entry = decodeLeaf(leaf);
    entries.set(entry.index, entry);
  }
  const ordered = [...entries.values()].sort((a, b) => (a.index < b.index ? -1 : a.index > b.index ? 1 : 0));
  return traceDonation({ donationIndex: donation.index, entries: ordered, allocations });
}

async function decodeInto(q: Queryable, entries: Map<bigint, Entry>, indexes: readonly bigint[]) {
  const missing = [...new Set(indexes)].filter((i) => !entries.has(i));
  if (missing.length === 0) return;
  const rows = await q.query<{ leaf: Uint8Array }>("select leaf from entries where idx = any($1::bigint[])", [missing]);
  for (const { leaf } of rows) {
    const entry = decodeLeaf(leaf);
    entries.set(entry.index, entry);
  }
}
