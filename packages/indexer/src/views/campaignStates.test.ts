// The campaigns' states kept between refreshes, on their own: when one may be used, and what is
// kept. (That the tables come out as a rebuild's is refreshViews.test.ts's, on a real chain.)
import { describe, expect, test } from "vitest";
import { createCampaignTally } from "./_campaignRow.ts";
import { createAllocator } from "./allocateFunds.ts";
import { createCampaignBalances } from "./campaignBalances.ts";
import { type CampaignState, createCampaignStates } from "./campaignStates.ts";

/** A state covering `count` entries of its campaign's stream. */
function stateOf(count: bigint): CampaignState {
  return {
    tally: { ...createCampaignTally(), count },
    balances: createCampaignBalances(),
    allocator: createAllocator(),
    allocations: 0,
  };
}

/** One refresh from `from` to `to` that computes `computed` (campaign → state) and commits. */
function refresh(
  states: ReturnType<typeof createCampaignStates>,
  from: bigint,
  to: bigint,
  computed: [bigint, CampaignState][],
) {
  states.begin(from, to);
  const taken = computed.map(([id]) => states.take(id));
  for (const [id, state] of computed) states.stage(id, state);
  states.commit();
  return taken;
}

describe("createCampaignStates", () => {
  test("behavior: a state is used at the log size its refresh ended at, and follows refreshes that did not touch its campaign", () => {
    const states = createCampaignStates();
    const one = stateOf(10n);
    expect(refresh(states, 0n, 100n, [[1n, one]])).toEqual([undefined]);
    // Campaign 2 alone moves: campaign 1's state covers 150 now.
    refresh(states, 100n, 150n, [[2n, stateOf(5n)]]);
    states.begin(150n, 160n);
    expect(states.take(1n)).toBe(one);
    // Taken out until the refresh commits what it staged: not there to take twice.
    expect(states.take(1n)).toBeUndefined();
  });

  test("behavior: a refresh that does not start where the last one ended drops every state", () => {
    const states = createCampaignStates();
    refresh(states, 0n, 100n, [[1n, stateOf(10n)]]);
    states.begin(120n, 130n);
    expect(states.take(1n)).toBeUndefined();
    expect(states.campaigns).toBe(0);
  });

  test("behavior: what a refresh staged is kept only once it commits; clear forgets everything", () => {
    const states = createCampaignStates();
    refresh(states, 0n, 100n, [[1n, stateOf(10n)]]);
    states.begin(100n, 110n);
    const taken = states.take(1n);
    expect(taken).toBeDefined();
    states.stage(1n, taken as CampaignState);
    states.stage(2n, stateOf(3n));
    // The refresh's transaction failed: nothing it took or staged may be used again.
    states.clear();
    states.begin(100n, 110n);
    expect(states.take(1n)).toBeUndefined();
    expect(states.take(2n)).toBeUndefined();
  });

  test("behavior: past maxEntries the least recently refreshed go first; a campaign larger than that is never kept", () => {
    const states = createCampaignStates({ maxEntries: 100n });
    refresh(states, 0n, 10n, [
      [1n, stateOf(40n)],
      [2n, stateOf(40n)],
    ]);
    // Campaign 1 refreshed again (most recent now), then campaign 3: 2 is the one dropped.
    const again = stateOf(41n);
    refresh(states, 10n, 20n, [[1n, again]]);
    refresh(states, 20n, 30n, [[3n, stateOf(30n)]]);
    expect(states.campaigns).toBe(2);
    states.begin(30n, 40n);
    expect(states.take(2n)).toBeUndefined();
    expect(states.take(1n)).toBe(again);
    states.stage(4n, stateOf(101n));
    states.commit();
    states.begin(40n, 50n);
    expect(states.take(4n)).toBeUndefined();
  });
});
