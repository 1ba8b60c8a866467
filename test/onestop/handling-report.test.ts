import { handlingAnomalies, isWorkingTime, type ActorHandling } from '../../domain/onestop/handling-report';
import { monthBeforeDay, mynumberHandlingReportWorkflow } from '../../workflows/onestop/handling-report-workflow';
import { handlingReportSchedule } from '../../workflows/onestop/schedule';
import { apiTokens, startApi, type TestApi } from '../support/api';
import { isolatedDatabase, suiteContext, type SuiteContext } from '../support/context';
import { seedApplication } from './support';

/**
 * MYNUM-3 / MYNUM-6: the handling report counts exactly what the access and refusal logs hold for the
 * period, flags the anomalies, is issued monthly by a workflow on a schedule and on demand at once.
 * Its own database: the counts are the whole log's.
 */
const HOURS = { from: { hour: 8, minute: 30 }, to: { hour: 18, minute: 0 } };
const at = (jst: string) => new Date(`${jst}+09:00`);

describe('judging the figures', () => {
  test('working time: weekdays within the hours, Japan time; weekends and national holidays are outside', () => {
    expect(isWorkingTime(at('2019-10-07T08:30:00'), HOURS)).toBe(true); // Monday
    expect(isWorkingTime(at('2019-10-07T17:59:00'), HOURS)).toBe(true);
    expect(isWorkingTime(at('2019-10-07T08:29:00'), HOURS)).toBe(false);
    expect(isWorkingTime(at('2019-10-07T18:00:00'), HOURS)).toBe(false);
    expect(isWorkingTime(at('2019-10-05T10:00:00'), HOURS)).toBe(false); // Saturday
    expect(isWorkingTime(at('2019-10-14T10:00:00'), HOURS)).toBe(false); // 体育の日
    // 01:30 UTC on Monday is 10:30 in Japan.
    expect(isWorkingTime(new Date('2019-10-07T01:30:00Z'), HOURS)).toBe(true);
  });

  test('anomalies: far more reads than the peers, reads after hours, repeated refusals; nobody alone is an outlier', () => {
    const row = (actor: string, reads: number, extra: Partial<ActorHandling> = {}): ActorHandling => ({ actor, role: 'admin', reads, applications: reads, afterHours: 0, refusals: 0, ...extra });
    expect(handlingAnomalies([row('a', 400)])).toEqual([]);
    const flagged = handlingAnomalies([row('a', 10), row('b', 12), row('c', 40), row('d', 0, { refusals: 3 }), row('e', 8, { afterHours: 2 })]);
    expect(flagged.map((f) => [f.actor, f.kind])).toEqual([
      ['c', 'volume'],
      ['d', 'refusals'],
      ['e', 'after_hours'],
    ]);
    // Three times the median, but below the floor: a quiet month is not an anomaly.
    expect(handlingAnomalies([row('a', 2), row('b', 2), row('c', 19)])).toEqual([]);
  });

  test('the schedule issues the past month’s report on the 1st at 07:00 Japan time', () => {
    expect(monthBeforeDay('2027-01-01')).toBe('2026-12');
    expect(monthBeforeDay('2026-11-01')).toBe('2026-10');
  });
});

