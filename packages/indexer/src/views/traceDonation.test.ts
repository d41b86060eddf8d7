import type { Entry } from "@shanji/core";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { createLedger, ledgerArbitrary } from "./_test/ledger.ts";
import { allocateFunds } from "./allocateFunds.ts";
import { FundFlowError } from "./fundFlowError.ts";
import { type TraceStep, traceDonation } from "./traceDonation.ts";

const trace = (entries: readonly Entry[], donationIndex: bigint) =>
  traceDonation({ donationIndex, entries, allocations: allocateFunds(entries) });

/** The steps as [depth, campaignId, sourceIndex, entryIndex, amount, kind]. */
const brief = (steps: readonly TraceStep[]) =>
  steps.map((s) => [s.depth, s.campaignId, s.sourceIndex, s.entryIndex, s.amount, s.kind] as const);

const evidenceOf = (entries: readonly Entry[], index: bigint) => {
  const r = entries[Number(index)]?.record;
  return r?.type === "disbursementRecorded" ? r.evidence : undefined;
};

describe("traceDonation", () => {
  // Campaign 1 grants 300 to campaign 2, which spends 100, grants 150 on to campaign 3 and keeps
  // 50; campaign 3 spends 70 twice and keeps 10.
  const l = createLedger();
  l.open(1n);
  l.open(2n);
  l.open(3n);
  const d = l.donate(1n, 100n);
  const e = l.donate(1n, 200n);
  const g1 = l.disburse(1n, 300n, { grantTo: 2n });
  const x1 = l.disburse(2n, 100n, { category: 1 });
  const g2 = l.disburse(2n, 150n, { grantTo: 3n });
  const y1 = l.disburse(3n, 70n, { category: 2 });
  const y2 = l.disburse(3n, 70n, { category: 3 });

  test("behavior: follows a grant of a grant, rounding by largest remainder", () => {
    const steps = trace(l.entries, d);
    // Hop 1: 100/300 of 100, 150, 50 is 33.3, 50, 16.7: the extra unit goes to the unspent part.
    // Hop 2: 50/150 of 70, 70, 10 is 23.3, 23.3, 3.3: a three-way tie, won by the earliest entry.
    expect(brief(steps)).toEqual([
      [0, 1n, d, g1, 100n, "grant"],
      [1, 2n, g1, x1, 33n, "disbursement"],
      [1, 2n, g1, g2, 50n, "grant"],
      [2, 3n, g2, y1, 24n, "disbursement"],
      [2, 3n, g2, y2, 23n, "disbursement"],
      [2, 3n, g2, g2, 3n, "unspent"],
      [1, 2n, g1, g1, 17n, "unspent"],
    ]);
    expect(steps[0]).toEqual({
      depth: 0,
      campaignId: 1n,
      sourceIndex: d,
      entryIndex: g1,
      amount: 100n,
      kind: "grant",
      category: "program",
      evidence: evidenceOf(l.entries, g1),
    });
    expect(steps.map((s) => s.category)).toEqual([
      "program",
      "program",
      "program",
      "administration",
      "fundraising",
      undefined,
      undefined,
    ]);
    expect(steps[3]?.evidence).toEqual(evidenceOf(l.entries, y1));
  });

  test("behavior: each donor is rounded on their own, and their parts add up to their share", () => {
    expect(brief(trace(l.entries, e))).toEqual([
      [0, 1n, e, g1, 200n, "grant"],
      [1, 2n, g1, x1, 67n, "disbursement"],
      [1, 2n, g1, g2, 100n, "grant"],
      [2, 3n, g2, y1, 47n, "disbursement"],
      [2, 3n, g2, y2, 47n, "disbursement"],
      [2, 3n, g2, g2, 6n, "unspent"],
      [1, 2n, g1, g1, 33n, "unspent"],
    ]);
  });

  test("behavior: a reversed donation shows what it paid for before, and its refund", () => {
    const m = createLedger();
    m.open(1n);
    const d1 = m.donate(1n, 100n);
    const d2 = m.donate(1n, 100n);
    const x = m.disburse(1n, 60n);
    const r = m.reverse(d1);
    expect(brief(trace(m.entries, d1))).toEqual([
      [0, 1n, d1, x, 60n, "disbursement"],
      [0, 1n, d1, r, 40n, "reversal"],
    ]);
    expect(brief(trace(m.entries, d2))).toEqual([
      [0, 1n, d2, r, 60n, "reversal"],
      [0, 1n, d2, d2, 40n, "unspent"],
    ]);
  });

  test("behavior: a reversed disbursement no longer counts; its money is back and unspent", () => {
    const m = createLedger();
    m.open(1n);
    m.open(2n);
    const d1 = m.donate(1n, 100n);
    m.donate(2n, 20n);
    const g = m.disburse(1n, 60n, { grantTo: 2n });
    m.disburse(2n, 10n);
    m.reverse(g);
    expect(brief(trace(m.entries, d1))).toEqual([[0, 1n, d1, d1, 100n, "unspent"]]);
  });

  test("behavior: parts that round to zero are left out", () => {
    const m = createLedger();
    m.open(1n);
    m.open(2n);
    const d1 = m.donate(1n, 1n);
    m.donate(1n, 99n);
    const g = m.disburse(1n, 100n, { grantTo: 2n });
    const x = m.disburse(2n, 50n);
    m.disburse(2n, 50n);
    expect(brief(trace(m.entries, d1))).toEqual([
      [0, 1n, d1, g, 1n, "grant"],
      [1, 2n, g, x, 1n, "disbursement"],
    ]);
  });

  test("error: the index given is not a donation", () => {
    expect(() => trace(l.entries, g1)).toThrow(FundFlowError);
    expect(() => trace(l.entries, 99n)).toThrow("Entry 99 is not a donation.");
  });
});

