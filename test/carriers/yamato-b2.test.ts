import iconv from 'iconv-lite';
import { buildCarrierFiles, CarrierConfigError, type CarrierOptions } from '../../domain/carriers';
import { B2_COL, B2_HEADER } from '../../domain/carriers/yamato-b2';
import { decode, shipment } from './rows';

const options: CarrierOptions = { yamato: { billingCustomerCode: '094412345601', freightCode: '01', deliveryNoticeMessage: '柳川市よりお礼の品をお送りします' } };
const col = (line: string[], n: number) => line[n - 1];

describe('SHIP-3 ヤマト B2クラウド 送り状発行データ', () => {
  test('95 columns, header first, CRLF, CP932; each field in its documented column', () => {
    const [file] = buildCarrierFiles('yamato_b2', [shipment({ deliverOn: '2026-12-03', timeSlot: '1416', notes: '不在時は宅配ボックスへ', email: 'taro@example.jp' })], options);
    expect(file).toMatchObject({ carrier: 'yamato_b2', fileName: 'yamato_b2-2026-12-01.csv', encoding: 'CP932', rows: 1, problems: [] });
    expect(file.shipmentIds).toEqual(['S00012345']);
    const [header, line, ...more] = decode(file);
    expect(more).toEqual([]);
    expect(header).toEqual([...B2_HEADER]);
    expect(header).toHaveLength(95);
    expect(line).toHaveLength(95);
    expect(col(header, 1)).toBe('お客様管理番号');
    expect(col(header, 4)).toBe('伝票番号');
    expect(col(header, 40)).toBe('請求先顧客コード');
    expect(col(header, 42)).toBe('運賃管理番号');
    expect(col(header, 48)).toBe('お届け予定ｅメール利用区分');

    const expected: Record<number, string> = {
      1: 'S00012345',
      2: '0', // 発払い
      3: '0', // 常温
      4: '', // 伝票番号: B2 assigns it
      5: '2026/12/01',
      6: '2026/12/03',
      7: '1416',
      9: '092-123-4567',
      11: '812-0011',
      12: '福岡県福岡市博多区博多駅前1-2-3',
      13: '博多ハイツ101',
      16: '山田 太郎',
      17: 'ﾔﾏﾀﾞ ﾀﾛｳ',
      18: '様',
      20: '0944-73-8111',
      22: '832-8601',
      23: '福岡県柳川市本町87-1',
      25: '柳川市 ふるさと納税係',
      28: '柳川うなぎのせいろ蒸し',
      30: '',
      33: '不在時は宅配ボックスへ',
      38: '1',
      40: '094412345601',
      41: '',
      42: '01',
      48: '1',
      49: 'taro@example.jp',
      50: '1',
      51: '柳川市よりお礼の品をお送りします',
    };
    for (let n = 1; n <= 95; n++) expect([n, col(line, n)]).toEqual([n, expected[n] ?? '']);
  });

  test.each([
    ['ambient', '0'],
    ['frozen', '1'], // クール冷凍
    ['chilled', '2'], // クール冷蔵
  ] as const)('クール区分: %s → %s', (temperature, code) => {
    const [file] = buildCarrierFiles('yamato_b2', [shipment({ temperature })], options);
    expect(col(decode(file)[1], B2_COL.cool)).toBe(code);
  });

  test('no e-mail: お届け予定eメール not used, address and message left empty', () => {
    const [file] = buildCarrierFiles('yamato_b2', [shipment()], options);
    const line = decode(file)[1];
    expect([col(line, 48), col(line, 49), col(line, 50), col(line, 51)]).toEqual(['0', '', '', '']);
  });

  test('substitutions: 髙橋 → 高橋, ① → (1), ﾊﾝｶｸ → 全角, 〜 → ～; 邉 stays', () => {
    const [file] = buildCarrierFiles('yamato_b2', [shipment({ recipient: { name: '髙橋 邉子', building: 'ｺｰﾎﾟ①〜' }, itemName: '﨑の德用セット' })], options);
    expect(file.problems).toEqual([]);
    const line = decode(file)[1];
    expect(col(line, 16)).toBe('高橋 邉子');
    expect(col(line, 13)).toBe('コーポ(1)～');
    expect(col(line, 28)).toBe('崎の徳用セット');
  });

  test('an unencodable character is a problem naming the field and the character; that row is left out, the others stay', () => {
    const good = shipment({ shipmentId: 'good-1' });
    const bad = shipment({ shipmentId: 'bad-1', recipient: { name: '𠀋田 花子' } });
    const emoji = shipment({ shipmentId: 'bad-2', itemName: '柳川の海苔🍙セット' });
    const [file] = buildCarrierFiles('yamato_b2', [good, bad, emoji], options);
    expect(file.rows).toBe(1);
    expect(file.shipmentIds).toEqual(['good-1']);
    const lines = decode(file);
    expect(lines).toHaveLength(2);
    expect(lines.map((l) => l[0])).toEqual(['お客様管理番号', 'good-1']);
    expect(file.content.includes(0x3f)).toBe(false); // no '?' anywhere
    expect(file.problems).toEqual([
      expect.objectContaining({ shipmentId: 'bad-1', field: 'recipient.name', value: '𠀋田 花子', character: '𠀋' }),
      expect.objectContaining({ shipmentId: 'bad-2', field: 'itemName', character: '🍙' }),
    ]);
    expect(file.problems[0].reason).toContain('U+2000B');
  });

  test('an over-long 町・番地 is a problem, not truncated', () => {
    const long = shipment({ recipient: { address: '柳川市三橋町高畑字大字中町東側一丁目二番地の三十四号の五' } });
    const [file] = buildCarrierFiles('yamato_b2', [long], options);
    expect(file.rows).toBe(0);
    expect(file.problems).toHaveLength(1);
    expect(file.problems[0]).toMatchObject({ field: 'recipient.address', value: long.recipient.address });
    expect(file.problems[0].reason).toMatch(/町・番地.*32 half-width \/ 16 full-width/);
    expect(decode(file)).toHaveLength(1); // header only
  });

  test('an over-long name and building are problems of their own fields', () => {
    const [file] = buildCarrierFiles('yamato_b2', [shipment({ recipient: { name: '寿限無寿限無五劫の擦り切れ海砂利水魚の水行末', building: 'グランドメゾン柳川三橋町リバーサイドタワー十五階' } })], options);
    expect(file.problems.map((p) => p.field).sort()).toEqual(['recipient.building', 'recipient.name']);
  });

  test('a long 品名 continues in 品名２ instead of being cut', () => {
    const item = '柳川名物うなぎのせいろ蒸し二人前と有明海産一番摘み海苔の詰め合わせ';
    const [file] = buildCarrierFiles('yamato_b2', [shipment({ itemName: item })], options);
    const line = decode(file)[1];
    expect(col(line, 28) + col(line, 30)).toBe(item);
    expect(col(line, 28)).toHaveLength(25);
  });

  test('bad postal code, phone, time band and date are reported together for one row', () => {
    const [file] = buildCarrierFiles('yamato_b2', [shipment({ timeSlot: '1214', deliverOn: '2026-11-30', recipient: { postalCode: '81200', phone: '092-123' } })], options);
    expect(file.problems.map((p) => p.field).sort()).toEqual(['deliverOn', 'recipient.phone', 'recipient.postalCode', 'timeSlot']);
  });

  test('お届け先名(ｶﾅ) with kanji is a problem; hiragana becomes 半角ｶﾅ', () => {
    const [ok] = buildCarrierFiles('yamato_b2', [shipment({ recipient: { nameKana: 'やまだ　がっこう' } })], options);
    expect(col(decode(ok)[1], 17)).toBe('ﾔﾏﾀﾞ ｶﾞｯｺｳ');
    const [bad] = buildCarrierFiles('yamato_b2', [shipment({ recipient: { nameKana: '山田' } })], options);
    expect(bad.problems[0]).toMatchObject({ field: 'recipient.nameKana', character: '山' });
  });

  test('the same shipment twice is a problem on the second', () => {
    const [file] = buildCarrierFiles('yamato_b2', [shipment(), shipment()], options);
    expect(file.rows).toBe(1);
    expect(file.problems).toEqual([expect.objectContaining({ field: 'shipmentId' })]);
  });

  test('account settings come from options and are checked', () => {
    expect(() => buildCarrierFiles('yamato_b2', [shipment()], {})).toThrow(CarrierConfigError);
    expect(() => buildCarrierFiles('yamato_b2', [shipment()], { yamato: { billingCustomerCode: '0944', freightCode: '01' } })).toThrow(/請求先顧客コード/);
    expect(() => buildCarrierFiles('yamato_b2', [shipment()], { yamato: { billingCustomerCode: '094412345601', freightCode: '1' } })).toThrow(/運賃管理番号/);
  });

  test('a value with a comma is quoted', () => {
    const [file] = buildCarrierFiles('yamato_b2', [shipment({ notes: '午前, 玄関前' })], options);
    expect(iconv.decode(file.content, 'cp932')).toContain(',"午前, 玄関前",');
    expect(file.problems).toEqual([]);
  });
});
