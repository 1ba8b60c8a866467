import { randomUUID } from 'node:crypto';
import { jstDate } from '../../domain/jst';
import { myNumberCheckDigit } from '../../domain/onestop/my-number';
import { eventually, type SuiteContext } from '../support/context';
import type { TestApi } from '../support/api';
import { timeSkippingApi, type TimeSkippingContext } from '../support/time-skipping';
import { serverClock } from '../billing/clock';
import { seedApplication } from '../onestop/support';

/**
 * MYNUM-5 (特記12) on a time-skipping server, through the API, the real retention workflow and the
 * real ledger: the prior application's planned date (nothing before that day, carried out on it; a
 * consent after it is carried out at once and recorded late), physical media destroyed by a person
 * and recorded (method, who, when, witness, certificate), and the refusals (no back-dating, a reason
 * where one is required, a planned date before the proposal's own date). Each proposal names its own
 * applications (`applicationIds`), so the suites sharing the ledger never take each other's.
 * Dates come from the test server's clock or are fixed; never the wall clock.
 */
let ctx: TimeSkippingContext;
let api: TestApi;
const clock = serverClock(() => ctx.env);
const knex = () => ctx.orm.em.getKnex();
const number = (first11: string) => first11 + myNumberCheckDigit(first11);
/** The proposals' own date: fixed, earlier than any day the server's clock shows. */
const AS_OF = '2026-01-05';
const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const today = async () => jstDate(new Date(await clock.now()));

beforeAll(async () => {
  ({ ctx, api } = await timeSkippingApi('mynum5-plan', {}));
});
afterAll(async () => {
  await (api ?? ctx)?.close();
});

/**
 * An application whose retention ended long ago (its own donor), with its 個人番号. It stays `deficient`
 * (no proposal takes it) until `propose` makes it accepted just before naming it in its own proposal.
 */
async function expiredApplication(tag: string, myNumber: string): Promise<string> {
  const suite = { ...ctx, prefix: `mynum5-${tag}-${randomUUID().slice(0, 6)}` } as unknown as SuiteContext;
  const { application } = await seedApplication(suite, { name: `計画 ${tag}`, nameKana: 'ケイカク', prefecture: '福岡県', address: `柳川市本町${tag}` }, { appliedAt: '2026-11-20T01:00:00.000Z', myNumber, status: 'deficient' });
  await knex()('onestop_applications').where('id', application.id).update({ deadline_on: '2012-01-10' });
  return application.id;
}

/** Proposes destroying exactly `applicationId` (accepted now, so due) with the plan in `body`. */
async function propose(applicationId: string, body: object) {
  await knex()('onestop_applications').where('id', applicationId).update({ status: 'accepted' });
  return api.post('/onestop/retention/destructions', { asOf: AS_OF, applicationIds: [applicationId], ...body }, 'admin');
}

const destroyed = async (applicationId: string) => (await knex()('onestop_applications').where('id', applicationId).first('my_number_destroyed_at')).my_number_destroyed_at !== null;
const destruction = (id: string) => api.get(`/onestop/retention/destructions/${id}`, 'city').then((r) => r.json());
const done = (id: string) => eventually(() => destruction(id), (d) => d.status === 'done' && d.report?.timing !== undefined, 60_000);

