import {
  activationProblems,
  alertKind,
  alertStates,
  capViolations,
  costRatios,
  deliveryDates,
  giftFieldErrors,
  isAccepting,
  acceptanceState,
  isoWeekday,
  maxCostYen,
  meetsTwiceAWeek,
  nextShippingDay,
  recommendRebalance,
  shippingWeekdayErrors,
  soldOutListings,
  stockPosition,
  withinCostCap,
  type GiftFields,
} from '../../domain/gifts';

describe('GIFT-4 cost ratios and the 3割 cap', () => {
  test('the cap is cost × 10 ≤ price × 3, exactly at 30% included', () => {
    expect(withinCostCap(3_000, 10_000)).toBe(true);
    expect(withinCostCap(3_001, 10_000)).toBe(false);
    expect(maxCostYen(9_999)).toBe(2_999);
    expect(maxCostYen(10_000)).toBe(3_000);
  });

  test('ratios at every price; the binding one is at the lowest price; shipping is shown, not capped', () => {
    const r = costRatios({ priceYen: 10_000, costYen: 3_000, shippingCostYen: 1_500, portalPrices: [{ portal: 'rakuten', priceYen: 12_000 }, { portal: 'choice', priceYen: 9_000 }] });
    expect(r.prices.map((p) => [p.portal, p.priceYen, p.procurementRatio, p.withShippingRatio, p.withinCap])).toEqual([
      [null, 10_000, 0.3, 0.45, true],
      ['choice', 9_000, 0.3333, 0.5, false],
      ['rakuten', 12_000, 0.25, 0.375, true],
    ]);
    expect(r.binding).toMatchObject({ portal: 'choice', priceYen: 9_000, maxCostYen: 2_700 });
    expect(r.withinCap).toBe(false);
    expect(capViolations(r)).toEqual(['procurement cost ¥3,000 is 33.3% of ¥9,000 on choice (cap 30%, at most ¥2,700)']);
  });

  test('procurement + shipping above 30% alone does not break the cap (it belongs to the 5割 rule)', () => {
    const r = costRatios({ priceYen: 10_000, costYen: 2_900, shippingCostYen: 2_000 });
    expect(r.withinCap).toBe(true);
    expect(r.binding.withShippingRatio).toBe(0.49);
  });
});

describe('activation checks (GIFT-4, SHIP-8)', () => {
  const ok = costRatios({ priceYen: 10_000, costYen: 3_000, shippingCostYen: 0 });
  const supplier = { code: 'S1', name: '柳川海苔', active: true, rulesAcknowledgedAt: new Date() };

  test('nothing stands in the way of an approved gift from an acknowledged supplier within the cap', () => {
    expect(activationProblems({ approvalStatus: 'approved', supplier, ratios: ok })).toEqual([]);
  });

  test('every reason is named', () => {
    const over = costRatios({ priceYen: 10_000, costYen: 3_500, shippingCostYen: 0 });
    const codes = activationProblems({ approvalStatus: 'proposed', supplier: { ...supplier, rulesAcknowledgedAt: null }, ratios: over }).map((p) => p.code);
    expect(codes).toEqual(['not_approved', 'rules_not_acknowledged', 'cost_cap_exceeded']);
    expect(activationProblems({ approvalStatus: 'approved', supplier: null, ratios: ok }).map((p) => p.code)).toEqual(['no_supplier']);
  });
});

describe('GIFT-5 acceptance period', () => {
  const gift = { active: true, approvalStatus: 'approved' as const, acceptFrom: '2026-04-01', acceptUntil: '2026-09-30' };

  test('both ends are inclusive', () => {
    expect(isAccepting(gift, '2026-03-31')).toBe(false);
    expect(isAccepting(gift, '2026-04-01')).toBe(true);
    expect(isAccepting(gift, '2026-09-30')).toBe(true);
    expect(acceptanceState(gift, '2026-10-01')).toBe('after_period');
  });

  test('an instant is read as its Japanese date', () => {
    expect(isAccepting(gift, new Date('2026-03-31T14:59:59Z'))).toBe(false);
    expect(isAccepting(gift, new Date('2026-03-31T15:00:00Z'))).toBe(true);
  });

  test('an inactive or unapproved gift takes nothing; an open period takes everything', () => {
    expect(acceptanceState({ ...gift, active: false }, '2026-05-01')).toBe('inactive');
    expect(acceptanceState({ ...gift, approvalStatus: 'proposed' }, '2026-05-01')).toBe('not_approved');
    expect(isAccepting({ active: true }, '2030-01-01')).toBe(true);
  });
});

