import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Orm } from '../../ledger/orm';
import { listAlerts, listRevisions } from '../../ledger/reports-store';
import { monthlyReportScheduleWorkflow, monthlyReportWorkflow } from '../../workflows';
import { reportSchedule } from '../../workflows/reports/schedule';
import type { SmtpSink } from '../../scripts/stack/smtp-sink';
import { jstDate } from '../../domain/jst';
import { ensureAndDescribe, expectJapanTimeStart, inOwnNamespace } from '../support/schedules';
import { maybeCaptureHistory } from '../support/histories';
import { timeSkippingContext, type TimeSkippingContext } from '../support/time-skipping';

/**
 * REPORT-1 on the clock: the Schedule fires on the 1st (Asia/Tokyo) and starts the previous
 * month's report; a report whose build keeps failing is reminded 3 days before the 10th, escalated
 * (recorded and mailed to the city) when the 10th ends, and recorded as late once it is built.
 * Time-skipping test server of its own, so the clock can be moved years ahead: to YEAR, five years
 * after the current one in Japan, whose months hold no other suite's data and are always in the
 * future of the server's clock (it starts at the real time and only moves forward).
 */
const YEAR = Number(jstDate(new Date()).slice(0, 4)) + 5;
let ctx: TimeSkippingContext;
let env: TestWorkflowEnvironment;
let orm: Orm;
let mail: SmtpSink;
let taskQueue: string;
let plain: Client;
/** Months whose build fails (an unreachable ledger, a broken template) until removed. */
const failing = new Set<string>();

beforeAll(async () => {
  // The context's own data directory (removed by close()).
  ctx = await timeSkippingContext('report-schedule', {}, {
    activities: (real) => ({
      ...real,
      async buildMonthlyReport(input: Parameters<typeof real.buildMonthlyReport>[0]) {
        if (failing.has(input.month)) throw new Error('ledger unreachable (test)');
        return real.buildMonthlyReport(input);
      },
    }),
  });
  ({ env, orm, mail, taskQueue } = ctx);
  // Start and wait without the SDK skipping time on its own: the test moves the clock.
  plain = new Client({ connection: env.connection });
});

afterAll(async () => {
  await ctx?.close();
});

/** Moves the test server's clock to a Japan time (forward only). */
async function advanceTo(jst: string) {
  const target = Date.parse(`${jst}+09:00`);
  const now = await env.currentTimeMs();
  if (target > now) await env.sleep(target - now);
}

test('the Schedule runs on the 1st at 06:00 Japan time and starts the report workflow; re-ensuring updates it in place', async () => {
  // A namespace of its own, so this schedule cannot start reports for the other suites.
  await inOwnNamespace('report-schedule', async (client) => {
    let d = await ensureAndDescribe(client, reportSchedule);
    expectJapanTimeStart(d, 'monthlyReportScheduleWorkflow');
    expect(d.spec.calendars?.[0]).toMatchObject({ dayOfMonth: [{ start: 1, end: 1, step: 1 }], hour: [{ start: 6, end: 6, step: 1 }] });
    expect(d.action.type === 'startWorkflow' && d.action.args?.[0]).toMatchObject({ dueDay: 10, reminderDaysBefore: 3 });
    d = await ensureAndDescribe(client, reportSchedule, { REPORT_SCHEDULE_TIME: '07:30', REPORT_DUE_DAY: '12' });
    expect(d.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 7, end: 7, step: 1 }], minute: [{ start: 30, end: 30, step: 1 }] });
    expect(d.action.type === 'startWorkflow' && d.action.args?.[0]).toMatchObject({ dueDay: 12 });
    await client.schedule.getHandle(reportSchedule.id).delete();
  });
});

