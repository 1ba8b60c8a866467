import { createHash, randomUUID } from 'node:crypto';
import { billingRunId } from '../../domain/billing/month';
import { startBillingRun } from '../../workflows/billing/client';
import { billingStatusQuery, type BillingView } from '../../workflows/billing/definitions';
import type { monthlyBillingWorkflow } from '../../workflows';
import { eventually } from '../support/context';
import { pdfPageTexts } from '../support/pdf';
import { maybeCaptureHistory } from '../support/histories';
import { timeSkippingApiSuite } from '../support/time-skipping';
import { nextNovember, serverClock } from './clock';
import { billingSeed } from './seed';

/**
 * The city's side of one supplier's November on a time-skipping server (BILL-4).
 * A correction: the city rejects the invoice (a shipping cost was wrong), operators correct the
 * statement line and the month is recomputed as revision 2 with its reason and the difference from
 * revision 1, which stays exactly as issued.
 * The deadline (7(7)ウ): the city pays within 30 days of accepting, and may extend that deadline by
 * notifying the contractor beforehand: the city moves the deadline (who, when, old and new date, reason recorded),
 * the old date's reminder and overdue flag never come, the new date's do; a date not after the
 * current one is a 400 naming newDueOn; once overdue an extension is refused. The month is
 * nextNovember() (./clock.ts).
 */
const { Y0, Y1 } = nextNovember();
const run = randomUUID().slice(0, 6);
const S = `pe-s-${run}`;
const G = `pe-g-${run}`;
const SUPPLIERS = { [S]: `tok-${S}-000000` };
const suite = timeSkippingApiSuite('billing-extension', SUPPLIERS);
const X = { label: `pe-${run}`, suppliers: [S] };
const runX = billingRunId(`${Y0}-11`, X.label);

const q = `?label=${X.label}`;

beforeAll(async () => {
  const seed = billingSeed(suite.ctx.orm.em.getKnex(), () => suite.ctx.orm.em.fork(), `pe-${run}`);
  const s = await seed.supplier(S, '三柱酒造');
  await seed.gift(G, s, { name: '純米酒 720ml', priceYen: 10_000, costYen: 3_000, shippingCostYen: 800 });
  const d = await seed.donation({ amountYen: 10_000, paidAt: `${Y0}-11-03T03:00:00Z`, gifts: [[G, 1]] });
  await seed.shipment(d, G, { shippedOn: `${Y0}-11-06` });
});

const { advanceTo } = serverClock(() => suite.ctx.env);

const status = () => suite.plain.workflow.getHandle(runX).query(billingStatusQuery);
const until = (accept: (v: BillingView) => boolean) => eventually(status, accept, 60_000);
const events = async (kind: string) =>
  (await suite.ctx.orm.em.getKnex().raw(`select kind, actor, occurred_at, reason, before, after from billing_events where run_id = ? and kind = ? order by id`, [runX, kind])).rows;
const extend = (who: string, body: object) => suite.call('POST', `/billing/runs/${Y0}-11/invoice/payment-deadline${q}`, who, body);

