import iconv from 'iconv-lite';
import layoutJson from './eltax-layout.json';

/**
 * ONESTOP-4, provisional: the 申告特例通知書 file is written from a declarative
 * layout (eltax-layout.json: fields, order, byte widths, encoding, line
 * ending). The official eLTAX layout is not public; swapping it in is a
 * change of that file, not of this code. Widths are bytes in the file's
 * encoding, so a double-byte character is never cut in half.
 */
export interface LayoutField {
  name: string;
  label: string;
  /** numeric: right-aligned, zero-filled amount; code: exactly `width` digits (団体コード, 個人番号); date: YYYYMMDD; text: left-aligned, space-filled. */
  type: 'numeric' | 'code' | 'text' | 'date';
  width: number;
}

export interface Layout {
  name: string;
  provisional: boolean;
  encoding: string;
  lineEnding: string;
  format: 'fixed';
  fields: LayoutField[];
}

export const PROVISIONAL_LAYOUT = layoutJson as Layout;

export type NoticeRecord = Record<string, string | number | undefined>;

/** Errors name the field and the record, never the value (it may be a 個人番号). */
export class LayoutError extends Error {
  override name = 'LayoutError';
}

function cell(layout: Layout, field: LayoutField, value: string | number | undefined, row: number): Buffer {
  const raw = value === undefined || value === null ? '' : String(value);
  const text = field.type === 'date' ? raw.replace(/-/g, '') : raw;
  if (field.type !== 'text' && !/^\d*$/.test(text)) throw new LayoutError(`record ${row + 1}: ${field.name} (${field.label}) must be digits`);
  if (field.type === 'code' && text.length !== field.width) throw new LayoutError(`record ${row + 1}: ${field.name} (${field.label}) must be exactly ${field.width} digits`);
  const bytes = iconv.encode(text, layout.encoding);
  if (iconv.decode(bytes, layout.encoding) !== text) throw new LayoutError(`record ${row + 1}: ${field.name} (${field.label}) has characters that ${layout.encoding} cannot hold`);
  if (bytes.length > field.width) throw new LayoutError(`record ${row + 1}: ${field.name} (${field.label}) is longer than ${field.width} bytes`);
  const pad = Buffer.alloc(field.width - bytes.length, field.type === 'numeric' ? 0x30 : 0x20);
  return field.type === 'numeric' ? Buffer.concat([pad, bytes]) : Buffer.concat([bytes, pad]);
}

export function writeNoticeFile(records: NoticeRecord[], layout: Layout = PROVISIONAL_LAYOUT): Buffer {
  const eol = iconv.encode(layout.lineEnding, layout.encoding);
  return Buffer.concat(records.flatMap((r, i) => [...layout.fields.map((f) => cell(layout, f, r[f.name], i)), eol]));
}

/** Reads a file back field by field: the test that the layout round-trips, and a tool to check a file before it is sent. */
export function readNoticeFile(file: Buffer, layout: Layout = PROVISIONAL_LAYOUT): Record<string, string>[] {
  const eol = iconv.encode(layout.lineEnding, layout.encoding);
  const recordBytes = layout.fields.reduce((n, f) => n + f.width, 0) + eol.length;
  if (file.length % recordBytes !== 0) throw new LayoutError(`file length ${file.length} is not a multiple of the record length ${recordBytes}`);
  const out: Record<string, string>[] = [];
  for (let offset = 0; offset < file.length; offset += recordBytes) {
    const rec: Record<string, string> = {};
    let at = offset;
    for (const f of layout.fields) {
      const text = iconv.decode(file.subarray(at, at + f.width), layout.encoding);
      rec[f.name] = f.type === 'numeric' ? text.replace(/^0+(?=\d)/, '') : f.type === 'date' ? text.replace(/^(\d{4})(\d{2})(\d{2})$/, '$1-$2-$3').trim() : text.replace(/ +$/, '');
      at += f.width;
    }
    out.push(rec);
  }
  return out;
}
