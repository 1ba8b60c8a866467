import { buildDonation, type ValueMaps } from './shared';
import type { MapResult, PortalAdapter, RowMapper } from './types';

/**
 * 楽天ふるさと納税: the generic RMS 受注CSV (order download), whose column
 * order is known (research §4.1, from public code binding it by position).
 * Read by position; the header is checked at every position we use, so a
 * changed template stops the file with a message instead of shifting columns.
 * One row per item: a donation with several gifts is several consecutive rows.
 */
/** The address, name and phone columns RMS writes for a person: the same twelve for the orderer (注文者) and the recipient (送付先). */
const person = <W extends string>(who: W) =>
  [`${who}郵便番号1`, `${who}郵便番号2`, `${who}住所都道府県`, `${who}住所郡市区`, `${who}住所それ以降の住所`, `${who}姓`, `${who}名`, `${who}姓カナ`, `${who}名カナ`, `${who}電話番号1`, `${who}電話番号2`, `${who}電話番号3`] as const;
/** The five columns of each of the order's two gift wrappings. */
const wrapping = <N extends number>(n: N) => [`ラッピングタイトル${n}`, `ラッピング名${n}`, `ラッピング料金${n}`, `ラッピング税込別${n}`, `ラッピング種類${n}`] as const;

export const RAKUTEN_COLUMNS = [
  '注文番号', 'ステータス', 'サブステータスID', 'サブステータス', '注文日時', '注文日', '注文時間', 'キャンセル期限日', '注文確認日時', '注文確定日時',
  '発送指示日時', '発送完了報告日時', '支払方法名', 'クレジットカード支払い方法', 'クレジットカード支払い回数', '配送方法', '配送区分', '注文種別', '複数送付先フラグ', '送付先一致フラグ',
  '離島フラグ', '楽天確認中フラグ', '警告表示タイプ', '楽天会員フラグ', '購入履歴修正有無フラグ', '商品合計金額', '消費税合計', '送料合計', '代引料合計', '請求金額',
  '合計金額', 'ポイント利用額', 'クーポン利用総額', '店舗発行クーポン利用額', '楽天発行クーポン利用額',
  ...person('注文者'), '注文者メールアドレス', '注文者性別',
  '申込番号', '申込お届け回数', '送付先ID', '送付先送料', '送付先代引料', '送付先消費税合計', '送付先商品合計金額', '送付先合計金額', 'のし',
  ...person('送付先'),
  '商品明細ID', '商品ID', '商品名', '商品番号', '商品管理番号', '単価', '個数', '送料込別', '税込別', '代引手数料込別', '項目・選択肢', 'ポイント倍率', '納期情報', '在庫タイプ',
  ...wrapping(1), ...wrapping(2),
  'お届け時間帯', 'お届け日指定', '担当者', 'ひとことメモ', 'メール差込文 (お客様へのメッセージ)', 'ギフト配送希望',
  'コメント', '利用端末', 'メールキャリアコード', 'あす楽希望フラグ', '医薬品受注フラグ', '楽天スーパーDEAL商品受注フラグ', 'メンバーシッププログラム受注タイプ',
] as const;

export type RakutenColumn = (typeof RAKUTEN_COLUMNS)[number];

export interface RakutenSettings {
  portal: string;
  /** Which item column holds our gift code: 商品管理番号 (the item URL id) or 商品番号. */
  giftCodeColumn: '商品管理番号' | '商品番号';
  /** Lines "key:value" inside 項目・選択肢 that carry the donation's 使途 and one-stop wish [UNCERTAIN]. */
  optionKeys: { purpose: string[]; wantsOneStop: string[] };
  values: ValueMaps;
}

const at = (name: RakutenColumn) => RAKUTEN_COLUMNS.indexOf(name);
const norm = (s: string) => s.replace(/^\uFEFF/, '').normalize('NFKC').replace(/\s/g, '');

/** Ledger field → RMS column, also used to name the column in a quarantine entry. */
const FIELD_COLUMNS: Record<string, RakutenColumn> = {
  portalOrderId: '注文番号',
  appliedAt: '注文日時',
  paymentMethod: '支払方法名',
  amountYen: '合計金額',
  'donor.postalCode': '注文者郵便番号1',
  'donor.prefecture': '注文者住所都道府県',
  'donor.address': '注文者住所郡市区',
  'donor.name': '注文者姓',
  'donor.nameKana': '注文者姓カナ',
  'donor.phone': '注文者電話番号1',
  'donor.email': '注文者メールアドレス',
  'shipTo.postalCode': '送付先郵便番号1',
  'shipTo.prefecture': '送付先住所都道府県',
  'shipTo.address': '送付先住所郡市区',
  'shipTo.name': '送付先姓',
  'shipTo.nameKana': '送付先姓カナ',
  'shipTo.phone': '送付先電話番号1',
  purpose: '項目・選択肢',
  wantsOneStop: '項目・選択肢',
  giftQuantity: '個数',
};

