import { donationYearDueNext, donationYearOfDelivery, manifestCsv, notificationDueOn, purgePersonalData, PURGED, reminderMonthDay, referenceNumber } from '../../domain/onestop/notification';

/** ONESTOP-4 / REC-1 rules that need no server: which year is due, reminder dates, manifest bytes, the purge. */
test('the year whose notices are due next, seen from the reminder and from the delivery run (Japan time)', () => {
  const jan25 = { month: 1, day: 25 };
  expect(notificationDueOn(2026, jan25)).toBe('2027-01-25');
  // Reminder in January: the notices of last year.
  expect(donationYearDueNext(new Date('2027-01-18T00:00:00Z'), jan25)).toBe(2026);
  // On the day itself (06:00 JST = 21:00 UTC the day before): still last year's.
  expect(donationYearDueNext(new Date('2027-01-24T21:00:00Z'), jan25)).toBe(2026);
  // A reminder that fires in December (date 01-05, 7 days before): the year now ending.
  expect(donationYearDueNext(new Date('2026-12-29T00:00:00Z'), { month: 1, day: 5 })).toBe(2026);
  // After the date: next year's.
  expect(donationYearDueNext(new Date('2027-02-01T00:00:00Z'), jan25)).toBe(2027);
  expect(donationYearOfDelivery(new Date('2027-01-24T21:00:00Z'))).toBe(2026);
  // 2026-12-31 23:30 JST is still 2026: a run then would be for 2025.
  expect(donationYearOfDelivery(new Date('2026-12-31T14:30:00Z'))).toBe(2025);
});

test('the reminder date counts back across month and year ends', () => {
  expect(reminderMonthDay({ month: 1, day: 25 }, 7)).toEqual({ month: 1, day: 18 });
  expect(reminderMonthDay({ month: 1, day: 5 }, 7)).toEqual({ month: 12, day: 29 });
  expect(reminderMonthDay({ month: 3, day: 3 }, 7)).toEqual({ month: 2, day: 24 });
  expect(reminderMonthDay({ month: 2, day: 10 }, 0)).toEqual({ month: 2, day: 10 });
});

test('manifest: UTF-8 with BOM, CRLF, quoted where needed; 整理番号 zero-padded', () => {
  const csv = manifestCsv([{ code: '131016', name: '東京都千代田区', count: 2, totalYen: 40_000, file: 'onestop-2026-131016.txt', sha256: 'ab' }]);
  expect(csv.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
  expect(csv.subarray(3).toString('utf8')).toBe('団体コード,団体名,件数,寄附金額合計,ファイル名,sha256\r\n131016,東京都千代田区,2,40000,onestop-2026-131016.txt,ab\r\n');
  expect(manifestCsv([{ code: '1', name: 'a,"b"', count: 0, totalYen: 0, file: 'f', sha256: 's' }]).toString('utf8')).toContain('1,"a,""b""",0');
  expect(referenceNumber(2026, 123)).toBe('2026-000123');
});

test('the purge replaces personal values at any depth and keeps everything else', () => {
  const before = { name: '山田 花子', nameKana: 'ヤマダ', address: '柳川市', phone: null, amountYen: 10_000, attachments: [{ kind: 'my_number_card' }], nested: { email: 'a@b', birthDate: '1980-01-01' }, changes: [{ postalCode: '832-0000' }] };
  expect(purgePersonalData(before)).toEqual({ name: PURGED, nameKana: PURGED, address: PURGED, phone: null, amountYen: 10_000, attachments: [{ kind: 'my_number_card' }], nested: { email: PURGED, birthDate: PURGED }, changes: [{ postalCode: PURGED }] });
  expect(purgePersonalData(null)).toBeNull();
  expect(before.name).toBe('山田 花子');
});
