/**
 * The receipt codes of an import's donations from people: the file the organisation hands to its
 * donors (each donor types their code into the portal to follow their money). A code is a random
 * 32-byte secret; only SHA-256(code) goes on chain. The file is written whole (atomically, fsync)
 * BEFORE any batch that uses its codes is sent, and read back on a re-run, so that a row never gets
 * a second code and a code never exists on chain without being in the file.
 */
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { parse } from "csv-parse/sync";
import type { Hex } from "viem";
import { writeFileAtomic } from "../common/atomicFile.ts";
import { CliError, exitCode } from "../common/cliError.ts";

export type ReceiptRow = {
  rowId: string;
  code: Hex;
  campaign: string;
  amount: string;
  currency: string;
  date: string;
  donorName: string;
};

const HEADER = ["row_id", "receipt_code", "campaign", "amount", "currency", "date", "donor_name"];

export async function readReceipts(path: string): Promise<Map<string, ReceiptRow>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    return new Map();
  }
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true }) as string[][];
  } catch (error) {
    throw new CliError(`the receipt file ${path} is damaged`, {
      exitCode: exitCode.invalidInput,
      details: "It holds codes already given to donors: repair it from a backup rather than delete it.",
      cause: error,
    });
  }
  const [header, ...rows] = records;
  if (!header || header.join(",") !== HEADER.join(",")) {
    throw new CliError(`${path} is not a receipt file of shanji (its header is not ${HEADER.join(",")})`, {
      exitCode: exitCode.invalidInput,
    });
  }
  const map = new Map<string, ReceiptRow>();
  for (const [rowId = "", code = "", campaign = "", amount = "", currency = "", date = "", donorName = ""] of rows) {
    if (!/^0x[0-9a-f]{64}$/.test(code))
      throw new CliError(`${path}: the receipt code of row id ${rowId} is malformed`, {
        exitCode: exitCode.invalidInput,
      });
    map.set(rowId, { rowId, code: code as Hex, campaign, amount, currency, date, donorName });
  }
  return map;
}

export async function writeReceipts(path: string, rows: Iterable<ReceiptRow>): Promise<void> {
  const cell = (text: string) => (/[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);
  const lines = [HEADER.join(",")];
  for (const r of rows)
    lines.push([r.rowId, r.code, r.campaign, r.amount, r.currency, r.date, r.donorName].map(cell).join(","));
  // The file names donors: readable by its owner only.
  await writeFileAtomic(path, `\uFEFF${lines.join("\n")}\n`, 0o600);
}

/** `count` new codes, from one draw of the system's random source (one a code cost ~4 µs each). */
export function newReceiptCodes(count: number): Hex[] {
  const hex = randomBytes(32 * count).toString("hex");
  return Array.from({ length: count }, (_, i) => `0x${hex.slice(64 * i, 64 * i + 64)}` as Hex);
}
