import type { FastifyInstance } from 'fastify';
import type { Knex } from '@mikro-orm/postgresql';
import { apiSuite, type TestApi } from '../support/api';
import type { SuiteContext } from '../support/context';
import { q } from './support';
import { Seed } from './seed';

/** PR-1 / BILL-5: proposing, deciding and measuring promotion campaigns; roles and named 400s. */
const SUPPLIER_TOKEN = 'promo-supplier-token-000001';
const SUPPLIERS = { 'promo-supplier': SUPPLIER_TOKEN };
let ctx: SuiteContext;
let app: FastifyInstance;
let api: TestApi;
let knex: Knex;
let gift: string;
const code = (c: string) => `${ctx.prefix}-${c}`;

beforeAll(async () => {
  ({ ctx, api } = await apiSuite('promotions', { suppliers: SUPPLIERS }));
  app = api.app;
  knex = ctx.orm.em.getKnex();
  const seed = new Seed(knex, ctx.prefix);
  const sup = await seed.supplier(`${ctx.prefix}-S`);
  gift = `${ctx.prefix}-G`;
  await seed.gift(gift, sup, 10_000);
  const repeatDonor = await seed.donor('五郎', '熊本県');
  const fresh = await seed.donor('六郎', '佐賀県');
  // February 2021: nothing else of any suite is there.
  await seed.donation({ donorId: repeatDonor, portal: 'furunavi', amountYen: 9_000, appliedAt: '2021-01-10T10:00:00+09:00' });
  await seed.donation({ donorId: repeatDonor, portal: 'furunavi', amountYen: 10_000, appliedAt: '2021-02-03T10:00:00+09:00', gift: { code: gift, unitPriceYen: 10_000 } });
  await seed.donation({ donorId: fresh, portal: 'ana', amountYen: 30_000, appliedAt: '2021-02-28T23:59:00+09:00', gift: { code: gift, unitPriceYen: 10_000, quantity: 3 } });
  await seed.donation({ donorId: fresh, portal: 'ana', amountYen: 10_000, appliedAt: '2021-03-01T00:00:00+09:00', gift: { code: gift, unitPriceYen: 10_000 } });
  await seed.donation({ donorId: fresh, portal: 'choice', amountYen: 10_000, appliedAt: '2021-02-10T10:00:00+09:00', status: 'cancelled', gift: { code: gift, unitPriceYen: 10_000 } });
});

afterAll(async () => {
  await api?.close();
});

const proposal = (overrides: object = {}) => ({ code: code('feb'), name: '2月 返礼品特集', medium: 'ポータル内広告', portalCodes: ['furunavi', 'ana'], giftCodes: [gift], startsOn: '2021-02-01', endsOn: '2021-02-28', costYen: 20_000, billedMonth: '2021-03', ...overrides });

test('only operators propose (401 without a token, 403 for the city and suppliers)', async () => {
  expect((await app.inject({ method: 'POST', url: '/promotions', payload: proposal() })).statusCode).toBe(401);
  expect((await app.inject({ method: 'POST', url: '/promotions', headers: api.headers('city'), payload: proposal() })).statusCode).toBe(403);
  expect((await app.inject({ method: 'POST', url: '/promotions', headers: api.headers('promo-supplier'), payload: proposal() })).statusCode).toBe(403);
  expect((await app.inject({ method: 'GET', url: '/promotions', headers: api.headers('promo-supplier') })).statusCode).toBe(403);
});

test('a proposal is validated: period, billed month, cost, and that every portal and gift exists (400 naming each field)', async () => {
  const res = await app.inject({
    method: 'POST',
    url: '/promotions',
    headers: api.headers('operator'),
    payload: proposal({ portalCodes: ['furunavi', 'no-such-portal'], giftCodes: ['no-such-gift'], startsOn: '2021-02-10', endsOn: '2021-02-01', billedMonth: '2021-01' }),
  });
  expect(res.statusCode).toBe(400);
  expect(res.json().fields.map((f: any) => f.field).sort()).toEqual(['billedMonth', 'endsOn', 'giftCodes[0]', 'portalCodes[1]']);
  const schema = await app.inject({ method: 'POST', url: '/promotions', headers: api.headers('operator'), payload: { ...proposal({ costYen: -1 }), name: undefined } });
  expect(schema.statusCode).toBe(400);
  expect(schema.json().fields.map((f: any) => f.field).sort()).toEqual(['costYen', 'name']);
});

