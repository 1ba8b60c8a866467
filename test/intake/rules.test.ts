import { importSla, isClosedDay, nextBusinessDay } from '../../domain/intake/business-days';
import { isYanagawaPostalCode, prefecturesForPostalCode } from '../../domain/intake/postal';
import { reviewFindings, type FullReviewInput } from '../../domain/review';

describe('next-business-day SLA (PORTAL-1)', () => {
  test('weekends, national holidays (incl. 振替休日 and 国民の休日) and Dec 29 – Jan 3 are closed', () => {
    expect(isClosedDay('2026-11-20')).toBe(false); // Friday
    expect(isClosedDay('2026-11-21')).toBe(true); // Saturday
    expect(isClosedDay('2026-11-23')).toBe(true); // 勤労感謝の日 (Monday)
    expect(isClosedDay('2026-05-06')).toBe(true); // こどもの日 振替休日
    expect(isClosedDay('2026-09-22')).toBe(true); // 国民の休日
    expect(isClosedDay('2026-12-29')).toBe(true);
    expect(isClosedDay('2027-01-04')).toBe(false);
    expect(nextBusinessDay('2026-11-20')).toBe('2026-11-24');
    expect(nextBusinessDay('2026-12-28')).toBe('2027-01-04');
  });

  test('an application is on time until the end of the next business day in Japan', () => {
    const applied = new Date('2026-11-20T14:30:00.000Z'); // Fri 23:30 JST
    expect(importSla(applied, new Date('2026-11-24T14:59:59.000Z'))).toEqual({ dueOn: '2026-11-24', dueBy: '2026-11-24T15:00:00.000Z', late: false });
    expect(importSla(applied, new Date('2026-11-24T15:00:00.000Z')).late).toBe(true);
    // Applied on Saturday: due the next business day, Tuesday (Monday is a holiday).
    expect(importSla(new Date('2026-11-21T03:00:00.000Z'), new Date('2026-11-24T03:00:00.000Z')).late).toBe(false);
  });
});

describe('INTAKE-4 review rules', () => {
  const base: FullReviewInput = {
    channel: 'portal',
    donor: { name: '山田 花子', nameKana: 'ヤマダ ハナコ', postalCode: '100-0001', prefecture: '東京都', address: '千代田区千代田1-1', phone: '03-1234-5678', email: 'h@example.jp' },
    amountYen: 10_000,
    giftPriceYen: 10_000,
    hasGift: true,
    emailExpected: true,
    likelyDuplicates: [],
  };
  const flags = (over: Partial<Omit<FullReviewInput, 'donor'>> & { donor?: Partial<FullReviewInput['donor']> }) =>
    reviewFindings({ ...base, ...over, donor: { ...base.donor, ...over.donor } }).map((f) => f.flag);

  test('a clean portal donation has no findings', () => {
    expect(reviewFindings(base)).toEqual([]);
  });

  test('postal data ships with the project: 柳川市 codes, prefecture by postal region', () => {
    expect(isYanagawaPostalCode('832-0065')).toBe(true);
    expect(isYanagawaPostalCode('831-0004')).toBe(false); // 大川市
    expect(prefecturesForPostalCode('812-0011')).toEqual(['福岡県']);
    expect(prefecturesForPostalCode('100-0001')).toEqual(['東京都']);
    expect(prefecturesForPostalCode('060-0001')).toEqual(['北海道']);
  });

  test('SHIP-6: a Yanagawa resident with a gift, by address or by postal code alone', () => {
    const byAddress = reviewFindings({ ...base, donor: { ...base.donor, postalCode: '832-0065', prefecture: '福岡県', address: '柳川市本町87-1' } });
    expect(byAddress).toEqual([{ flag: 'yanagawa_resident_with_gift', reason: "SHIP-6: the donor's address is in 柳川市; a resident may not receive a gift" }]);
    expect(flags({ donor: { postalCode: '832-0065', prefecture: '福岡県', address: '大川市酒見1-1' } })).toEqual(['yanagawa_resident_with_gift', 'postal_code_address_mismatch']);
    expect(flags({ hasGift: false, giftPriceYen: 0, donor: { postalCode: '832-0065', prefecture: '福岡県', address: '柳川市本町87-1' } })).toEqual([]);
  });

  test('postal code vs address, incomplete address, price, kana/phone/email, invalid characters, duplicates', () => {
    expect(flags({ donor: { postalCode: '812-0011' } })).toEqual(['postal_code_address_mismatch']);
    expect(flags({ donor: { address: '千代田区' } })).toEqual(['incomplete_address']);
    expect(flags({ donor: { address: '1-1' } })).toEqual(['incomplete_address']);
    expect(flags({ amountYen: 5_000 })).toEqual(['amount_below_gift_price']);
    expect(flags({ amountYen: 12_000 })).toEqual(['amount_above_gift_price']);
    expect(flags({ amountYen: 12_000, channel: 'phone' })).toEqual([]);
    expect(flags({ donor: { nameKana: '', phone: undefined, email: undefined } })).toEqual(['missing_kana', 'missing_phone', 'missing_email']);
    expect(flags({ channel: 'fax', emailExpected: false, donor: { email: undefined } })).toEqual([]);
    const chars = reviewFindings({ ...base, donor: { ...base.donor, name: '?田 次郎', address: '千代田区千代田1-1\uE000' } });
    expect(chars).toEqual([{ flag: 'invalid_characters', reason: expect.stringContaining('name contains U+003F "?"; address contains U+E000') }]);
    expect(flags({ likelyDuplicates: [{ portal: 'rakuten', portalOrderId: 'R1' }, { portal: 'furunavi', portalOrderId: 'F1' }] })).toEqual(['possible_duplicate_order', 'possible_duplicate_order']);
  });
});
