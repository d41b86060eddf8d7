import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { describeEachBackend } from "../../../indexer/src/store/_test/testDatabase.ts";
import { type ApiFixture, openApiFixture } from "../_test/apiFixture.ts";
import { DEMO_ORG, type LedgerWriter, ledgerWriter } from "../domain/_test/writeLedger.ts";
import { DEFAULT_LARGE_DONATION } from "../domain/options.ts";
import { addMonths, yearOf } from "../domain/time.ts";

type Alert = {
  id: string;
  kind: string;
  orgId: string | null;
  orgName: string | null;
  campaignId: string | null;
  entries: string[];
  [field: string]: unknown;
};

const DAY = 86_400n;

describeEachBackend("GET /v1/alerts", (backend) => {
  let f: ApiFixture;
  let w: LedgerWriter;
  beforeAll(async () => {
    f = await openApiFixture(backend.freshStore);
    w = await ledgerWriter(f);
  });
  afterAll(() => f?.close());

  const get = async (query: string, status = 200) => {
    const res = await f.app.inject(`/v1/alerts${query}`);
    expect(res.statusCode, res.body).toBe(status);
    return res.json();
  };
  /** Every alert, page by page. */
  const all = async (query = "", limit = 500): Promise<Alert[]> => {
    const items: Alert[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: Alert[]; nextCursor: string | null } = await get(
        `?limit=${limit}${query}${cursor ? `&cursor=${cursor}` : ""}`,
      );
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return items;
  };
  const ofKind = async (kind: string, query = "") => all(`&kind=${kind}${query}`);

  describe("from the demo", () => {
    test("behavior: program spending whose evidence files are not in the store", async () => {
      // The fixture's evidence folder starts empty: no program disbursement can show its invoices.
      const program = await f.store.query<{ idx: bigint; evidence: string[] }>(
        `select e.idx, e.record->'evidence' as evidence from entries e where e.kind = 34 and e.record->>'category' = '1'
         and not exists (select 1 from entries r where r.kind = 35 and r.record->>'targetIndex' = e.idx::text) order by e.idx`,
      );
      const before = await ofKind("programWithoutEvidence");
      expect(before.map((a) => a.entries)).toStrictEqual(program.map((p) => [p.idx.toString()]));
      expect(before.every((a) => a.status === "none" && a.orgName !== null && a.campaignId !== null)).toBe(true);

      // Upload all the files of the first, and one of the second.
      const evidenceDir = join(f.dataDir, "evidence");
      await mkdir(evidenceDir, { recursive: true });
      const [first, second] = program;
      for (const h of first?.evidence ?? []) await writeFile(join(evidenceDir, h.slice(2).toLowerCase()), "invoice");
      const held = second?.evidence[0] ?? "";
      await writeFile(join(evidenceDir, held.slice(2).toLowerCase()), "invoice");
      const after = await ofKind("programWithoutEvidence");
      expect(after.map((a) => a.entries[0])).toStrictEqual(program.slice(1).map((p) => p.idx.toString()));
      const partial = after[0];
      expect(partial?.status).toBe("partial");
      expect(partial?.evidence).toContainEqual({
        sha256: held.toLowerCase(),
        url: `/v1/evidence/${held.slice(2).toLowerCase()}`,
        available: true,
      });
    });

    test("behavior: the demo's progress reports came after the 3-month deadline", async () => {
      const late = await ofKind("disclosureOverdue");
      for (const { campaignId, orgId } of f.demo.campaigns) {
        const alert = late.find((a) => a.campaignId === campaignId.toString() && a.obligation === "progress");
        // The demo's campaigns started on 1 January 2026 and published their first progress report
        // when the demo was recorded, later than 1 April.
        expect(alert).toMatchObject({ status: "late", dueAt: "2026-04-01T00:00:00Z", orgId: orgId.toString() });
        const [report] = await f.store.query<{ idx: bigint }>(
          "select idx from entries where kind = 32 and record->>'campaignId' = $1 and record->>'disclosureKind' = '1'",
          [campaignId.toString()],
        );
        expect(alert?.entries).toContain(report?.idx.toString());
      }
    });
  });

  describe("from entries written for the test", () => {
    test("behavior: a donation at the default threshold is large, one fen less is not", async () => {
      const threshold = DEFAULT_LARGE_DONATION.CNY ?? 0n;
      expect(await ofKind("largeDonation")).toStrictEqual([]);
      const big = await w.donate(DEMO_ORG.communityB, 4n, threshold);
      await w.donate(DEMO_ORG.communityB, 4n, threshold - 1n);
      await f.sync();
      const large = await ofKind("largeDonation");
      expect(large).toMatchObject([
        {
          id: `largeDonation:${big.index}`,
          orgId: "4",
          campaignId: "4",
          entries: [big.index.toString()],
          amount: threshold.toString(),
          threshold: threshold.toString(),
          donorKind: "receipt",
          reversedBy: null,
        },
      ]);
      // Reversed, it stays listed with its reversal.
      const reversal = await w.reverse(DEMO_ORG.communityB, big.ref, big.index, 3);
      await f.sync();
      const [again] = await ofKind("largeDonation");
      expect(again?.reversedBy).toMatchObject({ index: reversal.toString(), reason: 3 });
      expect(again?.entries).toStrictEqual([big.index.toString(), reversal.toString()]);
    });

    test("behavior: administration above the foundation's 10% of the year's spending", async () => {
      expect(await ofKind("managementCostRatio")).toStrictEqual([]);
      const admin = await w.disburse(DEMO_ORG.foundation, 1n, { amount: 2_500_000n, category: 2 });
      await f.sync();
      const [entry] = await f.store.query<{ ts: bigint }>("select ts from entries where idx = $1", [admin.index]);
      const year = yearOf(Number(entry?.ts));
      const [spent] = await f.store.query<{ total: string }>(
        `select sum((e.record->>'amount')::numeric)::text as total from entries e
         where e.kind = 34 and e.actor_org = 2 and extract(year from to_timestamp(e.ts + 28800) at time zone 'UTC') = $1
           and not exists (select 1 from entries r where r.kind = 35 and r.record->>'targetIndex' = e.idx::text)`,
        [year],
      );
      const total = BigInt(spent?.total ?? 0);
      expect(2_500_000n * 10n).toBeGreaterThan(total); // the setup is over 10%
      const alerts = await ofKind("managementCostRatio");
      expect(alerts).toMatchObject([
        {
          id: `managementCostRatio:2:${year}:CNY`,
          orgId: "2",
          orgName: f.demo.orgs[1]?.name,
          campaignId: null,
          entries: [admin.index.toString()],
          year,
          currency: "CNY",
          administration: "2500000",
          total: total.toString(),
          limit: "0.10",
          policySource: "foundation",
          exceedsLimit: true,
        },
      ]);
      const ratio = alerts[0]?.ratio as string;
      const exact = (2_500_000n * 10_000n * 2n + total) / (total * 2n);
      expect(ratio).toBe(`0.${exact.toString().padStart(4, "0")}`);
      // The community charity's administration (about 18% of its spending) is under ¥200,000: exempt.
      await w.disburse(DEMO_ORG.communityA, 3n, { amount: 2_000_000n, category: 2 });
      await f.sync();
      expect((await ofKind("managementCostRatio")).map((a) => a.orgId)).toStrictEqual(["2"]);
    });

    test("behavior: a failed self-check of the indexer", async () => {
      await f.store.query(
        `insert into self_check_failures (from_block, to_block, expected_root, computed_root, message)
         values (10, 12, decode(repeat('ab', 32), 'hex'), decode(repeat('cd', 32), 'hex'), 'Self-check failed for blocks 10..12: root mismatch\nDetails: x')`,
      );
      const [failure] = await ofKind("selfCheckFailed");
      expect(failure).toMatchObject({
        orgId: null,
        campaignId: null,
        entries: [],
        fromBlock: "10",
        toBlock: "12",
        expectedRoot: `0x${"ab".repeat(32)}`,
        computedRoot: `0x${"cd".repeat(32)}`,
        message: "Self-check failed for blocks 10..12: root mismatch",
      });
      expect(await ofKind("selfCheckFailed", "&org=2")).toStrictEqual([]);
    });

    test("behavior: a campaign that misses its progress report is overdue, at the chain's time", async () => {
      const start = await w.now();
      const id = await w.openCampaign(DEMO_ORG.communityA, {
        startTime: start,
        endTime: BigInt(addMonths(Number(start), 12)),
      });
      await f.sync();
      const mine = async () => (await ofKind("disclosureOverdue")).filter((a) => a.campaignId === id.toString());
      expect(await mine()).toStrictEqual([]);
      await w.setNextTime(BigInt(addMonths(Number(start), 3)) + DAY);
      await w.donate(DEMO_ORG.communityA, id, 100n);
      await f.sync();
      expect(await mine()).toMatchObject([
        { status: "overdue", obligation: "progress", orgId: "3", disclosedAt: null, entries: [expect.any(String)] },
      ]);
    });
  });

  describe("arguments", () => {
    test("args: pages of any size list the same alerts; kind and org filter", async () => {
      const everything = await all();
      expect(everything.length).toBeGreaterThan(5);
      expect(new Set(everything.map((a) => a.id)).size).toBe(everything.length);
      expect((await all("", 2)).map((a) => a.id)).toStrictEqual(everything.map((a) => a.id));
      expect((await all("", 3)).map((a) => a.id)).toStrictEqual(everything.map((a) => a.id));
      // Kinds come in a fixed order.
      const order = [
        "selfCheckFailed",
        "disclosureOverdue",
        "managementCostRatio",
        "programWithoutEvidence",
        "largeDonation",
      ];
      const positions = everything.map((a) => order.indexOf(a.kind));
      expect(positions).toStrictEqual([...positions].sort((a, b) => a - b));
      const two = await all("&kind=largeDonation&kind=selfCheckFailed");
      expect(two.map((a) => a.id)).toStrictEqual(
        everything.filter((a) => a.kind === "largeDonation" || a.kind === "selfCheckFailed").map((a) => a.id),
      );
      const org3 = await all("&org=3");
      expect(org3.length).toBeGreaterThan(0);
      expect(org3.every((a) => a.orgId === "3")).toBe(true);
      expect(org3.map((a) => a.id)).toStrictEqual(everything.filter((a) => a.orgId === "3").map((a) => a.id));
      const page = await get("?limit=1");
      expect(page.asOf).toMatch(/^\d{4}-\d{2}-\d{2}T/);
      expect(page.ledger.logSize).toMatch(/^[1-9][0-9]*$/);
    });

    test("error: unknown kind, malformed org or cursor, unknown field", async () => {
      expect((await get("?kind=fraud", 400)).errors[0].field).toMatch(/^querystring\.kind/);
      expect((await get("?org=x", 400)).errors[0].field).toBe("querystring.org");
      expect((await get("?cursor=WzksIngiXQ", 400)).errors).toStrictEqual([
        { field: "querystring.cursor", reason: "is not a cursor this API gave out" },
      ]);
      expect((await get("?severity=high", 400)).errors).toStrictEqual([
        { field: "querystring.severity", reason: "is not a known field" },
      ]);
    });

    test("behavior: the OpenAPI document lists the domain routes", async () => {
      const paths = Object.keys((await f.app.inject("/openapi.json")).json().paths);
      for (const path of [
        "/v1/orgs",
        "/v1/orgs/{orgId}",
        "/v1/campaigns",
        "/v1/campaigns/{campaignId}",
        "/v1/campaigns/{campaignId}/entries",
        "/v1/campaigns/{campaignId}/flow",
        "/v1/donations/lookup",
        "/v1/volunteers/lookup",
        "/v1/exports/donations.csv",
        "/v1/exports/disbursements.csv",
        "/v1/exports/credits.csv",
        "/v1/alerts",
      ])
        expect(paths).toContain(path);
    });
  });
});
