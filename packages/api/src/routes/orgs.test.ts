import type { Hex } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { describeEachBackend } from "../../../indexer/src/store/_test/testDatabase.ts";
import { type ApiFixture, openApiFixture } from "../_test/apiFixture.ts";
import { DEMO_ORG, type LedgerWriter, ledgerWriter } from "../domain/_test/writeLedger.ts";

describeEachBackend("organisation routes", (backend) => {
  let f: ApiFixture;
  let w: LedgerWriter;
  beforeAll(async () => {
    f = await openApiFixture(backend.freshStore);
    w = await ledgerWriter(f);
  });
  afterAll(() => f?.close());

  const get = async (url: string, status = 200) => {
    const res = await f.app.inject(url);
    expect(res.statusCode, res.body).toBe(status);
    return res.json();
  };

  describe("GET /v1/orgs", () => {
    test("behavior: every accredited organisation, as the demo registered it", async () => {
      const all = await get("/v1/orgs");
      expect(
        all.items.map((o: { orgId: string; name: string; creditCode: string }) => [o.orgId, o.name, o.creditCode]),
      ).toStrictEqual(f.demo.orgs.map((o) => [o.orgId.toString(), o.name, o.creditCode]));
      expect(all.items.map((o: { kind: string }) => o.kind)).toStrictEqual([
        "regulator",
        "charity",
        "charity",
        "charity",
        "enterprise",
        "volunteerOrg",
        "merchant",
        "auditor",
      ]);
      expect(all.items[1]).toMatchObject({ status: "active", suspensionReason: null, totals: [{ currency: "CNY" }] });
      expect(all.ledger.indexedBlock).toMatch(/^[1-9][0-9]*$/);
    });

    test("args: pages, kind and status", async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { items: { orgId: string }[]; nextCursor: string | null } = await get(
          `/v1/orgs?limit=3${cursor ? `&cursor=${cursor}` : ""}`,
        );
        seen.push(...page.items.map((o) => o.orgId));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toStrictEqual(f.demo.orgs.map((o) => o.orgId.toString()));
      expect((await get("/v1/orgs?kind=charity")).items.map((o: { orgId: string }) => o.orgId)).toStrictEqual([
        "2",
        "3",
        "4",
      ]);
      expect((await get("/v1/orgs?status=suspended")).items).toStrictEqual([]);
    });

    test("error: an unknown kind or field", async () => {
      expect((await get("/v1/orgs?kind=bank", 400)).errors[0].field).toBe("querystring.kind");
      expect((await get("/v1/orgs?name=x", 400)).errors).toStrictEqual([
        { field: "querystring.name", reason: "is not a known field" },
      ]);
    });
  });

  describe("GET /v1/orgs/:orgId", () => {
    test("behavior: a charity with its campaigns, totals and yearly management costs", async () => {
      const org = await get(`/v1/orgs/${DEMO_ORG.foundation}`);
      expect(org.campaigns.map((c: { campaignId: string }) => c.campaignId)).toStrictEqual(
        f.demo.campaigns.filter((c) => c.orgId === DEMO_ORG.foundation).map((c) => c.campaignId.toString()),
      );
      const [totals] = await f.store.query<{ given: string; received: string; spent: string }>(
        "select given::text, received::text, spent::text from org_totals where org_id = 2",
      );
      expect(org.totals).toStrictEqual([{ currency: "CNY", ...totals }]);
      expect(org.admin).toMatch(/^0x[0-9a-f]{40}$/);
      expect(org.csr).toBeNull();
      // What it spent in the year, net of the reversed disbursement, equals its total spending.
      const spent = org.managementCost.reduce((sum: bigint, y: { total: string }) => sum + BigInt(y.total), 0n);
      expect(spent).toBe(BigInt(totals?.spent ?? -1));
      expect(org.managementCost[0]).toMatchObject({ currency: "CNY", limit: "0.10", policySource: "foundation" });
    });

    test("behavior: a volunteer organisation lists its activities", async () => {
      const org = await get(`/v1/orgs/${DEMO_ORG.volunteers}`);
      expect(org.kind).toBe("volunteerOrg");
      expect(org.activities.map((a: { activityId: string }) => a.activityId)).toStrictEqual(["1", "2", "3", "4"]);
      expect(org.activities[0].endTime).toBeNull();
      expect(org.managementCost).toStrictEqual([]);
    });

    test("behavior: an enterprise's CSR: claims, their confirmations and employee volunteer hours", async () => {
      const org = await get(`/v1/orgs/${DEMO_ORG.enterprise}`);
      const csr = org.csr;
      expect(csr.contributions).toMatchObject([
        {
          claimId: "1",
          recipientOrgId: "2",
          amount: "10000000",
          currency: "CNY",
          confirmation: { campaignId: "1", reversedBy: null },
        },
        {
          claimId: "2",
          recipientOrgId: "4",
          amount: "500000",
          currency: "CNY",
          confirmation: { campaignId: "4", reversedBy: null },
        },
      ]);
      expect(csr.contributions[0].recipientName).toBe(f.demo.orgs[1]?.name);
      expect(csr.totals).toStrictEqual([{ currency: "CNY", claimed: "10500000", confirmed: "10500000" }]);
      expect(org.totals[0].given).toBe("10500000");
      // Hours: the credits its own activity issued, as recorded on chain.
      const [hours] = await f.store.query<{ n: bigint; minutes: string; volunteers: bigint }>(
        `select count(*) as n, sum((record->>'minutes')::int)::text as minutes, count(distinct record->>'volunteer') as volunteers
         from entries where kind = 61 and actor_org = 5`,
      );
      expect(csr.volunteering).toStrictEqual({
        activities: 1,
        credits: hours?.n.toString(),
        volunteers: hours?.volunteers.toString(),
        minutes: hours?.minutes,
        hours: (Number(hours?.minutes) / 60).toFixed(2),
      });
    });

    test("behavior: a reversed confirmation no longer counts as confirmed", async () => {
      const [donation] = await f.store.query<{ idx: bigint; ref: string }>(
        "select idx, record->>'externalRef' as ref from entries where kind = 33 and record->>'donorKind' = '1' and record->>'claimId' = '2'",
      );
      if (!donation) throw new Error("no confirming donation of claim 2");
      const reversal = await w.reverse(DEMO_ORG.communityB, donation.ref as Hex, donation.idx, 3);
      await f.sync();
      const csr = (await get(`/v1/orgs/${DEMO_ORG.enterprise}`)).csr;
      expect(csr.contributions[1].confirmation.reversedBy).toMatchObject({ index: reversal.toString(), reason: 3 });
      expect(csr.totals).toStrictEqual([{ currency: "CNY", claimed: "10500000", confirmed: "10000000" }]);
    });

    test("error: unknown and malformed ids", async () => {
      expect((await get("/v1/orgs/99", 404)).detail).toBe("no organisation 99");
      expect((await get("/v1/orgs/-1", 400)).errors[0].field).toBe("params.orgId");
      expect((await get("/v1/orgs/2?verbose=1", 400)).errors[0].field).toBe("querystring.verbose");
    });
  });
});
