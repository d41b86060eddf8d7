import type { Entry } from "@shanji/core";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { minBigInt } from "./_fundFlow.ts";
import { createLedger, ledgerArbitrary, purpose } from "./_test/ledger.ts";
import { type Allocation, allocateFunds, createAllocator } from "./allocateFunds.ts";
import { campaignBalances } from "./campaignBalances.ts";
import { FundFlowError } from "./fundFlowError.ts";

const food = purpose("food");
const school = purpose("school");

/** The allocations of one outflow, as [source, amount, restrictedMisuse, reversedByIndex]. */
const to = (allocations: readonly Allocation[], target: bigint) =>
  allocations
    .filter((a) => a.targetIndex === target)
    .map((a) => [a.sourceIndex, a.amount, a.restrictedMisuse, a.reversedByIndex] as const);

const sum = (values: readonly bigint[]) => values.reduce((s, v) => s + v, 0n);

function fundFlowError(entries: readonly Entry[]): FundFlowError {
  try {
    allocateFunds(entries);
  } catch (error) {
    if (error instanceof FundFlowError) return error;
    throw error;
  }
  throw new Error("allocateFunds accepted the entries");
}

describe("allocateFunds", () => {
  test("behavior: spending takes the oldest donations first, across several", () => {
    const l = createLedger();
    l.open(1n);
    const d1 = l.donate(1n, 100n);
    const d2 = l.donate(1n, 200n);
    const d3 = l.donate(1n, 300n);
    const x1 = l.disburse(1n, 250n);
    const x2 = l.disburse(1n, 200n);
    const a = allocateFunds(l.entries);
    expect(to(a, x1)).toEqual([
      [d1, 100n, false, null],
      [d2, 150n, false, null],
    ]);
    expect(to(a, x2)).toEqual([
      [d2, 50n, false, null],
      [d3, 150n, false, null],
    ]);
    expect(a.every((x) => x.campaignId === 1n && x.targetKind === "disbursement")).toBe(true);
  });

  test("behavior: spending for a purpose takes donations earmarked for it first, then unrestricted ones", () => {
    const l = createLedger();
    l.open(1n);
    const u1 = l.donate(1n, 100n);
    const e1 = l.donate(1n, 100n, { purpose: food });
    const s1 = l.donate(1n, 100n, { purpose: school });
    const e2 = l.donate(1n, 30n, { purpose: food });
    const x = l.disburse(1n, 150n, { purpose: food });
    const a = allocateFunds(l.entries);
    expect(to(a, x)).toEqual([
      [u1, 20n, false, null],
      [e1, 100n, false, null],
      [e2, 30n, false, null],
    ]);
    expect(a.some((y) => y.sourceIndex === s1)).toBe(false);
  });

  test("behavior: general spending leaves earmarked money alone while unrestricted money lasts", () => {
    const l = createLedger();
    l.open(1n);
    const e1 = l.donate(1n, 100n, { purpose: food });
    const u1 = l.donate(1n, 50n);
    const x1 = l.disburse(1n, 40n);
    const x2 = l.disburse(1n, 40n);
    const a = allocateFunds(l.entries);
    expect(to(a, x1)).toEqual([[u1, 40n, false, null]]);
    // Only 10 unrestricted left: the other 30 comes out of the food earmark, flagged.
    expect(to(a, x2)).toEqual([
      [e1, 30n, true, null],
      [u1, 10n, false, null],
    ]);
  });

  test("behavior: spending for one purpose that runs out of money takes other earmarks last, flagged", () => {
    const l = createLedger();
    l.open(1n);
    const s1 = l.donate(1n, 100n, { purpose: school });
    const u1 = l.donate(1n, 10n);
    const e1 = l.donate(1n, 20n, { purpose: food });
    const x = l.disburse(1n, 60n, { purpose: food });
    expect(to(allocateFunds(l.entries), x)).toEqual([
      [s1, 30n, true, null],
      [u1, 10n, false, null],
      [e1, 20n, false, null],
    ]);
  });

  test("behavior: a reversed donation already spent keeps what it paid for; other lots cover the refund", () => {
    const l = createLedger();
    l.open(1n);
    const d1 = l.donate(1n, 100n);
    const d2 = l.donate(1n, 100n);
    const x = l.disburse(1n, 60n);
    const r = l.reverse(d1);
    const a = allocateFunds(l.entries);
    expect(to(a, x)).toEqual([[d1, 60n, false, null]]);
    expect(to(a, r)).toEqual([
      [d1, 40n, false, null],
      [d2, 60n, false, null],
    ]);
    expect(a.filter((y) => y.targetIndex === r).every((y) => y.targetKind === "reversal")).toBe(true);
    // The next spending finds 40 left, in d2.
    const y = l.disburse(1n, 40n);
    expect(to(allocateFunds(l.entries), y)).toEqual([[d2, 40n, false, null]]);
  });

  test("behavior: refunding an earmarked donation draws on the same earmark before unrestricted money", () => {
    const l = createLedger();
    l.open(1n);
    const u1 = l.donate(1n, 100n);
    const e1 = l.donate(1n, 100n, { purpose: food });
    const e2 = l.donate(1n, 100n, { purpose: food });
    l.disburse(1n, 150n, { purpose: food });
    const r = l.reverse(e1); // e1 is all spent: e2's remaining 50 first, then 50 of u1
    expect(to(allocateFunds(l.entries), r)).toEqual([
      [u1, 50n, false, null],
      [e2, 50n, false, null],
    ]);
  });

  test("behavior: a reversed disbursement gives each lot back what it took, and the lot keeps its place", () => {
    const l = createLedger();
    l.open(1n);
    const d1 = l.donate(1n, 100n);
    const d2 = l.donate(1n, 100n);
    const x1 = l.disburse(1n, 150n);
    const x2 = l.disburse(1n, 30n);
    const r = l.reverse(x1);
    const x3 = l.disburse(1n, 120n);
    const a = allocateFunds(l.entries);
    expect(to(a, x1)).toEqual([
      [d1, 100n, false, r],
      [d2, 50n, false, r],
    ]);
    expect(to(a, x2)).toEqual([[d2, 30n, false, null]]);
    expect(to(a, r)).toEqual([]);
    // d1 is whole again and still first in line.
    expect(to(a, x3)).toEqual([
      [d1, 100n, false, null],
      [d2, 20n, false, null],
    ]);
  });

  test("behavior: money given back to a reversed donation goes on to the lots that covered its refund", () => {
    const l = createLedger();
    l.open(1n);
    const d1 = l.donate(1n, 100n);
    const d2 = l.donate(1n, 30n);
    const d3 = l.donate(1n, 100n);
    const x1 = l.disburse(1n, 20n);
    const x2 = l.disburse(1n, 40n);
    const r1 = l.reverse(d1); // d1 had paid 60: d2 covers 30, d3 covers 30
    const r2 = l.reverse(x1); // 20 back to d1, on to d2
    const a = allocateFunds(l.entries);
    expect(to(a, x1)).toEqual([[d1, 20n, false, r2]]);
    expect(to(a, r1)).toEqual([
      [d1, 40n, false, null],
      [d2, 10n, false, null],
      [d2, 20n, false, r2],
      [d3, 30n, false, null],
    ]);
    const r3 = l.reverse(x2); // 40 back to d1: 10 more to d2, then 30 to d3
    const b = allocateFunds(l.entries);
    expect(to(b, x2)).toEqual([[d1, 40n, false, r3]]);
    expect(to(b, r1)).toEqual([
      [d1, 40n, false, null],
      [d2, 20n, false, r2],
      [d2, 10n, false, r3],
      [d3, 30n, false, r3],
    ]);
    const y = l.disburse(1n, 130n);
    expect(to(allocateFunds(l.entries), y)).toEqual([
      [d2, 30n, false, null],
      [d3, 100n, false, null],
    ]);
  });

  test("behavior: what one reversal gives back to a lot along two paths is one allocation", () => {
    const l = createLedger();
    l.open(1n);
    const l1 = l.donate(1n, 50n);
    const l2 = l.donate(1n, 50n);
    const k = l.donate(1n, 100n);
    const m = l.donate(1n, 200n);
    const d = l.disburse(1n, 100n); // l1 50, l2 50
    l.reverse(l1); // covered by k
    l.reverse(l2); // covered by k
    const rk = l.reverse(k); // k had paid 100 for both: covered by m
    const r = l.reverse(d); // 50 back to l1 and 50 to l2, each on to k, and on to m
    const y = l.disburse(1n, 200n);
    const a = allocateFunds(l.entries);
    expect(to(a, rk)).toEqual([[m, 100n, false, r]]);
    expect(to(a, y)).toEqual([[m, 200n, false, null]]);
  });

  test("behavior: a grant is an unrestricted lot of the receiving campaign; its reversal takes it back out", () => {
    const l = createLedger();
    l.open(1n);
    l.open(2n);
    const d1 = l.donate(1n, 100n, { purpose: food });
    const e2 = l.donate(2n, 120n, { purpose: school });
    const g = l.disburse(1n, 80n, { purpose: food, grantTo: 2n });
    const x = l.disburse(2n, 100n);
    const r = l.reverse(g);
    const a = allocateFunds(l.entries);
    expect(a.filter((y) => y.targetIndex === g)).toEqual([
      {
        campaignId: 1n,
        sourceIndex: d1,
        targetIndex: g,
        targetKind: "disbursement",
        amount: 80n,
        restrictedMisuse: false,
        reversedByIndex: r,
      },
    ]);
    // Campaign 2 spends the unrestricted grant first, then the school earmark (flagged).
    expect(to(a, x)).toEqual([
      [e2, 20n, true, null],
      [g, 80n, false, null],
    ]);
    // The grant had been spent: the refund to campaign 1 comes out of what is left in campaign 2.
    expect(a.filter((y) => y.targetIndex === r)).toEqual([
      {
        campaignId: 2n,
        sourceIndex: e2,
        targetIndex: r,
        targetKind: "reversal",
        amount: 80n,
        restrictedMisuse: true,
        reversedByIndex: null,
      },
    ]);
  });

  test("behavior: only campaigns opened in the entries are allocated, so one campaign's stream will do", () => {
    const l = createLedger();
    l.open(1n);
    l.open(2n);
    l.donate(1n, 100n);
    const h = l.donate(2n, 100n);
    const g = l.disburse(1n, 80n, { grantTo: 2n });
    const k = l.donate(2n, 50n);
    const x = l.disburse(2n, 150n);
    const r = l.reverse(g);
    // Campaign 2's stream: its opening, its donations, the grant it received, its spending, the reversal.
    const stream = l.entries.filter((e) => e.index !== 0n && e.index !== 2n);
    const mine = allocateFunds(l.entries).filter((a) => a.campaignId === 2n);
    expect(allocateFunds(stream)).toEqual(mine);
    expect(to(mine, x)).toEqual([
      [h, 100n, false, null],
      [g, 50n, false, null],
    ]);
    expect(to(mine, r)).toEqual([
      [g, 30n, false, null],
      [k, 50n, false, null],
    ]);
  });

  test("behavior: purpose tags match whatever the case of their hex digits", () => {
    const l = createLedger();
    l.open(1n);
    l.donate(1n, 10n);
    const d = l.donate(1n, 10n, { purpose: food });
    const x = l.disburse(1n, 10n, { purpose: `0x${food.slice(2).toUpperCase()}` });
    expect(to(allocateFunds(l.entries), x)).toEqual([[d, 10n, false, null]]);
  });

  test("behavior: entries of other modules are ignored", () => {
    const l = createLedger();
    l.other();
    l.open(1n);
    const d = l.donate(1n, 10n);
    l.other();
    const x = l.disburse(1n, 10n);
    expect(to(allocateFunds(l.entries), x)).toEqual([[d, 10n, false, null]]);
  });

  test("error: a disbursement larger than the campaign holds means entries are missing", () => {
    const l = createLedger();
    l.open(1n);
    l.donate(1n, 10n);
    const x = l.disburse(1n, 11n);
    const error = fundFlowError(l.entries);
    expect(error.entryIndex).toBe(x);
    expect(error.retryable).toBe(false);
    expect(error.shortMessage).toBe("Campaign 1 holds 10 and cannot pay 11.");
  });

  test("error: entries out of log order", () => {
    const l = createLedger();
    l.open(1n);
    l.donate(1n, 10n);
    const [a, b] = l.entries;
    if (a === undefined || b === undefined) throw new Error("unreachable");
    expect(fundFlowError([b, a]).shortMessage).toBe("Entry 0 comes after entry 1.");
    expect(fundFlowError([a, a]).shortMessage).toBe("Entry 0 comes after entry 0.");
  });

  test("error: a reversal of a record not given, or reversed twice", () => {
    const l = createLedger();
    l.open(1n);
    const d = l.donate(1n, 10n);
    l.reverse(d);
    const withoutDonation = l.entries.filter((e) => e.index !== d);
    expect(fundFlowError(withoutDonation).shortMessage).toBe(
      "Reversal 2 names donation 1, which is not in the entries as given.",
    );
    const again = l.entries[2];
    if (again === undefined) throw new Error("unreachable");
    expect(fundFlowError([...l.entries, { ...again, index: 3n }]).shortMessage).toBe(
      "Reversal 3 reverses donation 1 a second time.",
    );
  });

  test("error: a closed campaign whose recorded balance is not what its lots hold", () => {
    const l = createLedger();
    l.open(1n);
    l.donate(1n, 10n);
    const c = l.close(1n, 9n);
    const error = fundFlowError(l.entries);
    expect(error.entryIndex).toBe(c);
    expect(error.shortMessage).toBe("Campaign 1 closed with balance 9, but its lots hold 10.");
  });

  test("error: a grant to its own campaign, a donation in another currency, a campaign opened twice", () => {
    const l = createLedger();
    l.open(1n);
    l.donate(1n, 10n);
    l.disburse(1n, 5n, { grantTo: 1n });
    expect(fundFlowError(l.entries).shortMessage).toBe("Grant 2 names campaign 1 as its payee.");
    const m = createLedger();
    m.open(1n, "HKD");
    m.donate(1n, 10n);
    expect(fundFlowError(m.entries).shortMessage).toBe("Campaign 1 is in HKD, entry 1 in CNY.");
    const n = createLedger();
    n.open(1n);
    n.open(1n);
    expect(fundFlowError(n.entries).shortMessage).toBe("Campaign 1 is opened a second time.");
  });
});

