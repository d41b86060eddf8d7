import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { CNY, createLedger, ledgerArbitrary, purpose } from "./_test/ledger.ts";
import { campaignBalances } from "./campaignBalances.ts";

const zero = { program: 0n, administration: 0n, fundraising: 0n };

describe("campaignBalances", () => {
  test("behavior: sums money in, out and reversed per campaign, grants on both sides", () => {
    const l = createLedger();
    l.open(1n);
    l.open(2n);
    l.open(3n);
    const d1 = l.donate(1n, 1000n);
    l.donate(1n, 500n, { purpose: purpose("food") });
    l.disburse(1n, 300n, { category: 1 });
    const x2 = l.disburse(1n, 100n, { category: 2 });
    l.disburse(1n, 50n, { category: 3 });
    const g = l.disburse(1n, 400n, { category: 1, grantTo: 2n });
    const d3 = l.donate(2n, 200n);
    l.other();
    l.reverse(x2);
    l.reverse(d3);
    l.reverse(g);
    l.reverse(d1);
    expect(campaignBalances(l.entries)).toEqual([
      {
        campaignId: 1n,
        currency: CNY,
        received: 1500n,
        grantsIn: 0n,
        spent: { program: 700n, administration: 100n, fundraising: 50n },
        grantsOut: 400n,
        reversed: { donations: 1000n, grantsIn: 0n, disbursements: 500n },
        balance: 150n,
      },
      {
        campaignId: 2n,
        currency: CNY,
        received: 200n,
        grantsIn: 400n,
        spent: zero,
        grantsOut: 0n,
        reversed: { donations: 200n, grantsIn: 400n, disbursements: 0n },
        balance: 0n,
      },
      {
        campaignId: 3n,
        currency: CNY,
        received: 0n,
        grantsIn: 0n,
        spent: zero,
        grantsOut: 0n,
        reversed: { donations: 0n, grantsIn: 0n, disbursements: 0n },
        balance: 0n,
      },
    ]);
  });

  test("behavior: no entries, no campaigns", () => {
    expect(campaignBalances([])).toEqual([]);
  });

  test("behavior: every total is the contract's own count, and the balance follows from them", () => {
    fc.assert(
      fc.property(ledgerArbitrary(), ({ entries, model }) => {
        const balances = campaignBalances(entries);
        expect(balances.map((b) => b.campaignId)).toEqual([...model.keys()]);
        for (const b of balances) {
          const m = model.get(b.campaignId);
          expect(m).toBeDefined();
          if (m === undefined) continue;
          expect(b).toEqual({
            campaignId: b.campaignId,
            currency: CNY,
            received: m.received,
            grantsIn: m.grantsIn,
            spent: { program: m.spent[0], administration: m.spent[1], fundraising: m.spent[2] },
            grantsOut: m.grantsOut,
            reversed: {
              donations: m.reversedDonations,
              grantsIn: m.reversedGrantsIn,
              disbursements: m.reversedDisbursements,
            },
            balance: m.balance,
          });
          const spent = b.spent.program + b.spent.administration + b.spent.fundraising;
          expect(
            b.received + b.grantsIn - spent - b.reversed.donations - b.reversed.grantsIn + b.reversed.disbursements,
          ).toBe(b.balance);
          expect(b.balance).toBeGreaterThanOrEqual(0n);
        }
      }),
    );
  });
});
