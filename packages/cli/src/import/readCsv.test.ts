// The import's fast reading of plain CSV files against csv-parse, which reads every other file:
// on random files the fast path either gives exactly csv-parse's records or declines.
import { parse } from "csv-parse/sync";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { parseSimpleCsv } from "./readCsv.ts";

const csvParse = (text: string) =>
  parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true, trim: false }) as string[][];

/** Random files from the pieces that matter: separators, line breaks, quotes, spaces, Chinese text. */
const pieces = fc.constantFrom("a", "12.50", "微信", " ", "", ",", ",", "\n", "\n", "\r\n", "\r", '"', '"', "\t");
const file = fc
  .tuple(fc.boolean(), fc.array(pieces, { maxLength: 40 }))
  .map(([bom, parts]) => (bom ? "\uFEFF" : "") + parts.join(""));
/** A field as a spreadsheet writes it: quoted when it holds a comma or a quote (doubled). */
const cell = fc
  .constantFrom("a", "12.50", "1,234.56", "微信", " ", "", "x y", 'say "hi"', '"')
  .chain((v) =>
    v.includes(",") || v.includes('"') ? fc.constant(`"${v.replaceAll('"', '""')}"`) : fc.constantFrom(v, `"${v}"`),
  );
/** Files the fast path must take: quotes around whole fields only, LF throughout or CRLF throughout. */
const plainFile = fc
  .tuple(
    fc.boolean(),
    fc.constantFrom("\n", "\r\n"),
    fc.array(fc.array(cell, { maxLength: 5 }), { maxLength: 8 }),
    fc.boolean(),
  )
  .map(
    ([bom, eol, rows, trailing]) =>
      (bom ? "\uFEFF" : "") + rows.map((cells) => cells.join(",")).join(eol) + (trailing ? eol : ""),
  );

describe("parseSimpleCsv", () => {
  test("property: on any file it gives csv-parse's records, or declines", () => {
    fc.assert(
      fc.property(file, (text) => {
        const fast = parseSimpleCsv(text);
        if (fast !== undefined) expect(fast).toEqual(csvParse(text));
      }),
      { numRuns: 3000 },
    );
  });

  test("property: files with whole quoted fields and one kind of line break take the fast path", () => {
    fc.assert(
      fc.property(plainFile, (text) => {
        const fast = parseSimpleCsv(text);
        expect(fast).toBeDefined();
        expect(fast).toEqual(csvParse(text));
      }),
      { numRuns: 1000 },
    );
  });

  test("args: a lone CR, mixed line breaks and stray quotes go to csv-parse", () => {
    expect(parseSimpleCsv('row_id,amount\nA,"1,234.56"\n')).toEqual([
      ["row_id", "amount"],
      ["A", "1,234.56"],
    ]);
    expect(parseSimpleCsv('row_id,amount\nA,1"2\n')).toBeUndefined();
    expect(parseSimpleCsv('row_id,amount\nA,"12"3\n')).toBeUndefined();
    expect(parseSimpleCsv('row_id,note\nA,"two\nlines"\n')).toBeUndefined();
    expect(parseSimpleCsv("row_id,amount\rA,1\r")).toBeUndefined();
    expect(parseSimpleCsv("row_id,amount\r\nA,1\nB,2\n")).toBeUndefined();
    expect(parseSimpleCsv("\uFEFFrow_id,amount\r\nA,1\r\n\r\nB,2")).toEqual([
      ["row_id", "amount"],
      ["A", "1"],
      ["B", "2"],
    ]);
  });
});
