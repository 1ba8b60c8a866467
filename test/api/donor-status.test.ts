import { randomUUID } from 'node:crypto';
import { STATUS_LIMITS } from '../../api/donation/donor-status';
import { apiSuite, type TestApi } from '../support/api';
import type { SuiteContext } from '../support/context';
import { billingSeed } from '../billing/seed';

/**
 * PORTAL-4: the donors' public status page (no sign-in) against the real API and ledger: what it shows,
 * what it never shows, unknown and wrong combinations alike, requests recorded in the call-centre log,
 * and the limits per client address and per order number.
 */
let ctx: SuiteContext;
let api: TestApi;
const run = randomUUID().slice(0, 6);
let donationId: string;
let orderNumber: string;
let tracking: string;
let reference: string;
// The factory's donor (test/support/factory.ts): none of this may appear on the page.
const DONOR = ['山田 花子', '03-1234-5678', 'hanako@example.jp', '千代田区千代田1'];

beforeAll(async () => {
  ({ ctx, api } = await apiSuite('donor-status'));
  const knex = ctx.orm.em.getKnex();
  const seed = billingSeed(knex, () => ctx.orm.em.fork(), `st-${run}`);
  const supplier = await seed.supplier(`st-${run}`, '柳川うなぎ本舗');
  await seed.gift(`st-${run}-g`, supplier, { name: 'うなぎ蒲焼き', priceYen: 10_000, costYen: 2_000, shippingCostYen: 800 });
  donationId = await seed.donation({ amountYen: 10_000, paidAt: '2026-10-03T03:00:00Z', gifts: [[`st-${run}-g`, 2]] });
  const shipmentId = await seed.shipment(donationId, `st-${run}-g`, { shippedOn: '2026-10-06', status: 'shipped', carrier: 'sagawa_ehiden' });
  ({ tracking_number: tracking, reference } = await knex('shipments').where({ id: shipmentId }).first('tracking_number', 'reference'));
  await knex('receipts').insert({ donation_id: donationId, serial: 900_000 + Math.floor(Math.random() * 90_000), issue: 1, number: `R-${run}`, reason: 'initial', requested_by: 'system:test', posted_at: '2026-10-05T01:00:00Z' });
  await seed.onestopAccepted(donationId, '2026-10-12T02:00:00Z');
  orderNumber = (await knex('donations').where({ id: donationId }).first('portal_order_id')).portal_order_id;
});

afterAll(() => api?.close());

/** A public call (no token) from a given client address. */
const call = (url: string, payload: object, from = '192.0.2.1') => api.app.inject({ method: 'POST', url, payload, remoteAddress: from });

test('order number and postal code show what was received, the receipt’s posting, the shipment with tracking and the one-stop state — and nothing personal', async () => {
  const res = await call('/status/lookup', { orderNumber, postalCode: '100-0001' }, '192.0.2.10');
  expect(res.statusCode).toBe(200);
  expect(res.json()).toEqual({
    orderNumber,
    portal: expect.any(String),
    receivedOn: '2026-10-03',
    amountYen: 10_000,
    paidOn: '2026-10-03',
    status: expect.any(String),
    gifts: [{ name: 'うなぎ蒲焼き', quantity: 2 }],
    receipts: [{ issue: 1, reason: 'initial', postedOn: '2026-10-05' }],
    shipments: [{ reference, gift: 'うなぎ蒲焼き', deliveryNo: 1, deliveries: 1, status: 'shipped', carrier: 'sagawa_ehiden', trackingNumber: tracking, shippedOn: '2026-10-06', deliveredOn: null }],
    oneStop: { wanted: expect.any(Boolean), status: 'accepted', arrivedOn: '2026-10-12', deadlineOn: '2027-01-12', missing: [] },
  });
  for (const personal of [...DONOR, donationId]) expect(res.body).not.toContain(personal);
  // Written without the hyphen, the postal code is the same.
  expect((await call('/status/lookup', { orderNumber, postalCode: '1000001' }, '192.0.2.10')).statusCode).toBe(200);
});

test('a wrong postal code answers exactly as an unknown order number; bad input names the field', async () => {
  const wrong = await call('/status/lookup', { orderNumber, postalCode: '832-0045' }, '192.0.2.20');
  const unknown = await call('/status/lookup', { orderNumber: `no-such-${run}`, postalCode: '100-0001' }, '192.0.2.20');
  expect(wrong.statusCode).toBe(404);
  expect({ status: unknown.statusCode, body: unknown.body }).toEqual({ status: wrong.statusCode, body: wrong.body });
  const bad = await call('/status/lookup', { orderNumber, postalCode: 'abc' }, '192.0.2.20');
  expect(bad.statusCode).toBe(400);
  expect(bad.json().fields.map((f: { field: string }) => f.field)).toEqual(['postalCode']);
  expect((await call('/status/requests', { orderNumber, postalCode: '100-0001', kind: 'refund' }, '192.0.2.20')).json().fields[0].field).toBe('kind');
  expect((await call('/status/requests', { orderNumber, postalCode: '832-0045', kind: 'reissue' }, '192.0.2.20')).body).toBe(wrong.body);
});

