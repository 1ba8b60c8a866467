import { Readable } from 'node:stream';
import * as iconv from 'iconv-lite';
import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import { applyFilters, resolveFilters, type ResolvedFilters, type SearchFilters } from './search';

/**
 * LEDGER-3: the search result as CSV for the city's statistics, streamed from a server-side
 * cursor in batches (never the whole result in memory): one query plan and one snapshot for the
 * whole file (a keyset batch re-ran the filters per batch, and rows changing between batches
 * could shift), and the next batch is fetched only when the HTTP stream has taken the previous
 * one (Readable.from pulls on demand; the socket's drain paces it). The cursor's transaction
 * holds one pooled connection for the export; a client that stops reading for
 * EXPORT_IDLE_TIMEOUT is cut off by PostgreSQL rather than pinning it for ever.
 * - utf8 (default): UTF-8 with a BOM so Excel reads it; sjis: Shift_JIS (CP932).
 * - CRLF line ends, a Japanese header row, RFC 4180 quoting; text cells starting with
 *   = + - @ are prefixed with ' so Excel does not run them as formulas.
 * - Shift_JIS: a character CP932 cannot hold becomes 〓 and is counted; when any were
 *   replaced the file ends with one note line 「# Shift_JISで表せない文字 N 字を〓に置き換えました」
 *   (a streamed body cannot put the count in a header sent before the rows).
 * - Column list is explicit: no 個人番号 (onestop_applications.my_number_* are never selected).
 */
export type ExportEncoding = 'utf8' | 'sjis';

export const EXPORT_HEADER = [
  '寄附ID', 'ポータル', '注文番号', '状態', '受付経路', '寄附金額', '決済方法', '申込日時', '入金日時',
  '寄附者氏名', '寄附者カナ', '郵便番号', '都道府県', 'ワンストップ希望', 'ワンストップ申請状態', '災害支援', '審査フラグ', '返礼品',
];

export const REPLACEMENT = '〓';

function csvCell(v: unknown, text: boolean): string {
  if (v === null || v === undefined) return '';
  let s = String(v);
  if (text && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(cells: unknown[], textColumns?: boolean[]): string {
  return cells.map((c, i) => csvCell(c, textColumns ? textColumns[i] ?? true : true)).join(',') + '\r\n';
}

// Unicode characters whose usual CP932 counterpart is a different code point (WAVE DASH etc.).
const CP932_EQUIVALENTS: Record<string, string> = { '\u301c': '\uff5e', '\u2212': '\uff0d', '\u2016': '\u2225', '\u00a2': '\uffe0', '\u00a3': '\uffe1', '\u00ac': '\uffe2', '\u2014': '\u2015' };

/** Encodes to CP932, replacing what it cannot hold with 〓 and counting it. */
export class SjisEncoder {
  replaced = 0;
  private readonly known = new Map<string, boolean>();
  /** Per UTF-16 unit: 0 not seen, 1 CP932 holds it as it is, 2 needs the careful path (mapping, 〓, surrogate). */
  private readonly unit = new Uint8Array(0x10000);
  private encodable(ch: string): boolean {
    let ok = this.known.get(ch);
    if (ok === undefined) {
      ok = iconv.decode(iconv.encode(ch, 'cp932'), 'cp932') === ch;
      this.known.set(ch, ok);
    }
    return ok;
  }
  private classify(code: number): number {
    const ch = String.fromCharCode(code);
    const state = (code >= 0xd800 && code <= 0xdfff) || CP932_EQUIVALENTS[ch] !== undefined || !this.encodable(ch) ? 2 : 1;
    this.unit[code] = state;
    return state;
  }
  encode(text: string): Buffer {
    // Nearly every slice is plain CP932 text: one table look-up per character proves it, and only
    // a slice with a character to map or replace takes the per-character path.
    let plain = true;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code < 0x80) continue;
      if ((this.unit[code] || this.classify(code)) !== 1) {
        plain = false;
        break;
      }
    }
    if (!plain) {
      let out = '';
      for (const raw of text) {
        const ch = CP932_EQUIVALENTS[raw] ?? raw;
        if (ch.charCodeAt(0) < 0x80 || this.encodable(ch)) out += ch;
        else { out += REPLACEMENT; this.replaced += 1; }
      }
      text = out;
    }
    return iconv.encode(text, 'cp932');
  }
}

const TEXT_COLUMNS = [false, true, true, false, false, false, true, false, false, true, true, true, true, false, false, false, true, true];

export interface ExportOptions {
  encoding: ExportEncoding;
  batchSize?: number;
}

/** Rows per yielded chunk (about 50 KB of CSV). */
const SLICE_ROWS = 250;

/** How long an export may wait on a reader that does not read before PostgreSQL ends it. */
export const EXPORT_IDLE_TIMEOUT = '5min';

