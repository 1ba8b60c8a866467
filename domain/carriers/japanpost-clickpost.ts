import { carrierDeclaration } from './catalogue';
import { addressRest, batchDate, buildRows, carrierFileName, csvBytes, layoutLines, postalCode, splitMunicipality, type RowCheck } from './shared';
import type { CarrierFile, CarrierShipmentRow } from './types';

/**
 * 日本郵便 クリックポスト まとめ申込 CSV: 8 columns with a header row, Shift_JIS,
 * as in six independent public implementations (research §4.5). Widths and the
 * 40-rows-per-file limit follow the one implementation that states them
 * (氏名 and each address line 40 half-width, 内容品 30, 敬称 様/御中)
 * [UNCERTAIN: the official limits were not read].
 *
 * クリックポスト is a mailbox service for small ambient items: no cool
 * service, no delivery date or time band, one label per row. Rows asking for
 * any of those are problems, so they go by another carrier instead of
 * arriving warm or late.
 */
export const CLICKPOST_HEADER = [
  'お届け先郵便番号', 'お届け先氏名', 'お届け先敬称', 'お届け先住所1行目', 'お届け先住所2行目', 'お届け先住所3行目', 'お届け先住所4行目', '内容品',
] as const;

export const CLICKPOST_MAX_ROWS = carrierDeclaration('japanpost_clickpost').file.rowsPerFile!;
const NAME = 40;
const LINE = 40;
const ITEM = 30;

function clickpostRow(row: CarrierShipmentRow, check: RowCheck): string[] {
  if (row.temperature !== 'ambient') check.add('temperature', row.temperature, `クリックポスト has no cool service; a ${row.temperature} item needs another carrier`);
  if (row.deliverOn) check.add('deliverOn', row.deliverOn, 'クリックポスト cannot take a delivery date; choose another carrier or remove the request');
  if (row.timeSlot) check.add('timeSlot', row.timeSlot, 'クリックポスト cannot take a delivery time band; choose another carrier or remove the request');
  if (row.quantity !== 1 && Number.isInteger(row.quantity)) check.add('quantity', row.quantity, 'クリックポスト prints one label per row; a shipment of several parcels needs one row each');

  const r = row.recipient;
  const postal = postalCode(check, 'recipient.postalCode', 'お届け先郵便番号', r.postalCode);
  const name = check.text('recipient.name', 'お届け先氏名', r.name, { required: true, maxWidth: NAME });
  const { prefecture, rest } = addressRest(row, check);
  const before = check.problems.length;
  const restText = check.text('recipient.address', 'お届け先住所', rest, { required: true });
  const building = check.text('recipient.building', 'お届け先住所', r.building);
  let lines: string[] = [];
  if (restText && check.problems.length === before) {
    const split = splitMunicipality(restText);
    const laid = layoutLines(split ? [prefecture + split.city, split.street, building] : [prefecture, restText, building], 4, LINE);
    if (!laid) check.add('recipient.address', r.address, `お届け先住所1–4行目 hold 4 × ${LINE / 2} full-width characters; the address does not fit`);
    else lines = laid;
  }
  const item = check.text('itemName', '内容品', row.itemName, { required: true, maxWidth: ITEM });
  return [postal, name, '様', ...[0, 1, 2, 3].map((i) => lines[i] ?? ''), item];
}

/**
 * One file per 40 rows (-2, -3 … suffixes). Problems are reported once, on
 * the first file; a batch with no usable row still yields one (header-only)
 * file so its problems reach the operator.
 */
export function buildJapanpostClickpost(rows: CarrierShipmentRow[]): CarrierFile[] {
  const built = buildRows(rows, clickpostRow);
  const date = batchDate(rows);
  const files: CarrierFile[] = [];
  for (let start = 0; start === 0 || start < built.cells.length; start += CLICKPOST_MAX_ROWS) {
    const cells = built.cells.slice(start, start + CLICKPOST_MAX_ROWS);
    files.push({
      carrier: 'japanpost_clickpost',
      fileName: carrierFileName('japanpost_clickpost', date, files.length + 1),
      content: csvBytes(CLICKPOST_HEADER, cells),
      encoding: 'CP932',
      rows: cells.length,
      shipmentIds: built.ids.slice(start, start + CLICKPOST_MAX_ROWS),
      problems: start === 0 ? built.problems : [],
    });
  }
  return files;
}
