import type { Knex } from '@mikro-orm/postgresql';
import { reportActivitySettings, type ReportActivitySettings } from '../../activities/reports/reports';
import type { SuiteContext } from '../support/context';

/** A worker on the suite's queue, and where its report activities write (the suite's own data folder). */
export async function startReportWorker(ctx: SuiteContext): Promise<{ settings: ReportActivitySettings; stop(): Promise<void> }> {
  const worker = await ctx.startWorker();
  return { settings: reportActivitySettings(ctx.config), stop: () => worker.stop() };
}

export async function q<T = any>(knex: Knex, sql: string, bindings: unknown[] = []): Promise<T[]> {
  return (await knex.raw(sql, bindings as any[])).rows;
}

/** RFC 4180 enough for our CSV: quoted cells with doubled quotes, commas and CRLF. */
export function parseCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/** The report CSV as { title → { header, rows } }. */
export function parseReportCsv(bytes: Buffer): Map<string, { header: string[]; rows: string[][] }> {
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const text = bytes.subarray(3).toString('utf8');
  expect(text.includes('\n') && !/[^\r]\n/.test(text)).toBe(true);
  const sections = new Map<string, { header: string[]; rows: string[][] }>();
  for (const block of text.trimEnd().split('\r\n\r\n')) {
    const [title, header, ...rows] = block.split('\r\n');
    const name = parseCsvLine(title)[0];
    expect(name.startsWith('■ ')).toBe(true);
    sections.set(name.slice(2), { header: parseCsvLine(header), rows: rows.map(parseCsvLine) });
  }
  return sections;
}
