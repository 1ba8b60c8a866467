import iconv from 'iconv-lite';
import amazon from '../../domain/portals/mappings/amazon.json';
import ana from '../../domain/portals/mappings/ana.json';
import choice from '../../domain/portals/mappings/choice.json';
import city from '../../domain/portals/mappings/city.json';
import furunavi from '../../domain/portals/mappings/furunavi.json';
import mynavi from '../../domain/portals/mappings/mynavi.json';
import satofull from '../../domain/portals/mappings/satofull.json';
import type { ColumnSpec, MappedField } from '../../domain/portals/mapping';
import { RAKUTEN_COLUMNS, type RakutenColumn } from '../../domain/portals/rakuten';
import type { PlannedDonation, SeasonPortal } from './plan';

/**
 * The day's export of each portal as it lands in its inbox folder (PORTAL_INBOX_DIR/<portal>/): 楽天's
 * published RMS 受注CSV, and the seven other portals in the layouts their mapping files
 * (domain/portals/mappings/*.json) describe — each header named by one of the mapping's own
 * alternatives, in the portal's encoding (CP932, UTF-8 with or without a BOM) and line ending, with
 * the portal's own words for payment methods.
 */
interface FileFormat {
  encoding: 'cp932' | 'utf-8' | 'utf-8-bom';
  eol: '\r\n' | '\n';
  /** Which of a column's alternative names this portal's export uses (index into the mapping's list, clamped). */
  variant: number;
  card: string;
  transfer: string;
  /** 1,234 or 1234. */
  groupedAmounts: boolean;
}

export const PORTAL_FORMATS: Record<SeasonPortal, FileFormat> = {
  rakuten: { encoding: 'cp932', eol: '\r\n', variant: 0, card: 'クレジットカード', transfer: '銀行振込', groupedAmounts: false },
  choice: { encoding: 'utf-8-bom', eol: '\r\n', variant: 0, card: 'クレジットカード', transfer: '銀行振込', groupedAmounts: true },
  satofull: { encoding: 'utf-8', eol: '\n', variant: 0, card: 'クレジットカード決済', transfer: '銀行振込', groupedAmounts: false },
  furunavi: { encoding: 'cp932', eol: '\r\n', variant: 1, card: 'クレジットカード', transfer: '銀行振込', groupedAmounts: true },
  ana: { encoding: 'cp932', eol: '\r\n', variant: 0, card: 'ANAカード', transfer: '銀行振込', groupedAmounts: false },
  amazon: { encoding: 'utf-8', eol: '\n', variant: 0, card: 'Amazon Pay', transfer: '銀行振込', groupedAmounts: false },
  mynavi: { encoding: 'utf-8-bom', eol: '\r\n', variant: 1, card: 'クレジットカード', transfer: '銀行振込', groupedAmounts: true },
  city: { encoding: 'cp932', eol: '\r\n', variant: 1, card: 'クレジットカード', transfer: '口座振込', groupedAmounts: false },
};

type MappedPortal = Exclude<SeasonPortal, 'rakuten'>;
const MAPPINGS: Record<MappedPortal, { columns: Partial<Record<MappedField, ColumnSpec>> }> = { amazon, ana, choice, city, furunavi, mynavi, satofull } as never;

const cell = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
const jstLocal = (iso: string) => new Date(Date.parse(iso) + 9 * 3_600_000).toISOString().replace('T', ' ').slice(0, 19);
const PURPOSES = ['子育て支援', '掘割・自然環境の保全', '観光・文化の振興', '市長におまかせ'];

/** One order of a 楽天 RMS 受注CSV, as the portal exports it. */
function rakutenRow(d: PlannedDonation): string[] {
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

const pickName = (alts: string | string[], variant: number) => (Array.isArray(alts) ? alts[Math.min(variant, alts.length - 1)] : alts);

/** A mapped portal's header: per field, the column names the export carries (a join's parts each a column). */
function mappedColumns(portal: MappedPortal): { field: MappedField; names: string[] }[] {
  const { variant } = PORTAL_FORMATS[portal];
  return (Object.entries(MAPPINGS[portal].columns) as [MappedField, ColumnSpec][]).map(([field, spec]) => ({
    field,
    names: typeof spec === 'object' && !Array.isArray(spec) ? spec.join.map((part) => pickName(part, variant)) : [pickName(spec, variant)],
  }));
}

/** The column a portal's file names a field with (an operator's correction is made by column name). */
export function columnOf(portal: SeasonPortal, field: 'giftCode'): string {
  if (portal === 'rakuten') return '商品管理番号';
  return mappedColumns(portal).find((c) => c.field === field)!.names[0];
}

function mappedRow(portal: MappedPortal, d: PlannedDonation): string[] {
  const f = PORTAL_FORMATS[portal];
  const [sei, mei] = d.donor.name.split(' ');
  const [seiKana, meiKana] = d.donor.nameKana ? d.donor.nameKana.split(' ') : ['', ''];
  // The street address and the building with its room, as two columns where the layout has them.
  const space = d.donor.address.indexOf(' ');
  const [street, building] = space < 0 ? [d.donor.address, ''] : [d.donor.address.slice(0, space), d.donor.address.slice(space + 1)];
  const amount = f.groupedAmounts ? d.amountYen.toLocaleString('en-US') : String(d.amountYen);
  const values: Partial<Record<MappedField, string[]>> = {
    portalOrderId: [d.orderId],
    appliedAt: [jstLocal(d.appliedAt).replace(/-/g, '/').slice(0, 16)],
    amountYen: [amount],
    paymentMethod: [d.payment === 'credit_card' ? f.card : f.transfer],
    paidAt: [''],
    purpose: [PURPOSES[d.n % PURPOSES.length]],
    wantsOneStop: [d.oneStop ? '希望する' : '希望しない'],
    disasterRelief: ['通常'],
    'donor.name': [sei, mei],
    'donor.nameKana': [seiKana, meiKana],
    'donor.postalCode': [d.donor.postalCode],
    'donor.prefecture': [d.donor.prefecture],
    'donor.address': [street, building],
    'donor.phone': [d.donor.phone ?? ''],
    'donor.email': [d.donor.email ?? ''],
    giftCode: [d.gift.code],
    giftQuantity: ['1'],
  };
  return mappedColumns(portal).flatMap((c) => c.names.map((_, i) => values[c.field]?.[i] ?? ''));
}

/** The day's export of one portal: header first, in the portal's encoding and line ending. */
export function portalFile(portal: SeasonPortal, orders: PlannedDonation[]): Buffer {
  const f = PORTAL_FORMATS[portal];
  const header = portal === 'rakuten' ? [...RAKUTEN_COLUMNS] : mappedColumns(portal).flatMap((c) => c.names);
  const rows = orders.map((d) => (portal === 'rakuten' ? rakutenRow(d) : mappedRow(portal, d)));
  const text = [header, ...rows].map((cells) => cells.map(cell).join(',') + f.eol).join('');
  if (f.encoding === 'cp932') return iconv.encode(text, 'cp932');
  return Buffer.concat([f.encoding === 'utf-8-bom' ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0), Buffer.from(text, 'utf8')]);
}

/** The file name each portal's export carries. */
export const portalFileName = (portal: SeasonPortal, day: string) => `${portal}-${day}.csv`;
