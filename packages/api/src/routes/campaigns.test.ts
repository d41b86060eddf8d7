import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { describeEachBackend } from "../../../indexer/src/store/_test/testDatabase.ts";
import { type ApiFixture, openApiFixture } from "../_test/apiFixture.ts";
import { DEMO_ORG, type LedgerWriter, ledgerWriter } from "../domain/_test/writeLedger.ts";
import { addMonths } from "../domain/time.ts";

type Link = { source: string; target: string; amount: string };
type Node = { id: string; kind: string; depth: number; campaignId?: string; orgId?: string; category?: string };

const DAY = 86_400n;

describeEachBackend("campaign routes", (backend) => {
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
  const chainBalance = async (campaignId: bigint) => (await w.system.charity.read.campaign([campaignId])).balance;

  describe("GET /v1/campaigns", () => {
    test("behavior: lists the demo's campaigns, page by page", async () => {
      const all = await get("/v1/campaigns");
      expect(all.items.map((c: { campaignId: string; orgId: string }) => [c.campaignId, c.orgId])).toStrictEqual(
        f.demo.campaigns.map((c) => [c.campaignId.toString(), c.orgId.toString()]),
      );
      expect(all.nextCursor).toBeNull();
      expect(all.ledger.logSize).toMatch(/^[1-9][0-9]*$/);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { items: { campaignId: string }[]; nextCursor: string | null } = await get(
          `/v1/campaigns?limit=4${cursor ? `&cursor=${cursor}` : ""}`,
        );
        expect(page.items.length).toBeLessThanOrEqual(4);
        seen.push(...page.items.map((c) => c.campaignId));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen).toStrictEqual(all.items.map((c: { campaignId: string }) => c.campaignId));
      const first = all.items[0];
      expect(first).toMatchObject({
        orgName: f.demo.orgs[1]?.name,
        currency: "CNY",
        status: "open",
        endTime: "2027-01-01T00:00:00Z",
      });
      expect(first.filingNumber).toBe(`${f.demo.orgs[1]?.creditCode}-2026-001`);
      expect(BigInt(first.balance)).toBe(await chainBalance(1n));
    });

    test("args: org and status filter", async () => {
      const foundation = await get(`/v1/campaigns?org=${DEMO_ORG.foundation}`);
      expect(foundation.items.map((c: { campaignId: string }) => c.campaignId)).toStrictEqual(
        f.demo.campaigns.filter((c) => c.orgId === DEMO_ORG.foundation).map((c) => c.campaignId.toString()),
      );
      expect((await get("/v1/campaigns?status=closed")).items).toStrictEqual([]);
      expect((await get("/v1/campaigns?org=999")).items).toStrictEqual([]);
    });

    test("error: bad arguments name the field", async () => {
      expect((await get("/v1/campaigns?status=done", 400)).errors[0].field).toBe("querystring.status");
      expect((await get("/v1/campaigns?org=x", 400)).errors[0].field).toBe("querystring.org");
      expect((await get("/v1/campaigns?cursor=nonsense", 400)).errors).toStrictEqual([
        { field: "querystring.cursor", reason: "is not a cursor this API gave out" },
      ]);
      expect((await get("/v1/campaigns?sort=id", 400)).errors).toStrictEqual([
        { field: "querystring.sort", reason: "is not a known field" },
      ]);
    });
  });

  describe("GET /v1/campaigns/:id", () => {
    test("behavior: totals add up to the balance the contract holds", async () => {
      for (const { campaignId } of f.demo.campaigns) {
        const c = await get(`/v1/campaigns/${campaignId}`);
        const t = c.totals;
        const spent = BigInt(t.spent.program) + BigInt(t.spent.administration) + BigInt(t.spent.fundraising);
        const balance =
          BigInt(t.received) + BigInt(t.grantsIn) - BigInt(t.reversedDonations) - BigInt(t.reversedGrantsIn) - spent;
        expect(balance).toBe(BigInt(t.balance));
        expect(BigInt(t.balance)).toBe(await chainBalance(campaignId));
        expect(c.managementCost.total).toBe(spent.toString());
      }
    });

    test("behavior: spending is net of the reversed disbursement; the policy depends on the organisation", async () => {
      // Campaign 1 (the foundation's) had its first disbursement reversed and recorded again.
      const c = await get("/v1/campaigns/1");
      const [row] = await f.store.query<{ spent_program: string; reversed_disbursements: string }>(
        "select spent_program, reversed_disbursements from campaigns where campaign_id = 1",
      );
      expect(BigInt(c.totals.reversedDisbursements)).toBeGreaterThan(0n);
      expect(BigInt(c.totals.spent.program)).toBe(
        BigInt(row?.spent_program ?? 0) - BigInt(row?.reversed_disbursements ?? 0),
      );
      expect(c.managementCost).toMatchObject({ limit: "0.10", exemptBelow: null, policySource: "foundation" });
      const community = await get("/v1/campaigns/3");
      expect(community.managementCost).toMatchObject({
        limit: "0.13",
        exemptBelow: "20000000",
        policySource: "default",
      });
      expect(c.purposeTags).toHaveLength(2);
    });

    test("behavior: the disclosure timeline lists the campaign's disclosures", async () => {
      const c = await get("/v1/campaigns/1");
      const entries = await get("/v1/campaigns/1/entries?kind=disclosurePublished&order=asc");
      expect(c.disclosures.timeline.map((d: { index: string }) => d.index)).toStrictEqual(
        entries.items.map((e: { index: string }) => e.index),
      );
      expect(c.disclosures.timeline.map((d: { kind: string }) => d.kind)).toStrictEqual([
        "correctionNotice",
        "progress",
      ]);
      const [last] = await f.store.query<{ ts: bigint }>("select max(ts) as ts from entries");
      expect(c.disclosures.asOf).toBe(new Date(Number(last?.ts) * 1000).toISOString().replace(".000Z", "Z"));
      // The demo's campaigns run all of 2026 and first disclosed after 1 April: the first report was late.
      const first = c.disclosures.obligations[0];
      expect(first).toMatchObject({ obligation: "progress", dueAt: "2026-04-01T00:00:00Z" });
      expect(first.status).toBe(Date.parse(c.disclosures.timeline[1].time) > Date.parse(first.dueAt) ? "late" : "met");
      expect(c.attestations).toStrictEqual([]);
      const audited = await get("/v1/campaigns/3");
      expect(audited.attestations).toMatchObject([{ orgId: "1", opinion: "qualified" }]);
    });

    test("error: unknown and malformed ids", async () => {
      expect((await get("/v1/campaigns/999", 404)).detail).toMatch(/no campaign 999/);
      expect((await get("/v1/campaigns/abc", 400)).errors[0].field).toBe("params.campaignId");
      expect((await get("/v1/campaigns/99999999999999999999", 400)).errors[0].field).toBe("params.campaignId");
    });
  });

  describe("GET /v1/campaigns/:id/entries", () => {
    test("behavior: every entry of the stream, in both orders, and filtered by kind", async () => {
      const c = await get("/v1/campaigns/2");
      const collect = async (query: string) => {
        const items: { index: string; kind: string }[] = [];
        let cursor: string | null = null;
        do {
          const page: { items: typeof items; nextCursor: string | null; stream: string } = await get(
            `/v1/campaigns/2/entries?limit=7${query}${cursor ? `&cursor=${cursor}` : ""}`,
          );
          items.push(...page.items);
          cursor = page.nextCursor;
        } while (cursor);
        return items;
      };
      const desc = await collect("");
      const asc = await collect("&order=asc");
      expect(desc).toHaveLength(Number(c.entryCount));
      expect(asc.map((e) => e.index)).toStrictEqual(desc.map((e) => e.index).reverse());
      const donations = await collect("&kind=donationRecorded");
      const [count] = await f.store.query<{ n: bigint }>(
        "select count(*) as n from entries where kind = 33 and record->>'campaignId' = '2'",
      );
      expect(BigInt(donations.length)).toBe(count?.n);
      expect(new Set(donations.map((d) => d.kind))).toStrictEqual(new Set(["donationRecorded"]));
      // The duplicate donation of campaign 2 is reversed, and says by which entry.
      const page = await get("/v1/campaigns/2/entries?kind=donationRecorded&order=asc&limit=500");
      const reversed = page.items.filter((e: { reversedBy: unknown }) => e.reversedBy !== null);
      expect(reversed).toHaveLength(1);
      expect(reversed[0].reversedBy.reason).toBe(1);
    });

    test("behavior: pages stay stable while new entries arrive", async () => {
      const first = await get("/v1/campaigns/5/entries?limit=10");
      const before = await get("/v1/campaigns/5/entries?limit=500");
      await w.donate(DEMO_ORG.communityA, 5n, 12_300n);
      await f.sync();
      const second = await get(`/v1/campaigns/5/entries?limit=500&cursor=${first.nextCursor}`);
      expect([...first.items, ...second.items].map((e: { index: string }) => e.index)).toStrictEqual(
        before.items.map((e: { index: string }) => e.index),
      );
      const now = await get("/v1/campaigns/5/entries?limit=1");
      expect(now.items[0].entry).toMatchObject({ type: "donationRecorded", amount: "12300" });
    });

    test("error: an unknown kind, a cursor of the other order, an unknown campaign", async () => {
      expect((await get("/v1/campaigns/1/entries?kind=payment", 400)).errors[0].field).toMatch(/^querystring\.kind/);
      const page = await get("/v1/campaigns/1/entries?limit=2");
      expect((await get(`/v1/campaigns/1/entries?order=asc&cursor=${page.nextCursor}`, 400)).errors[0].field).toBe(
        "querystring.cursor",
      );
      await get("/v1/campaigns/77/entries", 404);
    });
  });

  describe("GET /v1/campaigns/:id/flow", () => {
    const flowOf = async (id: bigint) => {
      const flow: { nodes: Node[]; links: Link[]; truncated: boolean; currency: string } = await get(
        `/v1/campaigns/${id}/flow`,
      );
      const ids = new Set(flow.nodes.map((n) => n.id));
      expect(ids.size).toBe(flow.nodes.length);
      const depth = new Map(flow.nodes.map((n) => [n.id, n.depth]));
      for (const l of flow.links) {
        expect(ids.has(l.source) && ids.has(l.target)).toBe(true);
        expect(BigInt(l.amount)).toBeGreaterThan(0n);
        // A DAG: links never go back to a shallower hop.
        expect(depth.get(l.target) ?? -2).toBeGreaterThanOrEqual(depth.get(l.source) ?? 0);
      }
      const sum = (links: Link[]) => links.reduce((s, l) => s + BigInt(l.amount), 0n);
      const into = (node: string) => sum(flow.links.filter((l) => l.target === node));
      const out = (node: string) => sum(flow.links.filter((l) => l.source === node));
      return {
        ...flow,
        into,
        out,
        link: (s: string, t: string) => flow.links.find((l) => l.source === s && l.target === t),
      };
    };

    test("behavior: what comes in goes out or stays, and grants are followed into the receiving campaign", async () => {
      const flow = await flowOf(1n);
      expect(flow.currency).toBe("CNY");
      expect(flow.truncated).toBe(false);
      const root = "campaign:1@0";
      expect(flow.into(root)).toBe(flow.out(root));
      expect(flow.link(root, "unspent:1@0")?.amount).toBe((await chainBalance(1n)).toString());
      // The enterprise's CSR donation, and the grant to campaign 3 (communityA), as recorded on chain.
      expect(flow.link(`org:${DEMO_ORG.enterprise}`, root)?.amount).toBe("10000000");
      const [grant] = await f.store.query<{ amount: string }>(
        "select record->>'amount' as amount from entries where kind = 34 and record->>'payeeCampaignId' = '3'",
      );
      expect(flow.link(root, "campaign:3@1")?.amount).toBe(grant?.amount);
      // In campaign 3 the grant was spent or is held: every unit of it is accounted for.
      expect(flow.out("campaign:3@1")).toBe(BigInt(grant?.amount ?? -1));
      // Seen from campaign 3, the grant is a source.
      const three = await flowOf(3n);
      expect(three.link("from:campaign:1", "campaign:3@0")?.amount).toBe(grant?.amount);
      expect(three.into("campaign:3@0")).toBe(three.out("campaign:3@0"));
    });

    test("behavior: a grant of granted money is followed one hop further", async () => {
      // Campaign 3 passes part of what it holds on to campaign 4 (communityB) as a grant.
      const { index } = await w.disburse(DEMO_ORG.communityA, 3n, {
        amount: 3_000_000n,
        category: 1,
        grantTo: { orgId: DEMO_ORG.communityB, campaignId: 4n },
      });
      await f.sync();
      const flow = await flowOf(1n);
      const hop2 = flow.link("campaign:3@1", "campaign:4@2");
      // The foundation's whole grant is the lot followed, so the hop carries exactly its allocation.
      const [paid] = await f.store.query<{ amount: string }>(
        `select a.amount::text from allocations a join entries g on g.idx = a.source_idx
         where a.target_idx = $1 and g.kind = 34 and g.record->>'payeeCampaignId' = '3' and a.reversed_by_idx is null`,
        [index],
      );
      // (Campaign 3's donations, older lots, do not cover 3,000,000: first in, first out reaches the grant.)
      expect(paid).toBeDefined();
      expect(hop2?.amount).toBe(paid?.amount);
      const three = await flowOf(3n);
      expect(three.link("campaign:3@0", "campaign:4@1")?.amount).toBe("3000000");
      // Whether the foundation's grant paid part of it depends on the FIFO allocation in campaign 3;
      // either way, each hop passes on exactly what reached it.
      for (const node of flow.nodes.filter((n) => n.kind === "campaign" && n.depth > 0)) {
        expect(flow.out(node.id)).toBe(flow.into(node.id));
      }
      expect(flow.nodes.find((n) => n.id === "campaign:4@2")?.orgId).toBe(DEMO_ORG.communityB.toString());
      expect((await get("/v1/campaigns/4")).totals.grantsIn).toBe((800_000n + 3_000_000n).toString());
    });

    test("error: unknown campaign", async () => {
      await get("/v1/campaigns/404/flow", 404);
    });
  });

  describe("disclosure deadlines and management costs at the chain's time", () => {
    test("behavior: a missed progress report is overdue, then late once published; admin spending over the limit", async () => {
      const start = await w.now();
      const end = BigInt(addMonths(Number(start), 8));
      const id = await w.openCampaign(DEMO_ORG.foundation, { startTime: start, endTime: end });
      await w.donate(DEMO_ORG.foundation, id, 1_000_000n);
      await w.disburse(DEMO_ORG.foundation, id, { amount: 90_000n, category: 1 });
      await w.disburse(DEMO_ORG.foundation, id, { amount: 10_001n, category: 2 });
      await f.sync();
      const fresh = await get(`/v1/campaigns/${id}`);
      expect(fresh.disclosures.obligations).toMatchObject([
        { obligation: "progress", status: "pending" },
        { obligation: "final", status: "pending" },
      ]);
      expect(fresh.disclosures.overdue).toBe(false);
      // 10,001 / 100,001 is just over the foundation's 10%.
      expect(fresh.managementCost).toMatchObject({
        administration: "10001",
        total: "100001",
        ratio: "0.1000",
        exceedsLimit: true,
      });

      const due = BigInt(addMonths(Number(start), 3));
      await w.setNextTime(due + DAY);
      await w.donate(DEMO_ORG.foundation, id, 100n); // any entry moves the chain's time
      await f.sync();
      const overdue = await get(`/v1/campaigns/${id}`);
      expect(overdue.disclosures.overdue).toBe(true);
      expect(overdue.disclosures.obligations[0]).toMatchObject({
        status: "overdue",
        dueAt: new Date(Number(due) * 1000).toISOString().replace(".000Z", "Z"),
        disclosedAt: null,
      });

      const report = await w.disclose(DEMO_ORG.foundation, id, 1, [start, due]);
      await f.sync();
      const late = await get(`/v1/campaigns/${id}`);
      expect(late.disclosures.overdue).toBe(false);
      expect(late.disclosures.obligations[0]).toMatchObject({ status: "late", disclosureIndex: report.toString() });
      expect(late.disclosures.obligations[1]).toMatchObject({ obligation: "progress", status: "pending" });
      expect(late.disclosures.timeline).toMatchObject([{ index: report.toString(), kind: "progress" }]);
    });
  });
});
