import type { FastifyInstance } from 'fastify';
import type { Knex } from '@mikro-orm/postgresql';
import { apiSuite, type TestApi } from '../support/api';
import { eventually, type SuiteContext } from '../support/context';
import { maybeCaptureHistory } from '../support/histories';
import { jstDate, addDays } from '../../domain/jst';
import { q, startReportWorker } from './support';
import { Seed } from './seed';
import { createActivities } from '../../activities';
import { activityDepsFromConfig } from '../../activities/deps';
import { reportActivitySettings } from '../../activities/reports/reports';

/** CALL-3: demands for measures after gift complaints — mailed, answered, closed — and the supplier quality report. */
const SUPPLIER = `qsup${Date.now().toString(36)}`;
const OTHER = `${SUPPLIER}x`;
const TOKEN = 'quality-supplier-token-00001';
const OTHER_TOKEN = 'quality-supplier-token-00002';
const SUPPLIERS = { [SUPPLIER]: TOKEN, [OTHER]: OTHER_TOKEN };
let ctx: SuiteContext;
let app: FastifyInstance;
let api: TestApi;
let knex: Knex;
let worker: { stop(): Promise<void> };
let shipmentId: string;
const today = jstDate(new Date());
const month = today.slice(0, 7);
/** Today in Japan when a due day is checked (the API checks it against its own clock at that moment). */
const now = () => jstDate(new Date());

beforeAll(async () => {
  ({ ctx, api } = await apiSuite('quality', { suppliers: SUPPLIERS }));
  worker = await startReportWorker(ctx);
  app = api.app;
  knex = ctx.orm.em.getKnex();
  const seed = new Seed(knex, ctx.prefix);
  const sup = await seed.supplier(SUPPLIER, { email: `${SUPPLIER}@supplier.example` });
  await seed.supplier(OTHER);
  await seed.gift(`${SUPPLIER}-G`, sup, 10_000);
  const donor = await seed.donor('七郎', '長崎県');
  const d = await seed.donation({ donorId: donor, portal: 'choice', amountYen: 10_000, appliedAt: new Date().toISOString(), gift: { code: `${SUPPLIER}-G`, unitPriceYen: 10_000 } });
  const first = await seed.shipment({ donationId: d.id, lineId: d.lineId!, giftCode: `${SUPPLIER}-G`, supplierId: sup, status: 'trouble', createdAt: new Date().toISOString(), carrier: 'yamato_b2', troubleKind: 'damage', shippedOn: today });
  shipmentId = first;
  await seed.shipment({ donationId: d.id, lineId: d.lineId!, giftCode: `${SUPPLIER}-G`, supplierId: sup, attempt: 2, replaces: first, status: 'awaiting_order', createdAt: new Date().toISOString() });
});

afterAll(async () => {
  await worker?.stop();
  await api?.close();
});

async function newCall(payload: object): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/calls', headers: api.headers('operator'), payload: { channel: 'phone', subject: `${ctx.prefix} 苺が傷んでいた`, body: '到着時に傷んでいた', ...payload } });
  expect(res.statusCode).toBe(201);
  return res.json().call.id;
}

let complaint: string;
let measureId: string;

test('a demand is checked against its call: a gift complaint, a known party, a due day not past (400 naming fields)', async () => {
  complaint = await newCall({ category: '返礼品', complaint: true, links: { shipmentId } });
  const inquiry = await newCall({ category: '寄附手続き' });
  const res = await app.inject({ method: 'POST', url: `/calls/${inquiry}/measures`, headers: api.headers('operator'), payload: { party: { kind: 'supplier' }, demand: '改善を', dueOn: addDays(now(), -1) } });
  expect(res.statusCode).toBe(400);
  expect(res.json().fields.map((f: any) => f.field).sort()).toEqual(['call.category', 'call.complaint', 'dueOn', 'party.supplierCode']);
  const carrier = await app.inject({ method: 'POST', url: `/calls/${complaint}/measures`, headers: api.headers('operator'), payload: { party: { kind: 'carrier', carrier: 'pelican' }, demand: '改善を', dueOn: now() } });
  expect(carrier.json().fields).toEqual([expect.objectContaining({ field: 'party.carrier' })]);
  expect((await app.inject({ method: 'POST', url: `/calls/${complaint}/measures`, headers: api.headers('city'), payload: { party: { kind: 'supplier' }, demand: 'x', dueOn: now() } })).statusCode).toBe(403);
});