function exportQuery(knex: Knex, f: ResolvedFilters): Knex.QueryBuilder {
  return applyFilters(knex, knex('donations as d'), f)
    .join('donors as p', 'p.id', 'd.donor_id')
    .leftJoin('onestop_applications as oa', 'oa.donation_id', 'd.id')
    .select(
      'd.id', 'd.portal_code', 'd.portal_order_id', 'd.status', 'd.channel', 'd.amount_yen', 'd.payment_method',
      knex.raw(`to_char(d.applied_at at time zone 'Asia/Tokyo', 'YYYY-MM-DD HH24:MI:SS') as applied_jst`),
      knex.raw(`to_char(d.paid_at at time zone 'Asia/Tokyo', 'YYYY-MM-DD HH24:MI:SS') as paid_jst`),
      'p.name', 'p.name_kana', 'p.postal_code', 'p.prefecture', 'd.wants_one_stop', 'oa.status as onestop_status', 'd.disaster_relief',
      // The flags' text form needs no jsonb function per row: a flag list is a JSON array of plain codes.
      knex.raw(`case when d.review_flags = '[]'::jsonb then null else (select string_agg(f, ' ') from jsonb_array_elements_text(d.review_flags) f) end as flags`),
      knex.raw(`(select string_agg(gl.gift_code || '×' || gl.quantity, ' ' order by gl.id) from donation_gift_lines gl where gl.donation_id = d.id) as gifts`),
    )
    .orderBy([{ column: 'd.applied_at', order: 'desc' }, { column: 'd.id', order: 'desc' }]);
}

function csvRows(rows: Record<string, any>[]): string {
  let text = '';
  for (const r of rows) {
    text += csvLine([
      r.id, r.portal_code, r.portal_order_id, r.status, r.channel, r.amount_yen, r.payment_method, r.applied_jst, r.paid_jst,
      r.name, r.name_kana, r.postal_code, r.prefecture, r.wants_one_stop ? 'はい' : 'いいえ', r.onestop_status ?? '', r.disaster_relief ? 'はい' : 'いいえ',
      r.flags ?? '', r.gifts ?? '',
    ], TEXT_COLUMNS);
  }
  return text;
}

/** Yields the CSV as encoded chunks: the header, then one per cursor batch, then the note line if any. */
export async function* exportDonationsCsv(em: EntityManager, f: SearchFilters, opts: ExportOptions): AsyncGenerator<Buffer> {
  const knex = em.getKnex();
  const batch = opts.batchSize ?? 2_000;
  const sjis = opts.encoding === 'sjis' ? new SjisEncoder() : null;
  const enc = (text: string) => (sjis ? sjis.encode(text) : Buffer.from(text, 'utf8'));
  const resolved = await resolveFilters(knex, f);
  const { sql, bindings } = exportQuery(knex, resolved).toSQL();
  yield Buffer.concat([sjis ? Buffer.alloc(0) : Buffer.from([0xef, 0xbb, 0xbf]), enc(csvLine(EXPORT_HEADER))]);
  const trx = await knex.transaction();
  try {
    await trx.raw('set transaction read only');
    // The whole result is read: plan for the last row, not the first (the default favours fast-start plans).
    await trx.raw('set local cursor_tuple_fraction = 1.0');
    // Room to hash the donors and sort a day's or a month's rows in memory rather than through temp files.
    await trx.raw(`set local work_mem = '64MB'`);
    await trx.raw(`set local idle_in_transaction_session_timeout = '${EXPORT_IDLE_TIMEOUT}'`);
    await trx.raw(`declare donations_export no scroll cursor for ${sql}`, bindings as Knex.RawBinding[]);
    for (;;) {
      const rows = (await trx.raw(`fetch forward ${Number(batch)} from donations_export`)).rows as Record<string, any>[];
      if (!rows.length) break;
      // Encoded and handed on in slices of SLICE_ROWS: strings and buffers that small die young
      // (V8's scavenger frees them at once), where a 2,000-row string lands in the large-object
      // space and waits for a full collection — the RSS climb the 200,000-row bench showed.
      for (let i = 0; i < rows.length; i += SLICE_ROWS) yield enc(csvRows(rows.slice(i, i + SLICE_ROWS)));
      if (rows.length < batch) break;
    }
    await trx.commit();
  } finally {
    // A reader that went away ends the generator here: give the connection back at once.
    if (!trx.isCompleted()) await trx.rollback().catch(() => undefined);
  }
  if (sjis && sjis.replaced > 0) yield enc(`# Shift_JISで表せない文字 ${sjis.replaced} 字を${REPLACEMENT}に置き換えました\r\n`);
}

export function exportStream(em: EntityManager, f: SearchFilters, opts: ExportOptions): Readable {
  return Readable.from(exportDonationsCsv(em, f, opts), { objectMode: false });
}
