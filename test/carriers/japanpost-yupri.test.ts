import { buildCarrierFiles, YupriMappingError, type YupriMapping } from '../../domain/carriers';
import defaults from '../../domain/carriers/yupri-default-mapping.json';
import { decode, shipment } from './rows';

describe('SHIP-3 日本郵便 ゆうプリR (configurable mapping)', () => {
  test('the default mapping: headers in the JSON order, values from the neutral row', () => {
    const [file] = buildCarrierFiles('japanpost_yupri', [shipment({ temperature: 'chilled', deliverOn: '2026-12-04', timeSlot: '1921', notes: '要冷蔵', quantity: 2 })]);
    const [header, line] = decode(file);
    expect(header).toEqual(Object.keys(defaults.columns));
    const byHeader = Object.fromEntries(header.map((h, i) => [h, line[i]]));
    expect(byHeader).toEqual({
      お客様管理番号: 'S00012345',
      発送予定日: '2026/12/01',
      お届け先郵便番号: '812-0011',
      お届け先住所1: '福岡県',
      お届け先住所2: '福岡市博多区博多駅前1-2-3',
      お届け先住所3: '博多ハイツ101',
      お届け先名称: '山田 太郎',
      お届け先敬称: '様',
      お届け先カナ: 'ヤマダ タロウ',
      お届け先電話番号: '092-123-4567',
      お届け先メールアドレス: '',
      ご依頼主郵便番号: '832-8601',
      ご依頼主住所1: '福岡県柳川市本町87-1',
      ご依頼主名称: '柳川市 ふるさと納税係',
      ご依頼主電話番号: '0944-73-8111',
      品名1: '柳川うなぎのせいろ蒸し',
      荷物個数: '2',
      温度帯: 'チルド',
      配達希望日: '2026/12/04',
      配達時間帯: '19時-21時',
      記事: '要冷蔵',
    });
    expect(file.fileName).toBe('japanpost_yupri-2026-12-01.csv');
  });

  test('frozen has no value in the default mapping, so the row is a problem', () => {
    const [file] = buildCarrierFiles('japanpost_yupri', [shipment({ temperature: 'frozen' })]);
    expect(file.rows).toBe(0);
    expect(file.problems).toEqual([expect.objectContaining({ field: 'temperature', value: 'frozen' })]);
  });

  test('an alternative mapping decides columns, order, constants and date format', () => {
    const mapping: YupriMapping = {
      name: 'test',
      columns: {
        管理番号: 'shipmentId',
        種別: { const: 'ゆうパック' },
        宛名: 'recipient.name',
        希望日: { field: 'deliverOn', format: 'YYYYMMDD' },
        品名: { field: 'itemName', maxWidth: 10 },
      },
      issued: { shipmentId: '管理番号', trackingNumber: '問合せ番号' },
    };
    const [file] = buildCarrierFiles('japanpost_yupri', [shipment({ deliverOn: '2026-12-04', itemName: '海苔' }), shipment({ shipmentId: 'x2', itemName: '柳川うなぎのせいろ蒸し' })], { yupriMapping: mapping });
    expect(decode(file)).toEqual([
      ['管理番号', '種別', '宛名', '希望日', '品名'],
      ['S00012345', 'ゆうパック', '山田 太郎', '20261204', '海苔'],
    ]);
    expect(file.problems).toEqual([expect.objectContaining({ shipmentId: 'x2', field: 'itemName' })]);
  });

  test('a mapping with an unknown field or without shipmentId is refused by name', () => {
    const bad = { name: 'bad', columns: { 宛名: 'recipient.nmae' }, issued: { shipmentId: 'a', trackingNumber: 'b' } } as YupriMapping;
    expect(() => buildCarrierFiles('japanpost_yupri', [shipment()], { yupriMapping: bad })).toThrow(YupriMappingError);
    expect(() => buildCarrierFiles('japanpost_yupri', [shipment()], { yupriMapping: bad })).toThrow(/recipient\.nmae.*shipmentId/);
  });
});
