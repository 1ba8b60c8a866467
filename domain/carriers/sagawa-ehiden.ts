import { addressRest, buildRows, formatDate, layoutLines, phone, postalCode, singleFile, splitMunicipality, toFullWidthAscii, type RowCheck } from './shared';
import { CarrierConfigError } from './errors';
import type { CarrierFile, CarrierOptions, CarrierShipmentRow, TemperatureClass } from './types';

/**
 * 佐川急便 e飛伝Ⅲ 出荷データ, the 74-column header mirrored by public shipping-CSV
 * generators (research §4.3). Codes and widths come from the e飛伝Ⅱ
 * 「出荷データCSV入力項目レイアウト」 (2016) that Ⅲ grew out of:
 * 住所1–3 and 名称1–2 16 full-width each, 品名 16 full-width / 32 half-width,
 * 便種（商品） 001 指定なし / 002 飛脚クール便（冷蔵） / 003 飛脚クール便（冷凍）,
 * 配達日 YYYYMMDD, 元着区分 1 元払. [UNCERTAIN] that Ⅲ kept all of these;
 * check against the city's e飛伝Ⅲ 取込み設定 before the first upload.
 */
export const EHIDEN_HEADER = [
  'お届け先コード取得区分', 'お届け先コード', 'お届け先電話番号', 'お届け先郵便番号', 'お届け先住所１', 'お届け先住所２',
  'お届け先住所３', 'お届け先名称１', 'お届け先名称２', 'お客様管理番号', 'お客様コード', '部署ご担当者コード取得区分',
  '部署ご担当者コード', '部署ご担当者名称', '荷送人電話番号', 'ご依頼主コード取得区分', 'ご依頼主コード', 'ご依頼主電話番号',
  'ご依頼主郵便番号', 'ご依頼主住所１', 'ご依頼主住所２', 'ご依頼主名称１', 'ご依頼主名称２', '荷姿', '品名１', '品名２',
  '品名３', '品名４', '品名５', '荷札荷姿', '荷札品名１', '荷札品名２', '荷札品名３', '荷札品名４', '荷札品名５', '荷札品名６',
  '荷札品名７', '荷札品名８', '荷札品名９', '荷札品名１０', '荷札品名１１', '出荷個数', 'スピード指定', 'クール便指定', '配達日',
  '配達指定時間帯', '配達指定時間（時分）', '代引金額', '消費税', '決済種別', '保険金額', '指定シール１', '指定シール２',
  '指定シール３', '営業所受取', 'ＳＲＣ区分', '営業所受取営業所コード', '元着区分', 'メールアドレス', 'ご不在時連絡先', '出荷日',
  'お問い合せ送り状No.', '出荷場印字区分', '集約解除指定', '編集０１', '編集０２', '編集０３', '編集０４', '編集０５', '編集０６',
  '編集０７', '編集０８', '編集０９', '編集１０',
] as const;

export const EHIDEN_COL = {
  phone: 3, postalCode: 4, address1: 5, name1: 8, customerRef: 10, customerCode: 11,
  senderPhone: 18, senderPostalCode: 19, senderAddress1: 20, senderName1: 22, item1: 25,
  parcels: 42, speed: 43, cool: 44, deliverOn: 45, timeSlot: 46, payer: 58, email: 59, shipOn: 61, trackingNumber: 62,
} as const;

export const EHIDEN_COOL: Record<TemperatureClass, string> = { ambient: '001', chilled: '002', frozen: '003' };

/**
 * Our bands (B2 notation) → 配達指定時間帯 of the 「６時間帯」 service: 01 午前中,
 * 14, 16, 18 (18–20), 19 (19–21). A contract on the older 「５時間帯」 has only
 * 04 (18–21) in the evening; [UNCERTAIN] which one the city's account uses.
 */
export const EHIDEN_TIME: Record<string, string> = { '': '', '0812': '01', '1416': '14', '1618': '16', '1820': '18', '1921': '19' };

const LINE = 32; // 16 full-width
/** お客様管理番号: 16 half-width characters [UNCERTAIN: the limit of a public e飛伝 plugin; see docs/carriers.md]. */
export const EHIDEN_REFERENCE_WIDTH = 16;