test('on the 1st the scheduled run builds the previous month, stores it and mails the city; no alerts', async () => {
  await advanceTo(`${YEAR}-09-01T06:00:05`);
  const starter = await plain.workflow.start(monthlyReportScheduleWorkflow, {
    taskQueue,
    workflowId: `monthly-report/scheduled-${randomUUID()}`,
    args: [{ requestedBy: 'system:schedule', dueDay: 10, reminderDaysBefore: 3 }],
  });
  expect(await starter.result()).toEqual({ month: `${YEAR}-08`, workflowId: `report-${YEAR}-08`, started: true });
  const view = await plain.workflow.getHandle(`report-${YEAR}-08`).result();
  expect(view).toMatchObject({ month: `${YEAR}-08`, status: 'notified', attempts: 1, alerts: [], late: false, noticeStatus: 'sent' });
  const [revision] = await listRevisions(orm.em.getKnex(), { month: `${YEAR}-08` });
  expect(revision).toMatchObject({ kind: 'scheduled', requestedBy: 'system:schedule', dueOn: `${YEAR}-09-10`, late: false });
  expect(mail.messages().some((m) => m.subject.includes(`月次業務報告書 ${YEAR}年8月分（第1版）`))).toBe(true);
  await maybeCaptureHistory(plain, 'report-v1-schedule-starter', starter.workflowId);
  await maybeCaptureHistory(plain, 'report-v1-scheduled', `report-${YEAR}-08`);
});

test('a build that keeps failing is reminded before the 10th, escalated when the 10th ends, and recorded late once built', async () => {
  failing.add(`${YEAR}-09`);
  await advanceTo(`${YEAR}-10-01T06:00:05`);
  const starter = await plain.workflow.start(monthlyReportScheduleWorkflow, {
    taskQueue,
    workflowId: `monthly-report/scheduled-${randomUUID()}`,
    args: [{ requestedBy: 'system:schedule', dueDay: 10, reminderDaysBefore: 3, retryInterval: '1 day' }],
  });
  expect(await starter.result()).toMatchObject({ month: `${YEAR}-09`, started: true });
  const knex = orm.em.getKnex();
  const kinds = async () => (await listAlerts(knex, `${YEAR}-09`)).map((a) => a.kind).reverse();

  await advanceTo(`${YEAR}-10-07T12:00:00`);
  expect(await kinds()).toEqual(['build_failed']);
  await advanceTo(`${YEAR}-10-08T01:00:00`);
  expect(await kinds()).toEqual(['build_failed', 'reminder']);
  await advanceTo(`${YEAR}-10-10T23:00:00`);
  expect(await kinds()).toEqual(['build_failed', 'reminder']);
  await advanceTo(`${YEAR}-10-11T01:00:00`);
  expect(await kinds()).toEqual(['build_failed', 'reminder', 'overdue']);
  const overdue = (await listAlerts(knex, `${YEAR}-09`)).find((a) => a.kind === 'overdue')!;
  expect(overdue).toMatchObject({ mailStatus: 'sent' });
  expect(overdue.message).toContain('ledger unreachable (test)');
  expect(mail.messages().some((m) => m.subject.includes(`${YEAR}年9月分 作成遅延`))).toBe(true);
  expect(await listRevisions(knex, { month: `${YEAR}-09` })).toEqual([]);

  // The cause is fixed: the next daily attempt builds it, late.
  failing.delete(`${YEAR}-09`);
  const view = await env.client.workflow.getHandle(`report-${YEAR}-09`).result();
  expect(view).toMatchObject({ status: 'notified', late: true, alerts: ['build_failed', 'reminder', 'overdue', 'built_late'] });
  expect(view.attempts).toBeGreaterThan(9);
  expect(await kinds()).toEqual(['build_failed', 'reminder', 'overdue', 'built_late']);
  const [revision] = await listRevisions(knex, { month: `${YEAR}-09` });
  expect(revision).toMatchObject({ revision: 1, late: true, kind: 'scheduled' });
  await maybeCaptureHistory(plain, 'report-v1-scheduled-late', `report-${YEAR}-09`);
}, 300_000);

test('an on-demand run of a month watches no deadline', async () => {
  const view = await plain.workflow.execute(monthlyReportWorkflow, {
    taskQueue,
    workflowId: `report-${YEAR}-07`,
    args: [{ month: `${YEAR}-07`, kind: 'on_demand', requestedBy: 'city:test', dueDay: 10, reminderDaysBefore: 0 }],
  });
  expect(view).toMatchObject({ status: 'notified', alerts: [], revision: 1 });
});
