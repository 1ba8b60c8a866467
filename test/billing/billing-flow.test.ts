import { randomUUID } from 'node:crypto';
import { billingRunId } from '../../domain/billing/month';
import { startBillingRun } from '../../workflows/billing/client';
import { billingStatusQuery, type BillingView } from '../../workflows/billing/definitions';
import type { monthlyBillingWorkflow } from '../../workflows';
import { eventually } from '../support/context';
import { maybeCaptureHistory } from '../support/histories';
import { pdfPageTexts } from '../support/pdf';
import { timeSkippingApiSuite } from '../support/time-skipping';
import { nextNovember, serverClock } from './clock';
import { billingSeed } from './seed';

/**
 * A November billed end to end on a time-skipping server: the month ends,
 * statements go out, one supplier disputes (investigated, corrected, confirmed), the
 * operators are reminded before the 10th, the invoice is issued by the 10th, the city
 * rejects it, accepts the revision and pays after the 30 days (reminder, overdue flag).
 * Beside it a second run whose supplier never answers: reminders, escalation after
 * the 10th, an operator's override. Both runs are limited to this suite's suppliers.
 */
/**
 * The scenario's November is the next one that has not begun in Japan: the time-skipping
 * server starts at the real time and only moves forward. Billing deadlines are calendar
 * arithmetic (no weekdays or holidays), so every year plays out the same.
 */
const { Y0, Y1 } = nextNovember();
const run = randomUUID().slice(0, 6);
const A = `bf-a-${run}`;
const B = `bf-b-${run}`;
const C = `bf-c-${run}`;
// Each supplier signs in with its own token (test/support/api.ts names them by code).
const SUPPLIERS = { [A]: `tok-${A}-000000`, [B]: `tok-${B}-000000`, [C]: `tok-${C}-000000` };
// The report inspection the invoice waits for (REPORT-1) is test/billing/city-invoice.test.ts's.
const suite = timeSkippingApiSuite('billing', SUPPLIERS, { BILL_REQUIRE_REPORT_INSPECTION: 'false' });
const GA = `bf-ga-${run}`;
const GB = `bf-gb-${run}`;
const GC = `bf-gc-${run}`;
const X = { label: `x-${run}`, suppliers: [A, B] };
const Y = { label: `y-${run}`, suppliers: [C] };
const runX = billingRunId(`${Y0}-11`, X.label);
const runY = billingRunId(`${Y0}-11`, Y.label);
const ids: Record<string, string> = {};

const q = (label: string) => `?label=${label}`;

beforeAll(async () => {
  const knex = suite.ctx.orm.em.getKnex();
  const seed = billingSeed(knex, () => suite.ctx.orm.em.fork(), `bf-${run}`);
  const a = await seed.supplier(A, '柳川うなぎ本舗');
  const b = await seed.supplier(B, 'みずほ農園');
  const c = await seed.supplier(C, '有明海苔店');
  await seed.gift(GA, a, { name: 'うなぎ蒲焼き 2尾', priceYen: 10_000, costYen: 3_000, shippingCostYen: 900 });
  await seed.gift(GB, b, { name: 'あまおう 4パック', priceYen: 20_000, costYen: 5_000, shippingCostYen: 1_100 });
  await seed.gift(GC, c, { name: '有明海苔 詰合せ', priceYen: 10_000, costYen: 2_000, shippingCostYen: 700 });
  const nov = `${Y0}-11-03T03:00:00Z`;
  ids.dA1 = await seed.donation({ amountYen: 10_000, paidAt: nov, gifts: [[GA, 1]] });
  ids.dA2 = await seed.donation({ amountYen: 10_000, paidAt: nov, gifts: [[GA, 2]] });
  ids.dA3 = await seed.donation({ amountYen: 30_000, paidAt: nov, gifts: [[GA, 1]], portal: 'satofull' });
  ids.dB1 = await seed.donation({ amountYen: 20_000, paidAt: nov, gifts: [[GB, 1]] });
  ids.dB2 = await seed.donation({ amountYen: 20_000, paidAt: nov, gifts: [[GB, 1]] });
  ids.dC1 = await seed.donation({ amountYen: 10_000, paidAt: nov, gifts: [[GC, 1]] });
  ids.sA1 = await seed.shipment(ids.dA1, GA, { shippedOn: `${Y0}-11-05` });
  ids.sA2 = await seed.shipment(ids.dA2, GA, { shippedOn: `${Y0}-11-20`, carrier: 'sagawa_ehiden' });
  ids.sB1 = await seed.shipment(ids.dB1, GB, { shippedOn: `${Y0}-11-10` });
  ids.sC1 = await seed.shipment(ids.dC1, GC, { shippedOn: `${Y0}-11-12` });
  await seed.shipment(ids.dA1, GA, { shippedOn: `${Y0}-12-01`, attempt: 2 }); // December: not November's
  await seed.postedBatch([ids.dA1, ids.dB1], `${Y0}-11-15T01:00:00Z`);
  await seed.onestopAccepted(ids.dA1, `${Y0}-11-16T02:00:00Z`);
  await seed.campaign(`bf-c-${run}`, { costYen: 8_000, billedMonth: `${Y0}-11-01`, giftCodes: [GA] });
});

