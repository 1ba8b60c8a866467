import iconv from 'iconv-lite';
import { parseDeliveryStatusFile, parseIssuedLabels, UnsupportedCarrierFileError } from '../../domain/carriers';
import { B2_HEADER } from '../../domain/carriers/yamato-b2';
import { EHIDEN_HEADER } from '../../domain/carriers/sagawa-ehiden';

const cp932 = (lines: string[]) => iconv.encode(lines.join('\r\n') + '\r\n', 'cp932');
const b2Line = (ref: string, tracking: string) => {
  const cells = new Array(95).fill('');
  cells[0] = ref;
  cells[3] = tracking;
  cells[15] = '山田 太郎';
  return cells.map((c) => `"${c}"`).join(',');
};

describe('SHIP-3 reading tracking numbers back', () => {
  test('B2クラウド 発行済みデータ: お客様管理番号 col 1, 伝票番号 col 4; bad rows named with a reason', () => {
    const file = cp932([
      B2_HEADER.join(','),
      b2Line('ship-1', '4123-4567-8901'),
      b2Line('ship-2', ''),
      b2Line('', '412345678902'),
      b2Line('ship-4', '41234'),
      b2Line('ship-5', '412345678905'),
    ]);
    const { labels, errors } = parseIssuedLabels('yamato_b2', file);
    expect(labels).toEqual([
      { shipmentId: 'ship-1', trackingNumber: '412345678901', row: 2 },
      { shipmentId: 'ship-5', trackingNumber: '412345678905', row: 6 },
    ]);
    expect(errors).toEqual([
      { row: 3, column: '伝票番号', reason: expect.stringContaining('empty') },
      { row: 4, column: 'お客様管理番号', reason: expect.stringContaining('cannot be matched') },
      { row: 5, column: '伝票番号', reason: expect.stringContaining('"41234" is not a 12-digit tracking number') },
    ]);
  });

  test('B2 without a header row: positions are used', () => {
    const { labels, errors } = parseIssuedLabels('yamato_b2', cp932([b2Line('ship-1', '412345678901')]));
    expect(errors).toEqual([]);
    expect(labels).toEqual([{ shipmentId: 'ship-1', trackingNumber: '412345678901', row: 1 }]);
  });

  test('e飛伝: お客様管理番号 and お問い合せ送り状No.', () => {
    const line = (ref: string, no: string) => {
      const cells = new Array(74).fill('');
      cells[9] = ref;
      cells[61] = no;
      return cells.join(',');
    };
    const { labels, errors } = parseIssuedLabels('sagawa_ehiden', cp932([EHIDEN_HEADER.join(','), line('ship-1', '360012345678'), line('ship-2', 'abc')]));
    expect(labels).toEqual([{ shipmentId: 'ship-1', trackingNumber: '360012345678', row: 2 }]);
    expect(errors).toEqual([{ row: 3, column: 'お問い合せ送り状No.', reason: expect.stringContaining('"abc"') }]);
  });

  test('ゆうプリR: the columns the mapping names, in any position', () => {
    const file = cp932(['お届け先名称,伝票番号,お客様管理番号', '山田 太郎,1234-5678-9012,ship-1']);
    expect(parseIssuedLabels('japanpost_yupri', file)).toEqual({ labels: [{ shipmentId: 'ship-1', trackingNumber: '123456789012', row: 2 }], errors: [] });
    const noColumn = cp932(['お届け先名称,お客様管理番号', '山田 太郎,ship-1']);
    expect(parseIssuedLabels('japanpost_yupri', noColumn).errors).toEqual([{ row: 1, reason: 'the header has no 伝票番号 column' }]);
  });

  test('クリックポスト has no export to read', () => {
    expect(() => parseIssuedLabels('japanpost_clickpost', cp932(['a']))).toThrow(UnsupportedCarrierFileError);
  });
});

describe('SHIP-3 delivery status file (our neutral layout)', () => {
  const lines = [
    '伝票番号,お客様管理番号,配達状況,日時',
    '412345678901,ship-1,配達完了,2026-12-03 14:05',
    '4123-4567-8902,,持戻り,2026/12/03 19:30:15',
    '412345678903,ship-3,調査中,2026-12-04T10:00:00+09:00',
    '412345678904,ship-4,返品,2026-12-10 09:00',
    '412345678905,ship-5,配達中,2026-12-03 25:00',
    ',ship-6,配達完了,2026-12-03 10:00',
  ];
  const expected = {
    statuses: [
      { trackingNumber: '412345678901', shipmentId: 'ship-1', status: 'delivered', at: '2026-12-03T05:05:00.000Z', row: 2 },
      { trackingNumber: '412345678902', status: 'returned_to_depot', at: '2026-12-03T10:30:15.000Z', row: 3 },
      { trackingNumber: '412345678903', shipmentId: 'ship-3', status: 'investigating', at: '2026-12-04T01:00:00.000Z', row: 4 },
      { trackingNumber: '412345678904', shipmentId: 'ship-4', status: 'returned', at: '2026-12-10T00:00:00.000Z', row: 5 },
    ],
    errors: [
      { row: 6, column: '配達状況', reason: '"配達中" is not one of 配達完了 / 持戻り / 調査中 / 返品' },
      { row: 6, column: '日時', reason: expect.stringContaining('"2026-12-03 25:00" is not a date and time') },
      { row: 7, column: '伝票番号', reason: '伝票番号 is empty' },
    ],
  };

  test('CP932', () => {
    expect(parseDeliveryStatusFile(cp932(lines))).toEqual(expected);
  });

  test('UTF-8 with BOM', () => {
    expect(parseDeliveryStatusFile(Buffer.from('\uFEFF' + lines.join('\n') + '\n', 'utf8'))).toEqual(expected);
  });

  test('a wrong header is one error on row 1', () => {
    expect(parseDeliveryStatusFile(cp932(['伝票番号,状況,日時', '412345678901,配達完了,2026-12-03 14:05']))).toEqual({
      statuses: [],
      errors: [{ row: 1, reason: expect.stringContaining('missing 配達状況') }],
    });
  });
});
