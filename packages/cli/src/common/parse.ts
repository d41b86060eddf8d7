/**
 * Readers for what users type or export from their systems: dates, ids, hashes, purpose tags,
 * pseudonyms. Each returns a value or a reason in plain words, so that the CSV import can report
 * every bad cell and the commands can refuse a bad option with the same message.
 */
import { createHash, createHmac } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { Hex } from "viem";
import { CliError, exitCode } from "./cliError.ts";

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = (reason: string): Parsed<never> => ({ ok: false, reason });

export type CalendarDate = { year: number; month: number; day: number };

/**
 * "2026-11-26", "2026/11/26", "2026/1/5", "2026年11月26日", or an ISO date-time
 * ("2026-11-26T09:30:00+08:00", whose date part is taken as written).
 */
export function parseDate(text: string): Parsed<CalendarDate> {
  const t = text.trim();
  if (t === "") return fail("it is empty");
  const match =
    /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(t) ??
    /^(\d{4})年(\d{1,2})月(\d{1,2})日$/.exec(t);
  if (!match) return fail(`"${t}" is not a date; write it as 2026-11-26 or 2026/11/26`);
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) {
    return fail(`${t} is not a day of the calendar`);
  }
  if (year < 2000 || year > 2099) return fail(`${t} is outside 2000–2099`);
  return ok({ year, month, day });
}

/** YYYYMMDD, as the volunteer-credit contract stores a service date. */
export function dateNumber(d: CalendarDate): number {
  return d.year * 10_000 + d.month * 100 + d.day;
}

/** Start of the day in China Standard Time (UTC+08:00), as unix seconds. */
export function dateToUnixCst(d: CalendarDate): bigint {
  return BigInt(Date.UTC(d.year, d.month - 1, d.day) / 1000 - 8 * 3600);
}

export function formatDate(d: CalendarDate): string {
  return `${d.year}-${String(d.month).padStart(2, "0")}-${String(d.day).padStart(2, "0")}`;
}

/** A positive integer id that fits in a u64. */
export function parseId(text: string, what: string): Parsed<bigint> {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return fail(`"${t}" is not a ${what} (a whole number)`);
  const value = BigInt(t);
  if (value === 0n) return fail(`${what} 0 does not exist; ids start at 1`);
  if (value >= 2n ** 64n) return fail(`${t} is too large for a ${what}`);
  return ok(value);
}

/** A whole number from 0 to `max`, for minutes and points. */
export function parseCount(text: string, what: string, max: bigint): Parsed<bigint> {
  const t = text.trim().replaceAll(",", "");
  if (t === "") return ok(0n);
  if (!/^\d+$/.test(t)) return fail(`"${text.trim()}" is not a whole number of ${what}`);
  const value = BigInt(t);
  if (value > max) return fail(`${value} ${what} is more than the ledger can hold (${max})`);
  return ok(value);
}

/** The tag of a restricted purpose: SHA-256 of "purpose:<label>" (as the demo data set and `campaign open` make them), or a 0x-hex tag as is. */
export function purposeTag(label: string): Hex {
  const t = label.trim();
  if (/^0x[0-9a-fA-F]{64}$/.test(t)) return t.toLowerCase() as Hex;
  return sha256Hex(Buffer.from(`purpose:${t}`, "utf8"));
}

export function sha256Hex(data: Uint8Array | string): Hex {
  return `0x${createHash("sha256").update(data).digest("hex")}`;
}

/**
 * The keyed pseudonym of a person (a volunteer, an external payee): HMAC-SHA-256 under the
 * organisation's pseudonym key of the identity as written (trimmed, Unicode NFC). Never a bare
 * hash: an ID number has too few possible values to hide behind one.
 */
export function pseudonym(key: Uint8Array, identity: string): Hex {
  return `0x${createHmac("sha256", key).update(identity.trim().normalize("NFC"), "utf8").digest("hex")}`;
}

/** Reads a pseudonym key: 32 bytes as 0x-hex, from a file or the SHANJI_PSEUDONYM_KEY variable. */
export async function readPseudonymKey(file: string | undefined, env = process.env): Promise<Uint8Array> {
  let text: string | undefined;
  let source: string;
  if (file) {
    source = file;
    text = await readFile(file, "utf8").catch((error: unknown) => {
      throw new CliError(`cannot read the pseudonym key ${file}`, { cause: error, exitCode: exitCode.usage });
    });
  } else {
    source = "SHANJI_PSEUDONYM_KEY";
    text = env.SHANJI_PSEUDONYM_KEY;
    if (!text && env.SHANJI_PSEUDONYM_KEY_FILE) return readPseudonymKey(env.SHANJI_PSEUDONYM_KEY_FILE, {});
  }
  if (!text) {
    throw new CliError("this file names people (volunteers or payees): the organisation's pseudonym key is needed", {
      exitCode: exitCode.usage,
      details:
        "Give it with --pseudonym-key FILE (or SHANJI_PSEUDONYM_KEY_FILE / SHANJI_PSEUDONYM_KEY). Create one once with `shanji keys new-pseudonym-key FILE`.",
    });
  }
  const hex = text.trim();
  if (!/^(0x)?[0-9a-fA-F]{64}$/.test(hex)) {
    throw new CliError(`the pseudonym key in ${source} is not 32 bytes of hex`, { exitCode: exitCode.usage });
  }
  return Buffer.from(hex.replace(/^0x/, ""), "hex");
}

/** A bytes32 given as 0x-hex, or the SHA-256 of the file at that path. */
export async function hashOrFile(value: string, what: string): Promise<Hex> {
  if (/^0x[0-9a-fA-F]{64}$/.test(value)) return value.toLowerCase() as Hex;
  try {
    return sha256Hex(await readFile(value));
  } catch (error) {
    throw new CliError(`${what}: "${value}" is neither a 0x SHA-256 hash nor a readable file`, {
      cause: error,
      exitCode: exitCode.usage,
    });
  }
}

/** Throws a usage CliError for a Parsed failure of an option. */
export function required<T>(parsed: Parsed<T>, option: string): T {
  if (!parsed.ok) throw new CliError(`${option}: ${parsed.reason}`, { exitCode: exitCode.usage });
  return parsed.value;
}
