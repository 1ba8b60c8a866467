import { baseFee, baseFeeExclusion, baseFeeYen, capGiftCost, costRatio, giftCostCapYen, taxYen } from '../../domain/billing/fees';
import { composeInvoice, type InvoiceInputs } from '../../domain/billing/invoice';
import { invoiceCsv } from '../../domain/billing/csv';
import { POSTAGE_RULES, billedPostage, postageRule, splitPostage } from '../../domain/billing/postage';
import { atJst, billingRunId, fiscalYearStart, invoiceDueOn, lastDay, monthBefore, monthEndsAt, previousMonth } from '../../domain/billing/month';

describe('BILL-5 base fee exclusions', () => {
  test('さとふる, the city site and donations brought to the city counter without a gift carry no base fee (13 ア)', () => {
    expect(baseFeeExclusion({ portal: 'satofull', channel: 'portal', hasGift: true })).toBe('satofull');
    expect(baseFeeExclusion({ portal: 'city', channel: 'portal', hasGift: true })).toBe('city_site');
    expect(baseFeeExclusion({ portal: 'direct', channel: 'counter', hasGift: false })).toBe('counter_no_gift');
    // Phone, mail and FAX donations are the contractor's work even without a gift: they count.
    expect(baseFeeExclusion({ portal: 'direct', channel: 'phone', hasGift: false })).toBeNull();
    expect(baseFeeExclusion({ portal: 'direct', channel: 'mail', hasGift: false })).toBeNull();
    // A counter donation that does take a gift is the contractor's work.
    expect(baseFeeExclusion({ portal: 'direct', channel: 'counter', hasGift: true })).toBeNull();
    expect(baseFeeExclusion({ portal: 'direct', channel: 'fax', hasGift: false })).toBeNull();
    expect(baseFeeExclusion({ portal: 'rakuten', channel: 'portal', hasGift: false })).toBeNull();
  });

  test('a portal contracted later and declared without a base fee (PORTAL-6: its ledger row\'s flag) carries none; a catalogue portal keeps its own reason', () => {
    expect(baseFeeExclusion({ portal: 'newportal', channel: 'portal', hasGift: true, portalNoBaseFee: true })).toBe('declared_portal');
    expect(baseFeeExclusion({ portal: 'newportal', channel: 'portal', hasGift: true, portalNoBaseFee: false })).toBeNull();
    expect(baseFeeExclusion({ portal: 'satofull', channel: 'portal', hasGift: true, portalNoBaseFee: true })).toBe('satofull');
  });

  test('base fee = rate × eligible donations, floored; exclusions are counted by reason', () => {
    expect(baseFeeYen(10_001, 1000)).toBe(1000);
    expect(baseFeeYen(12_345, 1234)).toBe(1523); // 1523.373 → 1523
    const s = baseFee(
      [
        { donationId: 'a', portal: 'rakuten', channel: 'portal', amountYen: 10_000, hasGift: true },
        { donationId: 'b', portal: 'satofull', channel: 'portal', amountYen: 50_000, hasGift: true },
        { donationId: 'c', portal: 'direct', channel: 'counter', amountYen: 3_000, hasGift: false },
        { donationId: 'd', portal: 'choice', channel: 'portal', amountYen: 20_000, hasGift: true },
        { donationId: 'e', portal: 'satofull', channel: 'portal', amountYen: 5_000, hasGift: true },
      ],
      1000,
    );
    expect(s).toMatchObject({ eligibleYen: 30_000, eligibleCount: 2, feeYen: 3_000 });
    expect(s.excluded).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ reason: 'satofull', count: 2, amountYen: 55_000 }),
        expect.objectContaining({ reason: 'counter_no_gift', count: 1, amountYen: 3_000 }),
      ]),
    );
  });
});

