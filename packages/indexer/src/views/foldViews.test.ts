// The views' fold over random ledgers (grants between campaigns, reversals of each kind, closings):
// each campaign gets what its own stream gives, computed as refreshCampaign computes it; and the
// fold gives up, holding nothing, on what it cannot vouch for. The rows written from both are
// compared on a real chain in packages/api/src/demoViews.test.ts.
import { campaignStream, type Entry, type EntryStream, payeeKind, recordStream } from "@shanji/core";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { createCampaignTally, tallyCampaignEntry } from "./_campaignRow.ts";
import { CAMPAIGNS, createLedger, ledgerArbitrary } from "./_test/ledger.ts";
import { createAllocator } from "./allocateFunds.ts";
import { createCampaignBalances } from "./campaignBalances.ts";
import { createViewFold } from "./foldViews.ts";

/** The streams the charity ledger gives an entry: its campaign's, a grant's payee's, and its record's. */
function withStreams(entry: Entry): Entry {
  const r = entry.record;
  const streams: EntryStream[] = [];
  const add = (id: `0x${string}`) => streams.push({ id, prevIndex: null });
  if ("campaignId" in r && typeof r.campaignId === "bigint") add(campaignStream(r.campaignId));
  if (r.type === "disbursementRecorded" && r.payeeKind === payeeKind.organisation)
    add(campaignStream(r.payeeCampaignId));
  if (r.type === "recordReversed" && r.payeeCampaignId !== 0n) add(campaignStream(r.payeeCampaignId));
  add(recordStream(entry.actorOrg, `0x${entry.index.toString(16).padStart(64, "0")}`));
  return { ...entry, streams };
}

/** One campaign from its stream alone, as refreshCampaign reads it. */
function fromOwnStream(entries: readonly Entry[], campaignId: bigint) {
  const stream = campaignStream(campaignId);
  const tally = createCampaignTally();
  const balances = createCampaignBalances();
  const allocator = createAllocator();
  for (const entry of entries) {
    if (!entry.streams.some((s) => s.id === stream)) continue;
    tallyCampaignEntry(tally, entry);
    balances.add(entry.record);
    allocator.add(entry);
  }
  return {
    tally,
    balance: balances.finish().find((b) => b.campaignId === campaignId),
    allocations: allocator.finish().filter((a) => a.campaignId === campaignId),
  };
}

describe("createViewFold", () => {
  test("property: each campaign gets what its own stream gives", () => {
    fc.assert(
      fc.property(ledgerArbitrary(), ({ entries }) => {
        const ledger = entries.map(withStreams);
        const fold = createViewFold();
        for (const entry of ledger) fold.add(entry);
        const folded = fold.finish();
        expect(fold.gaveUp).toBeUndefined();
        expect(folded?.size).toBe(BigInt(ledger.length));
        const named = new Set(
          CAMPAIGNS.filter((id) => ledger.some((e) => "campaignId" in e.record && e.record.campaignId === id)),
        );
        expect(new Set(folded?.campaigns.keys())).toStrictEqual(named);
        for (const campaignId of named) {
          expect(folded?.campaigns.get(campaignId)).toStrictEqual(fromOwnStream(ledger, campaignId));
        }
      }),
      { numRuns: 200 },
    );
  });

  test("error: an entry out of order makes it give up, holding nothing", () => {
    const ledger = createLedger();
    ledger.open(1n);
    ledger.donate(1n, 100n);
    ledger.donate(1n, 50n);
    const [opened, first, second] = ledger.entries.map(withStreams);
    const fold = createViewFold();
    fold.add(opened as Entry);
    fold.add(second as Entry);
    expect(fold.gaveUp).toBe("entry 2 came where entry 1 was due");
    fold.add(first as Entry);
    expect(fold.size).toBe(1n);
    expect(fold.finish()).toBeUndefined();
  });

  test("error: more entries than it may hold make it give up", () => {
    const ledger = createLedger();
    ledger.open(1n);
    for (let i = 0; i < 3; i++) ledger.donate(1n, 10n);
    const fold = createViewFold({ maxEntries: 3n });
    for (const entry of ledger.entries.map(withStreams)) fold.add(entry);
    expect(fold.gaveUp).toBe("more than 3 entries");
    expect(fold.finish()).toBeUndefined();
  });

  test("error: an entry the allocation refuses makes it give up; the refresh reports it from the store", () => {
    const ledger = createLedger();
    ledger.open(1n);
    ledger.open(1n);
    const fold = createViewFold();
    for (const entry of ledger.entries.map(withStreams)) fold.add(entry);
    expect(fold.gaveUp).toMatch(/^entry 1: .*Campaign 1 is opened a second time/);
    expect(fold.finish()).toBeUndefined();
  });

  test("behavior: given up on purpose (a batch it read was not written), it holds nothing", () => {
    const ledger = createLedger();
    ledger.open(1n);
    const fold = createViewFold();
    for (const entry of ledger.entries.map(withStreams)) fold.add(entry);
    fold.giveUp("a reorg rolled the store back");
    expect(fold.finish()).toBeUndefined();
    expect(fold.gaveUp).toBe("a reorg rolled the store back");
  });
});
