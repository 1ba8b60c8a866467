import type { FastifyInstance } from 'fastify';
import { documentsDeadline } from '../../domain/deadlines';
import { DonationEvent, Gift } from '../../ledger/entities';
import { apiSuite, type Caller, type TestApi } from '../support/api';
import { eventually, type SuiteContext } from '../support/context';

let ctx: SuiteContext;
let api: TestApi;
let app: FastifyInstance;

const auth = (role: Caller) => api.headers(role);

beforeAll(async () => {
  ({ ctx, api } = await apiSuite('api', { worker: true }));
  app = api.app;
  const em = ctx.orm.em.fork();
  em.create(Gift, { code: `${ctx.prefix}-EEL`, name: 'うなぎのせいろ蒸し 2人前', priceYen: 20_000, costYen: 6_000, shippingCostYen: 1_000, active: true });
  await em.flush();
});

afterAll(async () => {
  await api?.close();
});

let seq = 0;
function body(overrides: Record<string, unknown> = {}) {
  seq += 1;
  return {
    channel: 'phone',
    portalOrderId: `${ctx.prefix}-TEL-${seq}`,
    donor: { name: '佐藤 一郎', nameKana: 'サトウ イチロウ', postalCode: '812-0011', prefecture: '福岡県', address: '福岡市博多区博多駅前1-1', phone: '092-000-0000' },
    amountYen: 20_000,
    paymentMethod: 'postal_transfer',
    gifts: [{ code: `${ctx.prefix}-EEL` }],
    ...overrides,
  };
}

const post = (url: string, payload: unknown, role: Parameters<typeof auth>[0] = 'operator') => app.inject({ method: 'POST', url, payload: payload as object, headers: auth(role) });
const get = (url: string, role: Parameters<typeof auth>[0] = 'operator') => app.inject({ method: 'GET', url, headers: auth(role) });

describe('authentication and roles (SEC-2)', () => {
  test('health and docs are open; everything else needs a valid token', async () => {
    expect((await app.inject({ url: '/health' })).statusCode).toBe(200);
    expect((await app.inject({ url: '/docs/json' })).json().paths['/donations']).toBeDefined();
    const none = await app.inject({ url: '/donations' });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toContain('Bearer');
    expect((await app.inject({ url: '/donations', headers: { authorization: 'Bearer not-a-token' } })).statusCode).toBe(401);
    expect((await app.inject({ url: '/donations', headers: { authorization: 'Basic b3BlcmF0b3I=' } })).statusCode).toBe(401);
  });

  test('a wrong role is a 403: suppliers see no donations, the city reads but does not write', async () => {
    expect((await get('/donations', 'supplier')).statusCode).toBe(403);
    expect((await get('/donations', 'city')).statusCode).toBe(200);
    const cityWrite = await post('/donations', body(), 'city');
    expect(cityWrite.statusCode).toBe(403);
    expect(cityWrite.json().message).toContain('role city');
  });
});

