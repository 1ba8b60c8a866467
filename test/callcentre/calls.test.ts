import { randomUUID } from 'node:crypto';
import { registerDonation } from '../../ledger/donations';
import { ensureDonationWorkflow } from '../../workflows/donation/client';
import { supplierOrderWorkflow } from '../../workflows';
import { eventually, type SuiteContext } from '../support/context';
import { apiSuite, type TestApi } from '../support/api';
import { dailyFarm, insertDailyFarm, newDonation } from '../support/factory';

let ctx: SuiteContext;
let api: TestApi;
const farm = dailyFarm('cc');
const { run, code: FARM, gift: GIFT, paidAt: PAID_AT, today } = farm;

beforeAll(async () => {
  ({ ctx, api } = await apiSuite('callcentre', { worker: true, suppliers: { [FARM]: 'farm-token-00000001' } }));
  await insertDailyFarm(ctx, farm, { name: '柳川海苔店', phone: '0944-00-0001', address: '福岡県柳川市坂本町2' }, { name: '有明海一番摘み海苔' });
});

afterAll(() => api?.close());

const inquiry = (overrides: Record<string, unknown> = {}) => ({ channel: 'phone', category: '証明書', subject: '受領証明書が届かない', body: '12月の寄附の受領証明書がまだ届いていない。', caller: { name: '山田 花子', contact: '03-1234-5678' }, ...overrides });

