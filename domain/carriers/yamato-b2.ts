import { cp932Width, substitute, toHalfWidthKana, unrepresentable } from './jis';
import { addressRest, buildRows, formatDate, layoutLines, phone, postalCode, singleFile, splitMunicipality, type RowCheck } from './shared';
import { CarrierConfigError } from './errors';
import type { CarrierFile, CarrierOptions, CarrierShipmentRow, TemperatureClass } from './types';

/**
 * ヤマト運輸 B2クラウド 送り状発行データ (外部データから発行), per 「B2 クラウド
 * 送り状発行データレイアウト 入出力用」 (new_exchange1.pdf, as referenced by
 * labocho/yamato_b2_cloud:record.rb; column notes in research §4.2).
 *
 * All 95 columns, not the 42 many tools stop at: the official layout has 95,
 * so the file matches B2's 基本レイアウト without a custom layout being
 * registered, and columns 48–51 (お届け予定eメール) are how donors get the
 * pre-shipping e-mail. Unused columns are written empty, in position. The
 * issued-data export B2 gives back has the same layout (issued-labels.ts).
 */
export const B2_HEADER = [
  'お客様管理番号', '送り状種類', 'クール区分', '伝票番号', '出荷予定日', 'お届け予定日', '配達時間帯', 'お届け先コード',
  'お届け先電話番号', 'お届け先電話番号枝番', 'お届け先郵便番号', 'お届け先住所', 'お届け先アパートマンション名',
  'お届け先会社・部門１', 'お届け先会社・部門２', 'お届け先名', 'お届け先名(ｶﾅ)', '敬称', 'ご依頼主コード',
  'ご依頼主電話番号', 'ご依頼主電話番号枝番', 'ご依頼主郵便番号', 'ご依頼主住所', 'ご依頼主アパートマンション', 'ご依頼主名',
  'ご依頼主名(ｶﾅ)', '品名コード１', '品名１', '品名コード２', '品名２', '荷扱い１', '荷扱い２', '記事',
  'ｺﾚｸﾄ代金引換額（税込)', '内消費税額等', '止置き', '営業所コード', '発行枚数', '個数口表示フラグ', '請求先顧客コード',
  '請求先分類コード', '運賃管理番号', 'クロネコwebコレクトデータ登録', 'クロネコwebコレクト加盟店番号',
  'クロネコwebコレクト申込受付番号１', 'クロネコwebコレクト申込受付番号２', 'クロネコwebコレクト申込受付番号３',
  'お届け予定ｅメール利用区分', 'お届け予定ｅメールe-mailアドレス', '入力機種', 'お届け予定ｅメールメッセージ',
  'お届け完了ｅメール利用区分', 'お届け完了ｅメールe-mailアドレス', 'お届け完了ｅメールメッセージ', 'クロネコ収納代行利用区分',
  '予備', '収納代行請求金額(税込)', '収納代行内消費税額等', '収納代行請求先郵便番号', '収納代行請求先住所',
  '収納代行請求先住所（アパートマンション名）', '収納代行請求先会社・部門名１', '収納代行請求先会社・部門名２',
  '収納代行請求先名(漢字)', '収納代行請求先名(カナ)', '収納代行問合せ先名(漢字)', '収納代行問合せ先郵便番号',
  '収納代行問合せ先住所', '収納代行問合せ先住所（アパートマンション名）', '収納代行問合せ先電話番号', '収納代行管理番号',
  '収納代行品名', '収納代行備考', '複数口くくりキー', '検索キータイトル1', '検索キー1', '検索キータイトル2', '検索キー2',
  '検索キータイトル3', '検索キー3', '検索キータイトル4', '検索キー4', '検索キータイトル5', '検索キー5', '予備', '予備',
  '投函予定メール利用区分', '投函予定メールe-mailアドレス', '投函予定メールメッセージ', '投函完了メール（お届け先宛）利用区分',
  '投函完了メール（お届け先宛）e-mailアドレス', '投函完了メール（お届け先宛）メールメッセージ',
  '投函完了メール（ご依頼主宛）利用区分', '投函完了メール（ご依頼主宛）e-mailアドレス', '投函完了メール（ご依頼主宛）メールメッセージ',
] as const;

