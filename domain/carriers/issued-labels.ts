import { YUPRI_DEFAULT_MAPPING } from './japanpost-yupri';
import { EHIDEN_COL, EHIDEN_HEADER } from './sagawa-ehiden';
import { cellValue, decodeCarrierText, parseCsv } from './shared';
import type { CarrierCode, CarrierRowError, DeliveryStatus, DeliveryStatusLine, IssuedLabel, YupriMapping } from './types';
import { B2_COL, B2_HEADER } from './yamato-b2';

/**
 * Reading tracking numbers back after labels are issued. Each carrier's
 * export is matched on お客様管理番号 (our shipmentId, which we wrote) and
 * gives its tracking number:
 * - B2クラウド 発行済みデータ: the import layout with 伝票番号 (col 4) filled, お客様管理番号 in col 1;
 * - e飛伝: お客様管理番号 (col 10) and お問い合せ送り状No. (col 62);
 * - ゆうプリR: the columns the mapping's `issued` names (the operator's 出力用フィルタ).
 * A header row is recognised by its column names and used to find the
 * columns; without one, the positions above are used (not for ゆうプリR,
 * whose columns are only known by name). クリックポスト issues labels as PDF
 * and has no export to read.
 */
export class UnsupportedCarrierFileError extends Error {
  override name = 'UnsupportedCarrierFileError';
}

/** 12 digits, hyphens allowed (1234-5678-9012), as B2 (伝票番号 12桁), 佐川 and ゆうパック print them. */
const TRACKING = /^\d{12}$/;

export interface Layout { refHeader: string; trackingHeader: string; refCol?: number; trackingCol?: number }

/**
 * Where each declared carrier's issued-label export keeps お客様管理番号 and the tracking number;
 * null for a system without one (`issuedLabelExport: false` in ./catalogue; test/carriers/catalogue.test.ts
 * checks the two agree). A carrier added to the catalogue without an entry here does not compile.
 */
export const ISSUED_LABEL_LAYOUTS: Record<CarrierCode, ((mapping: YupriMapping) => Layout) | null> = {
  yamato_b2: () => ({ refHeader: B2_HEADER[B2_COL.customerRef - 1], trackingHeader: B2_HEADER[B2_COL.trackingNumber - 1], refCol: B2_COL.customerRef, trackingCol: B2_COL.trackingNumber }),
  sagawa_ehiden: () => ({ refHeader: EHIDEN_HEADER[EHIDEN_COL.customerRef - 1], trackingHeader: EHIDEN_HEADER[EHIDEN_COL.trackingNumber - 1], refCol: EHIDEN_COL.customerRef, trackingCol: EHIDEN_COL.trackingNumber }),
  japanpost_clickpost: null,
  japanpost_yupri: (mapping) => ({ refHeader: mapping.issued.shipmentId, trackingHeader: mapping.issued.trackingNumber }),
};

function layoutFor(carrier: CarrierCode, mapping: YupriMapping): Layout {
  const layout = ISSUED_LABEL_LAYOUTS[carrier];
  if (!layout) throw new UnsupportedCarrierFileError(`${carrier} has no issued-label export to read; enter its tracking numbers by hand`);
  return layout(mapping);
}

const normHeader = (h: string) => h.replace(/^\uFEFF/, '').trim().replace(/\.$/, '');

export function parseIssuedLabels(carrier: CarrierCode, content: Buffer, mapping: YupriMapping = YUPRI_DEFAULT_MAPPING): { labels: IssuedLabel[]; errors: CarrierRowError[] } {
  const layout = layoutFor(carrier, mapping);
  const records = parseCsv(decodeCarrierText(content));
  const labels: IssuedLabel[] = [];
  const errors: CarrierRowError[] = [];
  if (!records.length) return { labels, errors: [{ row: 1, reason: 'the file is empty' }] };

  let refIndex = layout.refCol !== undefined ? layout.refCol - 1 : -1;
  let trackingIndex = layout.trackingCol !== undefined ? layout.trackingCol - 1 : -1;
  const header = records[0].cells.map(normHeader);
  const namedHeader = header.includes(normHeader(layout.refHeader)) || header.includes(normHeader(layout.trackingHeader));
  // A first line whose tracking cell is words, not a number, is a header with other names: skip it.
  const unnamedHeader = !namedHeader && trackingIndex >= 0 && /[^\d\s-]/.test(cellValue(records[0].cells[trackingIndex]));
  const hasHeader = namedHeader || unnamedHeader;
  if (namedHeader) {
    refIndex = header.indexOf(normHeader(layout.refHeader));
    trackingIndex = header.indexOf(normHeader(layout.trackingHeader));
    const missing = [refIndex < 0 ? layout.refHeader : null, trackingIndex < 0 ? layout.trackingHeader : null].filter(Boolean);
    if (missing.length) return { labels, errors: [{ row: records[0].row, reason: `the header has no ${missing.join(' / ')} column` }] };
  } else if (refIndex < 0) {
    return { labels, errors: [{ row: records[0].row, reason: `no header row with ${layout.refHeader} and ${layout.trackingHeader}; the ゆうプリR export must have one` }] };
  }

  for (const { row, cells } of hasHeader ? records.slice(1) : records) {
    const shipmentId = cellValue(cells[refIndex]);
    const rawTracking = cellValue(cells[trackingIndex]);
    const trackingNumber = rawTracking.replace(/-/g, '');
    if (!shipmentId) errors.push({ row, column: layout.refHeader, reason: `${layout.refHeader} is empty, so the label cannot be matched to a shipment` });
    else if (!rawTracking) errors.push({ row, column: layout.trackingHeader, reason: `${layout.trackingHeader} is empty (label not issued yet?)` });
    else if (!TRACKING.test(trackingNumber)) errors.push({ row, column: layout.trackingHeader, reason: `"${rawTracking}" is not a 12-digit tracking number` });
    else labels.push({ shipmentId, trackingNumber, row });
  }
  return { labels, errors };
}

