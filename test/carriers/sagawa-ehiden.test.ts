import { buildCarrierFiles } from '../../domain/carriers';
import { EHIDEN_COL, EHIDEN_HEADER } from '../../domain/carriers/sagawa-ehiden';
import { decode, shipment } from './rows';

const col = (line: string[], n: number) => line[n - 1];

describe('SHIP-3 佐川急便 e飛伝Ⅲ', () => {
  test('74 columns; address and name on their lines in full width; codes in their columns', () => {
    const [file] = buildCarrierFiles('sagawa_ehiden', [shipment({ deliverOn: '2026-12-03', timeSlot: '0812', email: 'taro@example.jp', quantity: 2 })], { sagawa: { customerCode: '123456789012' } });
    expect(file).toMatchObject({ fileName: 'sagawa_ehiden-2026-12-01.csv', rows: 1, problems: [] });
    const [header, line] = decode(file);
    expect(header).toEqual([...EHIDEN_HEADER]);
    expect(line).toHaveLength(74);
    const expected: Record<number, string> = {
      3: '092-123-4567',
      4: '812-0011',
      5: '福岡県福岡市博多区',
      6: '博多駅前１－２－３',
      7: '博多ハイツ１０１',
      8: '山田　太郎',
      10: 'S00012345',
      11: '123456789012',
      18: '0944-73-8111',
      19: '832-8601',
      20: '福岡県柳川市本町８７－１',
      22: '柳川市　ふるさと納税係',
      25: '柳川うなぎのせいろ蒸し',
      42: '2',
      43: '000',
      44: '001',
      45: '20261203',
      46: '01',
      58: '1',
      59: 'taro@example.jp',
      61: '2026/12/01',
    };
    for (let n = 1; n <= 74; n++) expect([n, col(line, n)]).toEqual([n, expected[n] ?? '']);
    expect(col(header, EHIDEN_COL.trackingNumber)).toBe('お問い合せ送り状No.');
  });

  test.each([
    ['ambient', '001'],
    ['chilled', '002'],
    ['frozen', '003'],
  ] as const)('クール便指定: %s → %s', (temperature, code) => {
    const [file] = buildCarrierFiles('sagawa_ehiden', [shipment({ temperature })], {});
    expect(col(decode(file)[1], EHIDEN_COL.cool)).toBe(code);
  });

  test('an address too long for 住所１–３ is a problem; a long 品名 spreads over 品名１–５', () => {
    const long = shipment({ shipmentId: 'long', recipient: { address: '柳川市三橋町高畑字大字中町東側一丁目二番地の三十四号の五', building: 'グランドメゾン柳川三橋町リバーサイドタワー十五階' } });
    const item = shipment({ shipmentId: 'item', itemName: '柳川名物うなぎのせいろ蒸し二人前と有明海産一番摘み海苔の詰め合わせ' });
    const [file] = buildCarrierFiles('sagawa_ehiden', [long, item], {});
    expect(file.shipmentIds).toEqual(['item']);
    expect(file.problems).toEqual([expect.objectContaining({ shipmentId: 'long', field: 'recipient.address' })]);
    const line = decode(file)[1];
    expect([25, 26, 27].map((n) => col(line, n)).join('')).toBe('柳川名物うなぎのせいろ蒸し二人前と有明海産一番摘み海苔の詰め合わせ');
  });
});