/** 1-based column numbers of the layout document, for the columns we fill or read. */
export const B2_COL = {
  customerRef: 1, slipType: 2, cool: 3, trackingNumber: 4, shipOn: 5, deliverOn: 6, timeSlot: 7,
  phone: 9, postalCode: 11, address: 12, building: 13, name: 16, nameKana: 17, honorific: 18,
  senderPhone: 20, senderPostalCode: 22, senderAddress: 23, senderName: 25,
  item1: 28, item2: 30, notes: 33, copies: 38, billingCustomerCode: 40, billingClassCode: 41, freightCode: 42,
  noticeUse: 48, noticeEmail: 49, noticeDevice: 50, noticeMessage: 51,
} as const;

/** クール区分: 0 通常, 1 クール冷凍, 2 クール冷蔵 — note frozen is 1, chilled 2. */
export const B2_COOL: Record<TemperatureClass, string> = { ambient: '0', frozen: '1', chilled: '2' };

/** Widths from the layout notes, in half-width units ("16/32" → 32). */
const LIMIT = {
  prefecture: 8, city: 24, street: 32, unsplitRest: 56, building: 32, name: 32, kana: 50,
  senderAddress: 64, senderName: 32, item: 50, notes: 44, noticeMessage: 148, reference: 50,
};

export type YamatoOptions = NonNullable<CarrierOptions['yamato']>;

function checkOptions(options: CarrierOptions['yamato']): YamatoOptions {
  if (!options) throw new CarrierConfigError('B2クラウド needs options.yamato (請求先顧客コード and 運賃管理番号 of the city\'s contract)');
  // 12 digits in the layout; labocho/yamato_b2_cloud accepts 10–12 (10-digit code without 枝番).
  if (!/^\d{10,12}$/.test(options.billingCustomerCode)) throw new CarrierConfigError(`請求先顧客コード "${options.billingCustomerCode}" must be 10–12 digits`);
  if (!/^\d{2}$/.test(options.freightCode)) throw new CarrierConfigError(`運賃管理番号 "${options.freightCode}" must be 2 digits`);
  if (options.billingClassCode && !/^\d{3}$/.test(options.billingClassCode)) throw new CarrierConfigError(`請求先分類コード "${options.billingClassCode}" must be 3 digits or empty`);
  const message = substitute(options.deliveryNoticeMessage ?? '').trim();
  const bad = unrepresentable(message);
  if (bad.length) throw new CarrierConfigError(`お届け予定ｅメールメッセージ contains ${bad.join(' ')}, which B2クラウド cannot take`);
  if (cp932Width(message) > LIMIT.noticeMessage) throw new CarrierConfigError(`お届け予定ｅメールメッセージ allows ${LIMIT.noticeMessage / 2} full-width characters`);
  return options;
}

