import type { DonorFields } from '../../domain/donor';
import type { Random } from './random';

/**
 * Synthetic but realistic donors: common surnames (some in 旧字体: 髙橋, 山﨑, 齋藤, 渡邊), kana as
 * portals export it, long addresses with building and room, postal codes that belong to their
 * prefecture (INTAKE-4 checks it), and a few residents of 柳川市, who may receive no gift (SHIP-6).
 */
export const SURNAMES: [string, string][] = [
  ['山田', 'ヤマダ'], ['佐藤', 'サトウ'], ['鈴木', 'スズキ'], ['髙橋', 'タカハシ'], ['田中', 'タナカ'], ['伊藤', 'イトウ'],
  ['渡邊', 'ワタナベ'], ['中村', 'ナカムラ'], ['小林', 'コバヤシ'], ['山﨑', 'ヤマザキ'], ['齋藤', 'サイトウ'], ['吉田', 'ヨシダ'],
  ['松本', 'マツモト'], ['井上', 'イノウエ'], ['木村', 'キムラ'], ['林', 'ハヤシ'], ['清水', 'シミズ'], ['濱田', 'ハマダ'],
];
export const GIVEN: [string, string][] = [
  ['花子', 'ハナコ'], ['太郎', 'タロウ'], ['一郎', 'イチロウ'], ['美咲', 'ミサキ'], ['健太', 'ケンタ'], ['陽子', 'ヨウコ'],
  ['翔', 'ショウ'], ['惠子', 'ケイコ'], ['眞一', 'シンイチ'], ['さくら', 'サクラ'], ['大輔', 'ダイスケ'], ['由美子', 'ユミコ'],
];
/** Outside 柳川市; each postal code in its prefecture. */
export const PLACES = [
  { postalCode: '100-0001', prefecture: '東京都', street: '千代田区千代田' },
  { postalCode: '160-0023', prefecture: '東京都', street: '新宿区西新宿' },
  { postalCode: '530-0001', prefecture: '大阪府', street: '大阪市北区梅田' },
  { postalCode: '810-0001', prefecture: '福岡県', street: '福岡市中央区天神' },
  { postalCode: '460-0008', prefecture: '愛知県', street: '名古屋市中区栄' },
  { postalCode: '060-0001', prefecture: '北海道', street: '札幌市中央区北一条西' },
  { postalCode: '980-0021', prefecture: '宮城県', street: '仙台市青葉区中央' },
  { postalCode: '220-0012', prefecture: '神奈川県', street: '横浜市西区みなとみらい' },
];
const BUILDINGS = ['', '', '', 'グランドメゾン柳川通り参番館', 'パークハイツ南青山', 'ライオンズマンション第二', 'サンシティ弐番街'];
/** 柳川市 (postal codes in domain/intake/yanagawa-postal-codes.json). */
const YANAGAWA = { postalCode: '832-0021', prefecture: '福岡県', street: '柳川市坂本町' };

export interface SyntheticDonor extends DonorFields {
  resident: boolean;
}

export function syntheticDonor(rng: Random, n: number, opts: { resident?: boolean } = {}): SyntheticDonor {
  const [sei, seiKana] = rng.pick(SURNAMES);
  const [mei, meiKana] = rng.pick(GIVEN);
  const place = opts.resident ? YANAGAWA : rng.pick(PLACES);
  const building = rng.pick(BUILDINGS);
  const room = building ? ` ${rng.int(1, 30)}0${rng.int(1, 9)}号室` : '';
  return {
    name: `${sei} ${mei}`,
    nameKana: `${seiKana} ${meiKana}`,
    postalCode: place.postalCode,
    prefecture: place.prefecture,
    address: `${place.street}${rng.int(1, 9)}丁目${rng.int(1, 30)}番${rng.int(1, 20)}号${building ? ` ${building}` : ''}${room}`,
    phone: `0${rng.int(3, 9)}-${String(rng.int(1000, 9999))}-${String(n % 10000).padStart(4, '0')}`,
    email: `donor${n}@example.jp`,
    resident: !!opts.resident,
  };
}