describe('BILL-5 gift cost: actual cost capped at 30 % of that donation', () => {
  test('within the cap the actual cost is billed; exactly 30 % is within', () => {
    expect(giftCostCapYen(10_000)).toBe(3_000);
    expect(giftCostCapYen(10_001)).toBe(3_000);
    expect(capGiftCost({ donationId: 'x', donationYen: 10_000, previousCostYen: 0, monthCostYen: 3_000 })).toMatchObject({ billedYen: 3_000, excessYen: 0, flag: null });
  });

  test('over the cap: the capped amount is billed and the excess is flagged with the reason, not silently cut', () => {
    const r = capGiftCost({ donationId: 'x', donationYen: 10_000, previousCostYen: 0, monthCostYen: 3_500 });
    expect(r).toMatchObject({ capYen: 3_000, billedYen: 3_000, excessYen: 500 });
    expect(r.flag).toContain('3割');
    expect(r.flag).toContain('超過額 500円');
  });

  test('the cap counts earlier months of the same donation (定期便, re-shipments)', () => {
    expect(capGiftCost({ donationId: 'x', donationYen: 30_000, previousCostYen: 6_000, monthCostYen: 3_000 })).toMatchObject({ billedYen: 3_000, excessYen: 0 });
    expect(capGiftCost({ donationId: 'x', donationYen: 30_000, previousCostYen: 8_000, monthCostYen: 3_000 })).toMatchObject({ billedYen: 1_000, excessYen: 2_000 });
    expect(capGiftCost({ donationId: 'x', donationYen: 30_000, previousCostYen: 9_500, monthCostYen: 3_000 })).toMatchObject({ billedYen: 0, excessYen: 3_000 });
  });
});

test('consumption tax is floored per line; ratios to 4 decimals', () => {
  expect(taxYen(1_999, 10)).toBe(199);
  expect(costRatio(1, 3)).toBe(0.3333);
  expect(costRatio(5, 0)).toBeNull();
});

test('billing months: due day, month end in JST, fiscal year, run ids', () => {
  expect(invoiceDueOn('2026-12', 10)).toBe('2027-01-10');
  expect(monthEndsAt('2026-11').toISOString()).toBe('2026-11-30T15:00:00.000Z');
  expect(lastDay('2028-02')).toBe('2028-02-29');
  expect(previousMonth('2027-01')).toBe('2026-12');
  expect(fiscalYearStart('2027-03')).toBe('2026-04');
  expect(fiscalYearStart('2026-04')).toBe('2026-04');
  expect(atJst('2026-12-05', 9).toISOString()).toBe('2026-12-05T00:00:00.000Z');
  expect(billingRunId('2026-11')).toBe('billing-2026-11');
  expect(billingRunId('2026-11', 'test-a')).toBe('billing-2026-11/test-a');
});

