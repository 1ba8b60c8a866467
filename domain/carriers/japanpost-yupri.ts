import { PREFECTURES } from '../donor';
import { substitute } from './jis';
import { buildRows, formatDate, phone, postalCode, singleFile, type RowCheck } from './shared';
import type { CarrierFile, CarrierShipmentRow, YupriMapping, YupriSource } from './types';
import defaultMapping from './yupri-default-mapping.json';

/**
 * 日本郵便 ゆうパックプリントR. Its import is a filter the user defines, so the
 * layout is data (yupri-default-mapping.json, or the operator's own mapping
 * through options.yupriMapping), not code. Values still go through the same
 * checks as every carrier: JIS X 0208 text, postal codes, phones.
 */
export const YUPRI_FIELDS = [
  'shipmentId', 'shipOn', 'deliverOn', 'timeSlot', 'temperature', 'itemName', 'quantity', 'notes', 'email',
  'recipient.name', 'recipient.nameKana', 'recipient.postalCode', 'recipient.prefecture', 'recipient.address', 'recipient.building', 'recipient.phone',
  'sender.name', 'sender.postalCode', 'sender.address', 'sender.phone',
] as const;
export type YupriField = (typeof YUPRI_FIELDS)[number];

export class YupriMappingError extends Error {
  override name = 'YupriMappingError';
}

/** Checks a mapping's shape, so an operator's typo is reported by name instead of failing every row. */
export function validateYupriMapping(m: unknown): YupriMapping {
  const problems: string[] = [];
  const x = m as Partial<YupriMapping> | null;
  if (!x || typeof x !== 'object') throw new YupriMappingError('the ゆうプリR mapping is not a JSON object');
  if (!x.columns || typeof x.columns !== 'object' || !Object.keys(x.columns).length) problems.push('columns must name at least one column');
  else {
    for (const [header, source] of Object.entries(x.columns)) {
      if (/^\d+$/.test(header)) problems.push(`column "${header}": a purely numeric header would be reordered by JSON; name it`);
      const field = typeof source === 'string' ? source : source && typeof source === 'object' && 'field' in source ? source.field : undefined;
      const isConst = source && typeof source === 'object' && 'const' in source && typeof source.const === 'string';
      if (!isConst && !(YUPRI_FIELDS as readonly string[]).includes(field ?? '')) problems.push(`column "${header}": "${field}" is not a known field (known: ${YUPRI_FIELDS.join(', ')})`);
    }
    if (!Object.values(x.columns).some((s) => (typeof s === 'string' ? s : (s as { field?: string }).field) === 'shipmentId')) {
      problems.push('one column must carry shipmentId (お客様管理番号), or tracking numbers cannot be matched back');
    }
  }
  if (!x.issued || typeof x.issued.shipmentId !== 'string' || typeof x.issued.trackingNumber !== 'string') problems.push('issued.shipmentId and issued.trackingNumber must name the export columns');
  if (problems.length) throw new YupriMappingError(`ゆうプリR mapping: ${problems.join('; ')}`);
  return x as YupriMapping;
}

export const YUPRI_DEFAULT_MAPPING: YupriMapping = validateYupriMapping(defaultMapping);

const TEXT_FIELDS: Partial<Record<YupriField, true>> = {
  itemName: true, notes: true, 'recipient.name': true, 'recipient.nameKana': true, 'recipient.prefecture': true,
  'recipient.address': true, 'recipient.building': true, 'sender.name': true, 'sender.address': true,
};
const REQUIRED: Partial<Record<YupriField, true>> = { itemName: true, 'recipient.name': true, 'recipient.address': true, 'sender.name': true, 'sender.address': true };

/** ひらがな and 半角ｶﾅ to カタカナ: what a カナ column expects. */
const toKatakana = (v: string) => substitute(v).replace(/[\u3041-\u3096]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0x60));

function valueOf(row: CarrierShipmentRow, field: YupriField): string {
  const [head, tail] = field.split('.') as [string, string | undefined];
  const v = tail ? (row as unknown as Record<string, Record<string, unknown>>)[head]?.[tail] : (row as unknown as Record<string, unknown>)[head];
  return v === undefined || v === null ? '' : String(v);
}

function cell(row: CarrierShipmentRow, check: RowCheck, header: string, source: YupriSource): string {
  if (typeof source === 'object' && 'const' in source) return source.const;
  const spec = typeof source === 'string' ? { field: source } : source;
  const field = spec.field as YupriField;
  const raw = valueOf(row, field);
  if (spec.values) {
    if (!(raw in spec.values)) {
      check.add(field, raw, `${header}: the ゆうプリR mapping has no value for "${raw}"${field === 'temperature' ? ' (this service cannot carry it; choose another carrier)' : ''}`);
      return '';
    }
    return spec.values[raw];
  }
  if (field === 'recipient.postalCode' || field === 'sender.postalCode') return postalCode(check, field, header, raw);
  if (field === 'recipient.phone' || field === 'sender.phone') return phone(check, field, header, raw);
  if ((field === 'shipOn' || field === 'deliverOn') && raw) return formatDate(raw, spec.format ?? 'YYYY/MM/DD');
  if (field === 'recipient.address') {
    // Portals sometimes repeat the prefecture in the address; the default mapping has its own prefecture column.
    const pref = row.recipient.prefecture?.trim();
    const rest = pref && raw.trim().startsWith(pref) ? raw.trim().slice(pref.length) : raw;
    return check.text(field, header, rest, { required: true, maxWidth: spec.maxWidth });
  }
  if (field === 'recipient.prefecture' && !(PREFECTURES as readonly string[]).includes(substitute(raw).trim())) {
    check.add(field, raw, `${header}: must be one of the 47 prefectures, written in full (e.g. 福岡県)`);
    return '';
  }
  if (field === 'recipient.nameKana') return check.text(field, header, toKatakana(raw), { maxWidth: spec.maxWidth });
  if (TEXT_FIELDS[field]) return check.text(field, header, raw, { required: REQUIRED[field], maxWidth: spec.maxWidth });
  if (field === 'shipmentId' && spec.maxWidth !== undefined) return check.reference(header, raw, spec.maxWidth);
  return raw;
}

export function buildJapanpostYupri(rows: CarrierShipmentRow[], mapping: YupriMapping = YUPRI_DEFAULT_MAPPING): CarrierFile {
  const m = mapping === YUPRI_DEFAULT_MAPPING ? mapping : validateYupriMapping(mapping);
  const columns = Object.entries(m.columns);
  return singleFile('japanpost_yupri', rows, columns.map(([h]) => h), buildRows(rows, (row, check) => columns.map(([header, source]) => cell(row, check, header, source))));
}
