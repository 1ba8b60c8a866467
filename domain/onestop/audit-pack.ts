import { reportCsv } from '../reports/csv';
import type { ReportSection } from '../reports/sections';
import type { ZipEntry } from '../reports/zip';

/** One table of the audit pack: a CSV file of its own. */
export interface AuditTable {
  file: string;
  title: string;
  /** What the table is, for the contents file; said even when the period had no rows. */
  about: string;
  header: string[];
  rows: (string | number | null | undefined)[][];
}

/** "2026-12-07T01:02:03.000Z" → "2026-12-07 10:02:03" (Japan time), as the auditor's PC shows times. */
export function jstDateTime(iso: string | null | undefined): string {
  if (!iso) return '';
  return new Date(new Date(iso).getTime() + 9 * 3600_000).toISOString().slice(0, 19).replace('T', ' ');
}

const section = (t: AuditTable): ReportSection => ({
  key: t.file,
  title: t.title,
  header: t.header,
  rows: t.rows.map((r) => r.map((v) => v ?? '')),
  numeric: t.header.map(() => false),
});

/**
 * MYNUM-6: the pack the city's auditor takes away — one CSV per table (UTF-8 with BOM, Excel opens
 * it) and a contents file saying what each holds and for which period. ASCII file names: a clerk's
 * Windows unzips them without mojibake.
 */
export function auditPackEntries(tables: AuditTable[], period: { from: string; to: string }, generatedAt: Date): ZipEntry[] {
  const contents = [
    `特定個人情報の取扱い 監査資料 (${period.from} 〜 ${period.to})`,
    `作成: ${jstDateTime(generatedAt.toISOString())} (日本時間)`,
    '個人番号そのものは含みません。申請は申請ID で示します。',
    '',
    ...tables.map((t) => `${t.file}\t${t.title} (${t.rows.length} 行): ${t.about}`),
    '',
  ].join('\r\n');
  return [{ name: 'README.txt', bytes: Buffer.from(`\ufeff${contents}`, 'utf8') }, ...tables.map((t) => ({ name: t.file, bytes: reportCsv([section(t)]) }))];
}
