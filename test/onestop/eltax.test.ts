import iconv from 'iconv-lite';
import { LayoutError, PROVISIONAL_LAYOUT, readNoticeFile, writeNoticeFile, type Layout } from '../../domain/onestop/eltax';

/** ONESTOP-4 (provisional layout): the file decodes back field by field; a bad value fails naming the field, never showing it. */
const records = [
  {
    recordType: '1', senderCode: '402079', recipientCode: '131016', donationYear: '2026', referenceNumber: 'OS-2026-000001',
    myNumber: '012345678908', nameKana: 'オオタニ シヨウヘイ', name: '大谷 翔平', birthDate: '1994-07-05',
    postalCode: '100-0001', address: '東京都千代田区千代田1-1', donationDate: '2026-11-20', amountYen: 30000,
  },
  {
    recordType: '1', senderCode: '402079', recipientCode: '', donationYear: '2026', referenceNumber: 'OS-2026-000002',
    myNumber: '123456789018', nameKana: 'ヤマダ ハナコ', name: '髙橋 花子', birthDate: '1980-01-31',
    postalCode: '832-8601', address: '福岡県柳川市本町87-1', donationDate: '2026-12-31', amountYen: 1_000_000,
  },
];

test('written in Shift_JIS, fixed width in bytes, CRLF; read back field by field', () => {
  const file = writeNoticeFile(records);
  const recordBytes = PROVISIONAL_LAYOUT.fields.reduce((n, f) => n + f.width, 0) + 2;
  expect(file.length).toBe(2 * recordBytes);
  expect(file.subarray(recordBytes - 2, recordBytes).toString('latin1')).toBe('\r\n');
  expect(iconv.decode(file, 'Shift_JIS')).toContain('大谷 翔平');
  expect(file.includes(Buffer.from('大谷', 'utf8'))).toBe(false);

  const back = readNoticeFile(file);
  expect(back).toHaveLength(2);
  records.forEach((r, i) => {
    for (const f of PROVISIONAL_LAYOUT.fields) expect([f.name, back[i][f.name]]).toEqual([f.name, String((r as Record<string, unknown>)[f.name])]);
  });
});

test('a value that does not fit is refused with the field named and the value not shown', () => {
  const long = { ...records[0], name: '寿限無'.repeat(30) };
  expect(() => writeNoticeFile([long])).toThrow(new LayoutError('record 1: name (氏名) is longer than 60 bytes'));
  expect(() => writeNoticeFile([{ ...records[0], myNumber: '12345' }])).toThrow(/myNumber \(個人番号\) must be exactly 12 digits$/);
  try {
    writeNoticeFile([{ ...records[0], myNumber: '12345678901X' }]);
  } catch (err) {
    expect((err as Error).message).not.toContain('12345678901');
  }
  expect(() => writeNoticeFile([{ ...records[0], name: '😀' }])).toThrow(/cannot hold/);
});

test('the layout is data: another spec (e.g. the official one) changes the file without code changes', () => {
  const other: Layout = { ...PROVISIONAL_LAYOUT, lineEnding: '\n', fields: [PROVISIONAL_LAYOUT.fields[5], { name: 'amountYen', label: '寄附金額', type: 'numeric', width: 9 }] };
  const file = writeNoticeFile(records, other);
  expect(file.toString('latin1')).toBe('012345678908000030000\n123456789018001000000\n');
  expect(readNoticeFile(file, other)).toEqual([{ myNumber: '012345678908', amountYen: '30000' }, { myNumber: '123456789018', amountYen: '1000000' }]);
});
