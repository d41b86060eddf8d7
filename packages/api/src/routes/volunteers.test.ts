import { bytesToHex } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { describeEachBackend } from "../../../indexer/src/store/_test/testDatabase.ts";
import { type ApiFixture, openApiFixture } from "../_test/apiFixture.ts";
import { type LedgerWriter, ledgerWriter } from "../domain/_test/writeLedger.ts";

type Answer = {
  volunteer: string;
  minutes: string;
  hours: string;
  points: { issued: string; reversed: string; redeemed: string; balance: string };
  credits: {
    index: string;
    minutes: number;
    points: string;
    serviceDate: string;
    orgId: string;
    reversedBy: null | { index: string; reason: number };
  }[];
  redemptions: { points: string; merchantOrgId: string; merchantName: string }[];
  certificates: { minutesCovered: string; certificate: { sha256: string; url: string } }[];
};

describeEachBackend("GET /v1/volunteers/lookup", (backend) => {
  let f: ApiFixture;
  let w: LedgerWriter;
  beforeAll(async () => {
    f = await openApiFixture(backend.freshStore);
    w = await ledgerWriter(f);
  });
  afterAll(() => f?.close());

  const lookup = async (code: string, status = 200, page: { limit?: string; cursor?: string } = {}) => {
    const res = await f.app.inject({ url: "/v1/volunteers/lookup", query: { code, ...page } });
    expect(res.statusCode, res.body).toBe(status);
    return res.json();
  };
  /** Volunteers from the chain's entries (not from the views the route reads). */
  const pseudonyms = async (kind: number) =>
    (
      await f.store.query<{ v: string }>(
        "select distinct record->>'volunteer' as v from entries where kind = $1 order by 1",
        [kind],
      )
    ).map((r) => r.v);

  describe("behavior", () => {
    test("behavior: a volunteer who redeemed points: credits, redemptions, certificate; points as the contract holds them", async () => {
      const redeemers = await pseudonyms(63);
      expect(redeemers.length).toBe(f.demo.counts.consentKeys);
      for (const code of redeemers) {
        const a: Answer = await lookup(code);
        expect(a.volunteer).toBe(code);
        const [chain] = await f.store.query<{ n: bigint; minutes: string; points: string }>(
          `select count(*) as n, sum((record->>'minutes')::int)::text as minutes, sum((record->>'points')::bigint)::text as points
           from entries where kind = 61 and record->>'volunteer' = $1`,
          [code],
        );
        expect(BigInt(a.credits.length)).toBe(chain?.n);
        const reversedMinutes = a.credits.filter((c) => c.reversedBy).reduce((s, c) => s + c.minutes, 0);
        expect(Number(a.minutes)).toBe(Number(chain?.minutes) - reversedMinutes);
        expect(a.points.issued).toBe(chain?.points);
        const account = await w.system.credit.read.account([code as `0x${string}`]);
        expect(a.points.balance).toBe(account.points.toString());
        expect(BigInt(a.points.balance)).toBe(
          BigInt(a.points.issued) - BigInt(a.points.reversed) - BigInt(a.points.redeemed),
        );
        expect(a.redemptions.reduce((s, r) => s + BigInt(r.points), 0n).toString()).toBe(a.points.redeemed);
        expect(a.redemptions.every((r) => r.merchantOrgId === "7" && r.merchantName === f.demo.orgs[6]?.name)).toBe(
          true,
        );
        // The demo certifies each redeemer once; the certificate's text states the hours it covers.
        expect(a.certificates).toHaveLength(1);
        const text = f.demo.documents.get(a.certificates[0]?.certificate.sha256 as `0x${string}`);
        expect(text).toContain(`累计 ${Number(a.certificates[0]?.minutesCovered) / 60} 小时`);
        expect(a.hours).toBe((Number(a.minutes) / 60).toFixed(2));
      }
      const twice = await Promise.all(redeemers.map((code) => lookup(code)));
      expect(twice.reduce((n: number, a: Answer) => n + a.redemptions.length, 0)).toBe(f.demo.counts.redemptions);
    });

    test("behavior: a corrected service record shows its reversal", async () => {
      const [reversal] = await f.store.query<{ idx: bigint; volunteer: string; target: string }>(
        "select idx, record->>'volunteer' as volunteer, record->>'targetIndex' as target from entries where kind = 62 order by idx limit 1",
      );
      if (!reversal) throw new Error("the demo reverses no credit");
      const a: Answer = await lookup(reversal.volunteer);
      const credit = a.credits.find((c) => c.index === reversal.target);
      expect(credit?.reversedBy).toMatchObject({ index: reversal.idx.toString(), reason: 2 });
      expect(a.credits.filter((c) => c.reversedBy !== null)).toHaveLength(1);
      expect(a.credits.every((c) => /^2026-[01][0-9]-[0-3][0-9]$/.test(c.serviceDate))).toBe(true);
    });

    test("behavior: pages of records, oldest first, add up to the whole record; totals on every page", async () => {
      // The volunteer with the most credits, redemptions and certificates.
      const [most] = await f.store.query<{ v: string; n: bigint }>(
        `select record->>'volunteer' as v, count(*) as n from entries where kind in (61, 63, 64)
         group by 1 order by 2 desc, 1 limit 1`,
      );
      if (!most || most.n < 3n) throw new Error("the demo has no volunteer with three records");
      const whole: Answer & { nextCursor: string | null } = await lookup(most.v, 200, { limit: "500" });
      expect(whole.nextCursor).toBeNull();
      const records = (a: Answer) => [...a.credits, ...a.redemptions, ...a.certificates];
      expect(BigInt(records(whole).length)).toBe(most.n);
      const pages: (Answer & { nextCursor: string | null })[] = [];
      let cursor: string | undefined;
      do {
        const page = await lookup(most.v, 200, { limit: "2", ...(cursor ? { cursor } : {}) });
        expect(records(page).length).toBeLessThanOrEqual(2);
        expect(page.points).toStrictEqual(whole.points);
        expect(page.minutes).toBe(whole.minutes);
        pages.push(page);
        cursor = page.nextCursor ?? undefined;
      } while (cursor !== undefined && pages.length < 1_000);
      expect(pages.length).toBe(Math.ceil(Number(most.n) / 2));
      const indexes = (list: { index: string }[]) => list.map((r) => BigInt(r.index));
      const all = pages.flatMap((p) => indexes(records(p) as { index: string }[]));
      expect(all).toStrictEqual([...all].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
      expect(pages.flatMap((p) => p.credits)).toStrictEqual(whole.credits);
      expect(pages.flatMap((p) => p.redemptions)).toStrictEqual(whole.redemptions);
      expect(pages.flatMap((p) => p.certificates)).toStrictEqual(whole.certificates);
    });

    test("args: the code without 0x and in upper case", async () => {
      const [code] = await pseudonyms(64);
      if (!code) throw new Error("no certificate in the demo");
      const canonical = await lookup(code);
      expect(await lookup(code.slice(2).toUpperCase())).toStrictEqual(canonical);
      expect(await lookup(`0X${code.slice(2)}`)).toStrictEqual(canonical);
    });
  });

  describe("errors", () => {
    test("error: an unknown volunteer is 404, a malformed code 400", async () => {
      expect((await lookup(bytesToHex(new Uint8Array(32).fill(7)), 404)).detail).toBe("no volunteer has this code");
      expect((await lookup("0x1234", 400)).errors[0].field).toBe("querystring.code");
      const [code] = await pseudonyms(61);
      if (!code) throw new Error("no credit in the demo");
      expect((await lookup(code, 400, { cursor: "not-a-cursor" })).errors[0].field).toBe("querystring.cursor");
      expect((await lookup(code, 400, { limit: "0" })).errors[0].field).toBe("querystring.limit");
      const missing = await f.app.inject("/v1/volunteers/lookup");
      expect(missing.json().errors).toStrictEqual([{ field: "querystring.code", reason: "is required" }]);
    });
  });
});
