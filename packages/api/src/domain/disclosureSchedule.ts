/**
 * When a campaign must disclose, and whether it did (慈善法 as amended in 2023, DOMAIN.md):
 *
 * - Periodic: a campaign that lasts over 6 months (or has no planned end) discloses its progress at
 *   least every 3 months. The first report is due 3 months after the campaign starts; each report
 *   published (a "progress" or "final" disclosure) starts the next 3 months. A report published
 *   after its due date is "late" and still starts the next period from its own publication.
 *   Periods that would fall due at or after the campaign's end are covered by the final report.
 * - Final: every campaign with an end publishes a "final" disclosure within 3 months after it
 *   ends. We apply this to short campaigns too: the 2026 disclosure rules require leftover funds and
 *   the use of the money to be published after any campaign.
 *
 * A campaign ends at its planned end time, or when it is closed, whichever is first. Months are
 * calendar months in China Standard Time; times are when the entries were recorded on chain.
 * "now" is the chain's time at the indexed head (the latest entry's timestamp), never the wall
 * clock, so the same ledger always gives the same answer.
 */
import { addMonths } from "./time.ts";

export type DisclosureObligation = {
  obligation: "progress" | "final";
  /** Unix seconds. */
  dueAt: number;
  /** met: on time; late: published after dueAt; overdue: still missing after dueAt; pending: not due yet. */
  status: "met" | "late" | "overdue" | "pending";
  disclosedAt: number | null;
  disclosureIndex: bigint | null;
};

export type DisclosureScheduleParameters = {
  start: number;
  /** The campaign's end (planned end or closing, whichever first), or null when open-ended. */
  end: number | null;
  /** The campaign's disclosures in entry order: `kind` is the disclosure kind number. */
  disclosures: readonly { index: bigint; time: number; kind: number }[];
  now: number;
};

/** @see packages/core disclosureKind */
const PROGRESS = 1;
const FINAL = 2;
/** A campaign longer than this many months discloses periodically. */
const LONG_CAMPAIGN_MONTHS = 6;
const PERIOD_MONTHS = 3;
/** A bound on periods looked at, so that a campaign dated far ahead cannot make a request loop. */
const MAX_PERIODS = 1_000;

export function disclosureSchedule({ start, end, disclosures, now }: DisclosureScheduleParameters) {
  const obligations: DisclosureObligation[] = [];
  if (now < start) return obligations;
  const reports = disclosures.filter((d) => (d.kind === PROGRESS || d.kind === FINAL) && d.time >= start);

  if (end === null || end > addMonths(start, LONG_CAMPAIGN_MONTHS)) {
    let anchor = start;
    let next = 0;
    for (let period = 0; period < MAX_PERIODS; period++) {
      const dueAt = addMonths(anchor, PERIOD_MONTHS);
      if (end !== null && dueAt >= end) break;
      const report = reports[next];
      if (report !== undefined) {
        obligations.push({
          obligation: "progress",
          dueAt,
          status: report.time <= dueAt ? "met" : "late",
          disclosedAt: report.time,
          disclosureIndex: report.index,
        });
        anchor = Math.max(anchor, report.time);
        next++;
        continue;
      }
      obligations.push({
        obligation: "progress",
        dueAt,
        status: now > dueAt ? "overdue" : "pending",
        disclosedAt: null,
        disclosureIndex: null,
      });
      break;
    }
  }

  if (end !== null) {
    const dueAt = addMonths(end, PERIOD_MONTHS);
    const report = reports.find((d) => d.kind === FINAL);
    obligations.push(
      report === undefined
        ? {
            obligation: "final",
            dueAt,
            status: now > dueAt ? "overdue" : "pending",
            disclosedAt: null,
            disclosureIndex: null,
          }
        : {
            obligation: "final",
            dueAt,
            status: report.time <= dueAt ? "met" : "late",
            disclosedAt: report.time,
            disclosureIndex: report.index,
          },
    );
  }
  return obligations;
}
