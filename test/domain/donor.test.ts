import { normalizeDonorFields, validateDonor, validateDonorChanges } from '../../domain/donor';
import { livesInYanagawa, reviewFlags } from '../../domain/review';

const valid = { name: '山田 花子', nameKana: 'ヤマダ ハナコ', postalCode: '100-0001', prefecture: '東京都', address: '千代田区千代田1-1', phone: '03-1234-5678' };

test('a complete donor passes; each bad field is named with its reason', () => {
  expect(validateDonor(valid)).toEqual([]);
  expect(validateDonor({ ...valid, nameKana: 'やまだ', postalCode: '1000', prefecture: '東京', phone: '1234', email: 'nope' })).toEqual([
    { field: 'donor.nameKana', reason: 'must be written in full-width katakana' },
    { field: 'donor.postalCode', reason: 'must be a 7-digit postal code (e.g. 832-8601)' },
    { field: 'donor.prefecture', reason: 'must be one of the 47 prefectures, written in full (e.g. 福岡県)' },
    { field: 'donor.phone', reason: 'must be a Japanese phone number of 10 or 11 digits starting with 0' },
    { field: 'donor.email', reason: 'must be an email address' },
  ]);
  expect(validateDonor({ ...valid, name: ' ', address: '' }).map((e) => e.field)).toEqual(['donor.name', 'donor.address']);
});

test('corrections check only what they change, refuse unknown fields and empty changes', () => {
  expect(validateDonorChanges({ postalCode: '８３２－８６０１' })).toEqual([]);
  expect(validateDonorChanges({})).toEqual([{ field: 'changes', reason: 'must change at least one field' }]);
  expect(validateDonorChanges({ myNumber: '123' })).toEqual([{ field: 'changes.myNumber', reason: 'is not a donor field' }]);
});

test('postal codes are stored hyphenated, full-width digits included', () => {
  expect(normalizeDonorFields({ postalCode: '８３２８６０１', name: ' 柳川 ' })).toEqual({ postalCode: '832-8601', name: '柳川' });
});

test('INTAKE-4 / SHIP-6: a Yanagawa resident who chose a gift is flagged; a resident without a gift is not', () => {
  const resident = { prefecture: '福岡県', address: '柳川市本町87-1', phone: '0944-73-8111' };
  expect(livesInYanagawa(resident)).toBe(true);
  expect(livesInYanagawa({ prefecture: '福岡県', address: '大川市酒見' })).toBe(false);
  expect(reviewFlags({ donor: resident, amountYen: 10_000, giftPriceYen: 10_000, hasGift: true })).toEqual(['yanagawa_resident_with_gift']);
  expect(reviewFlags({ donor: resident, amountYen: 10_000, giftPriceYen: 0, hasGift: false })).toEqual([]);
  expect(reviewFlags({ donor: { ...resident, address: '大川市', phone: undefined }, amountYen: 5_000, giftPriceYen: 10_000, hasGift: true })).toEqual([
    'amount_below_gift_price',
    'missing_phone',
  ]);
});