test('a planned date is honoured: nothing before that day, carried out on it; bad input is refused naming the field', async () => {
  const planned = addDays(await today(), 30);
  const id = await expiredApplication('P', number('81000000001'));

  // A planned date before the proposal's own date, or an application that is not due (still deficient): 400 naming the field.
  const early = await api.post('/onestop/retention/destructions', { asOf: AS_OF, applicationIds: [id], plannedOn: addDays(AS_OF, -1) }, 'admin');
  expect(early.statusCode).toBe(400);
  expect(early.json().fields[0].field).toBe('plannedOn');
  for (const notDue of [[randomUUID()], [id]]) {
    const refused = await api.post('/onestop/retention/destructions', { asOf: AS_OF, applicationIds: notDue }, 'admin');
    expect(refused.statusCode).toBe(400);
    expect(refused.json().fields[0].field).toBe('applicationIds');
  }

  const proposed = await propose(id, { plannedOn: planned, physicalMedia: [{ kind: 'paper', description: '申告特例申請書 原本 (箱1)', count: 1 }] });
  expect(proposed.statusCode).toBe(201);
  expect(proposed.json()).toMatchObject({ count: 1, plannedOn: planned, status: 'proposed' });
  const destructionId = proposed.json().id;
  expect((await destruction(destructionId)).application).toMatchObject({ count: 1, plannedOn: planned, planned: expect.stringContaining(`${planned} (予定日`), physicalMedia: [{ kind: 'paper', count: 1 }] });

  // The decision: a reason is required; its date is the day it is recorded (a date sent with it is refused).
  const decide = (body: object) => api.post(`/onestop/retention/destructions/${destructionId}/decision`, body, 'city');
  const noReason = await decide({ approve: true });
  expect(noReason.statusCode).toBe(400);
  expect(noReason.json().fields.map((f: { field: string }) => f.field)).toContain('reason');
  const backDated = await decide({ approve: true, reason: '決裁済み', decidedAt: addDays(AS_OF, 1) });
  expect(backDated.statusCode).toBe(400);
  expect(JSON.stringify(backDated.json().fields)).toContain('decidedAt');
  expect((await decide({ approve: true, reason: '令和8年度 文書廃棄決裁済み' })).statusCode).toBe(202);

  // The day before: approved, nothing destroyed; a medium cannot be recorded as destroyed before the planned date.
  await clock.advanceTo(`${addDays(planned, -1)}T23:00:00+09:00`);
  const waiting = await destruction(destructionId);
  expect(waiting).toMatchObject({ status: 'approved', report: null });
  expect(await destroyed(id)).toBe(false);
  const tooEarly = await api.post(`/onestop/retention/destructions/${destructionId}/physical-media`, { medium: 0, method: '溶解処理', destroyedBy: '廃棄業者 株式会社サンプル', destroyedAt: waiting.decidedAt, certificate: 'C-1' }, 'admin');
  expect(tooEarly.statusCode).toBe(400);
  expect(tooEarly.json().fields[0]).toMatchObject({ field: 'destroyedAt', reason: expect.stringContaining('planned date') });

  // The planned day begins in Japan: carried out, on time.
  await clock.advanceTo(`${planned}T00:00:01+09:00`);
  const record = await done(destructionId);
  expect(record.report.timing).toEqual({ plannedOn: planned, carriedOutOn: planned, late: false, daysLate: 0 });
  expect(await destroyed(id)).toBe(true);
  const written = await api.get(`/onestop/retention/destructions/${destructionId}/report.txt`, 'city');
  expect(written.body).toContain(`予定日: ${planned}`);
  expect(written.body).toContain(`実施日: ${planned} (予定日どおり)`);
  expect(written.body).toContain('1. 紙「申告特例申請書 原本 (箱1)」 1 点: 未実施');
});

test('a consent given after the planned date: carried out at once, and the record says it was late', async () => {
  const myNumber = number('81000000002');
  const id = await expiredApplication('L', myNumber);
  const plannedOn = addDays(AS_OF, 5);
  const proposed = await propose(id, { plannedOn });
  expect(proposed.statusCode).toBe(201);
  const destructionId = proposed.json().id;
  expect((await api.post(`/onestop/retention/destructions/${destructionId}/decision`, { approve: true, reason: '遅れての決裁' }, 'city')).statusCode).toBe(202);
  const record = await done(destructionId);
  const carriedOutOn = record.report.timing.carriedOutOn;
  expect(carriedOutOn > plannedOn).toBe(true);
  const daysLate = Math.round((Date.parse(carriedOutOn) - Date.parse(plannedOn)) / 86_400_000);
  expect(record.report.timing).toEqual({ plannedOn, carriedOutOn, late: true, daysLate });
  expect(daysLate).toBeGreaterThan(0);
  expect(await destroyed(id)).toBe(true);
  const written = (await api.get(`/onestop/retention/destructions/${destructionId}/report.txt`, 'city')).body;
  expect(written).toContain(`予定日より ${daysLate} 日遅れ`);
  expect(written).not.toContain(myNumber);
});

