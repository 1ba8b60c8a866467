import { PREFECTURES } from '../donor';
import { isIsoDate } from '../jst';
import { detectEncoding } from '../portals/encoding';
import iconv from 'iconv-lite';
import { cp932Width, encodeCp932, substitute, unrepresentable } from './jis';
import { TIME_SLOTS, type CarrierCode, type CarrierFile, type CarrierProblem, type CarrierShipmentRow } from './types';

/**
 * What every carrier exporter shares: checking one row field by field (all
 * problems of a row are collected, not just the first, so an operator fixes
 * a row once), formatting, and writing CP932 CSV with CRLF.
 */
export class RowCheck {
  readonly problems: CarrierProblem[] = [];
  constructor(readonly shipmentId: string) {}

  add(field: string, value: unknown, reason: string, character?: string): void {
    this.problems.push({ shipmentId: this.shipmentId, field, value: value === undefined || value === null ? '' : String(value), ...(character ? { character } : {}), reason });
  }

  get ok(): boolean {
    return this.problems.length === 0;
  }

  /**
   * A free-text value as it will be printed: substituted, every remaining
   * character checked, and its width checked against the carrier column's
   * limit (in half-width units; "16/32" → 32). Over-long is a problem, never
   * truncated.
   */
  text(field: string, column: string, raw: string | undefined, opts: { required?: boolean; maxWidth?: number } = {}): string {
    const value = substitute(raw ?? '').trim();
    if (!value) {
      if (opts.required) this.add(field, raw, `${column} is required but empty`);
      return '';
    }
    if (!this.printable(field, column, raw ?? '', value)) return value;
    if (opts.maxWidth !== undefined) this.width(field, column, raw ?? '', value, opts.maxWidth);
    return value;
  }

  /** Reports each character outside ASCII + JIS X 0208; true when there is none. */
  printable(field: string, column: string, raw: string, value: string, allowHalfWidthKana = false): boolean {
    const bad = unrepresentable(value, allowHalfWidthKana);
    for (const ch of bad) {
      this.add(field, raw, `${column}: "${ch}" (${codePoint(ch)}) is not in JIS X 0208 and has no substitute; correct the ${field} in the ledger`, ch);
    }
    return bad.length === 0;
  }

  /**
   * The shipment's reference in a carrier's reference column (お客様管理番号): the whole reference or a
   * problem, never a cut one — a cut reference would come back on the issued labels as someone else's.
   */
  reference(column: string, value: string, maxWidth: number): string {
    if (value.length <= maxWidth) return value;
    this.add('shipmentId', value, `${column} holds ${maxWidth} characters; "${value}" has ${value.length} and would be cut: give the row the shipment's short number (shipments.reference)`);
    return '';
  }

  width(field: string, column: string, raw: string, value: string, maxWidth: number): boolean {
    const w = cp932Width(value);
    if (w <= maxWidth) return true;
    this.add(field, raw, `${column} allows ${maxWidth} half-width / ${maxWidth / 2} full-width characters; "${value}" is ${w} half-width (${w / 2} full-width)`);
    return false;
  }
}

