/**
 * Reads an import CSV: maps its headers (English or Chinese) to the template's columns and returns
 * the rows as text by column key, numbered as a spreadsheet numbers them (the header is row 1).
 * Problems with the file as a whole (not CSV, a required column missing, a column twice) are
 * file-level errors; unknown columns are listed and ignored.
 */
import { readFile } from "node:fs/promises";
import { parse } from "csv-parse/sync";
import { CliError, exitCode } from "../common/cliError.ts";
import { type ColumnSpec, columnLabel, type ImportKind, normalizeHeader, templates } from "./templates.ts";

export type CsvRow = { row: number; cells: Record<string, string> };

export type ReadCsvReturnType = {
  rows: CsvRow[];
  columns: ColumnSpec[];
  ignoredColumns: string[];
  /** Problems with the file as a whole: nothing can be imported until they are fixed. */
  fileErrors: string[];
};

export async function readCsv(
  path: string,
  kind: ImportKind,
  defaults: { campaign?: string; activity?: string },
): Promise<ReadCsvReturnType> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new CliError(`cannot read ${path}`, { exitCode: exitCode.usage, cause: error });
  }
  let records: string[][];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true, trim: false }) as string[][];
  } catch (error) {
    const e = error as { message?: string; lines?: number };
    return {
      rows: [],
      columns: [],
      ignoredColumns: [],
      fileErrors: [
        `the file is not valid CSV${e.lines ? ` (near line ${e.lines})` : ""}: ${e.message ?? String(error)}`,
      ],
    };
  }
  const [header, ...body] = records;
  if (!header)
    return {
      rows: [],
      columns: [],
      ignoredColumns: [],
      fileErrors: ["the file is empty: it needs a header row and at least one data row"],
    };

  const specs = templates[kind];
  const byHeader = new Map<string, ColumnSpec>();
  for (const spec of specs) {
    for (const name of [spec.en, spec.zh, ...(spec.aliases ?? [])]) byHeader.set(normalizeHeader(name), spec);
  }
  const fileErrors: string[] = [];
  const ignoredColumns: string[] = [];
  const positions = new Map<string, number>();
  header.forEach((name, i) => {
    const spec = byHeader.get(normalizeHeader(name));
    if (!spec) {
      if (name.trim() !== "") ignoredColumns.push(name.trim());
      return;
    }
    if (positions.has(spec.key)) {
      fileErrors.push(
        `column ${columnLabel(spec)} appears twice (columns ${(positions.get(spec.key) ?? 0) + 1} and ${i + 1})`,
      );
      return;
    }
    positions.set(spec.key, i);
  });
  const defaulted: Record<string, string | undefined> = { campaign: defaults.campaign, activity: defaults.activity };
  for (const spec of specs) {
    if (spec.required && !positions.has(spec.key) && defaulted[spec.key] === undefined) {
      fileErrors.push(
        `the required column ${columnLabel(spec)} is missing` +
          (spec.key in defaulted ? ` (or give --${spec.key} ID for the whole file)` : ""),
      );
    }
  }
  if (body.length === 0) fileErrors.push("the file has a header but no data rows");

  const rows: CsvRow[] = body.map((record, i) => {
    const cells: Record<string, string> = {};
    for (const spec of specs) {
      const at = positions.get(spec.key);
      const value = at === undefined ? undefined : record[at];
      cells[spec.key] = (value ?? "").trim() || (defaulted[spec.key] ?? "");
    }
    return { row: i + 2, cells };
  });
  return { rows, columns: specs.filter((s) => positions.has(s.key)), ignoredColumns, fileErrors };
}