test('the demand goes to the supplier named through the shipment and is mailed to it', async () => {
  const res = await app.inject({ method: 'POST', url: `/calls/${complaint}/measures`, headers: api.headers('operator'), payload: { party: { kind: 'supplier' }, demand: '梱包方法の見直しと再発防止策の提出', dueOn: addDays(now(), 7) } });
  expect(res.statusCode).toBe(201);
  const measure = res.json().measure;
  measureId = measure.id;
  expect(measure).toMatchObject({ party: { kind: 'supplier', supplierCode: SUPPLIER }, status: 'open', overdue: false, demandedBy: 'operator:tanaka' });
  const mail = await eventually(async () => ctx.mail.messages().find((m) => m.to.includes(`${SUPPLIER}@supplier.example`)), Boolean);
  expect(mail!.subject).toContain('改善策');
  expect(mail!.text).toContain('梱包方法の見直しと再発防止策の提出');
  expect(mail!.text).not.toContain('七郎');
  await eventually(async () => (await app.inject({ method: 'GET', url: `/quality/measures/${measureId}`, headers: api.headers('operator') })).json().measure.mailStatus, (s) => s === 'sent');
  const call = await app.inject({ method: 'GET', url: `/calls/${complaint}`, headers: api.headers('city') });
  expect(call.json().history.some((e: any) => e.kind === 'follow_up' && e.note.startsWith('対策要求'))).toBe(true);
  await maybeCaptureHistory(ctx.client, 'report-v1-quality-demand', measure.workflowId);
});

test('when the due day ends unanswered, the party gets one reminder (once, however often the activity runs)', async () => {
  // The activity the demand's workflow runs at the end of the due day (its timing: quality-reminder.test.ts).
  const wired = activityDepsFromConfig(ctx.config, ctx.orm, ctx.client);
  const acts = createActivities({ ...wired.deps, reports: reportActivitySettings(ctx.config) });
  try {
    const to = `${SUPPLIER}@supplier.example`;
    const before = ctx.mail.messages().filter((m) => m.to.includes(to)).length;
    expect(await acts.remindQualityDemand({ measureId })).toEqual({ status: 'sent' });
    const reminder = await eventually(async () => ctx.mail.messages().filter((m) => m.to.includes(to)).slice(before), (list) => list.length === 1);
    expect(reminder[0].subject).toMatch(/^【再通知・回答期限経過】/);
    expect(reminder[0].text).toContain('まだご回答をいただいていません');
    expect(reminder[0].text).toContain('梱包方法の見直しと再発防止策の提出');
    // A retried activity sends nothing twice.
    expect(await acts.remindQualityDemand({ measureId })).toEqual({ status: 'sent' });
    await new Promise((r) => setTimeout(r, 300));
    expect(ctx.mail.messages().filter((m) => m.to.includes(to)).length).toBe(before + 1);
  } finally {
    await wired.close();
  }
});

test('closing needs a reply; the supplier replies for its own measures only; the history keeps every step', async () => {
  const early = await app.inject({ method: 'POST', url: `/quality/measures/${measureId}/close`, headers: api.headers('operator'), payload: { note: '確認済み' } });
  expect(early.statusCode).toBe(409);
  expect((await app.inject({ method: 'POST', url: `/quality/measures/${measureId}/reply`, headers: api.headers(OTHER), payload: { reply: 'x', measureTaken: 'y' } })).statusCode).toBe(404);
  expect((await app.inject({ method: 'GET', url: '/quality/measures', headers: api.headers(OTHER) })).json().measures).toEqual([]);
  const reply = await app.inject({ method: 'POST', url: `/quality/measures/${measureId}/reply`, headers: api.headers(SUPPLIER), payload: { reply: '緩衝材が不足していました', measureTaken: '緩衝材を倍にし、出荷前点検を追加' } });
  expect(reply.statusCode).toBe(200);
  expect(reply.json().measure).toMatchObject({ status: 'replied', repliedBy: `supplier:${SUPPLIER}`, measureTaken: '緩衝材を倍にし、出荷前点検を追加' });
  expect((await app.inject({ method: 'POST', url: `/quality/measures/${measureId}/close`, headers: api.headers(SUPPLIER), payload: { note: 'x' } })).statusCode).toBe(403);
  const closed = await app.inject({ method: 'POST', url: `/quality/measures/${measureId}/close`, headers: api.headers('operator'), payload: { note: '対策を確認した' } });
  expect(closed.json().measure).toMatchObject({ status: 'closed', closedBy: 'operator:tanaka', closeNote: '対策を確認した' });
  expect((await app.inject({ method: 'POST', url: `/quality/measures/${measureId}/reply`, headers: api.headers(SUPPLIER), payload: { reply: 'x', measureTaken: 'y' } })).statusCode).toBe(409);
  const got = await app.inject({ method: 'GET', url: `/quality/measures/${measureId}`, headers: api.headers(SUPPLIER) });
  expect(got.json().history.map((e: any) => e.kind)).toEqual(['demanded', 'mailed', 'replied', 'closed']);
});