export const codePoint = (ch: string): string => `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

const toHalfAscii = (v: string) => v.replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));

/** 7 digits → "NNN-NNNN" (the form every carrier here accepts; B2 takes 7 or 8 characters). */
export function postalCode(check: RowCheck, field: string, column: string, raw: string | undefined): string {
  const digits = toHalfAscii(raw ?? '').replace(/^〒/, '').replace(/[\s\-‐－ー−]/g, '');
  if (!/^\d{7}$/.test(digits)) {
    check.add(field, raw, `${column}: "${raw ?? ''}" is not a 7-digit postal code`);
    return '';
  }
  return `${digits.slice(0, 3)}-${digits.slice(3)}`;
}

/** Digits and hyphens as given (B2: 15 characters, hyphens included); 10–11 digits. */
export function phone(check: RowCheck, field: string, column: string, raw: string | undefined, maxLength = 15): string {
  const v = toHalfAscii(raw ?? '').trim().replace(/[‐－ー−]/g, '-').replace(/[()（）]/g, '-').replace(/\s+/g, '').replace(/--+/g, '-').replace(/^-|-$/g, '');
  const digits = v.replace(/-/g, '');
  if (!/^[\d-]+$/.test(v) || digits.length < 10 || digits.length > 11 || v.length > maxLength) {
    check.add(field, raw, `${column}: "${raw ?? ''}" is not a phone number of 10–11 digits (hyphens allowed, at most ${maxLength} characters)`);
    return '';
  }
  return v;
}

export type DateStyle = 'YYYY/MM/DD' | 'YYYYMMDD' | 'YYYY-MM-DD';

export function formatDate(iso: string, style: DateStyle): string {
  return style === 'YYYY-MM-DD' ? iso : style === 'YYYYMMDD' ? iso.replace(/-/g, '') : iso.replace(/-/g, '/');
}

const SHIPMENT_ID = /^[0-9A-Za-z-]{1,50}$/;
const EMAIL = /^[!-?A-~]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;

/**
 * Checks every carrier needs, before the carrier's own: the id that comes back
 * on the issued labels, dates, time band, parcel count, e-mail.
 */
export function checkCommon(row: CarrierShipmentRow, check: RowCheck, seen: Set<string>): void {
  if (!SHIPMENT_ID.test(row.shipmentId ?? '')) check.add('shipmentId', row.shipmentId, 'お客様管理番号 must be 1–50 ASCII letters, digits or hyphens');
  else if (seen.has(row.shipmentId)) check.add('shipmentId', row.shipmentId, 'the same shipment appears twice in this batch; the tracking numbers could not be told apart');
  seen.add(row.shipmentId);
  if (!isIsoDate(row.shipOn ?? '')) check.add('shipOn', row.shipOn, 'ship date must be a YYYY-MM-DD date');
  if (row.deliverOn) {
    if (!isIsoDate(row.deliverOn)) check.add('deliverOn', row.deliverOn, 'delivery date must be a YYYY-MM-DD date');
    else if (isIsoDate(row.shipOn ?? '') && row.deliverOn < row.shipOn) check.add('deliverOn', row.deliverOn, `delivery date is before the ship date ${row.shipOn}`);
  }
  if (!(TIME_SLOTS as readonly string[]).includes(row.timeSlot ?? '')) check.add('timeSlot', row.timeSlot, `time band must be one of ${TIME_SLOTS.filter(Boolean).join(', ')} or empty`);
  if (!['ambient', 'chilled', 'frozen'].includes(row.temperature)) check.add('temperature', row.temperature, 'temperature must be ambient, chilled or frozen');
  if (!Number.isInteger(row.quantity) || row.quantity < 1 || row.quantity > 99) check.add('quantity', row.quantity, 'parcel count must be a whole number from 1 to 99');
  if (row.email && !EMAIL.test(row.email.trim())) check.add('email', row.email, `"${row.email}" is not an e-mail address`);
}

/**
 * The recipient's address without the prefecture (portals sometimes repeat
 * it in the address column) — the prefecture itself must be one of the 47.
 */
export function addressRest(row: CarrierShipmentRow, check: RowCheck): { prefecture: string; rest: string } {
  const prefecture = substitute(row.recipient.prefecture ?? '').trim();
  if (!(PREFECTURES as readonly string[]).includes(prefecture)) check.add('recipient.prefecture', row.recipient.prefecture, 'must be one of the 47 prefectures, written in full (e.g. 福岡県)');
  const address = (row.recipient.address ?? '').trim();
  return { prefecture, rest: prefecture && address.startsWith(prefecture) ? address.slice(prefecture.length).trim() : address };
}

// Municipality names whose own letters would fool the patterns below.
const TRICKY_MUNICIPALITIES = ['大和郡山市', '四日市市', '廿日市市', '野々市市'];

/**
 * Splits "柳川市本町87-1" into 市区郡町村 "柳川市" and 町・番地 "本町87-1", the
 * parts B2クラウド limits separately (12 and 16 full-width). Heuristic, in
 * order: 郡+町村, 市 (+ the ward of a 政令市), 区 (東京23区) or 町村 without 郡.
 * Used only to check lengths and lay out lines; the carrier gets the address
 * text unchanged. Undefined when no municipality can be recognised.
 */
export function splitMunicipality(rest: string): { city: string; street: string } | undefined {
  const v = rest.trim();
  const tricky = TRICKY_MUNICIPALITIES.find((m) => v.startsWith(m));
  const m =
    (tricky ? [tricky] : null) ??
    /^(?:余市郡|高市郡|[^\d市区]{1,5}?郡)[^\d]{1,6}?[町村]/.exec(v) ??
    /^[^\d区]{1,6}?市(?:[^\d\s町村]{1,4}区)?/.exec(v) ??
    /^[^\d]{1,5}?[区町村]/.exec(v);
  if (!m) return undefined;
  return { city: m[0], street: v.slice(m[0].length).trim() };
}

/**
 * Lays parts out on at most `maxLines` lines of `maxWidth` half-width units:
 * each part starting its own line where that fits (住所1 = 都道府県+市区町村,
 * 住所2 = 町・番地, …), else packed one after another, a part longer than a
 * line continuing on the next. Undefined when even packed they do not fit —
 * the caller reports it; nothing is cut off.
 */
export function layoutLines(parts: string[], maxLines: number, maxWidth: number): string[] | undefined {
  const nonEmpty = parts.filter(Boolean);
  const chop = (text: string): string[] => {
    const out: string[] = [];
    let cur = '';
    for (const ch of text) {
      if (cur && cp932Width(cur + ch) > maxWidth) {
        out.push(cur);
        cur = '';
      }
      cur += ch;
    }
    if (cur) out.push(cur);
    return out;
  };
  const separate = nonEmpty.flatMap(chop);
  if (separate.length <= maxLines) return separate;
  const packed = chop(nonEmpty.join(''));
  return packed.length <= maxLines ? packed : undefined;
}

/** e飛伝 converts 半角 to 全角 itself on import (e飛伝Ⅱ layout notes), so we do it first and count what it will count. */
export function toFullWidthAscii(text: string): string {
  return text.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).replace(/ /g, '\u3000');
}

function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Header plus rows, CRLF after every line, CP932. */
export function csvBytes(header: readonly string[] | null, rows: string[][]): Buffer {
  const lines = (header ? [header as string[], ...rows] : rows).map((cells) => cells.map(csvCell).join(',') + '\r\n');
  return encodeCp932(lines.join(''));
}

/** "yamato_b2-2026-12-01.csv", then "-2", "-3" … for a split batch. */
export function carrierFileName(carrier: CarrierCode, date: string, part: number): string {
  return `${carrier}-${date}${part > 1 ? `-${part}` : ''}.csv`;
}

/** The earliest valid ship date of a batch names its files; a batch with none is "undated". */
export function batchDate(rows: CarrierShipmentRow[]): string {
  const dates = rows.map((r) => r.shipOn).filter((d): d is string => typeof d === 'string' && isIsoDate(d)).sort();
  return dates[0] ?? 'undated';
}

/**
 * The common shape of an exporter: check and build each row; rows with any
 * problem are left out of the file and listed in `problems`.
 */
export function buildRows(rows: CarrierShipmentRow[], build: (row: CarrierShipmentRow, check: RowCheck) => string[]): { cells: string[][]; ids: string[]; problems: CarrierProblem[] } {
  const seen = new Set<string>();
  const cells: string[][] = [];
  const ids: string[] = [];
  const problems: CarrierProblem[] = [];
  for (const row of rows) {
    const check = new RowCheck(row.shipmentId ?? '');
    checkCommon(row, check, seen);
    const line = build(row, check);
    if (check.ok) {
      cells.push(line);
      ids.push(row.shipmentId);
    } else problems.push(...check.problems);
  }
  return { cells, ids, problems };
}

export function singleFile(carrier: CarrierCode, rows: CarrierShipmentRow[], header: readonly string[] | null, built: ReturnType<typeof buildRows>): CarrierFile {
  return {
    carrier,
    fileName: carrierFileName(carrier, batchDate(rows), 1),
    content: csvBytes(header, built.cells),
    encoding: 'CP932',
    rows: built.cells.length,
    shipmentIds: built.ids,
    problems: built.problems,
  };
}

// ---- reading carrier files back ------------------------------------------------

/** CP932 or UTF-8 (with or without BOM), decided as for portal exports. */
export function decodeCarrierText(content: Buffer): string {
  const encoding = detectEncoding(content);
  return iconv.decode(content, encoding === 'cp932' ? 'cp932' : 'utf8', { stripBOM: true });
}

/** RFC 4180 records with their spreadsheet row number (1 = first line); blank lines are skipped. */
export function parseCsv(text: string): { row: number; cells: string[] }[] {
  const records: { row: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let field = '';
  let quoted = false;
  let row = 0;
  const end = () => {
    cells.push(field);
    field = '';
    row += 1;
    if (!(cells.length === 1 && cells[0] === '')) records.push({ row, cells });
    cells = [];
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      cells.push(field);
      field = '';
    } else if (c === '\r' || c === '\n') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      end();
    } else field += c;
  }
  if (field !== '' || cells.length > 0) end();
  return records;
}

/** Some exports wrap numbers as ="0123" so spreadsheets keep the zeros. */
export function cellValue(cell: string | undefined): string {
  const v = (cell ?? '').trim();
  const m = /^="(.*)"$/.exec(v);
  return (m ? m[1] : v).trim();
}