describe('the report against the logs (API, workflow)', () => {
  let ctx: SuiteContext;
  let api: TestApi;
  let database: { url: string; drop(): Promise<void> };
  const apps: string[] = [];

  beforeAll(async () => {
    database = await isolatedDatabase('handling_report');
    ctx = await suiteContext('handling-report', { API_TOKENS: apiTokens() }, { databaseUrl: database.url });
    await ctx.startWorker();
    api = await startApi(ctx);
    for (const n of [1, 2, 3]) {
      const { application } = await seedApplication(ctx, { name: `取扱 確認${n}`, nameKana: 'トリアツカイ カクニン', prefecture: '福岡県', address: `柳川市本町${n}` }, { appliedAt: '2019-10-01T01:00:00.000Z', myNumber: '123456789018' });
      apps.push(application.id);
    }
    const knex = ctx.orm.em.getKnex();
    const read = (actor: string, app: string, when: string, terminal = '10.20.1.1') => ({ application_id: app, actor, role: 'admin', reason: '照合のため', source: 'api', terminal, accessed_at: at(when) });
    await knex('my_number_access_log').insert([
      read('admin:tanaka', apps[0], '2019-10-07T10:00:00'),
      read('admin:tanaka', apps[1], '2019-10-07T10:05:00'),
      read('admin:tanaka', apps[1], '2019-10-08T11:00:00', '10.20.1.2'),
      read('admin:sato', apps[2], '2019-10-12T09:00:00'), // Saturday
      read('admin:sato', apps[0], '2019-10-31T23:59:00'), // after hours, last minute of the month
      read('admin:sato', apps[0], '2019-11-01T00:00:00'), // next month: not counted
      read('admin:sato', apps[0], '2019-09-30T23:59:59'), // month before: not counted
    ]);
    const refusal = (actor: string, when: string) => ({ application_id: apps[0], actor, role: 'admin', source: 'console', terminal: '192.0.2.9', reason_given: '確認', refusal: '取扱区域の外', refused_at: at(when) });
    await knex('my_number_access_refusals').insert([refusal('admin:haken', '2019-10-09T10:00:00'), refusal('admin:haken', '2019-10-09T10:01:00'), refusal('admin:haken', '2019-10-09T10:02:00')]);
  });

  afterAll(async () => {
    await api?.close();
    await database?.drop();
  });

  test('on demand: the counts are exactly the logs of the period, per person, with terminals and anomalies', async () => {
    const res = await api.get('/mynumber/handling-report?from=2019-10-01&to=2019-10-31', 'city');
    expect(res.statusCode).toBe(200);
    const report = res.json();
    expect(report.actors).toEqual([
      { actor: 'admin:tanaka', role: 'admin', reads: 3, applications: 2, afterHours: 0, refusals: 0, terminals: ['10.20.1.1', '10.20.1.2'] },
      { actor: 'admin:sato', role: 'admin', reads: 2, applications: 2, afterHours: 2, refusals: 0, terminals: ['10.20.1.1'] },
      { actor: 'admin:haken', role: 'admin', reads: 0, applications: 0, afterHours: 0, refusals: 3, terminals: [] },
    ]);
    expect(report.totals).toEqual({ reads: 5, applications: 3, refusals: 3, exported: 0 });
    expect(report.anomalies.map((a: { actor: string; kind: string }) => [a.actor, a.kind])).toEqual([
      ['admin:sato', 'after_hours'],
      ['admin:haken', 'refusals'],
    ]);
    expect(JSON.stringify(report)).not.toContain('123456789018');
  });

  test('bad periods answer 400 naming the field; the operator and suppliers may not see it', async () => {
    const backwards = await api.get('/mynumber/handling-report?from=2019-10-31&to=2019-10-01', 'admin');
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json().fields).toEqual([{ field: 'querystring.to', reason: 'must not be before from' }]);
    expect((await api.get('/mynumber/handling-report?from=2019-01-01&to=2020-06-01', 'admin')).json().fields).toEqual([{ field: 'querystring.to', reason: 'the period is at most 366 days' }]);
    expect((await api.get('/mynumber/handling-report?from=2019-10-01', 'admin')).statusCode).toBe(400);
    expect((await api.get('/mynumber/handling-report?from=2019-10-01&to=2019-10-31', 'operator')).statusCode).toBe(403);
    expect((await api.get('/mynumber/handling-reports', 'supplier')).statusCode).toBe(403);
  });

  test('monthly: the workflow keeps the month’s report as issued, alerts the city, and a second run changes nothing', async () => {
    const run = () => ctx.client.workflow.execute(mynumberHandlingReportWorkflow, { args: [{ month: '2019-10', requestedBy: 'system:test' }], taskQueue: ctx.config.temporal.taskQueue, workflowId: `${ctx.prefix}-handling-${Math.random()}` });
    expect(await run()).toEqual({ month: '2019-10', reads: 5, anomalies: 2 });
    const issued = (await api.get('/mynumber/handling-reports/2019-10', 'city')).json();
    const onDemand = (await api.get('/mynumber/handling-report?from=2019-10-01&to=2019-10-31', 'city')).json();
    expect({ ...issued, generatedAt: 'x' }).toEqual({ ...onDemand, generatedAt: 'x' });

    await ctx.orm.em.getKnex()('my_number_access_log').insert({ application_id: apps[2], actor: 'admin:tanaka', role: 'admin', reason: '後からの照合', source: 'api', accessed_at: at('2019-10-20T10:00:00') });
    await run();
    expect((await api.get('/mynumber/handling-reports/2019-10', 'city')).json()).toEqual(issued);
    expect((await api.get('/mynumber/handling-reports', 'admin')).json().reports).toEqual([expect.objectContaining({ month: '2019-10', createdBy: 'system:test', reads: 5, anomalies: 2 })]);
    const alerts = (await api.get('/onestop/alerts', 'city')).json().alerts.filter((a: { kind: string }) => a.kind === 'handling_report');
    expect(alerts).toHaveLength(1);
    expect(alerts[0].message).toContain('2019-10 の特定個人情報の取扱状況報告');
    expect((await api.get('/mynumber/handling-reports/2019-11', 'city')).statusCode).toBe(404);
  });

  test('the schedule starts it on the 1st at 07:00 Asia/Tokyo with no month (the workflow takes the past one)', () => {
    const shape = handlingReportSchedule.shape(ctx.config, 'mynumber-handling-report')!;
    expect(shape.spec).toEqual({ calendars: [expect.objectContaining({ dayOfMonth: 1, hour: 7, minute: 0 })], timezone: 'Asia/Tokyo' });
    expect(shape.action).toEqual(expect.objectContaining({ args: [{ requestedBy: 'system:schedule' }] }));
  });
});