function b2Row(row: CarrierShipmentRow, check: RowCheck, options: YamatoOptions): string[] {
  const cells: string[] = new Array(B2_HEADER.length).fill('');
  const set = (col: number, value: string) => (cells[col - 1] = value);

  set(B2_COL.customerRef, check.reference('お客様管理番号', row.shipmentId, LIMIT.reference));
  set(B2_COL.slipType, '0'); // 発払い
  set(B2_COL.cool, B2_COOL[row.temperature] ?? '');
  set(B2_COL.shipOn, formatDate(row.shipOn ?? '', 'YYYY/MM/DD'));
  if (row.deliverOn) set(B2_COL.deliverOn, formatDate(row.deliverOn, 'YYYY/MM/DD'));
  set(B2_COL.timeSlot, row.timeSlot ?? '');

  const r = row.recipient;
  set(B2_COL.phone, phone(check, 'recipient.phone', 'お届け先電話番号', r.phone));
  set(B2_COL.postalCode, postalCode(check, 'recipient.postalCode', 'お届け先郵便番号', r.postalCode));

  // お届け先住所 is one column that B2 itself splits into 都道府県 (4) / 市区郡町村 (12) / 町・番地 (16);
  // each part has its own limit, so we split the same way to check them.
  const { prefecture, rest } = addressRest(row, check);
  const before = check.problems.length;
  const restText = check.text('recipient.address', 'お届け先住所', rest, { required: true });
  if (restText && check.problems.length === before) {
    const split = splitMunicipality(restText);
    if (split) {
      check.width('recipient.address', 'お届け先住所 (市区郡町村)', r.address, split.city, LIMIT.city);
      if (!split.street) check.add('recipient.address', r.address, `お届け先住所 has no 町・番地 after "${split.city}"`);
      else check.width('recipient.address', 'お届け先住所 (町・番地; move the rest to the building line)', r.address, split.street, LIMIT.street);
    } else check.width('recipient.address', 'お届け先住所 (市区郡町村 + 町・番地)', r.address, restText, LIMIT.unsplitRest);
  }
  set(B2_COL.address, prefecture + restText);
  set(B2_COL.building, check.text('recipient.building', 'お届け先アパートマンション名', r.building, { maxWidth: LIMIT.building }));
  set(B2_COL.name, check.text('recipient.name', 'お届け先名', r.name, { required: true, maxWidth: LIMIT.name }));
  if (r.nameKana) {
    const kana = toHalfWidthKana(r.nameKana);
    for (const ch of kana.unconvertible) check.add('recipient.nameKana', r.nameKana, `お届け先名(ｶﾅ) takes 半角ｶﾅ; "${ch}" has no half-width kana form`, ch);
    if (!kana.unconvertible.length) check.width('recipient.nameKana', 'お届け先名(ｶﾅ)', r.nameKana, kana.text.trim(), LIMIT.kana);
    set(B2_COL.nameKana, kana.text.trim());
  }
  set(B2_COL.honorific, '様');

  const s = row.sender;
  set(B2_COL.senderPhone, phone(check, 'sender.phone', 'ご依頼主電話番号', s.phone));
  set(B2_COL.senderPostalCode, postalCode(check, 'sender.postalCode', 'ご依頼主郵便番号', s.postalCode));
  set(B2_COL.senderAddress, check.text('sender.address', 'ご依頼主住所', s.address, { required: true, maxWidth: LIMIT.senderAddress }));
  set(B2_COL.senderName, check.text('sender.name', 'ご依頼主名', s.name, { required: true, maxWidth: LIMIT.senderName }));

  // 品名１ then 品名２ (25 full-width each): a long gift name continues on the second line rather than being cut.
  const beforeItem = check.problems.length;
  const item = check.text('itemName', '品名１', row.itemName, { required: true });
  if (item && check.problems.length === beforeItem) {
    const lines = layoutLines([item], 2, LIMIT.item);
    if (!lines) check.add('itemName', row.itemName, `品名１ + 品名２ allow ${LIMIT.item / 2} full-width characters each; "${item}" does not fit in both`);
    else {
      set(B2_COL.item1, lines[0]);
      set(B2_COL.item2, lines[1] ?? '');
    }
  }
  set(B2_COL.notes, check.text('notes', '記事', row.notes, { maxWidth: LIMIT.notes }));
  // 発行枚数 (発払いのみ): one label per parcel.
  set(B2_COL.copies, String(row.quantity));
  set(B2_COL.billingCustomerCode, options.billingCustomerCode);
  set(B2_COL.billingClassCode, options.billingClassCode ?? '');
  set(B2_COL.freightCode, options.freightCode);

  // お届け予定eメール: 利用区分 1 = use, 入力機種 1 = PC (the layout's codes; [UNCERTAIN] whether 0 or blank is expected when unused).
  const email = row.email?.trim();
  set(B2_COL.noticeUse, email ? '1' : '0');
  if (email) {
    set(B2_COL.noticeEmail, email);
    set(B2_COL.noticeDevice, '1');
    set(B2_COL.noticeMessage, substitute(options.deliveryNoticeMessage ?? '').trim());
  }
  return cells;
}

export function buildYamatoB2(rows: CarrierShipmentRow[], options: CarrierOptions): CarrierFile {
  const yamato = checkOptions(options.yamato);
  return singleFile('yamato_b2', rows, B2_HEADER, buildRows(rows, (row, check) => b2Row(row, check, yamato)));
}
