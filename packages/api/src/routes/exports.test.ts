import { toDecimalString } from "@shanji/core";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { describeEachBackend } from "../../../indexer/src/store/_test/testDatabase.ts";
import { type ApiFixture, openApiFixture } from "../_test/apiFixture.ts";
import { isoTime } from "../domain/time.ts";

/** RFC 4180: fields, quotes doubled inside quoted fields, CRLF rows. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(cell);
      cell = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      i++;
    } else cell += c;
  }
  expect(cell).toBe("");
  expect(row).toStrictEqual([]);
  return rows;
}

type Csv = { header: string[]; rows: Record<string, string>[]; headers: Record<string, unknown> };

describeEachBackend("CSV exports", (backend) => {
  let f: ApiFixture;
  beforeAll(async () => {
    f = await openApiFixture(backend.freshStore);
  });
  afterAll(() => f?.close());

  const download = async (url: string): Promise<Csv> => {
    const res = await f.app.inject(url);
    expect(res.statusCode, res.body).toBe(200);
    expect([...res.rawPayload.subarray(0, 3)]).toStrictEqual([0xef, 0xbb, 0xbf]);
    const [header = [], ...lines] = parseCsv(res.rawPayload.subarray(3).toString("utf8"));
    return {
      header,
      rows: lines.map((cells) => {
        expect(cells).toHaveLength(header.length);
        return Object.fromEntries(header.map((h, i) => [h, cells[i] ?? ""]));
      }),
      headers: res.headers,
    };
  };
  const count = async (sql: string, params: unknown[] = []) => {
    const [row] = await f.store.query<{ n: bigint }>(sql, params);
    return Number(row?.n);
  };

  describe("donations.csv", () => {
    test("behavior: every donation, streamed, with a BOM, a header row and exact amounts", async () => {
      const spy = vi.spyOn(f.store, "stream");
      const csv = await download("/v1/exports/donations.csv");
      expect(spy).toHaveBeenCalledTimes(1);
      spy.mockRestore();
      expect(csv.headers["content-type"]).toBe("text/csv; charset=utf-8");
      expect(csv.headers["content-disposition"]).toBe('attachment; filename="shanji-donations.csv"');
      expect(csv.headers["transfer-encoding"]).toBe("chunked");
      expect(csv.headers["x-shanji-log-size"]).toMatch(/^[1-9][0-9]*$/);
      expect(csv.header).toStrictEqual([
        "index",
        "time",
        "block_number",
        "tx_hash",
        "org_id",
        "org_name",
        "campaign_id",
        "donor_kind",
        "donor",
        "amount",
        "currency",
        "amount_minor",
        "channel",
        "purpose_tag",
        "in_kind_hash",
        "claim_id",
        "external_ref",
        "reversed",
        "reversed_by_index",
        "reversal_time",
      ]);
      expect(csv.rows).toHaveLength(await count("select count(*) as n from entries where kind = 33"));
      // Each row against its entry on chain.
      const entries = await f.store.query<{
        idx: bigint;
        ts: bigint;
        actor_org: bigint;
        amount: string;
        donor: string;
      }>(
        "select idx, ts, actor_org, record->>'amount' as amount, record->>'donor' as donor from entries where kind = 33 order by idx",
      );
      entries.forEach((e, i) => {
        const row = csv.rows[i];
        expect(row).toMatchObject({
          index: e.idx.toString(),
          time: isoTime(e.ts),
          org_id: e.actor_org.toString(),
          amount_minor: e.amount,
          amount: toDecimalString(BigInt(e.amount), "CNY"),
          currency: "CNY",
        });
        expect(row?.amount).toMatch(/^[0-9]+\.[0-9]{2}$/);
      });
      // A receipt's donation, as the demo recorded it, in yuan and fen.
      const receipt = f.demo.receipts.find((r) => r.amountFen % 100n !== 0n);
      if (!receipt) throw new Error("the demo has no donation with fen");
      const yuan = `${receipt.amountFen / 100n}.${(receipt.amountFen % 100n).toString().padStart(2, "0")}`;
      expect(csv.rows.some((r) => r.amount === yuan && r.campaign_id === receipt.campaignId.toString())).toBe(true);
      // Chinese names survive; reversed donations are marked with their reversal.
      expect(csv.rows.filter((r) => r.org_id === "2")[0]?.org_name).toBe(f.demo.orgs[1]?.name);
      const reversed = csv.rows.filter((r) => r.reversed === "true");
      expect(reversed).toHaveLength(
        await count("select count(*) as n from entries where kind = 35 and record->>'targetKind' = '33'"),
      );
      for (const r of reversed) expect(r.reversed_by_index).toMatch(/^[0-9]+$/);
      expect(csv.rows.filter((r) => r.donor_kind === "organisation").map((r) => r.donor)).toStrictEqual(["5", "5"]);
    });

    test("args: organisation, campaign and days filter the rows", async () => {
      const csv = await download("/v1/exports/donations.csv?org=3&campaign=5");
      expect(csv.headers["content-disposition"]).toBe('attachment; filename="shanji-donations-org-3-campaign-5.csv"');
      expect(csv.rows).toHaveLength(
        await count("select count(*) as n from entries where kind = 33 and record->>'campaignId' = '5'"),
      );
      expect(new Set(csv.rows.map((r) => r.campaign_id))).toStrictEqual(new Set(["5"]));
      expect((await download("/v1/exports/donations.csv?org=2&campaign=5")).rows).toStrictEqual([]);

      const [span] = await f.store.query<{ first: bigint; last: bigint }>(
        "select min(ts) as first, max(ts) as last from entries where kind = 33",
      );
      const day = (ts: bigint | undefined, offset = 0) =>
        new Date((Number(ts) + offset * 86_400) * 1000).toISOString().slice(0, 10);
      const all = await download(`/v1/exports/donations.csv?from=${day(span?.first)}&to=${day(span?.last)}`);
      expect(all.rows).toHaveLength(await count("select count(*) as n from entries where kind = 33"));
      expect((await download(`/v1/exports/donations.csv?from=${day(span?.last, 1)}`)).rows).toStrictEqual([]);
      expect((await download(`/v1/exports/donations.csv?to=${day(span?.first, -1)}`)).rows).toStrictEqual([]);
      const oneDay = await download(`/v1/exports/donations.csv?from=${day(span?.last)}&to=${day(span?.last)}`);
      const [start, end] = [
        Date.parse(`${day(span?.last)}T00:00:00Z`) / 1000,
        Date.parse(`${day(span?.last)}T00:00:00Z`) / 1000 + 86_400,
      ];
      expect(oneDay.rows).toHaveLength(
        await count("select count(*) as n from entries where kind = 33 and ts >= $1 and ts < $2", [start, end]),
      );
    });

    test("error: bad filters name the field", async () => {
      const bad = async (query: string) => {
        const res = await f.app.inject(`/v1/exports/donations.csv?${query}`);
        expect(res.statusCode).toBe(400);
        expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
        return res.json().errors;
      };
      expect(await bad("from=2026-02-30")).toStrictEqual([
        { field: "querystring.from", reason: "is not a calendar day" },
      ]);
      expect(await bad("from=2026-03-02&to=2026-03-01")).toStrictEqual([
        { field: "querystring.to", reason: "is before querystring.from" },
      ]);
      expect((await bad("to=yesterday"))[0].field).toBe("querystring.to");
      expect((await bad("org=two"))[0].field).toBe("querystring.org");
      expect(await bad("activity=1")).toStrictEqual([
        { field: "querystring.activity", reason: "is not a known field" },
      ]);
    });
  });

  describe("disbursements.csv", () => {
    test("behavior: categories, payees, evidence hashes and the reversed disbursement", async () => {
      const csv = await download("/v1/exports/disbursements.csv");
      const entries = await f.store.query<{
        idx: bigint;
        record: { amount: string; evidence: string[]; payeeKind: number; category: number };
      }>("select idx, record from entries where kind = 34 order by idx");
      expect(csv.rows).toHaveLength(entries.length);
      entries.forEach((e, i) => {
        const row = csv.rows[i];
        expect(row?.index).toBe(e.idx.toString());
        expect(row?.amount_minor).toBe(e.record.amount);
        expect(row?.amount).toBe(toDecimalString(BigInt(e.record.amount), "CNY"));
        expect(row?.evidence).toBe(e.record.evidence.map((h) => h.toLowerCase()).join(";"));
        expect(row?.category).toBe(["", "program", "administration", "fundraising"][e.record.category]);
      });
      const grants = csv.rows.filter((r) => r.payee_kind === "organisation");
      expect(grants.map((g) => [g.campaign_id, g.payee, g.payee_campaign_id])).toStrictEqual([
        ["1", "3", "3"],
        ["6", "4", "4"],
      ]);
      expect(csv.rows.filter((r) => r.reversed === "true")).toHaveLength(1);
    });

    test("args: a campaign's disbursements do not include grants it received", async () => {
      const csv = await download("/v1/exports/disbursements.csv?campaign=3");
      expect(csv.rows.every((r) => r.campaign_id === "3")).toBe(true);
      expect(csv.rows).toHaveLength(
        await count("select count(*) as n from entries where kind = 34 and record->>'campaignId' = '3'"),
      );
    });
  });

  describe("credits.csv", () => {
    test("behavior: volunteer credits with minutes, points and the two corrections", async () => {
      const csv = await download("/v1/exports/credits.csv");
      expect(csv.header.slice(6, 12)).toStrictEqual([
        "activity_id",
        "volunteer",
        "minutes",
        "points",
        "service_date",
        "external_ref",
      ]);
      expect(csv.rows).toHaveLength(f.demo.counts.credits ?? -1);
      expect(csv.rows.filter((r) => r.reversed === "true")).toHaveLength(f.demo.counts.creditCorrections ?? -1);
      expect(csv.rows.every((r) => /^2026-[0-9]{2}-[0-9]{2}$/.test(r.service_date ?? ""))).toBe(true);
      const enterprise = await download("/v1/exports/credits.csv?org=5&activity=5");
      expect(enterprise.rows.length).toBeGreaterThan(0);
      expect(enterprise.rows.every((r) => r.minutes === "240" && r.points === "0" && r.org_id === "5")).toBe(true);
    });

    test("error: credits have activities, not campaigns", async () => {
      const res = await f.app.inject("/v1/exports/credits.csv?campaign=1");
      expect(res.statusCode).toBe(400);
      expect(res.json().errors).toStrictEqual([{ field: "querystring.campaign", reason: "is not a known field" }]);
    });
  });
});