/**
 * Delivery status file. The carriers' tracking APIs are not reachable from
 * here, so this is OUR neutral layout, which an operator (or a later
 * integration) fills from the carriers' own screens: a header row
 * 伝票番号,お客様管理番号,配達状況,日時 (any column order), CP932 or UTF-8.
 * 配達状況 is one of 配達完了 / 持戻り / 調査中 / 返品; 日時 is Japan time
 * ("2026-12-03 14:05", "2026/12/03 14:05:00") or ISO 8601 with an offset.
 */
export const STATUS_HEADER = ['伝票番号', 'お客様管理番号', '配達状況', '日時'] as const;
export const STATUS_VALUES: Record<string, DeliveryStatus> = { 配達完了: 'delivered', 持戻り: 'returned_to_depot', 調査中: 'investigating', 返品: 'returned' };

function parseAt(value: string): string | undefined {
  const v = value.trim().replace(/[\uFF10-\uFF19／：－]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(v)) {
    const t = Date.parse(v);
    return Number.isNaN(t) ? undefined : new Date(t).toISOString();
  }
  const m = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$/.exec(v);
  if (!m) return undefined;
  const [Y, M, D, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number);
  if (M < 1 || M > 12 || D < 1 || h > 23 || mi > 59 || s > 59) return undefined;
  const day = new Date(Date.UTC(Y, M - 1, D));
  if (day.getUTCMonth() !== M - 1) return undefined;
  return new Date(Date.UTC(Y, M - 1, D, h - 9, mi, s)).toISOString();
}

export function parseDeliveryStatusFile(content: Buffer): { statuses: DeliveryStatusLine[]; errors: CarrierRowError[] } {
  const records = parseCsv(decodeCarrierText(content));
  const statuses: DeliveryStatusLine[] = [];
  const errors: CarrierRowError[] = [];
  if (!records.length) return { statuses, errors: [{ row: 1, reason: 'the file is empty' }] };
  const header = records[0].cells.map(normHeader);
  const index = Object.fromEntries(STATUS_HEADER.map((h) => [h, header.indexOf(h)])) as Record<(typeof STATUS_HEADER)[number], number>;
  const missing = STATUS_HEADER.filter((h) => h !== 'お客様管理番号' && index[h] < 0);
  if (missing.length) return { statuses, errors: [{ row: records[0].row, reason: `the header must be ${STATUS_HEADER.join(',')}; missing ${missing.join(', ')}` }] };

  for (const { row, cells } of records.slice(1)) {
    const rowErrors: CarrierRowError[] = [];
    const rawTracking = cellValue(cells[index['伝票番号']]);
    const trackingNumber = rawTracking.replace(/-/g, '');
    if (!TRACKING.test(trackingNumber)) rowErrors.push({ row, column: '伝票番号', reason: rawTracking ? `"${rawTracking}" is not a 12-digit tracking number` : '伝票番号 is empty' });
    const statusText = cellValue(cells[index['配達状況']]);
    const status = STATUS_VALUES[statusText];
    if (!status) rowErrors.push({ row, column: '配達状況', reason: `"${statusText}" is not one of ${Object.keys(STATUS_VALUES).join(' / ')}` });
    const atText = cellValue(cells[index['日時']]);
    const at = parseAt(atText);
    if (!at) rowErrors.push({ row, column: '日時', reason: atText ? `"${atText}" is not a date and time (e.g. 2026-12-03 14:05, Japan time)` : '日時 is empty' });
    const shipmentId = index['お客様管理番号'] >= 0 ? cellValue(cells[index['お客様管理番号']]) : '';
    if (rowErrors.length) errors.push(...rowErrors);
    else statuses.push({ trackingNumber, ...(shipmentId ? { shipmentId } : {}), status: status!, at: at!, row });
  }
  return { statuses, errors };
}