test('physical media: each destroyed by a person and recorded (method, who, when, witness, certificate), only after the consent', async () => {
  const myNumber = number('81000000003');
  const id = await expiredApplication('M', myNumber);
  const media = [
    { kind: 'paper', description: '2018年分 申告特例申請書 原本 (箱1)', count: 120 },
    { kind: 'usb', description: 'スキャン受渡し用 USBメモリ (管理番号 U-07)', count: 1 },
  ];
  const proposed = await propose(id, { physicalMedia: media });
  expect(proposed.statusCode).toBe(201);
  const destructionId = proposed.json().id;
  const record = (body: object, who = 'admin') => api.post(`/onestop/retention/destructions/${destructionId}/physical-media`, body, who);
  const shredded = { medium: 0, method: '溶解処理 (業者の工場で立会い)', destroyedBy: '株式会社サンプル環境 鈴木', certificate: '溶解証明書 No. 2026-1234', witness: '税務課 山本' };

  // Before the city's consent nothing is recorded as destroyed.
  const before = await record({ ...shredded, destroyedAt: '2026-01-06T10:00:00+09:00' });
  expect(before.statusCode).toBe(409);
  expect((await api.post(`/onestop/retention/destructions/${destructionId}/decision`, { approve: true, reason: '決裁済み', witness: '税務課 山本' }, 'city')).statusCode).toBe(202);
  const consented = await eventually(() => destruction(destructionId), (d) => d.status === 'done' && d.report?.imageFiles, 60_000);
  expect(consented.physicalMedia.map((m: { destroyed: unknown }) => m.destroyed)).toEqual([null, null]);
  const decidedAt = consented.decidedAt as string;

  // Refusals, each naming the field: an unknown medium, a time before the consent or in the future, no witness where the city named one.
  for (const [body, field] of [
    [{ ...shredded, medium: 2, destroyedAt: decidedAt }, 'medium'],
    [{ ...shredded, destroyedAt: new Date(Date.parse(decidedAt) - 86_400_000).toISOString() }, 'destroyedAt'],
    [{ ...shredded, destroyedAt: '2099-01-01T10:00:00+09:00' }, 'destroyedAt'],
    [{ ...shredded, witness: undefined, destroyedAt: decidedAt }, 'witness'],
  ] as const) {
    const refused = await record(body);
    expect([field, refused.statusCode]).toEqual([field, 400]);
    expect(refused.json().fields[0].field).toBe(field);
  }
  expect((await record({ ...shredded, destroyedAt: decidedAt }, 'operator')).statusCode).toBe(403);

  const first = await record({ ...shredded, destroyedAt: decidedAt });
  expect(first.statusCode).toBe(201);
  expect(first.json().record).toMatchObject({ medium: 0, method: shredded.method, destroyedBy: shredded.destroyedBy, destroyedAt: new Date(decidedAt).toISOString(), witness: '税務課 山本', certificate: shredded.certificate, recordedBy: 'admin:root' });
  expect((await record({ ...shredded, destroyedAt: decidedAt })).statusCode).toBe(409);
  expect((await record({ ...shredded, medium: 1, method: '物理破砕', certificate: '破砕証明書 B-77', destroyedAt: decidedAt })).statusCode).toBe(201);

  const after = await destruction(destructionId);
  expect(after.physicalMedia).toEqual([
    { ...media[0], destroyed: expect.objectContaining({ certificate: '溶解証明書 No. 2026-1234' }) },
    { ...media[1], destroyed: expect.objectContaining({ method: '物理破砕', certificate: '破砕証明書 B-77' }) },
  ]);
  const written = (await api.get(`/onestop/retention/destructions/${destructionId}/report.txt`, 'city')).body;
  expect(written).toContain('物理媒体の廃棄:');
  expect(written).toContain('1. 紙「2018年分 申告特例申請書 原本 (箱1)」 120 点: ');
  expect(written).toContain('株式会社サンプル環境 鈴木 が 溶解処理 (業者の工場で立会い) により廃棄、立会人 税務課 山本、証明書 溶解証明書 No. 2026-1234');
  expect(written).toContain('2. USBメモリ「スキャン受渡し用 USBメモリ (管理番号 U-07)」 1 点: ');
  expect(written).not.toContain('未実施');
  expect(written + JSON.stringify(after)).not.toContain(myNumber);
});