const { advanceTo } = serverClock(() => suite.ctx.env);

const status = (runId: string) => suite.plain.workflow.getHandle(runId).query(billingStatusQuery);
const until = (runId: string, accept: (v: BillingView) => boolean) => eventually(() => status(runId), accept, 60_000);
const events = async (runId: string, kind: string) =>
  (await suite.ctx.orm.em.getKnex().raw(`select kind, actor, occurred_at, reason, before, after from billing_events where run_id = ? and kind = ? order by id`, [runId, kind])).rows;
const mailsTo = (address: string) => suite.ctx.mail.messages().filter((m) => m.to.includes(address));

test('the runs wait for the month to end, then freeze and send each supplier its statement (BILL-1)', async () => {
  expect((await startBillingRun(suite.plain, suite.ctx.config, { month: `${Y0}-11`, requestedBy: 'operator:test', scope: X })).started).toBe(true);
  expect((await startBillingRun(suite.plain, suite.ctx.config, { month: `${Y0}-11`, requestedBy: 'operator:test', scope: Y })).started).toBe(true);
  // The same month twice is the same run.
  expect(await startBillingRun(suite.plain, suite.ctx.config, { month: `${Y0}-11`, requestedBy: 'operator:test', scope: X })).toEqual({ runId: runX, started: false });
  expect((await until(runX, (v) => v.stage === 'month_open')).deadlines).toMatchObject({ invoiceDueOn: `${Y0}-12-10`, monthEndsAt: `${Y0}-11-30T15:00:00.000Z` });

  await advanceTo(`${Y0}-12-01T00:10:00+09:00`);
  const x = await until(runX, (v) => v.stage === 'awaiting_confirmation');
  expect(x.statements).toEqual([
    { supplierCode: A, revision: 1, status: 'sent' },
    { supplierCode: B, revision: 1, status: 'sent' },
  ]);
  await until(runY, (v) => v.stage === 'awaiting_confirmation');
  await eventually(async () => [A, B, C].map((s) => mailsTo(`${s}@example.jp`).length), (n) => n.every((c) => c === 1));
  const mail = mailsTo(`${A}@example.jp`)[0];
  expect(mail.subject).toContain(`${Y0}年11月分 出荷明細`);
  expect(mail.attachments[0].content.toString('utf8')).toContain(`${Y0}-11-20`);
});

