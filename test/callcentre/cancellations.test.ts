import { randomUUID } from 'node:crypto';
import { receiptNumber } from '../../domain/documents';
import { decideCancellation } from '../../domain/cancellation';
import { registerDonation, type NewDonation } from '../../ledger/donations';
import { ensureDonationWorkflow } from '../../workflows/donation/client';
import { supplierOrderWorkflow } from '../../workflows';
import { eventually, type SuiteContext } from '../support/context';
import { apiSuite, type TestApi } from '../support/api';
import { mailerFromConfig } from '../../activities/deps';
import { createMailActivities } from '../../activities/mail/send-mail';
import { createCancellationMailActivities } from '../../activities/donation/cancellation-mail';
import { dailyFarm, insertDailyFarm, newDonation } from '../support/factory';
import { maybeCaptureHistory } from '../support/histories';

/** CALL-5 (spec 7(8)ア): cancellations asked at the desk, one rule per state, through the donation's workflow. */
let ctx: SuiteContext;
let api: TestApi;
const farm = dailyFarm('cx');
const { run, code: FARM, gift: GIFT, paidAt: PAID_AT, today } = farm;
const CITY = `kikaku-${run}@city.yanagawa.example`;
const KANA = ['アオキ', 'イノウエ', 'ウエダ', 'エンドウ', 'オオタ', 'カトウ', 'キムラ'];
let n = 0;

beforeAll(async () => {
  // A return window keeps a donation whose documents are posted in documents_sent (its workflow waits there).
  ({ ctx, api } = await apiSuite('cancellations', { worker: true, suppliers: { [FARM]: 'farm-token-00000002' }, env: { DOCS_RETURN_WINDOW_DAYS: '30', REPORT_CITY_EMAIL: CITY } }));
  await insertDailyFarm(ctx, farm, { name: '柳川みかん園', phone: '0944-00-0002', address: '福岡県柳川市坂本町3' }, { name: '柳川みかん 5kg' });
});

afterAll(() => api?.close());

async function donationIn(overrides: Partial<NewDonation>) {
  const base = newDonation(ctx.prefix, overrides);
  base.donor = { ...base.donor, name: `取消 ${run}${n}`, nameKana: `${KANA[n++ % KANA.length]} ${KANA[n % KANA.length]}` };
  const { donation } = await registerDonation(ctx.orm.em.fork(), base, 'system:test');
  await ensureDonationWorkflow(ctx.client, donation, ctx.config);
  return donation;
}
const statusOf = async (id: string) => (await api.get(`/donations/${id}`)).json().donation.status as string;
const reachStatus = (id: string, status: string) => eventually(() => statusOf(id), (s) => s === status);
async function deskCall(donationId: string) {
  const res = await api.post('/calls', { channel: 'phone', category: '寄附手続き', subject: '寄附の取消希望', body: '寄附をキャンセルしたい', caller: { name: '寄附者本人' }, links: { donationId } });
  expect(res.statusCode).toBe(201);
  return res.json().call.id as string;
}

test('a completed donation is refused with the reason (409 at the route): its shipped gift named, or the return window ended', () => {
  expect(decideCancellation('completed', [{ giftCode: 'G1', reference: 'S-1', status: 'delivered', shippedOn: '2026-11-02' }])).toEqual({
    ok: false,
    kind: 'closed',
    reason: expect.stringContaining('donation is completed (gift G1 (shipment S-1) was shipped on 2026-11-02): a completed donation cannot be cancelled (完了後のキャンセル不可)'),
  });
  expect(decideCancellation('completed', [])).toMatchObject({ ok: false, kind: 'closed', reason: expect.stringContaining('the return window has ended') });
  expect(decideCancellation('cancelled', [])).toMatchObject({ ok: false, kind: 'closed', reason: expect.stringContaining('cancelled already') });
  // A running donation whose gift left the supplier is the 400 at the field the issue asks for.
  expect(decideCancellation('documents_sent', [{ giftCode: 'G1', status: 'shipped', shippedOn: '2026-11-02' }])).toMatchObject({ ok: false, kind: 'shipped', field: 'donation.shipments' });
});