const SHIP_TO_PARTS: RakutenColumn[] = ['送付先郵便番号2', '送付先住所それ以降の住所', '送付先名', '送付先名カナ', '送付先電話番号2', '送付先電話番号3'];

function optionValue(options: string, keys: string[]): string | undefined {
  for (const line of options.split(/\r?\n|[;；]/)) {
    const m = /^\s*([^:：]+)[:：]\s*(.*)$/.exec(line);
    if (m && keys.some((k) => norm(m[1]).includes(norm(k)))) return m[2].trim();
  }
  return undefined;
}

export function rakutenAdapter(settings: RakutenSettings): PortalAdapter {
  const used: RakutenColumn[] = [...new Set([...Object.values(FIELD_COLUMNS), '注文者郵便番号2', '注文者住所それ以降の住所', '注文者名', '注文者名カナ', '注文者電話番号2', '注文者電話番号3', ...SHIP_TO_PARTS, settings.giftCodeColumn] as RakutenColumn[])];
  return {
    portal: settings.portal,
    layout: 'published',
    source: 'RMS 受注CSV column order (research §4.1: public code binding RakutenVO by position); 項目・選択肢 keys provisional',
    begin(header: string[]): RowMapper | { error: string } {
      const wrong = used.filter((c) => norm(header[at(c)] ?? '') !== norm(c)).map((c) => `column ${at(c) + 1} is "${header[at(c)] ?? '(missing)'}", expected "${c}"`);
      if (wrong.length) return { error: `not an RMS 受注CSV in the known layout: ${wrong.slice(0, 5).join('; ')}${wrong.length > 5 ? ` (and ${wrong.length - 5} more)` : ''}` };
      const v = (cells: string[], c: RakutenColumn) => (cells[at(c)] ?? '').trim();
      const columnOf = (field: string) => (field === 'giftCode' ? settings.giftCodeColumn : FIELD_COLUMNS[field] ?? null);
      return {
        orderIdOf: (cells) => v(cells, '注文番号'),
        columnOf,
        map(rows: string[][]): MapResult {
          const c = rows[0];
          const options = v(c, '項目・選択肢');
          const zip = [v(c, '注文者郵便番号1'), v(c, '注文者郵便番号2')].filter(Boolean).join('-');
          const phone = [v(c, '注文者電話番号1'), v(c, '注文者電話番号2'), v(c, '注文者電話番号3')].filter(Boolean).join('-');
          // RMS writes 送付先 on every row (an order may name one per item); one order goes to one address here.
          const shipToOf = (r: string[]) => ({
            name: [v(r, '送付先姓'), v(r, '送付先名')].filter(Boolean).join(' '),
            nameKana: [v(r, '送付先姓カナ'), v(r, '送付先名カナ')].filter(Boolean).join(' '),
            postalCode: [v(r, '送付先郵便番号1'), v(r, '送付先郵便番号2')].filter(Boolean).join('-'),
            prefecture: v(r, '送付先住所都道府県'),
            address: `${v(r, '送付先住所郡市区')}${v(r, '送付先住所それ以降の住所')}`,
            phone: [v(r, '送付先電話番号1'), v(r, '送付先電話番号2'), v(r, '送付先電話番号3')].filter(Boolean).join('-'),
          });
          const shipTo = shipToOf(c);
          const shipToConflict = rows.some((r) => JSON.stringify(shipToOf(r)) !== JSON.stringify(shipTo));
          return buildDonation(
            {
              portalOrderId: v(c, '注文番号'),
              appliedAt: v(c, '注文日時'),
              amount: v(c, '合計金額'),
              paymentMethod: v(c, '支払方法名'),
              purpose: optionValue(options, settings.optionKeys.purpose),
              wantsOneStop: optionValue(options, settings.optionKeys.wantsOneStop),
              name: [v(c, '注文者姓'), v(c, '注文者名')].filter(Boolean).join(' '),
              nameKana: [v(c, '注文者姓カナ'), v(c, '注文者名カナ')].filter(Boolean).join(' '),
              postalCode: zip,
              prefecture: v(c, '注文者住所都道府県'),
              address: `${v(c, '注文者住所郡市区')}${v(c, '注文者住所それ以降の住所')}`,
              phone,
              email: v(c, '注文者メールアドレス'),
              shipTo,
              shipToConflict,
              gifts: rows.map((r) => ({ code: v(r, settings.giftCodeColumn), quantity: v(r, '個数') })),
            },
            settings.values,
            columnOf,
          );
        },
      };
    },
  };
}
