import iconv from 'iconv-lite';
import { RAKUTEN_COLUMNS, type RakutenColumn } from '../../domain/portals/rakuten';
import type { PlannedDonation } from './plan';

const cell = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
const jstLocal = (iso: string) => new Date(Date.parse(iso) + 9 * 3_600_000).toISOString().replace('T', ' ').slice(0, 19);

/** One order of a 楽天 RMS 受注CSV, as the portal exports it. */
function row(d: PlannedDonation): string[] {
  const [zip1, zip2] = d.donor.postalCode.split('-');
  const [sei, mei] = d.donor.name.split(' ');
  const [seiKana, meiKana] = d.donor.nameKana ? d.donor.nameKana.split(' ') : ['', ''];
  const [tel1, tel2, tel3] = (d.donor.phone ?? '').split('-');
  const v: Partial<Record<RakutenColumn, string>> = {
    注文番号: d.orderId,
    ステータス: '新規受付',
    注文日時: jstLocal(d.appliedAt),
    支払方法名: d.payment === 'credit_card' ? 'クレジットカード' : '銀行振込',
    合計金額: String(d.amountYen),
    商品合計金額: String(d.amountYen),
    注文者郵便番号1: zip1,
    注文者郵便番号2: zip2,
    注文者住所都道府県: d.donor.prefecture,
    注文者住所郡市区: '',
    注文者住所それ以降の住所: d.donor.address,
    注文者姓: sei,
    注文者名: mei,
    注文者姓カナ: seiKana,
    注文者名カナ: meiKana,
    注文者電話番号1: tel1,
    注文者電話番号2: tel2,
    注文者電話番号3: tel3,
    注文者メールアドレス: d.donor.email,
    商品管理番号: d.gift.code,
    商品名: d.gift.name,
    単価: String(d.gift.priceYen),
    個数: '1',
    '項目・選択肢': `ワンストップ特例申請書:${d.oneStop ? '希望する' : '希望しない'}`,
  };
  return RAKUTEN_COLUMNS.map((c) => v[c] ?? '');
}

/** The day's export in CP932 with CRLF, header first: the layout domain/portals/rakuten.ts reads. */
export function rakutenFile(orders: PlannedDonation[]): Buffer {
  const lines = [[...RAKUTEN_COLUMNS], ...orders.map(row)].map((cells) => cells.map(cell).join(',') + '\r\n');
  return iconv.encode(lines.join(''), 'cp932');
}