test('suppliers see only their own statement; A confirms; B disputes a missing shipment, which is investigated, corrected and confirmed (BILL-1)', async () => {
  expect((await suite.call('GET', `/billing/runs/${Y0}-11/statements/${B}${q(X.label)}`, A)).statusCode).toBe(404);
  const own = await suite.call('GET', `/billing/runs/${Y0}-11/statements/${A}${q(X.label)}`, A);
  expect(own.statusCode).toBe(200);
  expect(own.json().lines.map((l: any) => [l.shippedOn, l.quantity, l.procurementCostYen])).toEqual([
    [`${Y0}-11-05`, 1, 3_000],
    [`${Y0}-11-20`, 2, 6_000],
  ]);
  expect((await suite.call('POST', `/billing/runs/${Y0}-11/statements/${A}/confirm${q(X.label)}`, A, { revision: 1 })).json()).toEqual({ supplierCode: A, revision: 1, status: 'confirmed' });
  // Confirming twice is refused by the workflow's validator.
  expect((await suite.call('POST', `/billing/runs/${Y0}-11/statements/${A}/confirm${q(X.label)}`, A, { revision: 1 })).statusCode).toBe(409);
  // B's order of Nov 30 was confirmed as shipped only after the month was gathered.
  ids.sB2 = await billingSeed(suite.ctx.orm.em.getKnex(), () => suite.ctx.orm.em.fork(), `bf-${run}`).shipment(ids.dB2, GB, { shippedOn: `${Y0}-11-30` });

  const dispute = await suite.call('POST', `/billing/runs/${Y0}-11/statements/${B}/dispute${q(X.label)}`, B, { revision: 1, reason: '11月30日発送分が明細にありません', lines: [{ shipmentId: ids.sB2, note: '11/30 ヤマト発送済み' }] });
  expect(dispute.json()).toMatchObject({ status: 'disputed', revision: 1 });
  expect((await status(runX)).disputed).toBe(1);
  // Only an operator investigates.
  expect((await suite.call('POST', `/billing/runs/${Y0}-11/statements/${B}/findings${q(X.label)}`, B, { findings: 'x' })).statusCode).toBe(403);
  expect((await suite.call('POST', `/billing/runs/${Y0}-11/statements/${B}/findings${q(X.label)}`, 'operator', { findings: '配送実績で11/30の発送を確認。明細作成後に発送登録されたため漏れた' })).statusCode).toBe(200);
  const corrected = await suite.call('POST', `/billing/runs/${Y0}-11/statements/${B}/corrections${q(X.label)}`, 'operator', { reason: '発送実績に基づき追加', corrections: [{ kind: 'add_shipment', shipmentId: ids.sB2 }] });
  expect(corrected.statusCode).toBe(200);
  expect(corrected.json().lines.map((l: any) => [l.shippedOn, l.origin])).toEqual([
    [`${Y0}-11-10`, 'gathered'],
    [`${Y0}-11-30`, 'correction'],
  ]);
  const resolved = await suite.call('POST', `/billing/runs/${Y0}-11/statements/${B}/resolve${q(X.label)}`, 'operator', { resolution: '11/30発送分を追加' });
  expect(resolved.json()).toEqual({ supplierCode: B, revision: 2, status: 'sent' });
  await eventually(async () => mailsTo(`${B}@example.jp`).map((m) => m.subject), (s) => s.length === 2 && s[1].includes('第2版'));

  const history = (await suite.call('GET', `/billing/runs/${Y0}-11/statements/${B}${q(X.label)}`, B)).json();
  expect(history.disputes).toEqual([expect.objectContaining({ status: 'resolved', reason: '11月30日発送分が明細にありません', resolution: '11/30発送分を追加', findings: [expect.objectContaining({ by: 'operator:tanaka' })] })]);
  expect(history.events.map((e: any) => e.kind)).toEqual(['statement_created', 'statement_disputed', 'dispute_findings', 'line_added', 'dispute_resolved']);
  expect(history.events.find((e: any) => e.kind === 'line_added')).toMatchObject({ actor: 'operator:tanaka', reason: '発送実績に基づき追加', before: null, after: expect.objectContaining({ shipmentId: ids.sB2 }) });
});

test('operators are reminded before the 10th while a statement is unconfirmed (BILL-3)', async () => {
  await advanceTo(`${Y0}-12-05T09:01:00+09:00`);
  const reminders = await eventually(() => events(runX, 'confirmation_reminder'), (r) => r.length === 1);
  expect(reminders[0].after.pending).toEqual([`${B} (未確認, 第2版)`]);
  await eventually(async () => mailsTo('billing-ops@furusato-ops.example').filter((m) => m.subject.includes('未確認')).length, (n) => n >= 2);
  expect(await events(runX, 'invoice_escalation')).toHaveLength(0);
});

