/**
 * Time in the domain routes. Entries carry their block's timestamp (unix seconds); answers give
 * ISO 8601 UTC. Legal periods ("within 3 months", "this year") are calendar periods in China
 * Standard Time (UTC+8), where the organisations and the rules are.
 */

const CST_OFFSET = 8 * 3600;

/** Unix seconds → "2026-11-26T21:42:06Z". */
export function isoTime(seconds: bigint | number): string {
  return new Date(Number(seconds) * 1000).toISOString().replace(".000Z", "Z");
}

/**
 * `months` calendar months after `seconds`, in China Standard Time, at the same time of day; a
 * day the target month lacks becomes its last day (31 Aug + 3 months = 30 Nov).
 */
export function addMonths(seconds: number, months: number): number {
  const local = new Date((seconds + CST_OFFSET) * 1000);
  const year = local.getUTCFullYear();
  const month = local.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const day = Math.min(local.getUTCDate(), lastDay);
  const shifted = Date.UTC(year, month, day, local.getUTCHours(), local.getUTCMinutes(), local.getUTCSeconds());
  return shifted / 1000 - CST_OFFSET;
}

/** The calendar year of `seconds` in China Standard Time. */
export function yearOf(seconds: number): number {
  return new Date((seconds + CST_OFFSET) * 1000).getUTCFullYear();
}

/** [start, end) of a calendar year in China Standard Time, unix seconds. */
export function yearRange(year: number): [number, number] {
  return [Date.UTC(year, 0, 1) / 1000 - CST_OFFSET, Date.UTC(year + 1, 0, 1) / 1000 - CST_OFFSET];
}

/** "2026-03-01" → unix seconds at 00:00 UTC of that day; undefined for anything else. */
export function parseDay(value: string): number | undefined {
  const match = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(value);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(year, month - 1, day);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) return undefined;
  return ms / 1000;
}