function ehidenRow(row: CarrierShipmentRow, check: RowCheck, options: CarrierOptions['sagawa']): string[] {
  const cells: string[] = new Array(EHIDEN_HEADER.length).fill('');
  const set = (col: number, value: string) => (cells[col - 1] = value);
  const setLines = (col: number, lines: string[]) => lines.forEach((l, i) => set(col + i, l));

  const r = row.recipient;
  set(EHIDEN_COL.phone, phone(check, 'recipient.phone', 'お届け先電話番号', r.phone, 14));
  set(EHIDEN_COL.postalCode, postalCode(check, 'recipient.postalCode', 'お届け先郵便番号', r.postalCode));

  // 住所１ 都道府県+市区町村, ２ 町・番地, ３ 建物 where each fits on its line; otherwise packed over the three.
  const { prefecture, rest } = addressRest(row, check);
  const before = check.problems.length;
  const restText = toFullWidthAscii(check.text('recipient.address', 'お届け先住所', rest, { required: true }));
  const building = toFullWidthAscii(check.text('recipient.building', 'お届け先住所３', r.building));
  if (restText && check.problems.length === before) {
    const split = splitMunicipality(restText);
    const parts = split ? [prefecture + split.city, split.street, building] : [prefecture, restText, building];
    const lines = layoutLines(parts, 3, LINE);
    if (!lines) check.add('recipient.address', r.address, `お届け先住所１–３ hold 3 × 16 full-width characters; "${prefecture}${restText}${building}" does not fit`);
    else setLines(EHIDEN_COL.address1, lines);
  }
  const nameBefore = check.problems.length;
  const name = toFullWidthAscii(check.text('recipient.name', 'お届け先名称１', r.name, { required: true }));
  if (name && check.problems.length === nameBefore) {
    const lines = layoutLines([name], 2, LINE);
    if (!lines) check.add('recipient.name', r.name, `お届け先名称１–２ hold 2 × 16 full-width characters; "${name}" does not fit`);
    else setLines(EHIDEN_COL.name1, lines);
  }
  set(EHIDEN_COL.customerRef, check.reference('お客様管理番号', row.shipmentId, EHIDEN_REFERENCE_WIDTH));
  set(EHIDEN_COL.customerCode, options?.customerCode ?? '');

  const s = row.sender;
  set(EHIDEN_COL.senderPhone, phone(check, 'sender.phone', 'ご依頼主電話番号', s.phone, 14));
  set(EHIDEN_COL.senderPostalCode, postalCode(check, 'sender.postalCode', 'ご依頼主郵便番号', s.postalCode));
  const senderBefore = check.problems.length;
  const senderAddress = toFullWidthAscii(check.text('sender.address', 'ご依頼主住所１', s.address, { required: true }));
  const senderName = toFullWidthAscii(check.text('sender.name', 'ご依頼主名称１', s.name, { required: true }));
  if (check.problems.length === senderBefore) {
    const addressLines = layoutLines([senderAddress], 2, LINE);
    if (!addressLines) check.add('sender.address', s.address, `ご依頼主住所１–２ hold 2 × 16 full-width characters; "${senderAddress}" does not fit`);
    else setLines(EHIDEN_COL.senderAddress1, addressLines);
    const nameLines = layoutLines([senderName], 2, LINE);
    if (!nameLines) check.add('sender.name', s.name, `ご依頼主名称１–２ hold 2 × 16 full-width characters; "${senderName}" does not fit`);
    else setLines(EHIDEN_COL.senderName1, nameLines);
  }

  // 品名１–５, 16 full-width / 32 half-width each (the implementation we follow calls Ⅲ's limit provisional).
  const itemBefore = check.problems.length;
  const item = check.text('itemName', '品名１', row.itemName, { required: true });
  if (item && check.problems.length === itemBefore) {
    const lines = layoutLines([item], 5, LINE);
    if (!lines) check.add('itemName', row.itemName, `品名１–５ hold 5 × 16 full-width characters; "${item}" does not fit`);
    else setLines(EHIDEN_COL.item1, lines);
  }

  set(EHIDEN_COL.parcels, String(row.quantity));
  set(EHIDEN_COL.speed, '000'); // 飛脚宅配便
  set(EHIDEN_COL.cool, EHIDEN_COOL[row.temperature] ?? '');
  if (row.deliverOn) set(EHIDEN_COL.deliverOn, formatDate(row.deliverOn, 'YYYYMMDD'));
  set(EHIDEN_COL.timeSlot, EHIDEN_TIME[row.timeSlot ?? ''] ?? '');
  set(EHIDEN_COL.payer, '1'); // 元払
  set(EHIDEN_COL.email, row.email?.trim() ?? '');
  // [UNCERTAIN] 出荷日 format: YYYY/MM/DD as accepted in the public converter we follow.
  set(EHIDEN_COL.shipOn, formatDate(row.shipOn ?? '', 'YYYY/MM/DD'));
  return cells;
}

/**
 * `notes` has no column in e飛伝 (nothing printed on the label takes free
 * text) and is not written; everything else of the row is.
 */
export function buildSagawaEhiden(rows: CarrierShipmentRow[], options: CarrierOptions): CarrierFile {
  const code = options.sagawa?.customerCode;
  if (code && !/^\d{1,12}$/.test(code)) throw new CarrierConfigError(`e飛伝 お客様コード "${code}" must be up to 12 digits`);
  return singleFile('sagawa_ehiden', rows, EHIDEN_HEADER, buildRows(rows, (row, check) => ehidenRow(row, check, options.sagawa)));
}