describe('composeInvoice', () => {
  const inputs: InvoiceInputs = {
    month: '2026-11',
    revision: 1,
    number: 'INV-202611-R1',
    issuedOn: '2026-12-05',
    scopeLabel: null,
    rates: { baseFeeRateBp: 1000, receiptPostageYen: 110, onestopUnitYen: 200, taxPercent: 10 },
    donations: [
      { donationId: 'd1', portal: 'rakuten', channel: 'portal', amountYen: 10_000, hasGift: true },
      { donationId: 'd2', portal: 'choice', channel: 'portal', amountYen: 10_000, hasGift: true },
      { donationId: 'd3', portal: 'satofull', channel: 'portal', amountYen: 20_000, hasGift: true },
    ],
    statements: [
      {
        supplierCode: 'farm',
        supplierName: '農園',
        revision: 1,
        confirmed: true,
        lines: [
          { lineId: '1', donationId: 'd1', giftCode: 'G1', giftName: '米', quantity: 1, procurementCostYen: 2_800, shippingCostYen: 900, carrier: 'yamato_b2' },
          { lineId: '2', donationId: 'd2', giftCode: 'G1', giftName: '米', quantity: 2, procurementCostYen: 3_300, shippingCostYen: 900, carrier: 'yamato_b2' },
        ],
      },
    ],
    donationCosts: { d1: { amountYen: 10_000, previousCostYen: 0 }, d2: { amountYen: 10_000, previousCostYen: 0 } },
    receiptMailing: { envelopes: 3, actualYen: null, reference: null },
    onestopCases: 7,
    campaigns: [{ code: 'C1', name: '冬のキャンペーン', costYen: 5_000 }],
    adjustments: [],
    fiscalYear: { from: '2026-04', previousCostYen: 10_000, donationsYen: 100_000 },
    override: null,
  };

  test('fee lines, cap flag, tax and totals', () => {
    const c = composeInvoice(inputs);
    const line = (code: string) => c.feeLines.find((f) => f.code === code)!;
    expect(line('base_fee').amountYen).toBe(2_000);
    expect(line('gift_cost').amountYen).toBe(2_800 + 3_000);
    expect(line('shipping').amountYen).toBe(1_800);
    expect(line('receipt_mailing').amountYen).toBe(330);
    expect(line('onestop')).toMatchObject({ amountYen: 1_400, taxYen: 140 });
    expect(line('advertising').amountYen).toBe(5_000);
    expect(c.capFlags).toHaveLength(1);
    expect(c.capFlags[0]).toMatchObject({ donationId: 'd2', excessYen: 300, giftCodes: ['G1'] });
    expect(c.totals).toEqual({ amountYen: 2_000 + 5_800 + 1_800 + 330 + 1_400 + 5_000, taxYen: 140, totalYen: 16_470 });
    expect(c.statements[0].gifts).toEqual([{ giftCode: 'G1', giftName: '米', shipments: 2, quantity: 3, procurementCostYen: 6_100, shippingCostYen: 1_800 }]);
    expect(c.ratio.month).toEqual({ costYen: 16_470, donationsYen: 40_000, ratio: 0.4118 });
    expect(c.ratio.fiscalYearToDate).toEqual({ from: '2026-04', costYen: 26_470, donationsYen: 100_000, ratio: 0.2647 });
  });

  test('actual receipt postage replaces envelopes × unit; adjustments are lines of their own', () => {
    const c = composeInvoice({ ...inputs, receiptMailing: { envelopes: 3, actualYen: 290, reference: '料金後納 11月分' }, adjustments: [{ label: '上限超過分（市承認）', amountYen: 300, reason: '市の判断' }] });
    expect(c.feeLines.find((f) => f.code === 'receipt_mailing')).toMatchObject({ amountYen: 290, basis: expect.stringContaining('料金後納') });
    expect(c.feeLines.find((f) => f.code === 'adjustment')).toMatchObject({ amountYen: 300 });
  });

  test('a revision carries the difference from the one it corrects, line by line (a line in one revision only counts 0 in the other), and its reason', () => {
    const r1 = composeInvoice(inputs);
    expect(r1.correction).toBeUndefined();
    const r2 = composeInvoice({
      ...inputs,
      revision: 2,
      number: 'INV-202611-R2',
      receiptMailing: { envelopes: 3, actualYen: 290, reference: '料金後納 11月分' },
      adjustments: [{ label: '上限超過分（市承認）', amountYen: 300, reason: '市の判断' }],
      corrects: { content: r1, reason: '郵送料を実費に、上限超過分を計上', rejectionReason: '市が超過分を負担' },
    });
    const receipt = (c: typeof r1) => c.feeLines.find((f) => f.code === 'receipt_mailing')!.amountYen;
    expect(r2.correction).toEqual({
      of: { revision: 1, number: r1.number, totalYen: r1.totals.totalYen },
      reason: '郵送料を実費に、上限超過分を計上',
      rejectionReason: '市が超過分を負担',
      differenceYen: r2.totals.totalYen - r1.totals.totalYen,
      lines: [
        { label: '受領証明書等郵送料', beforeYen: receipt(r1), afterYen: 290, differenceYen: 290 - receipt(r1) },
        { label: '上限超過分（市承認）', beforeYen: 0, afterYen: 300, differenceYen: 300 },
      ],
    });
    expect(r2.correction!.lines.reduce((n, l) => n + l.differenceYen, 0)).toBe(r2.correction!.differenceYen);
  });

  test('BILL-5 postage by who bears it (domain/billing/postage.ts): each print reason is a named rule with its clause: receipts, letters and postal transfer forms are the city\'s, one-stop notices and anything unknown the contractor\'s', () => {
    expect(Object.fromEntries(Object.entries(POSTAGE_RULES).map(([r, x]) => [r, [x.bearer, x.clause.split(' ')[0]]]))).toEqual({
      initial: ['city', '13(4)'],
      reissue: ['city', '13(4)'],
      returned_mail: ['city', '13(4)'],
      payment_form: ['city', '7(4)カ'],
      onestop_notice: ['contractor', '7(4)オ'],
    });
    expect(postageRule('catalogue')).toMatchObject({ bearer: 'contractor', clause: expect.stringContaining('13(1)イ') });
  });

  test('BILL-5 postage: the city is billed only its envelopes; the contractor\'s are counted and named, never billed', () => {
    const split = splitPostage({ onestop_notice: 4, initial: 10, payment_form: 2, returned_mail: 1, reissue: 0, mystery: 3 });
    expect(split).toMatchObject({ cityEnvelopes: 13, contractorEnvelopes: 7 });
    expect(split.groups.map((g) => [g.reason, g.envelopes, g.bearer])).toEqual([
      ['initial', 10, 'city'],
      ['returned_mail', 1, 'city'],
      ['payment_form', 2, 'city'],
      ['onestop_notice', 4, 'contractor'],
      ['mystery', 3, 'contractor'],
    ]);
    const c = composeInvoice({ ...inputs, receiptMailing: { ...billedPostage(split), actualYen: null, reference: null } });
    const line = c.feeLines.find((f) => f.code === 'receipt_mailing')!;
    expect(line.amountYen).toBe(13 * 110);
    expect(line.basis).toContain('受託者負担につき請求せず: ワンストップ特例 受付済み通知等 4通 (7(4)オ');
    expect(composeInvoice({ ...inputs, receiptMailing: { ...billedPostage(splitPostage({ onestop_notice: 5 })), actualYen: null, reference: null } }).feeLines.find((f) => f.code === 'receipt_mailing')!.amountYen).toBe(0);
  });

  test('CSV: BOM, CRLF, one row per statement gift, fee line, cap flag and the total', () => {
    const csv = invoiceCsv(composeInvoice(inputs));
    expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = csv.subarray(3).toString('utf8').split('\r\n').filter(Boolean);
    expect(rows[0].split(',')[0]).toBe('区分');
    expect(rows.filter((r) => r.startsWith('明細,'))).toEqual(['明細,farm,農園,G1,米,2,3,6100,1800,,7900,,確認済 (第1版)']);
    expect(rows.filter((r) => r.startsWith('手数料,'))).toHaveLength(6);
    expect(rows.filter((r) => r.startsWith('上限超過,'))).toHaveLength(1);
    expect(rows[rows.length - 1]).toMatch(/^合計,.*,請求額,16470,140,/);
  });
});

