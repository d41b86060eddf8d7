import { randomBytes } from "node:crypto";
import { bytesToHex, sha256 } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { describeEachBackend } from "../../../indexer/src/store/_test/testDatabase.ts";
import { type ApiFixture, openApiFixture } from "../_test/apiFixture.ts";
import { checkProof } from "../domain/_test/checkProof.ts";
import { RECEIPT_DONATIONS, receiptCommitment } from "./donations.ts";

type Step = {
  depth: number;
  campaignId: string;
  sourceIndex: string;
  entryIndex: string;
  kind: string;
  amount: string;
  category?: string;
  evidence: { sha256: string; url: string }[];
  leaf: string;
  proof: { index: string; treeSize: string; root: string; inclusion: string[]; blockNumber: string };
};

type Donation = {
  index: string;
  campaignId: string;
  amount: string;
  currency: string;
  leaf: string;
  proof: Step["proof"];
  reversal: null | { index: string; reason: number; leaf: string; proof: Step["proof"] };
  trace: Step[];
};

describeEachBackend("GET /v1/donations/lookup", (backend) => {
  let f: ApiFixture;
  beforeAll(async () => {
    f = await openApiFixture(backend.freshStore);
  });
  afterAll(() => f?.close());

  const lookup = (receipt: string) => f.app.inject({ url: "/v1/donations/lookup", query: { receipt } });

  test("the lookup's query is served by the index entries_receipt_donor", async () => {
    const receipt = f.demo.receipts[0];
    if (!receipt) throw new Error("the demo has no receipt");
    // With sequential scans priced out, the index is used either way; it is looked up by the donor
    // only if the query's expression and collation are the index's.
    const plan = await f.store.transaction(async (tx) => {
      await tx.query("set local enable_seqscan = off");
      const rows = await tx.query<{ "QUERY PLAN": string }>(`explain ${RECEIPT_DONATIONS}`, [
        receiptCommitment(receipt.code),
        "1000000",
      ]);
      return rows.map((row) => row["QUERY PLAN"]).join("\n");
    });
    // Not a scan of the whole (partial) index with the donor as a filter: the donor is the key looked up.
    expect(plan).toMatch(/Index Scan using entries_receipt_donor[^\n]*\n\s*Index Cond: [^\n]*'donor'/);
  });

  /** Steps at depth + 1 reached through a grant step add up to that step; depth 0 to the lot given. */
  function checkSums(steps: Step[], donationAmount: bigint, reversed: boolean) {
    const depth0 = steps.filter((s) => s.depth === 0).reduce((sum, s) => sum + BigInt(s.amount), 0n);
    if (reversed) expect(depth0).toBeLessThanOrEqual(donationAmount);
    else expect(depth0).toBe(donationAmount);
    for (const grant of steps.filter((s) => s.kind === "grant")) {
      const next = steps.filter((s) => s.depth === grant.depth + 1 && s.sourceIndex === grant.entryIndex);
      expect(next.length).toBeGreaterThan(0);
      expect(next.reduce((sum, s) => sum + BigInt(s.amount), 0n)).toBe(BigInt(grant.amount));
    }
  }

  describe("behavior", () => {
    test("behavior: a receipt code gives its donation, proven against the chain", async () => {
      const receipt = f.demo.receipts.find((r) => r.campaignId === 5n);
      if (!receipt) throw new Error("the demo has no receipt of campaign 5");
      const res = await lookup(receipt.code);
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body.commitment).toBe(sha256(receipt.code));
      expect(body.ledger.indexedBlock).toMatch(/^[1-9][0-9]*$/);
      expect(body.donations).toHaveLength(1);
      const d: Donation = body.donations[0];
      expect(d).toMatchObject({
        campaignId: "5",
        amount: receipt.amountFen.toString(),
        currency: "CNY",
        reversal: null,
      });
      const entry = await checkProof(f, d, d.index);
      expect(entry.record).toMatchObject({
        type: "donationRecorded",
        donor: body.commitment,
        amount: receipt.amountFen,
      });
    });

    test("behavior: the trace adds up, hop by hop, and every step proves with its evidence", async () => {
      // Campaign 1's money reaches campaign 3 by a grant: some of its donors' traces follow it.
      let withGrant = 0;
      for (const receipt of f.demo.receipts.filter((r) => r.campaignId === 1n).slice(0, 40)) {
        const body = (await lookup(receipt.code)).json();
        for (const d of body.donations as Donation[]) {
          checkSums(d.trace, BigInt(d.amount), d.reversal !== null);
          if (d.trace.some((s) => s.kind === "grant")) withGrant++;
        }
      }
      expect(withGrant).toBeGreaterThan(0);

      const receipt = f.demo.receipts.filter((r) => r.campaignId === 1n)[0];
      if (!receipt) throw new Error("no receipt of campaign 1");
      const d: Donation = (await lookup(receipt.code)).json().donations[0];
      expect(d.trace.length).toBeGreaterThan(0);
      for (const step of d.trace) {
        const entry = await checkProof(f, step, step.entryIndex);
        if (step.kind === "unspent") {
          expect(entry.record.type === "donationRecorded" || entry.record.type === "disbursementRecorded").toBe(true);
          continue;
        }
        if (step.kind === "reversal") {
          expect(entry.record.type).toBe("recordReversed");
          continue;
        }
        if (entry.record.type !== "disbursementRecorded")
          throw new Error(`step ${step.entryIndex} is ${entry.record.type}`);
        expect(entry.record.campaignId.toString()).toBe(step.campaignId);
        expect(step.evidence.map((e) => e.sha256)).toStrictEqual(entry.record.evidence.map((h) => h.toLowerCase()));
        for (const e of step.evidence) expect(e.url).toBe(`/v1/evidence/${e.sha256.slice(2)}`);
        expect(step.kind).toBe(entry.record.payeeCampaignId === 0n ? "disbursement" : "grant");
        expect(BigInt(step.amount)).toBeLessThanOrEqual(entry.record.amount);
      }
    });

    test("behavior: a refunded donation shows its reversal, proven, and only what it paid before", async () => {
      // The demo refunds the first donor of campaign 4.
      const receipt = f.demo.receipts.find((r) => r.campaignId === 4n);
      if (!receipt) throw new Error("no receipt of campaign 4");
      const body = (await lookup(receipt.code)).json();
      expect(body.donations).toHaveLength(1);
      const d: Donation = body.donations[0];
      if (d.reversal === null) throw new Error("the refunded donation shows no reversal");
      expect(d.reversal.reason).toBe(3);
      const reversal = await checkProof(f, d.reversal, d.reversal.index);
      expect(reversal.record).toMatchObject({ type: "recordReversed", targetIndex: BigInt(d.index) });
      expect(d.trace.some((s) => s.kind === "unspent")).toBe(false);
      checkSums(d.trace, BigInt(d.amount), true);
    });

    test("behavior: a donation entered twice shows both, the duplicate reversed", async () => {
      // The demo's finance export doubles the second donation of campaign 1; the copy is reversed.
      const receipt = f.demo.receipts.filter((r) => r.campaignId === 1n)[1];
      if (!receipt) throw new Error("no second receipt of campaign 1");
      const body = (await lookup(receipt.code)).json();
      expect(body.donations).toHaveLength(2);
      const [original, duplicate] = body.donations as Donation[];
      expect(BigInt(original?.index ?? 0)).toBeLessThan(BigInt(duplicate?.index ?? 0));
      expect(original?.reversal).toBeNull();
      expect(duplicate?.reversal?.reason).toBe(1);
      expect(original?.amount).toBe(duplicate?.amount);
    });

    test("behavior: a donation entered with a wrong amount shows the reversed entry and the corrected one", async () => {
      // The demo reverses campaign 3's first donation (¥1,000 typed for ¥100) and records it again.
      const receipt = f.demo.receipts.find((r) => r.campaignId === 3n);
      if (!receipt) throw new Error("no receipt of campaign 3");
      const [wrong, corrected] = (await lookup(receipt.code)).json().donations as Donation[];
      expect(wrong?.reversal?.reason).toBe(2);
      expect(BigInt(wrong?.amount ?? 0)).toBe(receipt.amountFen * 10n);
      expect(corrected).toMatchObject({ amount: receipt.amountFen.toString(), reversal: null });
      checkSums(corrected?.trace ?? [], receipt.amountFen, false);
    });

    test("args: the code is accepted without 0x and in upper case", async () => {
      const receipt = f.demo.receipts[7];
      if (!receipt) throw new Error("no receipt");
      const canonical = (await lookup(receipt.code)).json();
      for (const variant of [
        receipt.code.slice(2),
        receipt.code.toUpperCase().replace("0X", "0x"),
        receipt.code.toUpperCase(),
      ]) {
        const res = await lookup(variant);
        expect(res.statusCode).toBe(200);
        expect(res.json().donations).toStrictEqual(canonical.donations);
      }
    });
  });

  describe("errors", () => {
    test("error: malformed, wrong and unknown codes all get the same 404", async () => {
      const receipt = f.demo.receipts[0];
      if (!receipt) throw new Error("no receipt");
      const wrong = `${receipt.code.slice(0, -1)}${receipt.code.endsWith("0") ? "1" : "0"}`;
      const answers = await Promise.all(
        [
          "",
          "xyz",
          `${receipt.code}00`,
          wrong,
          bytesToHex(randomBytes(32)),
          sha256(receipt.code), // the commitment itself is not the code
        ].map(lookup),
      );
      const first = answers[0];
      for (const res of answers) {
        expect(res.statusCode).toBe(404);
        expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
        expect(res.body).toBe(first?.body);
      }
    });

    test("error: the receipt is required, and unknown fields are refused", async () => {
      const missing = await f.app.inject("/v1/donations/lookup");
      expect(missing.statusCode).toBe(400);
      expect(missing.json().errors).toStrictEqual([{ field: "querystring.receipt", reason: "is required" }]);
      const extra = await f.app.inject({ url: "/v1/donations/lookup", query: { receipt: "0x00", trace: "no" } });
      expect(extra.statusCode).toBe(400);
      expect(extra.json().errors).toContainEqual({ field: "querystring.trace", reason: "is not a known field" });
    });
  });
});
