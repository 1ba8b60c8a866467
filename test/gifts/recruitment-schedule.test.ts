import { randomUUID } from 'node:crypto';
import { recordBriefing } from '../../ledger/recruitment';
import { SCHEDULES } from '../../workflows/features';
import { RECRUITMENT_REPORT_SCHEDULE_ID, recruitmentReportSchedule } from '../../workflows/gifts/schedule';
import { monthBefore } from '../../workflows/gifts/recruitment-report-workflow';
import { recruitmentReportWorkflow } from '../../workflows';
import { suiteContext, type SuiteContext } from '../support/context';
import { ensureAndDescribe, expectJapanTimeStart, inOwnNamespace } from '../support/schedules';

/** GIFT-6 (spec 7(9)ウ): the recruitment report goes to the city by itself — a Temporal Schedule, one mail per month. */
const run = randomUUID().slice(0, 6);
const CITY = `boshu-${run}@city.yanagawa.example`;
// The mail's key is the month, in the shared database: each run reports a month of its own (a far one, 2040–2099), under its own title.
const n = Number.parseInt(run, 16) % 720;
const MONTH = `${2040 + Math.floor(n / 12)}-${String((n % 12) + 1).padStart(2, '0')}`;
const LAST = new Date(Date.UTC(Number(MONTH.slice(0, 4)), Number(MONTH.slice(5)), 0)).toISOString().slice(0, 10);
const TITLE = `事業者説明会 ${run}`;
let ctx: SuiteContext;

beforeAll(async () => {
  ctx = await suiteContext('recruitment-schedule', { REPORT_CITY_EMAIL: CITY });
  await ctx.startWorker();
});

afterAll(async () => {
  await ctx?.close();
});

test('the report is declared in the gifts feature’s registry: the 2nd of each month at 09:00 Japan time, starting the report workflow', async () => {
  expect(SCHEDULES.map((s) => s.id)).toContain(RECRUITMENT_REPORT_SCHEDULE_ID);
  const d = await inOwnNamespace('recruitment', (client) => ensureAndDescribe(client, recruitmentReportSchedule));
  expectJapanTimeStart(d, 'recruitmentReportWorkflow');
  expect(d.spec.calendars?.[0]).toMatchObject({ dayOfMonth: [{ start: 2, end: 2, step: 1 }], hour: [{ start: 9, end: 9, step: 1 }], minute: [{ start: 0, end: 0, step: 1 }] });
  expect(d.action).toMatchObject({ args: [{ requestedBy: 'system:schedule' }] });
  // A scheduled run reports the month before the one it starts in (Japan time).
  expect(monthBefore(new Date('2026-12-01T15:30:00Z'))).toBe('2026-11');
  expect(monthBefore(new Date('2027-01-01T00:00:00Z'))).toBe('2026-12');
  expect(monthBefore(new Date('2026-11-30T15:00:00Z'))).toBe('2026-11');
});

test('a run mails the month’s report to the city with its CSV, once: a second run mails nothing', async () => {
  await recordBriefing(ctx.orm.em.getKnex(), { heldOn: `${MONTH}-18`, place: '柳川市役所 3階会議室', title: TITLE, attendees: [{ name: `有明の海苔 ${run}`, interested: true }, { name: `大川家具 ${run}` }] }, 'operator:test');
  const start = () => ctx.client.workflow.execute(recruitmentReportWorkflow, { taskQueue: ctx.taskQueue, workflowId: `recruitment-${run}-${randomUUID().slice(0, 4)}`, args: [{ month: MONTH, requestedBy: 'operator:test' }] });
  expect(await start()).toEqual({ month: MONTH, status: 'sent' });
  const toCity = () => ctx.mail.messages().filter((m) => m.to.includes(CITY));
  expect(toCity()).toHaveLength(1);
  const [mail] = toCity();
  expect(mail.subject).toContain(`事業者募集状況報告 ${Number(MONTH.slice(0, 4))}年${Number(MONTH.slice(5))}月分`);
  expect(mail.text).toContain('説明会 開催回数');
  const csv = mail.attachments.find((a) => a.filename === `recruitment-report-${MONTH}.csv`);
  const text = csv!.content.toString('utf8');
  expect(text).toContain(TITLE);
  expect(text).toContain(`${MONTH}-01〜${LAST}`);

  // Again (a retry, a catch-up, an operator): the month's key answers, the city gets no second mail.
  expect(await start()).toEqual({ month: MONTH, status: 'sent' });
  expect(toCity()).toHaveLength(1);
  const logged = await ctx.orm.em.getKnex()('mail_log').where({ idempotency_key: `recruitment-report/${MONTH}` }).select('template', 'status');
  expect(logged).toEqual([{ template: 'recruitment-report', status: 'sent' }]);
});