test('an address change or a reissue is recorded in the call-centre log for an operator', async () => {
  const res = await call('/status/requests', { orderNumber, postalCode: '100-0001', kind: 'address_change', message: '福岡県柳川市本町1-1 に転居しました' }, '192.0.2.30');
  expect(res.statusCode).toBe(201);
  expect(res.json()).toEqual({ received: true, reference: expect.stringMatching(/^[0-9A-F]{8}$/) });
  const reissue = await call('/status/requests', { orderNumber, postalCode: '100-0001', kind: 'reissue' }, '192.0.2.30');
  expect(reissue.statusCode).toBe(201);
  const calls = await ctx.orm.em.getKnex()('calls').where({ donation_id: donationId }).orderBy('created_at');
  expect(calls.map((c) => [c.channel, c.category, c.status, c.subject, c.created_by])).toEqual([
    ['web', '寄附手続き', '未対応', 'ステータスページ: 住所変更の依頼', 'public:status-page'],
    ['web', '証明書', '未対応', 'ステータスページ: 受領証明書の再発行依頼', 'public:status-page'],
  ]);
  expect(calls[0].body).toContain('福岡県柳川市本町1-1 に転居しました');
  expect(calls[0].body).toContain('折り返し確認');
  // The operator sees it in the call log.
  const listed = (await api.get(`/calls?donationId=${donationId}`, 'operator')).json();
  expect(JSON.stringify(listed)).toContain('ステータスページ: 住所変更の依頼');
});

test('rate-limited per order number (whatever the address) and per client address (whatever the order)', async () => {
  const order = `limit-${run}`;
  for (let i = 0; i < STATUS_LIMITS.perOrder.max; i++) expect((await call('/status/lookup', { orderNumber: order, postalCode: '100-0001' }, `198.51.100.${i + 1}`)).statusCode).toBe(404);
  const over = await call('/status/lookup', { orderNumber: order, postalCode: '100-0001' }, '198.51.100.200');
  expect(over.statusCode).toBe(429);
  expect(over.json()).toMatchObject({ error: 'too_many_requests' });
  expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);

  const from = '203.0.113.7';
  for (let i = 0; i < STATUS_LIMITS.perAddress.max; i++) expect((await call('/status/lookup', { orderNumber: `addr-${run}-${i}`, postalCode: '100-0001' }, from)).statusCode).toBe(404);
  expect((await call('/status/lookup', { orderNumber, postalCode: '100-0001' }, from)).statusCode).toBe(429);
  expect((await call('/status/requests', { orderNumber, postalCode: '100-0001', kind: 'reissue' }, from)).statusCode).toBe(429);
  // Another address is not held back.
  expect((await call('/status/lookup', { orderNumber, postalCode: '100-0001' }, '203.0.113.8')).statusCode).toBe(200);
});

test('the page: a form, the status in Japanese with the tracking number, the same words for wrong and unknown', async () => {
  const form = await api.app.inject({ method: 'GET', url: '/status', remoteAddress: '192.0.2.40' });
  expect(form.statusCode).toBe(200);
  expect(form.headers['content-type']).toContain('text/html');
  expect(form.body).toContain('<form method="post" action="/status">');
  const post = (payload: string) => api.app.inject({ method: 'POST', url: '/status', payload, headers: { 'content-type': 'application/x-www-form-urlencoded' }, remoteAddress: '192.0.2.40' });
  const shown = await post(`orderNumber=${encodeURIComponent(orderNumber)}&postalCode=100-0001`);
  expect(shown.statusCode).toBe(200);
  for (const text of ['うなぎ蒲焼き × 2', '¥10,000', '2026-10-05 郵送', '佐川急便', tracking, reference, '受理しました', '住所の変更']) expect(shown.body).toContain(text);
  for (const personal of DONOR) expect(shown.body).not.toContain(personal);
  const wrong = await post(`orderNumber=${encodeURIComponent(orderNumber)}&postalCode=832-0045`);
  const unknown = await post(`orderNumber=nothing-${run}&postalCode=100-0001`);
  expect(wrong.statusCode).toBe(404);
  expect(wrong.body.replace(orderNumber, 'X').replace('832-0045', 'Y')).toBe(unknown.body.replace(`nothing-${run}`, 'X').replace('100-0001', 'Y'));
  expect(wrong.body).toContain('該当するご寄附が見つかりません');
  const requested = await api.app.inject({ method: 'POST', url: '/status/request', payload: `orderNumber=${encodeURIComponent(orderNumber)}&postalCode=100-0001&kind=reissue&message=`, headers: { 'content-type': 'application/x-www-form-urlencoded' }, remoteAddress: '192.0.2.41' });
  expect(requested.statusCode).toBe(201);
  expect(requested.body).toContain('ご依頼を受け付けました');
});
