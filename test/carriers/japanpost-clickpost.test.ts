import { buildCarrierFiles } from '../../domain/carriers';
import { CLICKPOST_HEADER } from '../../domain/carriers/japanpost-clickpost';
import { decode, shipment } from './rows';

const many = (n: number) => Array.from({ length: n }, (_, i) => shipment({ shipmentId: `cp-${String(i + 1).padStart(3, '0')}`, itemName: '柳川の海苔' }));

describe('SHIP-3 日本郵便 クリックポスト まとめ申込', () => {
  test('8 columns with header; address laid out on lines; 様', () => {
    const [file] = buildCarrierFiles('japanpost_clickpost', [shipment({ itemName: '柳川の海苔' })]);
    const [header, line, ...rest] = decode(file);
    expect(rest).toEqual([]);
    expect(header).toEqual([...CLICKPOST_HEADER]);
    expect(line).toEqual(['812-0011', '山田 太郎', '様', '福岡県福岡市博多区', '博多駅前1-2-3', '博多ハイツ101', '', '柳川の海苔']);
    expect(file).toMatchObject({ fileName: 'japanpost_clickpost-2026-12-01.csv', rows: 1, problems: [] });
  });

  test('at most 40 rows per file: 95 rows → 40 + 40 + 15, suffixed -2, -3', () => {
    const files = buildCarrierFiles('japanpost_clickpost', many(95));
    expect(files.map((f) => [f.fileName, f.rows])).toEqual([
      ['japanpost_clickpost-2026-12-01.csv', 40],
      ['japanpost_clickpost-2026-12-01-2.csv', 40],
      ['japanpost_clickpost-2026-12-01-3.csv', 15],
    ]);
    for (const f of files) {
      const lines = decode(f);
      expect(lines[0]).toEqual([...CLICKPOST_HEADER]);
      expect(lines).toHaveLength(f.rows + 1);
    }
    expect(files.flatMap((f) => f.shipmentIds)).toEqual(many(95).map((r) => r.shipmentId));
    expect(files[2].shipmentIds[0]).toBe('cp-081');
  });

  test('exactly 40 rows is one file', () => {
    expect(buildCarrierFiles('japanpost_clickpost', many(40)).map((f) => f.rows)).toEqual([40]);
  });

  test('chilled and frozen rows, delivery dates and several parcels are problems', () => {
    const rows = [
      shipment({ shipmentId: 'ok', itemName: '海苔' }),
      shipment({ shipmentId: 'cold', temperature: 'chilled', itemName: '海苔' }),
      shipment({ shipmentId: 'frozen', temperature: 'frozen', itemName: '海苔' }),
      shipment({ shipmentId: 'dated', deliverOn: '2026-12-05', itemName: '海苔' }),
      shipment({ shipmentId: 'two', quantity: 2, itemName: '海苔' }),
    ];
    const [file] = buildCarrierFiles('japanpost_clickpost', rows);
    expect(file.shipmentIds).toEqual(['ok']);
    expect(file.problems.map((p) => [p.shipmentId, p.field])).toEqual([
      ['cold', 'temperature'],
      ['frozen', 'temperature'],
      ['dated', 'deliverOn'],
      ['two', 'quantity'],
    ]);
  });

  test('内容品 over 15 full-width characters is a problem', () => {
    const [file] = buildCarrierFiles('japanpost_clickpost', [shipment({ itemName: '柳川うなぎのせいろ蒸し二人前セット' })]);
    expect(file.rows).toBe(0);
    expect(file.problems).toEqual([expect.objectContaining({ field: 'itemName' })]);
  });
});