test('the city approves or rejects once (a note is needed to reject); operators cannot decide', async () => {
  const created = await app.inject({ method: 'POST', url: '/promotions', headers: api.headers('operator'), payload: proposal() });
  expect(created.statusCode).toBe(201);
  expect(created.json().campaign).toMatchObject({ status: 'proposed', proposedBy: 'operator:tanaka', billedMonth: '2021-03' });
  expect((await app.inject({ method: 'POST', url: '/promotions', headers: api.headers('operator'), payload: proposal() })).statusCode).toBe(409);
  expect((await app.inject({ method: 'POST', url: `/promotions/${code('feb')}/decision`, headers: api.headers('operator'), payload: { decision: 'approved' } })).statusCode).toBe(403);
  const noNote = await app.inject({ method: 'POST', url: `/promotions/${code('feb')}/decision`, headers: api.headers('city'), payload: { decision: 'rejected' } });
  expect(noNote.statusCode).toBe(400);
  expect(noNote.json().fields).toEqual([{ field: 'note', reason: 'is required to reject a campaign' }]);
  const approved = await app.inject({ method: 'POST', url: `/promotions/${code('feb')}/decision`, headers: api.headers('city'), payload: { decision: 'approved' } });
  expect(approved.statusCode).toBe(200);
  expect(approved.json().campaign).toMatchObject({ status: 'approved', decidedBy: 'city:shiyakusho' });
  expect((await app.inject({ method: 'POST', url: `/promotions/${code('feb')}/decision`, headers: api.headers('city'), payload: { decision: 'rejected', note: 'やはり不要' } })).statusCode).toBe(409);
  expect((await app.inject({ method: 'POST', url: `/promotions/${code('nothing')}/decision`, headers: api.headers('city'), payload: { decision: 'approved' } })).statusCode).toBe(404);

  await app.inject({ method: 'POST', url: '/promotions', headers: api.headers('operator'), payload: proposal({ code: code('rejected') }) });
  const rejected = await app.inject({ method: 'POST', url: `/promotions/${code('rejected')}/decision`, headers: api.headers('admin'), payload: { decision: 'rejected', note: '予算超過' } });
  expect(rejected.json().campaign).toMatchObject({ status: 'rejected', decisionNote: '予算超過' });

  const billed = await app.inject({ method: 'GET', url: '/promotions?status=approved&billedMonth=2021-03', headers: api.headers('city') });
  expect(billed.json().campaigns.map((c: any) => c.code)).toEqual([code('feb')]);
});

test('effectiveness: donations in the period on its portals for its gifts, per yen of cost, by portal and new/repeat', async () => {
  const res = await app.inject({ method: 'GET', url: `/promotions/${code('feb')}/effectiveness`, headers: api.headers('city') });
  expect(res.statusCode).toBe(200);
  const body = res.json();
  // Independent: JST period as instants, portal and gift filters applied here.
  const rows = await q(
    knex,
    `select d.portal_code, d.amount_yen from donations d where d.status <> 'cancelled' and d.applied_at >= '2021-01-31T15:00:00Z' and d.applied_at < '2021-02-28T15:00:00Z'
        and d.portal_code in ('furunavi', 'ana') and exists (select 1 from donation_gift_lines l where l.donation_id = d.id and l.gift_code = ?)`,
    [gift],
  );
  const amount = rows.reduce((n, r) => n + r.amount_yen, 0);
  expect(body.effect).toMatchObject({ period: { count: rows.length, amountYen: amount }, yenPerCostYen: Math.round((amount / 20_000) * 100) / 100 });
  expect(body.effect).toMatchObject({ period: { count: 2, amountYen: 40_000 }, yenPerCostYen: 2 });
  expect(body.byPortal).toEqual([{ portalCode: 'ana', count: 1, amountYen: 30_000 }, { portalCode: 'furunavi', count: 1, amountYen: 10_000 }]);
  expect(body.byDonorType).toEqual({ new: { count: 1, amountYen: 30_000 }, repeat: { count: 1, amountYen: 10_000 } });
  expect(body.counted).toBe(true);
});
