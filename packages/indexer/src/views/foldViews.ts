/**
 * The campaign views of a backfill into an empty store, folded from its entries while the indexer
 * reads them. Without it, the end of a backfill reads the whole log back: the keys its entries
 * touch, then every campaign's stream, page after page, to recompute what the indexer had in hand
 * a moment before. With it, refreshViews writes the campaigns' rows from the fold and reads back
 * only the organisations' and volunteers' streams.
 *
 * Same rows either way. Each entry goes to the tally of every campaign whose stream holds it (by
 * the entry's own stream ids), so a tally sees exactly the entries its stream does; the balances
 * and allocations are computed over all the entries at once, which gives each campaign what its
 * stream alone gives (neither looks across campaigns: campaignBalances.ts, allocateFunds.ts); and
 * the rows are written by the function refreshCampaign writes them with (_campaignRow.ts). The
 * views' tests compare the two ways with a digest of the tables.
 *
 * A fold is only an optimisation, so it gives up rather than guess: an entry out of order (a batch
 * dropped after it was folded, a reorg), an entry the views' pure functions refuse (that error is
 * the refresh's to report, from the stored entries), or more entries than `maxEntries` (its lots
 * are held in memory, one per donation not yet spent) make it drop what it holds, and the refresh
 * reads the streams back as it does without one.
 */
import { campaignStream, type Entry } from "@shanji/core";
import type { Hex } from "viem";
import { type CampaignTally, createCampaignTally, tallyCampaignEntry } from "./_campaignRow.ts";
import { type Allocation, createAllocator } from "./allocateFunds.ts";
import { type CampaignBalance, createCampaignBalances } from "./campaignBalances.ts";
import { touched } from "./refreshViews.ts";

/** An entry as the fold reads it: the views' fields and the streams that hold it. */
export type FoldEntry = Pick<Entry, "kind" | "index" | "actorOrg" | "record" | "streams">;

/** What a fold of the log's entries 0 … size − 1 gives refreshViews. */
export type FoldedViews = {
  size: bigint;
  /** Every campaign the entries name, with what its row needs. */
  campaigns: Map<bigint, { tally: CampaignTally; balance: CampaignBalance | undefined; allocations: Allocation[] }>;
  /** The organisations and volunteers the entries touch (as refreshViews finds them in the store). */
  orgs: Set<bigint>;
  volunteers: Set<Hex>;
};

export type CreateViewFoldParameters = {
  /** Entries beyond which the fold gives up (its memory grows with them); FOLD_MAX_ENTRIES unless set. */
  maxEntries?: bigint;
};

/**
 * Entries a fold takes at most. It holds ~260 bytes an entry on a ledger of donations (a throw-away
 * script over the benchmark's chain of 100,002 entries), so at most ~130 MB; a longer backfill reads
 * the views back.
 */
export const FOLD_MAX_ENTRIES = 500_000n;

export function createViewFold({ maxEntries = FOLD_MAX_ENTRIES }: CreateViewFoldParameters = {}) {
  let size = 0n;
  let gaveUp: string | undefined;
  let balances = createCampaignBalances();
  let allocator = createAllocator();
  let tallies = new Map<bigint, CampaignTally>();
  /** The campaigns' tallies by their stream ids (lower-case hex, as both decodeLeaf and campaignStream write them). */
  let byStream = new Map<string, CampaignTally>();
  let orgs = new Set<bigint>();
  let volunteers = new Set<Hex>();
  /** The campaigns the entry being folded names (a set refilled for each entry). */
  const named = new Set<bigint>();

  function giveUp(reason: string): void {
    if (gaveUp !== undefined) return;
    gaveUp = reason;
    // What it held is garbage now.
    balances = createCampaignBalances();
    allocator = createAllocator();
    tallies = new Map();
    byStream = new Map();
    orgs = new Set();
    volunteers = new Set();
  }

  function add(entry: FoldEntry): void {
    if (gaveUp !== undefined) return;
    if (entry.index !== size) {
      giveUp(`entry ${entry.index} came where entry ${size} was due`);
      return;
    }
    if (size >= maxEntries) {
      giveUp(`more than ${maxEntries} entries`);
      return;
    }
    const { record } = entry;
    const r = record as { campaignId?: bigint; payeeCampaignId?: bigint; orgId?: bigint; volunteer?: Hex };
    // The keys the entry touches, by the rules refreshViews reads them from the store with.
    named.clear();
    touched(
      {
        kind: entry.kind,
        actor_org: entry.actorOrg,
        campaign_id: r.campaignId ?? null,
        payee_campaign_id: r.payeeCampaignId ?? null,
        org_id: r.orgId ?? null,
        volunteer: r.volunteer ?? null,
        org_donor: record.type === "donationRecorded" && record.donorKind === 1 ? record.donor : null,
      },
      named,
      orgs,
      volunteers,
    );
    for (const campaignId of named) {
      if (tallies.has(campaignId)) continue;
      const tally = createCampaignTally();
      tallies.set(campaignId, tally);
      byStream.set(campaignStream(campaignId), tally);
    }
    for (const stream of entry.streams) {
      const tally = byStream.get(stream.id);
      if (tally !== undefined) tallyCampaignEntry(tally, entry);
    }
    try {
      balances.add(record);
      allocator.add(entry);
    } catch (error) {
      giveUp(`entry ${entry.index}: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    size += 1n;
  }

  return {
    add,
    /** Drops what the fold holds (a batch it took was not written); later entries are ignored. */
    giveUp,
    /** The entries folded so far: 0 … size − 1. */
    get size(): bigint {
      return size;
    },
    /** Why the fold gave up, if it did. */
    get gaveUp(): string | undefined {
      return gaveUp;
    },
    /** The views of the entries folded, or undefined if the fold gave up. */
    finish(): FoldedViews | undefined {
      if (gaveUp !== undefined) return undefined;
      const byCampaign = new Map<bigint, Allocation[]>();
      let finished: Allocation[];
      try {
        finished = allocator.finish();
      } catch (error) {
        giveUp(error instanceof Error ? error.message : String(error));
        return undefined;
      }
      for (const allocation of finished) {
        const list = byCampaign.get(allocation.campaignId);
        if (list === undefined) byCampaign.set(allocation.campaignId, [allocation]);
        else list.push(allocation);
      }
      const balanceOf = new Map(balances.finish().map((b) => [b.campaignId, b]));
      const result: FoldedViews["campaigns"] = new Map();
      for (const [campaignId, tally] of tallies) {
        result.set(campaignId, {
          tally,
          balance: balanceOf.get(campaignId),
          allocations: byCampaign.get(campaignId) ?? [],
        });
      }
      return { size, campaigns: result, orgs, volunteers };
    },
  };
}

export type ViewFold = ReturnType<typeof createViewFold>;