test('the invoice waits until the month\'s report passed inspection (REPORT-1); a correction recomputes the month as revision 2 with its reason and the difference; revision 1 is never edited (BILL-4)', async () => {
  expect((await startBillingRun(suite.plain, suite.ctx.config, { month: `${Y0}-11`, requestedBy: 'operator:test', scope: X })).started).toBe(true);
  await advanceTo(`${Y0}-12-01T00:10:00+09:00`);
  await until((v) => v.stage === 'awaiting_confirmation');
  expect((await suite.call('POST', `/billing/runs/${Y0}-11/statements/${S}/confirm${q}`, S, { revision: 1 })).statusCode).toBe(200);
  // REPORT-1 / 13: no invoice before the month's report passed the city's inspection, and the run says so.
  expect((await until((v) => v.stage === 'awaiting_report_inspection')).waitingFor).toContain(`${Y0}-11 月次業務報告書の検査合格待ち`);
  const knex = suite.ctx.orm.em.getKnex();
  const { rows: [{ next }] } = await knex.raw(`select coalesce(max(revision), 0) + 1 as next from monthly_reports where month = ?::date`, [`${Y0}-11-01`]);
  await knex('monthly_reports').insert({ id: randomUUID(), month: `${Y0}-11-01`, revision: next, status: 'built', kind: 'on_demand', requested_by: 'operator:test', workflow_id: `report-${Y0}-11`, build_key: `ci-${run}`, due_on: `${Y0}-12-10`, built_at: new Date() });
  expect((await suite.call('GET', `/billing/runs/${Y0}-11${q}`, 'city')).json().reportInspection).toMatchObject({ status: 'awaiting_inspection', revision: next });
  expect((await status()).stage).toBe('awaiting_report_inspection');
  expect((await suite.call('POST', `/reports/monthly/${Y0}-11/inspection`, 'city', { revision: next, decision: 'pass' })).json()).toMatchObject({ status: 'passed' });
  await until((v) => v.stage === 'invoice_issued');
  expect((await status()).waitingFor).toBeUndefined();
  // Base fee 10% of ¥10,000 + gift ¥3,000 + shipping ¥800.
  const first = (await suite.call('GET', `/billing/runs/${Y0}-11/invoice${q}`, 'city')).json();
  expect(first).toMatchObject({ revision: 1, status: 'issued', totalYen: 4_800 });
  expect(first.content.correction).toBeUndefined();
  const sha = async (kind: 'pdf' | 'csv') => createHash('sha256').update((await suite.call('GET', `/billing/runs/${Y0}-11/invoice.${kind}${q}&revision=1`, 'city')).rawPayload).digest('hex');
  const issued = { pdf: await sha('pdf'), csv: await sha('csv') };
  // Nothing accepted yet: no deadline to move.
  expect((await extend('city', { newDueOn: `${Y1}-02-01`, reason: '予算措置のため' })).statusCode).toBe(409);

  await advanceTo(`${Y0}-12-04T10:00:00+09:00`);
  const rejection = '送料が配送業者の請求（600円）と一致しません';
  expect((await suite.call('POST', `/billing/runs/${Y0}-11/invoice/decision${q}`, 'city', { revision: 1, decision: 'reject', reason: rejection })).json()).toMatchObject({ status: 'rejected' });
  await until((v) => v.stage === 'invoice_rejected');
  const [line] = (await suite.call('GET', `/billing/runs/${Y0}-11/statements/${S}${q}`, 'operator')).json().lines;
  expect((await suite.call('POST', `/billing/runs/${Y0}-11/statements/${S}/corrections${q}`, 'operator', { reason: '配送業者の請求書で確認', corrections: [{ kind: 'amend', lineId: line.lineId, shippingCostYen: 600 }] })).statusCode).toBe(200);
  const reason = '送料を配送業者の請求額に訂正';
  const revised = await suite.call('POST', `/billing/runs/${Y0}-11/invoice/revisions${q}`, 'operator', { reason, adjustments: [] });
  expect(revised.json()).toMatchObject({ revision: 2, status: 'issued', totalYen: 4_600, number: `INV-${Y0}11-${X.label}-R2` });

  // Revision 2: recomputed from the corrected statement, with what it corrects, why and the difference.
  const second = (await suite.call('GET', `/billing/runs/${Y0}-11/invoice${q}`, 'city')).json();
  expect(second.content.correction).toEqual({
    of: { revision: 1, number: `INV-${Y0}11-${X.label}-R1`, totalYen: 4_800 },
    reason,
    rejectionReason: rejection,
    differenceYen: -200,
    lines: [{ label: '送料', beforeYen: 800, afterYen: 600, differenceYen: -200 }],
  });
  const text = (await pdfPageTexts((await suite.call('GET', `/billing/runs/${Y0}-11/invoice.pdf${q}`, 'city')).rawPayload)).join('\n');
  for (const t of ['訂正 第2版', `訂正内容（第1版 INV-${Y0}11-${X.label}-R1`, `訂正理由: ${reason}`, `差戻し理由: ${rejection}`, '−200円']) expect(text).toContain(t);
  const csv = (await suite.call('GET', `/billing/runs/${Y0}-11/invoice.csv${q}`, 'city')).rawPayload.subarray(3).toString('utf8').split('\r\n').filter(Boolean).map((r) => r.split(','));
  expect(csv.filter((r) => r[0] === '訂正').map((r) => [r[9], Number(r[10]), r[12]])).toEqual([
    [`第1版 (INV-${Y0}11-${X.label}-R1) の訂正`, -200, `訂正理由: ${reason} / 差戻し理由: ${rejection}`],
    ['送料', -200, '第1版 800 → 第2版 600'],
  ]);
  const [issuedEvent] = (await events('invoice_issued')).filter((e: any) => e.after.revision === 2);
  expect(issuedEvent).toMatchObject({ actor: 'operator:tanaka', reason, before: { supersedes: [1] } });

  // Revision 1 stands as issued: same figures, same PDF and CSV bytes; only its status says it was superseded.
  const old = (await suite.call('GET', `/billing/runs/${Y0}-11/invoice${q}&revision=1`, 'city')).json();
  expect(old).toMatchObject({ status: 'superseded', totalYen: 4_800, rejectionReason: rejection });
  expect(old.content).toEqual(first.content);
  expect({ pdf: await sha('pdf'), csv: await sha('csv') }).toEqual(issued);
});