describe('cancellations at the desk (CALL-5)', () => {
  test('before payment: the donation is cancelled and the call records it', async () => {
    const donation = await donationIn({ paymentMethod: 'bank_transfer' });
    await reachStatus(donation.id, 'awaiting_payment');
    const callId = await deskCall(donation.id);
    const res = await api.post(`/calls/${callId}/cancellation`, { reason: '二重に申し込んだ' });
    expect(res.statusCode).toBe(202);
    expect(res.json().cancellation).toMatchObject({ accepted: true, stage: 'before_payment', donationId: donation.id });
    expect(res.json().call.reportToCity).toBe(false);
    await reachStatus(donation.id, 'cancelled');
    const { history } = (await api.get(`/calls/${callId}`, 'city')).json();
    expect(history.map((e: any) => e.kind)).toEqual(['created', 'cancellation']);
    expect(history[1]).toMatchObject({ note: '二重に申し込んだ', detail: { accepted: true, stage: 'before_payment' } });
    // Nothing is left to cancel.
    expect((await api.post(`/calls/${callId}/cancellation`, { reason: 'again' })).statusCode).toBe(409);
  });

  test('after payment, before the receipt: cancelled through POST /donations/:id/cancel, the same rule', async () => {
    const donation = await donationIn({ paymentMethod: 'credit_card', paidAt: PAID_AT });
    await reachStatus(donation.id, 'documents_due');
    const res = await api.post(`/donations/${donation.id}/cancel`, { reason: '金額の誤り' });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ accepted: true, stage: 'after_payment' });
    await reachStatus(donation.id, 'cancelled');
  });

  test('after the receipt: the receipt is voided and the call goes to the city', async () => {
    const donation = await donationIn({ paymentMethod: 'credit_card', paidAt: PAID_AT });
    await reachStatus(donation.id, 'documents_due');
    const knex = ctx.orm.em.getKnex();
    const serial = 900_000 + Math.floor(Math.random() * 90_000);
    const number = receiptNumber(2026, serial, 1);
    await knex('receipts').insert({ donation_id: donation.id, serial, issue: 1, number, reason: 'initial', requested_by: 'system:test', posted_at: new Date() });
    expect((await api.post(`/donations/${donation.id}/documents-sent`, { sentAt: new Date().toISOString() })).statusCode).toBe(202);
    await reachStatus(donation.id, 'documents_sent');

    const callId = await deskCall(donation.id);
    const res = await api.post(`/calls/${callId}/cancellation`, { reason: '他自治体と誤って寄附した' });
    expect(res.statusCode).toBe(202);
    expect(res.json().cancellation).toMatchObject({ accepted: true, stage: 'after_receipt' });
    expect(res.json().call.reportToCity).toBe(true);
    await reachStatus(donation.id, 'cancelled');
    const receipt = await knex('receipts').where({ number }).first();
    expect(receipt.voided_at).not.toBeNull();
    expect(receipt.voided_by).toBe('operator:tanaka');
    expect(receipt.void_reason).toContain('他自治体と誤って寄附した');
    const events = (await api.get(`/donations/${donation.id}/events`)).json().events as any[];
    expect(events.find((e) => e.kind === 'receipt_voided')).toMatchObject({ after: { voided: [number], posted: [number] } });
    const report = (await api.get(`/calls?reportToCity=true&donationId=${donation.id}`, 'city')).json();
    expect(report.calls.map((c: any) => c.id)).toEqual([callId]);

    // The city is told at once by mail, through the mail activity: one mail, its mail_log row keyed by the donation.
    const toCity = () => ctx.mail.messages().filter((m) => m.to.includes(CITY) && m.text.includes(donation.portalOrderId));
    const [mail] = await eventually(async () => toCity(), (ms) => ms.length === 1);
    expect(mail.subject).toContain('受領証明書の発送後の寄附の取消');
    expect(mail.text).toContain(number);
    expect(mail.text).toContain('他自治体と誤って寄附した');
    expect(mail.text).toContain('10,000円');
    const logged = await knex('mail_log').where({ idempotency_key: `donation-cancelled-city/${donation.id}` });
    expect(logged.map((r: any) => [r.template, r.status, r.donation_id])).toEqual([['donation-cancelled-city', 'sent', donation.id]]);
    // Run again (a retried activity): the key answers, nothing is mailed twice.
    const { sendMail } = createMailActivities({ orm: ctx.orm, mailer: mailerFromConfig(ctx.config), config: ctx.config });
    expect(await createCancellationMailActivities({ orm: ctx.orm, sendMail, cityEmail: CITY }).mailCityOfCancellation({ donationId: donation.id })).toEqual({ status: 'sent' });
    expect(await knex('mail_log').where({ idempotency_key: `donation-cancelled-city/${donation.id}` }).count()).toEqual([{ count: '1' }]);
    // Asked again: the donation is closed — 409 with the reason, and the refusal is on the call too.
    const closed = await api.post(`/calls/${callId}/cancellation`, { reason: 'もう一度' });
    expect(closed.statusCode).toBe(409);
    expect(closed.json().message).toContain('cancelled already');
    expect(toCity()).toHaveLength(1);
    // The run ends after the city's mail; its history is the saved replay of the v6/v7 path (test/replay).
    await ctx.client.workflow.getHandle(donation.workflowId).result();
    await maybeCaptureHistory(ctx.client, 'donation-v7-cancelled-after-receipt', donation.workflowId);
  });

  test('after shipment: refused with the reason, at the field, and the refusal is on the call', async () => {
    const donation = await donationIn({ paymentMethod: 'credit_card', paidAt: PAID_AT, gifts: [{ code: GIFT, quantity: 1 }] });
    const shipmentsOf = async () => (await api.get(`/shipments?donationId=${donation.id}`)).json().shipments as any[];
    const [first] = await eventually(shipmentsOf, (s) => s[0]?.status === 'awaiting_order');
    await ctx.client.workflow.execute(supplierOrderWorkflow, { taskQueue: ctx.taskQueue, workflowId: `orders-${randomUUID()}`, args: [{ shipOn: today, requestedBy: 'operator:tanaka', suppliers: [FARM] }] });
    await eventually(shipmentsOf, (s) => s[0].status === 'ordered');
    expect((await api.post(`/shipments/${first.id}/shipped`, { shippedOn: today, carrier: 'yamato_b2', trackingNumber: `7${Date.now()}`.slice(0, 12) }, FARM)).statusCode).toBe(200);

    const callId = await deskCall(donation.id);
    const res = await api.post(`/calls/${callId}/cancellation`, { reason: '不要になった' });
    expect(res.statusCode).toBe(400);
    expect(res.json().fields).toEqual([{ field: 'donation.shipments', reason: expect.stringContaining(`gift ${GIFT}`) }]);
    expect(res.json().fields[0].reason).toContain(`shipped on ${today}`);
    const direct = await api.post(`/donations/${donation.id}/cancel`, { reason: '不要になった' });
    expect(direct.statusCode).toBe(400);
    expect(direct.json().fields[0].field).toBe('donation.shipments');
    const { history } = (await api.get(`/calls/${callId}`, 'city')).json();
    expect(history[1]).toMatchObject({ kind: 'cancellation', detail: { accepted: false } });
    expect(history[1].note).toContain('cannot be cancelled');
    expect(await statusOf(donation.id)).not.toBe('cancelled');
  });

  test('a call without a donation is refused at the field; unknown calls 404; the city and suppliers cannot cancel', async () => {
    const plain = (await api.post('/calls', { channel: 'phone', category: '寄附手続き', subject: '取消', body: '番号不明' })).json().call.id;
    const res = await api.post(`/calls/${plain}/cancellation`, { reason: 'x' });
    expect(res.statusCode).toBe(400);
    expect(res.json().fields[0].field).toBe('call.links.donationId');
    expect((await api.post(`/calls/${plain}/cancellation`, {})).json().fields[0].field).toBe('reason');
    expect((await api.post(`/calls/${randomUUID()}/cancellation`, { reason: 'x' })).statusCode).toBe(404);
    expect((await api.post(`/calls/${plain}/cancellation`, { reason: 'x' }, 'city')).statusCode).toBe(403);
    expect((await api.post(`/calls/${plain}/cancellation`, { reason: 'x' }, FARM)).statusCode).toBe(403);
  });
});