describe('定期便 delivery dates', () => {
  test('N deliveries, interval days apart, from the first', () => {
    expect(deliveryDates('2026-01-10', 3, 30)).toEqual(['2026-01-10', '2026-02-09', '2026-03-11']);
    expect(deliveryDates('2026-12-20', 2, 14)).toEqual(['2026-12-20', '2027-01-03']);
    expect(deliveryDates('2026-05-01', 1)).toEqual(['2026-05-01']);
  });

  test('a 定期便 without an interval, or with too many deliveries, is refused', () => {
    expect(() => deliveryDates('2026-05-01', 3, null)).toThrow(/interval/);
    expect(() => deliveryDates('2026-05-01', 25, 30)).toThrow(/deliveries/);
    expect(() => deliveryDates('2026-02-30', 1)).toThrow(/calendar date/);
  });
});

describe('SHIP-2 shipping days', () => {
  test('at least two distinct ISO weekdays unless the city approved an exception', () => {
    expect(shippingWeekdayErrors([2, 5], false)).toEqual([]);
    expect(shippingWeekdayErrors([3], false)).toEqual([{ field: 'shippingWeekdays', reason: expect.stringContaining('at least 2 shipping days') }]);
    expect(shippingWeekdayErrors([3, 3], false)).toHaveLength(1);
    expect(shippingWeekdayErrors([3], true)).toEqual([]);
    expect(shippingWeekdayErrors([], true)).toEqual([{ field: 'shippingWeekdays', reason: 'must name at least one shipping day' }]);
    expect(shippingWeekdayErrors([0, 8], false)[0].reason).toMatch(/ISO weekdays/);
    expect(meetsTwiceAWeek([1], false)).toBe(false);
    expect(meetsTwiceAWeek([1], true)).toBe(true);
  });

  test('the next shipping day is on or after the date, in Japan', () => {
    expect(isoWeekday('2026-04-01')).toBe(3); // Wednesday
    expect(isoWeekday('2026-04-05')).toBe(7); // Sunday
    expect(nextShippingDay([2, 5], '2026-04-01')).toBe('2026-04-03');
    expect(nextShippingDay([2, 5], '2026-03-31')).toBe('2026-03-31');
    expect(nextShippingDay([2], '2026-04-01')).toBe('2026-04-07');
    expect(nextShippingDay([1], '2026-12-29')).toBe('2027-01-04');
    // 16:00 UTC on Thursday is already Friday in Japan.
    expect(nextShippingDay([5], new Date('2026-04-02T16:00:00Z'))).toBe('2026-04-03');
    expect(() => nextShippingDay([], '2026-04-01')).toThrow(/no shipping days/);
  });
});

describe('gift fields', () => {
  const base: GiftFields = {
    name: 'あまおう 1kg', priceYen: 12_000, costYen: 3_000, shippingCostYen: 900, temperature: 'chilled', deliveries: 1, deliveryIntervalDays: null,
    acceptFrom: null, acceptUntil: null, carrier: 'yamato_b2', deliveryConstraints: { shipMonths: [1, 2, 3, 4] }, lowStockThreshold: 10,
  };

  test('valid fields pass', () => expect(giftFieldErrors(base)).toEqual([]));

  test('combinations the schema cannot express are named', () => {
    expect(giftFieldErrors({ ...base, deliveries: 3 })).toEqual([{ field: 'deliveryIntervalDays', reason: 'is required for a 定期便 (more than one delivery)' }]);
    expect(giftFieldErrors({ ...base, acceptFrom: '2026-05-01', acceptUntil: '2026-04-01' })).toEqual([{ field: 'acceptUntil', reason: 'must not be before acceptFrom (2026-05-01)' }]);
    expect(giftFieldErrors({ ...base, deliveryConstraints: { shipMonths: [13] } }).map((e) => e.field)).toEqual(['deliveryConstraints.shipMonths']);
    expect(giftFieldErrors({ ...base, temperature: 'warm', carrier: 'pigeon' }).map((e) => e.field)).toEqual(['temperature', 'carrier']);
  });
});