test('the accepted invoice is due 30 days after acceptance (BILL-4)', async () => {
  await advanceTo(`${Y0}-12-07T10:00:00+09:00`);
  expect((await suite.call('POST', `/billing/runs/${Y0}-11/invoice/decision${q}`, 'city', { revision: 2, decision: 'accept' })).json()).toMatchObject({ status: 'accepted', paymentDueOn: `${Y1}-01-06` });
  expect((await until((v) => v.stage === 'awaiting_payment')).deadlines).toMatchObject({ paymentDueOn: `${Y1}-01-06`, paymentReminderAt: `${Y1}-01-01T00:00:00.000Z`, overdueAt: `${Y1}-01-06T15:00:00.000Z` });
});

test('a new date not after the current due date, a missing reason or a non-city caller is refused, and nothing changes', async () => {
  const before = await extend('city', { newDueOn: `${Y1}-01-05`, reason: '予算措置のため' });
  expect(before.statusCode).toBe(400);
  expect(before.json().fields).toEqual([{ field: 'newDueOn', reason: `must be after the current payment due date ${Y1}-01-06` }]);
  expect((await extend('city', { newDueOn: `${Y1}-01-06`, reason: '予算措置のため' })).json().fields).toEqual([expect.objectContaining({ field: 'newDueOn' })]);
  const noReason = await extend('city', { newDueOn: `${Y1}-01-31` });
  expect(noReason.statusCode).toBe(400);
  expect(noReason.json().fields).toEqual([expect.objectContaining({ field: 'reason' })]);
  expect((await extend('operator', { newDueOn: `${Y1}-01-31`, reason: '予算措置のため' })).statusCode).toBe(403);
  expect((await extend(S, { newDueOn: `${Y1}-01-31`, reason: '予算措置のため' })).statusCode).toBe(403);
  expect(await events('payment_deadline_extended')).toHaveLength(0);
  expect((await status()).deadlines.paymentDueOn).toBe(`${Y1}-01-06`);
});

