import { describe, expect, test } from "vitest";
import { apportion } from "./apportion.ts";
import { csvCell, csvText } from "./csv.ts";
import { disclosureSchedule } from "./disclosureSchedule.ts";
import { hoursText } from "./hours.ts";
import { createDomainRules, DEFAULT_LARGE_DONATION } from "./options.ts";
import { exceeds, formatRatio, parseFraction } from "./ratio.ts";
import { addMonths, parseDay, yearOf } from "./time.ts";

const at = (iso: string) => Date.parse(iso) / 1000;

describe("management-cost policy", () => {
  test("behavior: defaults by credit code; overrides by kind, then by organisation", () => {
    const defaults = createDomainRules({}, "/nowhere");
    expect(defaults.policyFor({ orgId: 2n, kind: 1, creditCode: "53110105MJ0000012L" })).toMatchObject({
      limit: "0.10",
      source: "foundation",
      exemptBelow: {},
    });
    expect(defaults.policyFor({ orgId: 3n, kind: 1, creditCode: "52110105MJ0000013T" })).toMatchObject({
      limit: "0.13",
      source: "default",
      exemptBelow: { CNY: 20_000_000n },
    });
    expect([...defaults.largeDonation]).toStrictEqual(Object.entries(DEFAULT_LARGE_DONATION));

    const custom = createDomainRules(
      {
        managementCost: {
          byOrgKind: { charity: { limit: "0.15" } },
          byOrg: { "2": { limit: "0.2", exemptBelow: { CNY: 1n } } },
        },
        largeDonation: { CNY: 1_000n },
      },
      "/nowhere",
    );
    expect(custom.policyFor({ orgId: 2n, kind: 1, creditCode: "53110105MJ0000012L" })).toMatchObject({
      limit: "0.2",
      source: "org",
    });
    expect(custom.policyFor({ orgId: 3n, kind: 1, creditCode: "52110105MJ0000013T" })).toMatchObject({
      limit: "0.15",
      source: "orgKind",
    });
    expect(custom.policyFor({ orgId: 5n, kind: 2, creditCode: "91110105MA0000015F" }).source).toBe("default");
    expect([...custom.largeDonation]).toStrictEqual([["CNY", 1_000n]]);
  });

  test("error: a limit that is not a decimal fraction fails at startup", () => {
    expect(() => createDomainRules({ managementCost: { default: { limit: "10%" } } }, "/x")).toThrow(
      'domain.managementCost.default.limit: "10%" is not a decimal fraction',
    );
  });
});

describe("ratios", () => {
  test("behavior: four places, half up; exact comparison with the limit", () => {
    expect(formatRatio(834n, 10_000n)).toBe("0.0834");
    expect(formatRatio(1n, 3n)).toBe("0.3333");
    expect(formatRatio(2n, 3n)).toBe("0.6667");
    expect(formatRatio(1n, 20_000n)).toBe("0.0001"); // 0.00005 rounds up
    expect(formatRatio(0n, 5n)).toBe("0.0000");
    expect(formatRatio(5n, 5n)).toBe("1.0000");
    expect(formatRatio(1n, 0n)).toBeNull();
    const tenth = parseFraction("0.10");
    if (!tenth) throw new Error("0.10 did not parse");
    expect(exceeds(10_001n, 100_001n, tenth)).toBe(true); // shown as 0.1000, still above
    expect(exceeds(10_000n, 100_000n, tenth)).toBe(false);
    expect(parseFraction("1")).toStrictEqual({ num: 1n, den: 1n });
    expect(parseFraction("-0.1")).toBeUndefined();
    expect(parseFraction("0.1e2")).toBeUndefined();
  });

  test("behavior: hours with two places", () => {
    expect(hoursText(90n)).toBe("1.50");
    expect(hoursText(50n)).toBe("0.83");
    expect(hoursText(1n)).toBe("0.02");
    expect(hoursText(0n)).toBe("0.00");
  });

  test("behavior: apportion adds up exactly, largest remainders first", () => {
    expect(apportion(100n, 300n, [100n, 100n, 100n])).toStrictEqual([34n, 33n, 33n]);
    expect(apportion(7n, 7n, [3n, 4n])).toStrictEqual([3n, 4n]);
    expect(apportion(10n, 0n, [1n])).toStrictEqual([0n]);
    const parts = apportion(1_000_001n, 999_999n, [333_333n, 333_333n, 333_333n]);
    expect(parts.reduce((a, b) => a + b, 0n)).toBe(1_000_001n);
  });
});