// ---------------------------------------------------------------- properties
type Lot = { campaignId: bigint; amount: bigint; purpose: string | null; reversedAt: bigint | null };
type Outflow = { campaignId: bigint; amount: bigint; purpose: string | null; own: bigint | null };

const key = (tag: string) => (/^0x0*$/.test(tag) ? null : tag);

/** Lots and outflows, read straight from the entries. Outflows are keyed by entry and campaign. */
function flows(entries: readonly Entry[]) {
  const lots = new Map<bigint, Lot>();
  const outflows = new Map<string, Outflow & { index: bigint }>();
  const reversedBy = new Map<bigint, bigint>();
  for (const { index, record: r } of entries) {
    if (r.type === "donationRecorded") {
      lots.set(index, { campaignId: r.campaignId, amount: r.amount, purpose: key(r.purposeTag), reversedAt: null });
    } else if (r.type === "disbursementRecorded") {
      outflows.set(`${index}:${r.campaignId}`, {
        index,
        campaignId: r.campaignId,
        amount: r.amount,
        purpose: key(r.purposeTag),
        own: null,
      });
      if (r.payeeCampaignId !== 0n) {
        lots.set(index, { campaignId: r.payeeCampaignId, amount: r.amount, purpose: null, reversedAt: null });
      }
    } else if (r.type === "recordReversed") {
      reversedBy.set(r.targetIndex, index);
      const lot = lots.get(r.targetIndex);
      if (lot !== undefined) {
        lot.reversedAt = index;
        outflows.set(`${index}:${lot.campaignId}`, {
          index,
          campaignId: lot.campaignId,
          amount: lot.amount,
          purpose: lot.purpose,
          own: r.targetIndex,
        });
      }
    }
  }
  return { lots, outflows, reversedBy };
}

