import { randomUUID } from 'node:crypto';
import { createOrm, type Orm } from '../../ledger/orm';
import { required } from '../support/context';
import { billingSeed } from './seed';
import { ensureBillingRun, gatherStatements, recordStatementResponse, correctStatementLines, statementLines, BillingError } from '../../ledger/billing';
import { invoiceInputs, monthDonations } from '../../ledger/billing-fees';
import { composeInvoice } from '../../domain/billing/invoice';
import { baseFee } from '../../domain/billing/fees';
import { billingRunId } from '../../domain/billing/month';

// BILL-1/BILL-5 at the ledger: what a scoped run freezes and bills, straight from the tables.
let orm: Orm;
const run = randomUUID().slice(0, 6);
const A = `bl-a-${run}`;
const GA = `bl-ga-${run}`;
const GB = `bl-gb-${run}`;
const ids: Record<string, string> = {};

beforeAll(async () => {
  orm = await createOrm(required('TEST_DATABASE_URL'), { poolMax: 3 });
  const knex = orm.em.getKnex();
  const seed = billingSeed(knex, () => orm.em.fork(), `bl-${run}`);
  const a = await seed.supplier(A, '柳川うなぎ本舗');
  await seed.gift(GA, a, { name: 'うなぎ蒲焼き', priceYen: 10_000, costYen: 2_000, shippingCostYen: 800 });
  await seed.gift(GB, a, { name: '季節の野菜 定期便 3回', priceYen: 30_000, costYen: 9_000, shippingCostYen: 1_000, deliveries: 3 });
  const oct = '2026-10-10T03:00:00Z';
  ids.d1 = await seed.donation({ amountYen: 10_000, paidAt: oct, gifts: [[GA, 1]] });
  ids.d2 = await seed.donation({ amountYen: 10_000, paidAt: oct, gifts: [[GA, 2]] });
  ids.d3 = await seed.donation({ amountYen: 20_000, paidAt: oct, gifts: [[GA, 1]], portal: 'satofull' });
  ids.d4 = await seed.donation({ amountYen: 5_000, paidAt: oct, gifts: [[GA, 1]], portal: 'city' });
  ids.d5 = await seed.donation({ amountYen: 3_000, paidAt: oct, portal: 'direct', channel: 'counter' });
  ids.d6 = await seed.donation({ amountYen: 10_000, paidAt: oct, gifts: [[GA, 1]], portal: 'direct', channel: 'counter' });
  ids.d7 = await seed.donation({ amountYen: 10_000, paidAt: oct, gifts: [[GA, 1]], status: 'cancelled' });
  // 2026-10-01 00:30 JST is October; 2026-11-01 00:30 JST is not.
  ids.d8 = await seed.donation({ amountYen: 10_000, paidAt: '2026-09-30T15:30:00Z', gifts: [[GA, 1]] });
  ids.d9 = await seed.donation({ amountYen: 10_000, paidAt: '2026-10-31T15:30:00Z', gifts: [[GA, 1]] });
  ids.d10 = await seed.donation({ amountYen: 30_000, paidAt: '2026-09-10T03:00:00Z', gifts: [[GB, 1]] });
  await seed.shipment(ids.d1, GA, { shippedOn: '2026-10-05' });
  await seed.shipment(ids.d2, GA, { shippedOn: '2026-10-06', carrier: 'sagawa_ehiden' });
  await seed.shipment(ids.d6, GA, { shippedOn: '2026-10-20', status: 'shipped' });
  await seed.shipment(ids.d10, GB, { shippedOn: '2026-09-15', deliveryNo: 1, deliveries: 3 });
  await seed.shipment(ids.d10, GB, { shippedOn: '2026-10-15', deliveryNo: 2, deliveries: 3 });
  await seed.shipment(ids.d9, GA, { shippedOn: '2026-11-02' });
  await seed.shipment(ids.d7, GA, { shippedOn: '2026-10-07', status: 'cancelled' });
  await seed.postedBatch([ids.d1, ids.d2], '2026-10-10T01:00:00Z');
  await seed.postedBatch([ids.d6], '2026-10-31T15:10:00Z');
  await seed.onestopAccepted(ids.d1, '2026-10-12T02:00:00Z');
  // Its 受付済み通知, posted on paper in October: that postage is the contractor's (7(4)オ), never the city's.
  await seed.postedBatch([ids.d1], '2026-10-20T01:00:00Z', 'onestop_notice');
  // A postal transfer form (郵便振替用紙) mailed on request: that postage is the city's (7(4)カ).
  await seed.postedBatch([ids.d2], '2026-10-21T01:00:00Z', 'payment_form');
  await seed.campaign(`bl-c1-${run}`, { costYen: 5_000, billedMonth: '2026-10-01', giftCodes: [GA] });
  await seed.campaign(`bl-c2-${run}`, { costYen: 7_000, billedMonth: '2026-10-01', giftCodes: [GA], status: 'proposed' });
  await seed.campaign(`bl-c3-${run}`, { costYen: 9_000, billedMonth: '2026-11-01', giftCodes: [GA] });
});

afterAll(async () => {
  await orm?.close();
});