test("the city's notice moves the deadline: recorded who, when, old and new date and why; the old date's reminder and overdue flag never come (BILL-4)", async () => {
  await advanceTo(`${Y0}-12-20T14:00:00+09:00`);
  const res = await extend('city', { newDueOn: `${Y1}-01-31`, reason: '年度予算の流用手続に日数を要するため' });
  expect(res.statusCode).toBe(200);
  expect(res.json()).toMatchObject({ revision: 2, status: 'accepted', paymentDueOn: `${Y1}-01-31` });
  const [e] = await events('payment_deadline_extended');
  expect(e).toMatchObject({ actor: 'city:shiyakusho', reason: '年度予算の流用手続に日数を要するため', before: { paymentDueOn: `${Y1}-01-06` }, after: { paymentDueOn: `${Y1}-01-31` } });
  expect(new Date(e.occurred_at).toISOString().slice(0, 13)).toBe(`${Y0}-12-20T05`);
  const v = await status();
  expect(v.deadlines).toMatchObject({ paymentDueOn: `${Y1}-01-31`, paymentReminderAt: `${Y1}-01-26T00:00:00.000Z`, overdueAt: `${Y1}-01-31T15:00:00.000Z` });
  expect(v.extensions).toEqual([{ from: `${Y1}-01-06`, to: `${Y1}-01-31`, reason: '年度予算の流用手続に日数を要するため', by: 'city:shiyakusho', at: expect.any(String) }]);
  const invoice = (await suite.call('GET', `/billing/runs/${Y0}-11/invoice${q}`, 'city')).json();
  expect(invoice.paymentDueOn).toBe(`${Y1}-01-31`);

  // Past the old reminder (Jan 1) and the old due date (Jan 6): neither fires.
  await advanceTo(`${Y1}-01-07T00:05:00+09:00`);
  expect((await status()).stage).toBe('awaiting_payment');
  expect(await events('payment_reminder')).toHaveLength(0);
  expect(await events('payment_overdue')).toHaveLength(0);
  expect((await suite.call('GET', `/billing/runs/${Y0}-11/invoice${q}`, 'city')).json().overdueAt).toBeNull();
});

test("the new date's reminder and overdue flag come; once overdue the deadline is not extended any more; the payment completes the run (BILL-4)", async () => {
  await advanceTo(`${Y1}-01-26T09:01:00+09:00`);
  const [reminder] = await eventually(() => events('payment_reminder'), (r) => r.length === 1);
  expect(reminder.reason).toContain(`延長後の支払期限 ${Y1}-01-31`);
  await eventually(async () => suite.ctx.mail.messages().filter((m) => m.to.includes('furusato-keiri@city.yanagawa.example') && m.subject.includes('お支払い期限')).length, (n) => n === 1);

  await advanceTo(`${Y1}-02-01T00:05:00+09:00`);
  const [overdue] = await eventually(() => events('payment_overdue'), (r) => r.length === 1);
  expect(overdue.reason).toContain(`延長後の支払期限 ${Y1}-01-31`);
  expect((await suite.call('GET', `/billing/runs/${Y0}-11/invoice${q}`, 'city')).json().overdueAt.slice(0, 16)).toBe(`${Y1}-01-31T15:00`);
  // 7(7)ウ: extended by notice beforehand, not after the deadline has passed.
  const late = await extend('city', { newDueOn: `${Y1}-02-28`, reason: '追加の延長' });
  expect(late.statusCode).toBe(409);
  expect(late.json().message).toContain('has passed');
  expect(await events('payment_deadline_extended')).toHaveLength(1);

  expect((await suite.call('POST', `/billing/runs/${Y0}-11/city-payments${q}`, 'city', { amountYen: 1_000 + 3_000 + 600, paidOn: `${Y1}-02-02`, reference: '市会計課 振込 0202-1' })).json()).toMatchObject({ paid: true });
  const result = await suite.plain.workflow.getHandle<typeof monthlyBillingWorkflow>(runX).result();
  expect(result).toMatchObject({ stage: 'paid', deadlines: { paymentDueOn: `${Y1}-01-31` } });
  await maybeCaptureHistory(suite.plain, 'billing-v2-payment-extended', runX);
  await maybeCaptureHistory(suite.plain, 'billing-v3-report-inspected-corrected-extended', runX);
});