test('when B confirms the corrected statement the invoice is issued by the 10th: PDF and CSV (BILL-3, BILL-5)', async () => {
  expect((await suite.call('POST', `/billing/runs/${Y0}-11/statements/${B}/confirm${q(X.label)}`, B, { revision: 2 })).statusCode).toBe(200);
  const x = await until(runX, (v) => v.stage === 'invoice_issued');
  expect(x.invoice).toMatchObject({ revision: 1, status: 'issued', capFlags: 1 });
  const [issued] = await events(runX, 'invoice_issued');
  expect(new Date(issued.occurred_at).getTime()).toBeLessThan(Date.parse(`${Y0}-12-11T00:00:00+09:00`));

  // The city (and operators) download it; suppliers do not.
  expect((await suite.call('GET', `/billing/runs/${Y0}-11/invoice.pdf${q(X.label)}`, A)).statusCode).toBe(403);
  const pdf = await suite.call('GET', `/billing/runs/${Y0}-11/invoice.pdf${q(X.label)}`, 'city');
  expect(pdf.headers['content-type']).toBe('application/pdf');
  const text = (await pdfPageTexts(pdf.rawPayload)).join('\n');
  for (const s of ['請求書', `INV-${Y0}11-${X.label}-R1`, '柳川市長', `${Y0}年11月分`, '柳川うなぎ本舗', 'みずほ農園', 'うなぎ蒲焼き 2尾', 'あまおう 4パック', '基本手数料', 'ワンストップ特例事務', '3割上限超過', '5割基準', '年度累計']) {
    expect(text).toContain(s);
  }
  expect(text).not.toContain('有明海苔');

  const csvRes = await suite.call('GET', `/billing/runs/${Y0}-11/invoice.csv${q(X.label)}`, 'operator');
  const csv = csvRes.rawPayload;
  expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const rows = csv.subarray(3).toString('utf8').split('\r\n').filter(Boolean).map((r) => r.split(','));
  const detail = rows.filter((r) => r[0] === '明細').map((r) => [r[1], r[3], Number(r[5]), Number(r[6]), Number(r[7]), Number(r[8])]);
  // Independently of billing's tables: the suppliers' November shipments straight from the shipments ledger.
  const { rows: expected } = await suite.ctx.orm.em.getKnex().raw(
    `select p.code as supplier, g.code as gift, count(*)::int as shipments, sum(l.quantity)::int as quantity,
            sum(g.cost_yen * l.quantity)::int as procurement, sum(g.shipping_cost_yen)::int as shipping
       from shipments s join suppliers p on p.id = s.supplier_id join gifts g on g.code = s.gift_code join donation_gift_lines l on l.id = s.gift_line_id
      where p.code = any (?::text[]) and s.shipped_on >= '${Y0}-11-01' and s.shipped_on < '${Y0}-12-01' and s.status in ('shipped', 'delivered')
      group by p.code, g.code order by p.code, g.code`,
    [`{${A},${B}}`],
  );
  expect(detail).toEqual(expected.map((r: any) => [r.supplier, r.gift, r.shipments, r.quantity, r.procurement, r.shipping]));
  const fee = (label: string) => rows.find((r) => r[0] === '手数料' && r[9].startsWith(label))!;
  // Base fee: dA1, dA2, dB1, dB2 (さとふる's dA3 excluded) × 10%.
  expect(Number(fee('基本手数料')[10])).toBe(6_000);
  // dA2: ¥6,000 of eels on a ¥10,000 donation → ¥3,000 billed, ¥3,000 flagged.
  expect(Number(fee('返礼品調達費')[10])).toBe(3_000 + 3_000 + 5_000 + 5_000);
  expect(rows.filter((r) => r[0] === '上限超過').map((r) => [r[9], Number(r[10])])).toEqual([[`寄附 ${ids.dA2}`, 3_000]]);
  expect(Number(fee('送料')[10])).toBe(900 * 2 + 1_100 * 2);
  expect(Number(fee('受領証明書等郵送料')[10])).toBe(2 * 110);
  expect([Number(fee('ワンストップ特例事務')[10]), Number(fee('ワンストップ特例事務')[11])]).toEqual([200, 20]);
  expect(Number(fee('広告費')[10])).toBe(8_000);
  const total = rows.find((r) => r[0] === '合計')!;
  expect(Number(total[10])).toBe(6_000 + 16_000 + 4_000 + 220 + 200 + 20 + 8_000);
  expect((await suite.call('GET', `/billing/runs/${Y0}-11${q(X.label)}`, 'city')).json().ratio.month).toEqual({ costYen: 34_440, donationsYen: 90_000, ratio: 0.3827 });
});