test('a scoped run freezes the month\'s actual shipments and bills base fee, capped gift cost, mailing, one-stop and advertising (BILL-1, BILL-5)', async () => {
  const knex = orm.em.getKnex();
  const runId = billingRunId('2026-10', `bl-${run}`);
  await ensureBillingRun(knex, { runId, month: '2026-10', scope: { label: `bl-${run}`, suppliers: [A] }, requestedBy: 'system:test', at: new Date().toISOString() });
  const heads = await gatherStatements(knex, runId, new Date().toISOString());
  expect(heads).toEqual([expect.objectContaining({ supplierCode: A, lines: 4, procurementCostYen: 2_000 + 4_000 + 2_000 + 3_000, shippingCostYen: 800 * 3 + 1_000, status: 'sent', revision: 1 })]);
  // Gathering again changes nothing.
  expect(await gatherStatements(knex, runId, new Date().toISOString())).toEqual(heads);
  const lines = await statementLines(knex, heads[0].statementId);
  expect(lines.map((l) => [l.shippedOn, l.giftCode, l.quantity, l.procurementCostYen, l.deliveryNo])).toEqual([
    ['2026-10-05', GA, 1, 2_000, 1],
    ['2026-10-06', GA, 2, 4_000, 1],
    ['2026-10-15', GB, 1, 3_000, 2],
    ['2026-10-20', GA, 1, 2_000, 1],
  ]);

  // Lines are corrected only inside a dispute.
  await expect(correctStatementLines(knex, { runId, supplierCode: A, corrections: [{ kind: 'void', lineId: lines[0].lineId }], reason: 'x', actor: 'operator:test' })).rejects.toThrow(BillingError);
  // The invoice needs every statement confirmed (or an override).
  const rates = { baseFeeRateBp: 1000, receiptPostageYen: 110, onestopUnitYen: 200, taxPercent: 10 };
  await expect(invoiceInputs(knex, { runId, revision: 1, number: 'T-1', issuedOn: '2026-11-05', rates, adjustments: [] })).rejects.toThrow(/not every statement is confirmed/);
  await recordStatementResponse(knex, { runId, supplierCode: A, revision: 1, decision: 'confirm', actor: `supplier:${A}`, at: new Date().toISOString(), key: `${runId}:confirm` });

  const c = composeInvoice(await invoiceInputs(knex, { runId, revision: 1, number: 'T-1', issuedOn: '2026-11-05', rates, adjustments: [] }));
  // In the month (JST): d1, d2, d3 (さとふる), d4 (city), d6 (counter with gift), d8 (00:30 JST on Oct 1). Not d7 (cancelled), d9 (November JST), d10 (September).
  expect(c.baseFee.eligibleYen).toBe(10_000 + 10_000 + 10_000 + 10_000);
  expect(c.baseFee.excluded).toEqual(expect.arrayContaining([expect.objectContaining({ reason: 'satofull', count: 1, amountYen: 20_000 }), expect.objectContaining({ reason: 'city_site', count: 1, amountYen: 5_000 })]));
  const fee = (code: string) => c.feeLines.filter((f) => f.code === code);
  expect(fee('base_fee')[0].amountYen).toBe(4_000);
  // d2: ¥4,000 of gifts on a ¥10,000 donation → ¥3,000 billed, ¥1,000 flagged. d10's 定期便: ¥3,000 earlier + ¥3,000 now ≤ ¥9,000.
  expect(fee('gift_cost')[0].amountYen).toBe(10_000);
  expect(c.capFlags).toEqual([expect.objectContaining({ donationId: ids.d2, monthCostYen: 4_000, billedYen: 3_000, excessYen: 1_000 })]);
  expect(fee('shipping')[0].amountYen).toBe(3_400);
  // Postage by who bears it (domain/billing/postage.ts): two receipt envelopes and one postal transfer form are the city's; the one-stop notice is not billed.
  expect(fee('receipt_mailing')[0].amountYen).toBe(3 * 110);
  expect(fee('receipt_mailing')[0].basis).toBe('3通 × 110円; 内訳 受領証明書・お礼状 2通、郵便振替用紙 1通; 受託者負担につき請求せず: ワンストップ特例 受付済み通知等 1通 (7(4)オ 送付に係る費用は受託者が負担)');
  expect(fee('onestop')[0]).toMatchObject({ amountYen: 200, taxYen: 20 });
  expect(fee('advertising').map((f) => f.amountYen)).toEqual([5_000]);
  expect(c.ratio.month.donationsYen).toBe(10_000 * 4 + 20_000 + 5_000);
});

test('a counter donation without a gift is outside the base fee (read from the ledger, only this suite\'s rows counted)', async () => {
  const all = await monthDonations(orm.em.getKnex(), '2026-10', null);
  const mine = all.filter((d) => Object.values(ids).includes(d.donationId));
  expect(mine.find((d) => d.donationId === ids.d5)).toMatchObject({ channel: 'counter', hasGift: false });
  const s = baseFee(mine, 1000);
  expect(s.excluded.find((e) => e.reason === 'counter_no_gift')).toMatchObject({ count: 1, amountYen: 3_000 });
  expect(s.eligibleYen).toBe(40_000);
});

test('billing events are append-only', async () => {
  const knex = orm.em.getKnex();
  await expect(knex.raw(`update billing_events set reason = 'x' where run_id = ?`, [billingRunId('2026-10', `bl-${run}`)])).rejects.toThrow(/append-only/);
});