describe("calendar", () => {
  test("behavior: months in China Standard Time, short months clamp", () => {
    expect(addMonths(at("2026-01-01T00:00:00Z"), 3)).toBe(at("2026-04-01T00:00:00Z"));
    // 31 August, Beijing time, plus 3 months: 30 November.
    expect(addMonths(at("2026-08-30T16:00:00Z"), 3)).toBe(at("2026-11-29T16:00:00Z"));
    // 31 December 20:00 UTC is already 1 January in Beijing.
    expect(yearOf(at("2026-12-31T20:00:00Z"))).toBe(2027);
    expect(parseDay("2026-02-28")).toBe(at("2026-02-28T00:00:00Z"));
    expect(parseDay("2026-02-29")).toBeUndefined();
    expect(parseDay("2026-2-1")).toBeUndefined();
  });
});

describe("disclosure schedule", () => {
  const start = at("2026-01-01T00:00:00Z");
  const end = at("2027-01-01T00:00:00Z");
  const d = (index: number, iso: string, kind = 1) => ({ index: BigInt(index), time: at(iso), kind });

  test("behavior: reports every 3 months are met; each one starts the next period", () => {
    const obligations = disclosureSchedule({
      start,
      end,
      disclosures: [d(1, "2026-03-20T00:00:00Z"), d(2, "2026-06-15T00:00:00Z"), d(3, "2026-09-10T00:00:00Z")],
      now: at("2026-11-01T00:00:00Z"),
    });
    expect(obligations.map((o) => [o.obligation, o.status])).toStrictEqual([
      ["progress", "met"],
      ["progress", "met"],
      ["progress", "met"],
      ["progress", "pending"],
      ["final", "pending"],
    ]);
    expect(obligations[1]?.dueAt).toBe(at("2026-06-20T00:00:00Z"));
  });

  test("behavior: a missed report is overdue; published later it is late; corrections do not count", () => {
    const now = at("2026-05-01T00:00:00Z");
    const missed = disclosureSchedule({ start, end, disclosures: [d(1, "2026-02-01T00:00:00Z", 8)], now });
    expect(missed[0]).toMatchObject({ status: "overdue", dueAt: at("2026-04-01T00:00:00Z"), disclosedAt: null });
    const late = disclosureSchedule({ start, end, disclosures: [d(2, "2026-04-15T00:00:00Z")], now });
    expect(late[0]).toMatchObject({ status: "late", disclosureIndex: 2n });
    expect(late[1]).toMatchObject({ status: "pending", dueAt: at("2026-07-15T00:00:00Z") });
  });

  test("behavior: the final report is due 3 months after the end, for short campaigns too", () => {
    const short = { start, end: at("2026-04-01T00:00:00Z") };
    expect(disclosureSchedule({ ...short, disclosures: [], now: at("2026-07-02T00:00:00Z") })).toStrictEqual([
      {
        obligation: "final",
        dueAt: at("2026-07-01T00:00:00Z"),
        status: "overdue",
        disclosedAt: null,
        disclosureIndex: null,
      },
    ]);
    const done = disclosureSchedule({
      ...short,
      disclosures: [d(9, "2026-06-01T00:00:00Z", 2)],
      now: at("2026-08-01T00:00:00Z"),
    });
    expect(done).toMatchObject([{ obligation: "final", status: "met", disclosureIndex: 9n }]);
    expect(disclosureSchedule({ start, end: null, disclosures: [], now: start - 1 })).toStrictEqual([]);
  });
});

describe("CSV cells", () => {
  test("behavior: quoting and formula defusing", () => {
    expect(csvCell("plain")).toBe("plain");
    expect(csvCell('a,"b"')).toBe('"a,""b"""');
    expect(csvText("=HYPERLINK()")).toBe("'=HYPERLINK()");
    expect(csvText("朝阳区慈善基金会")).toBe("朝阳区慈善基金会");
  });
});