test('the city rejects with a reason; the corrected revision is accepted and payment is due in 30 days (BILL-4)', async () => {
  await advanceTo(`${Y0}-12-06T10:00:00+09:00`);
  expect((await suite.call('POST', `/billing/runs/${Y0}-11/invoice/decision${q(X.label)}`, 'operator', { revision: 1, decision: 'accept' })).statusCode).toBe(403);
  expect((await suite.call('POST', `/billing/runs/${Y0}-11/invoice/decision${q(X.label)}`, 'city', { revision: 1, decision: 'reject' })).statusCode).toBe(400);
  const rejected = await suite.call('POST', `/billing/runs/${Y0}-11/invoice/decision${q(X.label)}`, 'city', { revision: 1, decision: 'reject', reason: '3割超過分は市が負担するので請求に含めてください' });
  expect(rejected.json()).toMatchObject({ revision: 1, status: 'rejected' });
  const revised = await suite.call('POST', `/billing/runs/${Y0}-11/invoice/revisions${q(X.label)}`, 'operator', {
    reason: '市の判断により3割超過分を計上',
    adjustments: [{ label: '返礼品調達費 3割超過分（市承認）', amountYen: 3_000, reason: '市の差戻し (12/6) による' }],
  });
  expect(revised.json()).toMatchObject({ revision: 2, status: 'issued', number: `INV-${Y0}11-${X.label}-R2`, totalYen: 34_440 + 3_000 });
  const text = (await pdfPageTexts((await suite.call('GET', `/billing/runs/${Y0}-11/invoice.pdf${q(X.label)}`, 'city')).rawPayload)).join('\n');
  expect(text).toContain('訂正 第2版');
  expect(text).toContain('3割超過分（市承認）');
  const first = await suite.call('GET', `/billing/runs/${Y0}-11/invoice${q(X.label)}&revision=1`, 'city');
  expect(first.json()).toMatchObject({ status: 'superseded', rejectionReason: '3割超過分は市が負担するので請求に含めてください' });

  await advanceTo(`${Y0}-12-07T10:00:00+09:00`);
  const accepted = await suite.call('POST', `/billing/runs/${Y0}-11/invoice/decision${q(X.label)}`, 'city', { revision: 2, decision: 'accept' });
  expect(accepted.json()).toMatchObject({ revision: 2, status: 'accepted', paymentDueOn: `${Y1}-01-06` });
  expect((await until(runX, (v) => v.stage === 'awaiting_payment')).deadlines).toMatchObject({ paymentDueOn: `${Y1}-01-06`, paymentReminderAt: `${Y1}-01-01T00:00:00.000Z`, overdueAt: `${Y1}-01-06T15:00:00.000Z` });
});

test('a supplier that never confirms: reminders, escalation after the 10th, the operator overrides with a reason (BILL-3)', async () => {
  await advanceTo(`${Y0}-12-11T00:05:00+09:00`);
  const escalations = await eventually(() => events(runY, 'invoice_escalation'), (r) => r.length === 1);
  expect(escalations[0].after.pending).toEqual([`${C} (未確認, 第1版)`]);
  expect((await events(runY, 'confirmation_reminder')).map((r: any) => new Date(r.occurred_at).toISOString().slice(0, 16))).toEqual([`${Y0}-12-05T00:00`, `${Y0}-12-07T00:00`, `${Y0}-12-09T00:00`]);
  await eventually(async () => mailsTo('billing-ops@furusato-ops.example').filter((m) => m.subject.includes('期限超過')).length, (n) => n === 1);
  // Run X issued its invoice in time: no escalation there.
  expect(await events(runX, 'invoice_escalation')).toHaveLength(0);

  expect((await suite.call('POST', `/billing/runs/${Y0}-11/override${q(Y.label)}`, 'operator', {})).statusCode).toBe(400);
  const o = await suite.call('POST', `/billing/runs/${Y0}-11/override${q(Y.label)}`, 'operator', { reason: '事業者と連絡が取れないため配送実績で請求（後日確認）' });
  expect(o.statusCode).toBe(200);
  const y = await until(runY, (v) => v.stage === 'invoice_issued');
  expect(y.escalatedAt).toBeDefined();
  const text = (await pdfPageTexts((await suite.call('GET', `/billing/runs/${Y0}-11/invoice.pdf${q(Y.label)}`, 'city')).rawPayload)).join('\n');
  expect(text).toContain('事業者確認なしでの発行');
  expect(text).toContain('未確認');
  expect((await suite.call('POST', `/billing/runs/${Y0}-11/invoice/decision${q(Y.label)}`, 'city', { revision: 1, decision: 'accept' })).json()).toMatchObject({ paymentDueOn: `${Y1}-01-10` });
});