describe("traceDonation properties", () => {
  const donationsOf = (entries: readonly Entry[]) =>
    entries.flatMap((e) => (e.record.type === "donationRecorded" ? [{ index: e.index, record: e.record }] : []));

  test("behavior: at every hop the donor's parts add up to at most the donation, and each grant splits exactly", () => {
    fc.assert(
      fc.property(ledgerArbitrary(), ({ entries }) => {
        const allocations = allocateFunds(entries);
        const reversed = new Set(
          entries.flatMap((e) => (e.record.type === "recordReversed" ? [e.record.targetIndex] : [])),
        );
        for (const { index, record } of donationsOf(entries)) {
          const steps = traceDonation({ donationIndex: index, entries, allocations });
          const byDepth = new Map<number, bigint>();
          for (const s of steps) {
            expect(s.amount).toBeGreaterThan(0n);
            byDepth.set(s.depth, (byDepth.get(s.depth) ?? 0n) + s.amount);
          }
          for (const total of byDepth.values()) expect(total).toBeLessThanOrEqual(record.amount);
          if (!reversed.has(index)) expect(byDepth.get(0)).toBe(record.amount);
          // Hop 0 is the donation's own allocations, to the unit.
          const standing = allocations.filter((a) => a.sourceIndex === index && a.reversedByIndex === null);
          expect(
            steps.filter((s) => s.depth === 0 && s.kind !== "unspent").map((s) => [s.entryIndex, s.amount]),
          ).toEqual(standing.map((a) => [a.targetIndex, a.amount]));
          steps.forEach((s, i) => {
            if (s.depth > 0) {
              // No more than the whole lot paid to that outflow.
              const whole = allocations.find(
                (a) => a.sourceIndex === s.sourceIndex && a.targetIndex === s.entryIndex && a.reversedByIndex === null,
              );
              if (s.kind !== "unspent") expect(s.amount).toBeLessThanOrEqual(whole?.amount ?? 0n);
            }
            if (s.kind !== "grant") return;
            let children = 0n;
            for (let j = i + 1; j < steps.length; j++) {
              const t = steps[j];
              if (t === undefined || t.depth <= s.depth) break;
              if (t.depth === s.depth + 1) {
                expect(t.sourceIndex).toBe(s.entryIndex);
                children += t.amount;
              }
            }
            expect(children).toBe(s.amount);
          });
        }
      }),
    );
  });

  test("behavior: the same input gives the same trace", () => {
    fc.assert(
      fc.property(ledgerArbitrary(), ({ entries }) => {
        const allocations = allocateFunds(entries);
        for (const { index } of donationsOf(entries)) {
          const once = traceDonation({ donationIndex: index, entries, allocations });
          expect(traceDonation({ donationIndex: index, entries: structuredClone(entries), allocations })).toEqual(once);
        }
      }),
    );
  });
});
