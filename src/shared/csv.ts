// RFC 4180 CSV text that pandas.read_csv and spreadsheets read without options: quoted where needed, numbers in round-trip form.
export type CsvCell = string | number | boolean | null | undefined;

/** Quotes a field only when it must be: separators, quotes, line breaks, or edge spaces a reader might trim. */
export function csvField(value: CsvCell): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    // NaN becomes an empty (missing) cell; 'inf'/'-inf' are the spellings pandas parses as floats.
    if (Number.isNaN(value)) return '';
    if (value === Infinity) return 'inf';
    if (value === -Infinity) return '-inf';
    return String(value);
  }
  return /[",\r\n]/.test(value) || value !== value.trim() ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * One header line and one line per row, each ending in `eol` (RFC 4180's \r\n by default; files the lab writes use
 * \n); every row must have the header's width.
 */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[], eol: '\n' | '\r\n' = '\r\n'): string {
  const lines = [header.map(csvField).join(',')];
  for (const [i, row] of rows.entries()) {
    if (row.length !== header.length) throw new Error(`CSV row ${i} has ${row.length} cells, the header has ${header.length}`);
    lines.push(row.map(csvField).join(','));
  }
  return `${lines.join(eol)}${eol}`;
}
