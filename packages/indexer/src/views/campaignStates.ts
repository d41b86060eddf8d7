/**
 * The campaigns' views as refreshCampaign last computed them — tally, balances and fund-flow
 * allocator, each a fold that takes more entries — kept by the indexer between refreshes. A
 * campaign whose state is held is brought up to date from its new entries alone, whatever they are
 * (a disbursement too, which otherwise reads the campaign's whole stream again): at the head, the
 * cost of a refresh is that of its entries, not of the campaigns they touch.
 *
 * A state is only ever used at the log size it covers, and only once the refresh that made it has
 * committed: a refresh takes the states it uses out (`take`), stages what it computed (`stage`),
 * and the indexer commits them after the transaction (`commit`), or forgets them all (`clear`) when
 * it fails or the views are reset. A state held is advanced past a refresh that did not touch its
 * campaign (its stream gained nothing), and dropped if it falls behind. The states hold ~260 bytes
 * per donation (the allocator's lots, as the backfill's fold does), so they are kept for at most
 * `maxEntries` stream entries in all, the least recently refreshed dropped first; a campaign with
 * more entries than that is read whole, as without them.
 */
import type { CampaignTally } from "./_campaignRow.ts";
import type { createAllocator } from "./allocateFunds.ts";
import type { createCampaignBalances } from "./campaignBalances.ts";
import { FOLD_MAX_ENTRIES } from "./foldViews.ts";

export type CampaignState = {
  tally: CampaignTally;
  balances: ReturnType<typeof createCampaignBalances>;
  allocator: ReturnType<typeof createAllocator>;
  /** The campaign's rows of `allocations` stored from this state. */
  allocations: number;
};

export type CampaignStates = ReturnType<typeof createCampaignStates>;

export type CreateCampaignStatesParameters = {
  /** Stream entries the states may cover in all; FOLD_MAX_ENTRIES unless set. */
  maxEntries?: bigint;
};

export function createCampaignStates({ maxEntries = FOLD_MAX_ENTRIES }: CreateCampaignStatesParameters = {}) {
  /** Committed states at log size `size`, the least recently refreshed first. */
  let held = new Map<bigint, CampaignState>();
  let size = 0n;
  let staged: { to: bigint; states: Map<bigint, CampaignState> } | undefined;

  return {
    /** A refresh from log size `from` to `to` begins: states are taken and staged for it. */
    begin(from: bigint, to: bigint): void {
      if (from !== size) held = new Map();
      staged = { to, states: new Map() };
    },
    /** The campaign's state at the log size the refresh starts from, taken out until committed again. */
    take(campaignId: bigint): CampaignState | undefined {
      const state = held.get(campaignId);
      held.delete(campaignId);
      return state;
    },
    /** The campaign's state at the log size the refresh goes to, kept once it commits. */
    stage(campaignId: bigint, state: CampaignState): void {
      if (state.tally.count <= maxEntries) staged?.states.set(campaignId, state);
    },
    /** The refresh committed: states not taken cover its end too, and the staged ones are held. */
    commit(): void {
      if (staged === undefined) return;
      const { to, states } = staged;
      staged = undefined;
      for (const [campaignId, state] of states) held.set(campaignId, state);
      size = to;
      let entries = 0n;
      for (const state of held.values()) entries += state.tally.count;
      for (const [campaignId, state] of held) {
        if (entries <= maxEntries) break;
        held.delete(campaignId);
        entries -= state.tally.count;
      }
    },
    /** Forgets every state: a refresh failed, or the views were reset. */
    clear(): void {
      held = new Map();
      staged = undefined;
    },
    /** Campaigns whose state is held (for tests and logs). */
    get campaigns(): number {
      return held.size;
    },
  };
}