describe('the call log (CALL-1, CALL-2, CALL-4)', () => {
  let id: string;

  test('an operator records an inquiry; calls outside the desk hours are flagged', async () => {
    const res = await api.post('/calls', inquiry({ receivedAt: '2026-11-24T01:00:00.000Z' }));
    expect(res.statusCode).toBe(201);
    const call = res.json().call;
    expect(call).toMatchObject({ status: '未対応', channel: 'phone', category: '証明書', complaint: false, outOfHours: false, createdBy: 'operator:tanaka', updatedBy: 'operator:tanaka', reportToCity: false });
    id = call.id;
    // A FAX that arrived at 19:00 JST.
    const fax = await api.post('/calls', inquiry({ channel: 'fax', receivedAt: '2026-11-24T10:00:00.000Z' }));
    expect(fax.json().call.outOfHours).toBe(true);
  });

  test('bad input is refused with the fields named; links must exist', async () => {
    const res = await api.post('/calls', inquiry({ channel: 'pigeon', category: '雑談', links: { donationId: randomUUID() } }));
    expect(res.statusCode).toBe(400);
    expect(res.json().fields.map((f: any) => f.field)).toEqual(expect.arrayContaining(['channel', 'category']));
    const missing = await api.post('/calls', inquiry({ links: { donationId: randomUUID(), giftCode: 'no-such-gift' } }));
    expect(missing.statusCode).toBe(400);
    expect(missing.json().fields.map((f: any) => f.field).sort()).toEqual(['links.donationId', 'links.giftCode']);
  });

  test('a would-be supplier asks how to join (CALL-4)', async () => {
    const res = await api.post('/calls', { channel: 'email', category: '事業者からの問合せ', subject: '返礼品の登録方法', body: '新規に返礼品を出したい', caller: { name: '有明水産（未登録）' } });
    expect(res.statusCode).toBe(201);
    expect((await api.post('/calls', { channel: 'email', category: '事業者からの問合せ', subject: 'x', body: 'y' })).json().fields).toEqual([expect.objectContaining({ field: 'caller.name' })]);
    const current = await api.post('/calls', { channel: 'phone', category: '事業者からの問合せ', subject: '出荷日の変更', body: '来週の出荷を水曜に', links: { supplierCode: FARM } });
    expect(current.statusCode).toBe(201);
    const list = (await api.get(`/calls?supplierCode=${FARM}`, 'city')).json();
    expect(list.calls.map((c: any) => c.id)).toEqual([current.json().call.id]);
  });

  test('status moves one step at a time; skips and bad returns are refused with the reason', async () => {
    const skip = await api.post(`/calls/${id}/status`, { status: '完了' });
    expect(skip.statusCode).toBe(409);
    expect(skip.json().message).toContain('cannot skip from 未対応 to 完了');
    expect((await api.post(`/calls/${id}/status`, { status: '対応中' })).json().call.status).toBe('対応中');
    const noOutcome = await api.post(`/calls/${id}/status`, { status: '対応済み' });
    expect(noOutcome.statusCode).toBe(409);
    expect(noOutcome.json().message).toContain('outcome');
    const back = await api.post(`/calls/${id}/status`, { status: '未対応' });
    expect(back.statusCode).toBe(409);
    expect(back.json().message).toContain('only a reopen');
    expect((await api.post(`/calls/${id}/status`, { status: 'done' })).json().fields[0].field).toBe('status');
  });

  test('follow-ups are appended with who, when and what; the outcome closes the call; a reopen needs a reason', async () => {
    const f1 = await api.post(`/calls/${id}/follow-ups`, { note: '印刷会社に発送状況を確認', at: '2026-11-24T02:00:00.000Z' });
    expect(f1.statusCode).toBe(201);
    await api.post(`/calls/${id}/follow-ups`, { note: '寄附者に再発行を連絡', by: '佐藤' });
    expect((await api.post(`/calls/${id}/outcome`, { outcome: '受領証明書を再発行し郵送' })).json().call.outcome).toBe('受領証明書を再発行し郵送');
    expect((await api.post(`/calls/${id}/status`, { status: '対応済み' })).statusCode).toBe(200);
    expect((await api.post(`/calls/${id}/status`, { status: '完了' })).statusCode).toBe(200);
    expect((await api.post(`/calls/${id}/follow-ups`, { note: 'more' })).statusCode).toBe(409);
    const noReason = await api.post(`/calls/${id}/status`, { status: '対応中' });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().fields).toEqual([{ field: 'reason', reason: 'is required to reopen a 完了 call' }]);
    const reopened = await api.post(`/calls/${id}/status`, { status: '対応中', reason: '再発行分も未着との再連絡' });
    expect(reopened.statusCode).toBe(200);

    const { call, history } = (await api.get(`/calls/${id}`, 'city')).json();
    expect(call.status).toBe('対応中');
    expect(history.map((e: any) => e.kind)).toEqual(['created', 'status', 'follow_up', 'follow_up', 'outcome', 'status', 'status', 'reopened']);
    expect(history[2]).toMatchObject({ at: '2026-11-24T02:00:00.000Z', actor: 'operator:tanaka', note: '印刷会社に発送状況を確認', detail: { by: 'operator:tanaka' } });
    expect(history[3].detail.by).toBe('佐藤');
    expect(history[7]).toMatchObject({ fromStatus: '完了', toStatus: '対応中', note: '再発行分も未着との再連絡' });
    // The history is evidence: the database refuses to change it.
    await expect(ctx.orm.em.getKnex()('call_events').where({ call_id: id }).delete()).rejects.toThrow(/append-only/);
  });

  test('the city reads everything but writes nothing; suppliers have no access', async () => {
    const list = await api.get('/calls?category=証明書&status=対応中&from=2026-11-24&to=2026-11-24', 'city');
    expect(list.statusCode).toBe(200);
    expect(list.json().calls.map((c: any) => c.id)).toContain(id);
    expect((await api.get('/calls?from=2026-11-25&to=2026-11-24', 'city')).json().fields[0].field).toBe('querystring.to');
    expect((await api.post('/calls', inquiry(), 'city')).statusCode).toBe(403);
    expect((await api.post(`/calls/${id}/follow-ups`, { note: 'x' }, 'city')).statusCode).toBe(403);
    expect((await api.get('/calls', FARM)).statusCode).toBe(403);
    expect((await api.get(`/calls/${id}`, FARM)).statusCode).toBe(403);
    expect((await api.post('/calls', inquiry(), FARM)).statusCode).toBe(403);
    expect((await api.get('/call-centre/hours', FARM)).statusCode).toBe(403);
  });
});