test('a measure answered (here: closed) by the end of its due day gets no reminder', async () => {
  const wired = activityDepsFromConfig(ctx.config, ctx.orm, ctx.client);
  try {
    const acts = createActivities({ ...wired.deps, reports: reportActivitySettings(ctx.config) });
    expect(await acts.remindQualityDemand({ measureId })).toEqual({ status: 'answered' });
  } finally {
    await wired.close();
  }
});

test('the quality report counts complaints, re-shipments and open/closed measures per supplier and month (city reads it)', async () => {
  // A second complaint with a demand still open (due in a week: not overdue even if Japan's midnight passes meanwhile).
  const second = await newCall({ category: '配送', complaint: true, links: { shipmentId } });
  const open = await app.inject({ method: 'POST', url: `/calls/${second}/measures`, headers: api.headers('operator'), payload: { party: { kind: 'supplier', supplierCode: SUPPLIER }, demand: '配送日の確認', dueOn: addDays(now(), 7) } });
  expect(open.statusCode).toBe(201);
  const res = await app.inject({ method: 'GET', url: `/quality/report?from=${month}&to=${month}&supplierCode=${SUPPLIER}`, headers: api.headers('city') });
  expect(res.statusCode).toBe(200);
  // Independent: the supplier's rows counted here.
  const [c] = await q(knex, `select count(*)::int as n from calls k join shipments s on s.id = k.shipment_id join suppliers p on p.id = s.supplier_id where k.complaint and p.code = ?`, [SUPPLIER]);
  const [r] = await q(knex, `select count(*)::int as n from shipments s join suppliers p on p.id = s.supplier_id where s.attempt > 1 and p.code = ?`, [SUPPLIER]);
  const ms = await q(knex, `select m.status from quality_measures m join suppliers p on p.id = m.supplier_id where p.code = ?`, [SUPPLIER]);
  expect(res.json().rows).toEqual([
    {
      month,
      partyKind: 'supplier',
      party: SUPPLIER,
      partyName: `${SUPPLIER} 商店`,
      complaints: c.n,
      reshipments: r.n,
      measuresDemanded: ms.length,
      measuresOpen: ms.filter((m) => m.status !== 'closed').length,
      measuresClosed: ms.filter((m) => m.status === 'closed').length,
      measuresOverdue: 0,
    },
  ]);
  expect(res.json().rows[0]).toMatchObject({ complaints: 2, reshipments: 1, measuresDemanded: 2, measuresOpen: 1, measuresClosed: 1 });
  const carriers = await app.inject({ method: 'GET', url: `/quality/report?from=${month}&to=${month}`, headers: api.headers('city') });
  expect(carriers.json().rows).toEqual(expect.arrayContaining([expect.objectContaining({ partyKind: 'carrier', party: 'yamato_b2' })]));
  const bad = await app.inject({ method: 'GET', url: `/quality/report?from=2030-02&to=2030-01`, headers: api.headers('city') });
  expect(bad.json().fields).toEqual([expect.objectContaining({ field: 'querystring.from' })]);
  expect((await app.inject({ method: 'GET', url: '/quality/report', headers: api.headers(SUPPLIER) })).statusCode).toBe(403);
});