test('the city is reminded before day 30 and the invoice is flagged overdue after it; the payment completes the run (BILL-4)', async () => {
  await advanceTo(`${Y1}-01-01T09:01:00+09:00`);
  await eventually(() => events(runX, 'payment_reminder'), (r) => r.length === 1);
  await eventually(async () => mailsTo('furusato-keiri@city.yanagawa.example').filter((m) => m.subject.includes('お支払い期限')).length, (n) => n >= 1);
  await advanceTo(`${Y1}-01-07T00:01:00+09:00`);
  await eventually(() => events(runX, 'payment_overdue'), (r) => r.length === 1);
  const inv = (await suite.call('GET', `/billing/runs/${Y0}-11/invoice${q(X.label)}`, 'city')).json();
  // Flagged when the due day has ended in Japan (the timer fires then; milliseconds of workflow time aside).
  expect(inv.overdueAt.slice(0, 16)).toBe(`${Y1}-01-06T15:00`);
  expect((await status(runX)).overdueAt?.slice(0, 16)).toBe(`${Y1}-01-06T15:00`);

  const part = await suite.call('POST', `/billing/runs/${Y0}-11/city-payments${q(X.label)}`, 'operator', { amountYen: 30_000, paidOn: `${Y1}-01-08`, reference: '市会計課 振込 0108-1' });
  expect(part.json()).toEqual({ paidYen: 30_000, totalYen: 37_440, paid: false });
  expect((await suite.call('POST', `/billing/runs/${Y0}-11/city-payments${q(X.label)}`, 'operator', { amountYen: 7_440, paidOn: `${Y1}-01-09`, reference: '市会計課 振込 0109-1' })).json()).toMatchObject({ paid: true });
  const result = await suite.plain.workflow.getHandle<typeof monthlyBillingWorkflow>(runX).result();
  expect(result).toMatchObject({ stage: 'paid', payment: { paidYen: 37_440, totalYen: 37_440 } });

  await suite.call('POST', `/billing/runs/${Y0}-11/city-payments${q(Y.label)}`, 'city', { amountYen: 2_000 + 700 + 1_000, paidOn: `${Y1}-01-09`, reference: '市会計課 振込 0109-2' });
  const yResult = await suite.plain.workflow.getHandle<typeof monthlyBillingWorkflow>(runY).result();
  expect(yResult.stage).toBe('paid');
  await maybeCaptureHistory(suite.plain, 'billing-v1-disputed-rejected-paid', runX);
  await maybeCaptureHistory(suite.plain, 'billing-v1-escalated-override', runY);
});

test('suppliers and carriers are paid on the actual shipments: payables, payments, outstanding balances (BILL-2)', async () => {
  const before = (await suite.call('GET', `/billing/runs/${Y0}-11/payables${q(X.label)}`, 'operator')).json().payables;
  expect(before.map((p: any) => [p.payeeKind, p.payeeCode, p.shipments, p.payableYen, p.outstandingYen])).toEqual([
    ['supplier', A, 2, 9_000, 9_000],
    ['supplier', B, 2, 10_000, 10_000],
    ['carrier', 'sagawa_ehiden', 1, 900, 900],
    ['carrier', 'yamato_b2', 3, 900 + 1_100 * 2, 3_100],
  ]);
  const paid = await suite.call('POST', `/billing/runs/${Y0}-11/payments${q(X.label)}`, 'operator', { payeeKind: 'supplier', payeeCode: A, amountYen: 5_000, paidOn: `${Y1}-01-15`, reference: `FB-${Y1}0115-01` });
  expect(paid.statusCode).toBe(201);
  expect(paid.json()).toMatchObject({ paidYen: 5_000, outstandingYen: 4_000 });
  expect((await suite.call('POST', `/billing/runs/${Y0}-11/payments${q(X.label)}`, 'operator', { payeeKind: 'supplier', payeeCode: A, amountYen: 5_000, paidOn: `${Y1}-01-15`, reference: `FB-${Y1}0115-02` })).statusCode).toBe(409);
  expect((await suite.call('POST', `/billing/runs/${Y0}-11/payments${q(X.label)}`, 'operator', { payeeKind: 'carrier', payeeCode: 'yamato_b2', amountYen: 3_100, paidOn: `${Y1}-01-20`, reference: `YMT-${Y0}11` })).json()).toMatchObject({ outstandingYen: 0 });
  expect((await suite.call('POST', `/billing/runs/${Y0}-11/payments${q(X.label)}`, A, { payeeKind: 'supplier', payeeCode: A, amountYen: 1, paidOn: `${Y1}-01-15`, reference: 'x' })).statusCode).toBe(403);
  const after = (await suite.call('GET', `/billing/runs/${Y0}-11/payables${q(X.label)}`, 'city')).json();
  expect(after.payments).toHaveLength(2);
  expect(after.payables.find((p: any) => p.payeeCode === A)).toMatchObject({ paidYen: 5_000, outstandingYen: 4_000 });
});