describe('validation', () => {
  test('a bad body is a 400 that names each bad field and why', async () => {
    const res = await post('/donations', { channel: 'pigeon', donor: { name: '' }, amountYen: -5, paymentMethod: 'credit_card', extra: 1 });
    expect(res.statusCode).toBe(400);
    const fields = res.json().fields.map((f: { field: string }) => f.field);
    expect(fields).toEqual(expect.arrayContaining(['channel', 'donor.name', 'donor.nameKana', 'amountYen', 'extra']));
  });

  test('donor rules beyond the schema are 400s naming the field too', async () => {
    const res = await post('/donations', body({ donor: { ...body().donor, nameKana: 'さとう', postalCode: '81200' } }));
    expect(res.statusCode).toBe(400);
    expect(res.json().fields).toEqual([
      { field: 'donor.nameKana', reason: 'must be written in full-width katakana' },
      { field: 'donor.postalCode', reason: 'must be a 7-digit postal code (e.g. 832-8601)' },
    ]);
  });

  test('an unknown gift code or portal is a 400 on that field', async () => {
    const res = await post('/donations', body({ portal: 'nowhere', gifts: [{ code: 'NOPE' }] }));
    expect(res.statusCode).toBe(400);
    expect(res.json().fields).toEqual([
      { field: 'portal', reason: 'unknown or inactive portal "nowhere"' },
      { field: 'gifts[0].code', reason: 'unknown gift code "NOPE"' },
    ]);
  });

  test('an unknown donation is a 404; a malformed id a 400', async () => {
    expect((await get('/donations/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
    expect((await get('/donations/not-a-uuid')).statusCode).toBe(400);
  });
});

describe('hand-entered donations (INTAKE-1) through their lifecycle', () => {
  test('create → 201; the same again → 200 and nothing new; the same order with other content → 409', async () => {
    const payload = body();
    const created = await post('/donations', payload);
    expect(created.statusCode).toBe(201);
    const donation = created.json().donation;
    expect(donation).toMatchObject({ portal: 'direct', channel: 'phone', status: 'received', amountYen: 20_000, gifts: [{ quantity: 1, unitPriceYen: 20_000 }] });

    const again = await post('/donations', payload);
    expect(again.statusCode).toBe(200);
    expect(again.json().donation.id).toBe(donation.id);
    expect(await ctx.orm.em.fork().count(DonationEvent, { donation: donation.id, kind: 'created' })).toBe(1);

    const conflicting = await post('/donations', { ...payload, amountYen: 30_000 });
    expect(conflicting.statusCode).toBe(409);
  });

  test('payment, documents sent and the event log, with the operator as author; state errors are 409s', async () => {
    // No gift: a gift keeps the donation open until it is delivered (test/shipping covers that part).
    const { donation } = (await post('/donations', body({ gifts: [] }))).json();
    const view = await eventually(() => get(`/donations/${donation.id}`), (r) => r.json().workflow?.status === 'awaiting_payment');
    expect(view.json().donation.donor.name).toBe('佐藤 一郎');

    expect((await post(`/donations/${donation.id}/documents-sent`, { sentAt: new Date().toISOString() })).statusCode).toBe(409);
    expect((await post(`/donations/${donation.id}/payment`, { paidAt: new Date(Date.now() + 86_400_000).toISOString() })).statusCode).toBe(400);
    // Paid an hour ago: no deadline reminder can fall inside the test, whatever the day.
    const paidAt = new Date(Date.now() - 3_600_000);
    expect((await post(`/donations/${donation.id}/payment`, { paidAt: paidAt.toISOString(), method: 'postal_transfer', reference: '00190-1-XXXX' })).statusCode).toBe(202);
    const due = await eventually(() => get(`/donations/${donation.id}`), (r) => r.json().donation.status === 'documents_due');
    expect(due.json().donation.documentsDueOn).toBe(documentsDeadline(paidAt).dueOn);

    expect((await post(`/donations/${donation.id}/documents-sent`, { sentAt: new Date().toISOString(), reference: 'BATCH-7' })).statusCode).toBe(202);
    await eventually(() => get(`/donations/${donation.id}`), (r) => r.json().donation.status === 'completed');
    expect((await post(`/donations/${donation.id}/cancel`, { reason: 'too late' })).statusCode).toBe(409);

    const events = (await get(`/donations/${donation.id}/events`, 'city')).json().events;
    expect(events.map((e: { toStatus: string }) => e.toStatus)).toEqual(['received', 'awaiting_payment', 'paid', 'documents_due', 'documents_sent', 'completed']);
    expect(events[0].actor).toBe('operator:tanaka');
    expect(events[2]).toMatchObject({ actor: 'operator:tanaka', reason: 'payment 00190-1-XXXX' });
  });

  test('corrections: validated (400), applied through the workflow (200), closed after completion (409)', async () => {
    const { donation } = (await post('/donations', body())).json();
    await eventually(() => get(`/donations/${donation.id}`), (r) => r.json().workflow?.status === 'awaiting_payment');
    const bad = await post(`/donations/${donation.id}/corrections`, { reason: '電話', changes: { email: 'not-mail' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().fields).toEqual([{ field: 'changes.email', reason: 'must be an email address' }]);
    const ok = await post(`/donations/${donation.id}/corrections`, { reason: '電話で訂正依頼', changes: { email: 'ichiro@example.jp' } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().changed).toEqual(['email']);
    expect((await get(`/donations/${donation.id}`)).json().donation.donor.email).toBe('ichiro@example.jp');
    expect((await post(`/donations/${donation.id}/cancel`, { reason: '寄附者都合' })).statusCode).toBe(202);
    await eventually(() => get(`/donations/${donation.id}`), (r) => r.json().donation.status === 'cancelled');
    expect((await post(`/donations/${donation.id}/corrections`, { reason: 'late', changes: { phone: '0944-11-2222' } })).statusCode).toBe(409);
  });

  test('a Yanagawa resident choosing a gift is held; release goes on to awaiting payment', async () => {
    const res = await post('/donations', body({ donor: { name: '柳川 花', nameKana: 'ヤナガワ ハナ', postalCode: '832-0021', prefecture: '福岡県', address: '柳川市本町1', phone: '0944-00-0001' } }));
    const { donation } = res.json();
    expect(donation.reviewFlags).toEqual(['yanagawa_resident_with_gift']);
    await eventually(() => get(`/donations/${donation.id}`), (r) => r.json().workflow?.status === 'held');
    expect((await post(`/donations/${donation.id}/review/release`, { reason: '返礼品なしで了承' })).statusCode).toBe(202);
    await eventually(() => get(`/donations/${donation.id}`), (r) => r.json().workflow?.status === 'awaiting_payment');
  });
});

describe('search (LEDGER-2 basic)', () => {
  test('filters combine; totals cover the whole result, pages a slice', async () => {
    const mine = `${ctx.prefix}-SEARCH`;
    for (const [i, amount] of [10_000, 50_000, 100_000].entries()) {
      expect((await post('/donations', body({ portalOrderId: `${mine}-${i}`, amountYen: amount, gifts: [], donor: { ...body().donor, name: `検索 太郎${i}` } }))).statusCode).toBe(201);
    }
    const res = await get(`/donations?donor=${encodeURIComponent('検索 太郎')}&amountMin=20000&portal=direct&limit=1`, 'city');
    expect(res.statusCode).toBe(200);
    const json = res.json();
    expect(json.total).toBe(2);
    expect(json.totalAmountYen).toBe(150_000);
    expect(json.rows).toHaveLength(1);
    expect((await get(`/donations?donor=${encodeURIComponent('検索 太郎')}&status=completed`)).json().total).toBe(0);
    expect((await get('/donations?amountMin=5&amountMax=1')).statusCode).toBe(400);
    expect((await get('/donations?status=lost')).json().fields[0].field).toBe('querystring.status[0]');
  });

  test('at-risk lists documents due within the warning window, soonest first', async () => {
    const { donation } = (await post('/donations', body({ paidAt: new Date(Date.now() - 12 * 86_400_000).toISOString(), paymentMethod: 'credit_card' }))).json();
    await eventually(() => get(`/donations/${donation.id}`), (r) => r.json().donation.status === 'documents_due');
    const atRisk = (await get('/donations?atRisk=true&limit=500')).json();
    expect(atRisk.rows.map((r: { id: string }) => r.id)).toContain(donation.id);
    const dues = atRisk.rows.map((r: { documentsDueOn: string }) => r.documentsDueOn);
    expect([...dues].sort()).toEqual(dues);
  });
});
