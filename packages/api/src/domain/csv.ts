/**
 * CSV as accountants open it: UTF-8 with a byte-order mark (without one, Excel reads Chinese text
 * as the local code page), CRLF line ends and RFC 4180 quoting. A text cell that a spreadsheet
 * would take for a formula (=, +, -, @ first) is prefixed with an apostrophe (OWASP's advice on
 * CSV injection): names come from organisations, not from us.
 */

export const BOM = "\uFEFF";

/** One cell: quoted when it holds a comma, a quote or a line break. */
export function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** A cell of free text (a name): defused if it starts like a formula. */
export function csvText(value: string): string {
  return csvCell(/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);
}

export function csvLine(cells: readonly string[]): string {
  return `${cells.join(",")}\r\n`;
}