describe('GIFT-2 stock figures and alerts', () => {
  const listings = [
    { portal: 'choice', allocated: 20, sold: 18, listed: true },
    { portal: 'rakuten', allocated: 30, sold: 30, listed: true },
    { portal: 'direct', allocated: null, sold: 4, listed: false },
  ];

  test('remaining per portal, overall and in the unallocated pool', () => {
    const p = stockPosition(60, listings);
    expect(p).toMatchObject({ sold: 52, remaining: 8, allocated: 50, pool: 6 });
    expect(p.portals.map((x) => x.remaining)).toEqual([2, 0, null]);
  });

  test('low at the threshold, sold out at 0, oversold below; one alert per listed allocated portal and one for the gift', () => {
    expect([alertKind(11, 10), alertKind(10, 10), alertKind(0, 10), alertKind(-1, 10)]).toEqual([null, 'low', 'sold_out', 'oversold']);
    expect(alertStates(stockPosition(60, listings), 5)).toEqual([
      { portal: 'choice', kind: 'low', remaining: 2 },
      { portal: 'rakuten', kind: 'sold_out', remaining: 0 },
      { portal: null, kind: null, remaining: 8 },
    ]);
  });

  test('sold-out listings: the portal, portals drawing on an empty pool, or all when the gift is', () => {
    expect(soldOutListings(stockPosition(60, listings))).toEqual([{ portal: 'rakuten', scope: 'portal', remaining: 0 }]);
    const pooled = [{ portal: 'choice', allocated: 10, sold: 2, listed: true }, { portal: 'furunavi', allocated: null, sold: 5, listed: true }];
    expect(soldOutListings(stockPosition(15, pooled))).toEqual([{ portal: 'furunavi', scope: 'pool', remaining: 0 }]);
    expect(soldOutListings(stockPosition(7, pooled)).map((e) => [e.portal, e.scope])).toEqual([['choice', 'gift'], ['furunavi', 'gift']]);
  });
});

describe('GIFT-2 rebalancing', () => {
  const listings = [
    { portal: 'rakuten', allocated: 50, sold: 48, listed: true, recentSales: 20 },
    { portal: 'choice', allocated: 100, sold: 10, listed: true, recentSales: 10 },
    { portal: 'furunavi', allocated: 10, sold: 0, listed: false, recentSales: 0 },
  ];

  test('a portal about to sell out is filled to max(threshold + 1, its last N days of sales), from the pool first', () => {
    const plan = recommendRebalance({ totalStock: 200, threshold: 5, coverDays: 7, listings });
    expect(plan.moves).toEqual([{ from: null, to: 'rakuten', quantity: 18, reason: expect.stringContaining('rakuten has 2 left, below its level 20') }]);
    expect(plan.pool).toEqual({ remaining: 40, keep: 0, surplus: 40 });
    expect(plan.unmet).toEqual([]);
    expect(plan.rule).toContain('last 7 days');
  });

  test('without a pool, the portal with most to spare gives, never below its own level; shortfalls are reported', () => {
    const plan = recommendRebalance({ totalStock: null, threshold: 5, coverDays: 7, listings });
    // The unlisted portal's stock sells nowhere: it goes first.
    expect(plan.moves.map((m) => [m.from, m.to, m.quantity])).toEqual([['furunavi', 'rakuten', 10], ['choice', 'rakuten', 8]]);
    const tight = recommendRebalance({
      totalStock: null, threshold: 5, coverDays: 7,
      listings: [{ portal: 'rakuten', allocated: 10, sold: 10, listed: true, recentSales: 30 }, { portal: 'choice', allocated: 20, sold: 0, listed: true, recentSales: 12 }],
    });
    expect(tight.moves.map((m) => [m.from, m.to, m.quantity])).toEqual([['choice', 'rakuten', 8]]);
    expect(tight.unmet).toEqual([{ portal: 'rakuten', quantity: 22 }]);
  });

  test('automatic mode only fills the portal that hit its threshold', () => {
    const plan = recommendRebalance({
      totalStock: null, threshold: 5, coverDays: 7, onlyTo: 'choice',
      listings: [{ portal: 'rakuten', allocated: 5, sold: 5, listed: true, recentSales: 0 }, { portal: 'choice', allocated: 10, sold: 6, listed: true, recentSales: 0 }, { portal: 'ana', allocated: 30, sold: 0, listed: true, recentSales: 0 }],
    });
    expect(plan.moves.map((m) => [m.from, m.to, m.quantity])).toEqual([['ana', 'choice', 2]]);
  });
});
