import type { ReportSection } from './sections';

/**
 * The report as one CSV: UTF-8 with a BOM (Excel), CRLF, one block per section — a title row
 * 「■ title」, the header row, the rows — separated by an empty line. Text cells starting with
 * = + - @ get a leading ' so a spreadsheet does not run them as formulas (as ledger/export.ts).
 */
function cell(v: string | number, numeric: boolean): string {
  let s = String(v);
  if (!numeric && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const CSV_SECTION_MARK = '■ ';

export function reportCsv(sections: ReportSection[]): Buffer {
  const lines: string[] = [];
  sections.forEach((s, i) => {
    if (i > 0) lines.push('');
    lines.push(cell(`${CSV_SECTION_MARK}${s.title}`, false));
    lines.push(s.header.map((h) => cell(h, false)).join(','));
    for (const row of s.rows) lines.push(row.map((v, j) => cell(v, typeof v === 'number' && s.numeric[j] !== false)).join(','));
  });
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(lines.join('\r\n') + '\r\n', 'utf8')]);
}