describe('desk hours over the API (CALL-1)', () => {
  test('a weekday, a holiday and the year-end window', async () => {
    expect((await api.get('/call-centre/hours?date=2026-11-26', 'city')).json()).toMatchObject({ open: true, hours: { from: '09:00', to: '17:00' } });
    expect((await api.get('/call-centre/hours?date=2026-11-23')).json()).toMatchObject({ open: false, hours: null, note: '勤労感謝の日' });
    expect((await api.get('/call-centre/hours?date=2026-12-22')).json()).toMatchObject({ open: true, yearEnd: true, hours: { from: '09:00', to: '19:00' } });
    expect((await api.get('/call-centre/hours?date=2026-12-30')).json()).toMatchObject({ open: true, hours: { from: '09:00', to: '19:00' } });
    expect((await api.get('/call-centre/hours?date=2026-13-01')).json().fields[0].field).toBe('querystring.date');
  });
});

describe('a gift complaint re-ships (CALL-3)', () => {
  test('a damaged delivery reported by phone starts a new shipment attempt and goes to the city report', async () => {
    const base = newDonation(ctx.prefix, { paymentMethod: 'credit_card', paidAt: PAID_AT, amountYen: 10_000, gifts: [{ code: GIFT, quantity: 1 }] });
    base.donor = { ...base.donor, nameKana: `ヤマダ ${run.replace(/[^a-z]/g, '').length}コウジ` };
    const { donation } = await registerDonation(ctx.orm.em.fork(), base, 'system:test');
    await ensureDonationWorkflow(ctx.client, donation, ctx.config);
    const shipmentsOf = async () => (await api.get(`/shipments?donationId=${donation.id}`)).json().shipments as any[];
    const [first] = await eventually(shipmentsOf, (s) => s[0]?.status === 'awaiting_order');
    await ctx.client.workflow.execute(supplierOrderWorkflow, { taskQueue: ctx.taskQueue, workflowId: `orders-${randomUUID()}`, args: [{ shipOn: today, requestedBy: 'operator:tanaka', suppliers: [FARM] }] });
    await eventually(shipmentsOf, (s) => s[0].status === 'ordered');
    expect((await api.post(`/shipments/${first.id}/shipped`, { shippedOn: today, carrier: 'yamato_b2', trackingNumber: `6${Date.now()}`.slice(0, 12) }, FARM)).statusCode).toBe(200);
    expect((await api.post(`/shipments/${first.id}/delivered`, {})).statusCode).toBe(202);
    await eventually(shipmentsOf, (s) => s[0].status === 'delivered');

    // An inquiry that is not a gift complaint cannot re-ship; the reasons are named.
    const plain = (await api.post('/calls', inquiry({ links: { shipmentId: first.id } }))).json().call;
    const refused = await api.post(`/calls/${plain.id}/reshipment`, { kind: 'damage' });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().fields.map((f: any) => f.field).sort()).toEqual(['call.category', 'call.complaint']);

    const created = await api.post('/calls', { channel: 'phone', category: '返礼品', complaint: true, subject: '海苔が湿気ていた', body: '袋が破れて中身が湿気ていた', links: { donationId: donation.id, giftCode: GIFT, shipmentId: first.id } });
    expect(created.statusCode).toBe(201);
    const call = created.json().call;
    expect(call.reportToCity).toBe(true);
    const res = await api.post(`/calls/${call.id}/reshipment`, { kind: 'damage', note: '袋の破れ、湿気' });
    expect(res.statusCode).toBe(202);
    expect(res.json().reshipment).toMatchObject({ shipmentId: first.id, reopened: true });
    expect(res.json().call).toMatchObject({ reportToCity: true });
    expect(res.json().call.reshipmentRequestedAt).not.toBeNull();

    const [, second] = await eventually(shipmentsOf, (s) => s.length === 2 && s[1].status === 'awaiting_order');
    expect(second).toMatchObject({ attempt: 2, replacesShipmentId: first.id, supplierCode: FARM });
    expect((await shipmentsOf())[0]).toMatchObject({ status: 'trouble', troubleKind: 'damage' });

    expect((await api.post(`/calls/${call.id}/reshipment`, { kind: 'damage' })).statusCode).toBe(409);
    const { history } = (await api.get(`/calls/${call.id}`, 'city')).json();
    expect(history.map((e: any) => e.kind)).toEqual(['created', 'reshipment']);
    const report = (await api.get(`/calls?reportToCity=true&shipmentId=${first.id}`, 'city')).json();
    expect(report.calls.map((c: any) => c.id)).toEqual([call.id]);
  });
});