/** What lot `source` held just before entry `at`, from the allocations alone. */
function heldBefore(lot: Lot, source: bigint, at: bigint, allocations: readonly Allocation[]): bigint {
  if (source >= at || (lot.reversedAt !== null && lot.reversedAt < at)) return 0n;
  let held = lot.amount;
  for (const a of allocations) {
    if (a.sourceIndex !== source) continue;
    if (a.targetIndex < at) held -= a.amount;
    if (a.reversedByIndex !== null && a.reversedByIndex < at) held += a.amount;
  }
  return held;
}

describe("allocateFunds properties", () => {
  test("behavior: every outflow is paid in full, and no lot pays more than it holds", () => {
    fc.assert(
      fc.property(ledgerArbitrary(), ({ entries }) => {
        const allocations = allocateFunds(entries);
        const { lots, outflows, reversedBy } = flows(entries);
        for (const o of outflows.values()) {
          const mine = allocations.filter((a) => a.targetIndex === o.index && a.campaignId === o.campaignId);
          expect(sum(mine.map((a) => a.amount))).toBe(o.amount);
          if (o.own === null) {
            // A disbursement stands whole, or its reversal gave all of it back.
            const undoneBy = reversedBy.get(o.index) ?? null;
            expect(mine.every((a) => a.reversedByIndex === undoneBy && a.targetKind === "disbursement")).toBe(true);
          }
        }
        for (const [source, lot] of lots) {
          const standing = allocations.filter((a) => a.sourceIndex === source && a.reversedByIndex === null);
          expect(standing.every((a) => a.campaignId === lot.campaignId)).toBe(true);
          expect(sum(standing.map((a) => a.amount))).toBeLessThanOrEqual(lot.amount);
        }
        expect(allocations.every((a) => a.amount > 0n)).toBe(true);
      }),
    );
  });

  test("behavior: each outflow takes its own purpose's lots, then unrestricted, then other earmarks, oldest first", () => {
    fc.assert(
      fc.property(ledgerArbitrary(), ({ entries }) => {
        const allocations = allocateFunds(entries);
        const { lots, outflows } = flows(entries);
        for (const o of outflows.values()) {
          const takenFrom = (source: bigint) =>
            sum(
              allocations
                .filter((a) => a.sourceIndex === source && a.targetIndex === o.index && a.campaignId === o.campaignId)
                .map((a) => a.amount),
            );
          let need = o.amount;
          if (o.own !== null) {
            const ownLot = lots.get(o.own);
            if (ownLot === undefined) throw new Error("unreachable");
            const unspent = heldBefore(ownLot, o.own, o.index, allocations);
            expect(takenFrom(o.own)).toBe(unspent);
            need -= unspent;
          }
          const rank = (lot: Lot) =>
            lot.purpose === null ? 1 : o.purpose !== null && lot.purpose === o.purpose ? 0 : 2;
          const candidates = [...lots]
            .filter(([source, lot]) => lot.campaignId === o.campaignId && source !== o.own)
            .sort(([i, a], [j, b]) => rank(a) - rank(b) || (i < j ? -1 : 1));
          for (const [source, lot] of candidates) {
            const held = heldBefore(lot, source, o.index, allocations);
            expect(held).toBeGreaterThanOrEqual(0n);
            expect(held).toBeLessThanOrEqual(lot.amount);
            const expected = minBigInt(held, need);
            expect(takenFrom(source)).toBe(expected);
            need -= expected;
            const flagged = allocations.filter(
              (a) => a.sourceIndex === source && a.targetIndex === o.index && a.restrictedMisuse,
            );
            expect(flagged.length > 0).toBe(expected > 0n && rank(lot) === 2);
          }
          expect(need).toBe(0n);
        }
      }),
    );
  });

  test("behavior: what the lots still hold is each campaign's balance, as the contract and campaignBalances count it", () => {
    fc.assert(
      fc.property(ledgerArbitrary(), ({ entries, model }) => {
        const allocations = allocateFunds(entries);
        const { lots } = flows(entries);
        const end = BigInt(entries.length);
        const held = new Map<bigint, bigint>();
        for (const [source, lot] of lots) {
          held.set(lot.campaignId, (held.get(lot.campaignId) ?? 0n) + heldBefore(lot, source, end, allocations));
        }
        const balances = campaignBalances(entries);
        for (const [id, c] of model) {
          expect(held.get(id) ?? 0n).toBe(c.balance);
          expect(balances.find((b) => b.campaignId === id)?.balance).toBe(c.balance);
        }
      }),
    );
  });

  test("behavior: a campaign's own stream gives it the same allocations as the whole ledger", () => {
    fc.assert(
      fc.property(ledgerArbitrary(), ({ entries, model }) => {
        const all = allocateFunds(entries);
        for (const id of model.keys()) {
          // What the contract appends to the campaign's stream.
          const stream = entries.filter(({ record: r }) => {
            switch (r.type) {
              case "campaignOpened":
              case "campaignClosed":
              case "donationRecorded":
                return r.campaignId === id;
              case "disbursementRecorded":
              case "recordReversed":
                return r.campaignId === id || r.payeeCampaignId === id;
              default:
                return false;
            }
          });
          expect(allocateFunds(stream)).toEqual(all.filter((a) => a.campaignId === id));
        }
      }),
    );
  });

  test("behavior: a pure function: the same entries give deep-equal allocations and are left untouched", () => {
    fc.assert(
      fc.property(ledgerArbitrary(), ({ entries }) => {
        const copy = structuredClone(entries);
        const first = allocateFunds(entries);
        expect(entries).toEqual(copy);
        expect(allocateFunds(copy)).toEqual(first);
        expect(allocateFunds(entries)).toEqual(first);
      }),
    );
  });

  test("behavior: later entries never change what an earlier outflow took, only mark what came back", () => {
    fc.assert(
      fc.property(ledgerArbitrary(), fc.nat(), ({ entries }, cut) => {
        const prefix = entries.slice(0, cut % (entries.length + 1));
        const total = (allocations: readonly Allocation[]) => {
          const totals = new Map<string, bigint>();
          for (const a of allocations) {
            const k = `${a.campaignId}:${a.sourceIndex}:${a.targetIndex}:${a.targetKind}:${a.restrictedMisuse}`;
            totals.set(k, (totals.get(k) ?? 0n) + a.amount);
          }
          return totals;
        };
        const before = total(allocateFunds(prefix));
        const after = total(allocateFunds(entries).filter((a) => a.targetIndex < BigInt(prefix.length)));
        expect(after).toEqual(before);
      }),
    );
  });

  test("behavior: taken on after finish, in steps, an allocator gives what one pass gives; with no reversal in a step, finishSince is what the step adds", () => {
    fc.assert(
      fc.property(ledgerArbitrary(), fc.array(fc.nat(), { maxLength: 6 }), ({ entries }, cuts) => {
        const steps = [...new Set(cuts.map((c) => c % (entries.length + 1))), entries.length].sort((a, b) => a - b);
        const allocator = createAllocator();
        let done = 0;
        let finished = allocator.finish();
        for (const step of steps) {
          const mark = allocator.mark();
          const added = entries.slice(done, step);
          for (const entry of added) allocator.add(entry);
          const next = allocator.finish();
          if (!added.some((e) => e.record.type === "recordReversed")) {
            expect(next).toEqual([...finished, ...allocator.finishSince(mark)]);
          }
          finished = next;
          done = step;
        }
        expect(finished).toEqual(allocateFunds(entries));
      }),
      { numRuns: 200 },
    );
  });

  test("behavior: sorted by target, then source, then standing before given back", () => {
    fc.assert(
      fc.property(ledgerArbitrary(), ({ entries }) => {
        const allocations = allocateFunds(entries);
        for (let i = 1; i < allocations.length; i++) {
          const a = allocations[i - 1];
          const b = allocations[i];
          if (a === undefined || b === undefined) throw new Error("unreachable");
          const order =
            a.targetIndex !== b.targetIndex
              ? a.targetIndex < b.targetIndex
              : a.sourceIndex !== b.sourceIndex
                ? a.sourceIndex < b.sourceIndex
                : (a.reversedByIndex ?? -1n) < (b.reversedByIndex ?? -1n);
          expect(order).toBe(true);
        }
      }),
    );
  });
});