describe('billing configuration (config/env.ts)', () => {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { loadConfig } = require('../../config/env') as typeof import('../../config/env');
  test('defaults, and the rate as basis points', () => {
    expect(loadConfig({}).billing).toMatchObject({ baseFeeRateBp: 1000, receiptPostageYen: 110, onestopUnitYen: 200, consumptionTaxPercent: 10, invoiceDay: 10, reminderDaysBefore: [5, 3, 1], paymentDays: 30, paymentReminderDaysBefore: 5, runTime: { hour: 6, minute: 0 } });
    expect(loadConfig({ BILL_BASE_FEE_RATE: '0.075' }).billing.baseFeeRateBp).toBe(750);
  });
  test('bad values stop the process naming the variable', () => {
    expect(() => loadConfig({ BILL_BASE_FEE_RATE: '0.6' })).toThrow(/BILL_BASE_FEE_RATE/);
    expect(() => loadConfig({ BILL_BASE_FEE_RATE: '10%' })).toThrow(/BILL_BASE_FEE_RATE/);
    expect(() => loadConfig({ BILL_BASE_FEE_RATE: '0.12345' })).toThrow(/BILL_BASE_FEE_RATE/);
    expect(() => loadConfig({ BILL_REMINDER_DAYS: '12' })).toThrow(/BILL_REMINDER_DAYS/);
    expect(() => loadConfig({ BILL_INVOICE_DAY: '31' })).toThrow(/BILL_INVOICE_DAY/);
    expect(() => loadConfig({ BILL_CITY_EMAIL: 'not an address' })).toThrow(/BILL_CITY_EMAIL/);
    // Production has no placeholder addresses: unset means nobody is mailed.
    expect(loadConfig({ NODE_ENV: 'production', MY_NUMBER_KEYS: `k:${Buffer.alloc(32, 1).toString('base64')}` }).billing.operatorEmail).toBeUndefined();
  });
});

test('a scheduled run bills the month before its instant in Japan time, across the year end', () => {
  expect(monthBefore(new Date('2026-11-30T21:00:00Z'))).toBe('2026-11'); // Dec 1 06:00 JST
  expect(monthBefore(new Date('2026-11-30T14:59:59Z'))).toBe('2026-10'); // still Nov 30 in Japan
  expect(monthBefore(new Date('2026-12-31T21:00:00Z'))).toBe('2026-12'); // Jan 1 06:00 JST
  expect(monthBefore(new Date('2027-03-31T21:00:00Z'))).toBe('2027-03'); // Apr 1: the fiscal year's last month
});
