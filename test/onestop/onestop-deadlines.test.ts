import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { timeSkippingContext, type TimeSkippingContext } from '../support/time-skipping';
import type { AppConfig } from '../../config/env';
import { registerDonation } from '../../ledger/donations';
import { applicationNotices, findApplication, registerApplication } from '../../ledger/onestop';
import type { Orm } from '../../ledger/orm';
import { oneStopApplicationWorkflow } from '../../workflows';
import { newDonation } from '../support/factory';
import { deadlineEndsAt, oneStopDeadline } from '../../domain/onestop/deadline';
import { jstDate } from '../../domain/jst';

/**
 * Deficiency follow-up against the time-skipping test server: the reminders
 * fire before the holiday-adjusted deadline and the application closes at its
 * end when nothing arrived, without anyone waiting seven weeks.
 */
let ctx: TimeSkippingContext;
let env: TestWorkflowEnvironment;
let orm: Orm;
let taskQueue: string;
let config: AppConfig;
const prefix = `onestop-deadlines-${Date.now()}`;
/**
 * The donation year: the next one whose November has not begun in Japan, so that the application
 * arrives (Nov 30) and its reminders fall due on the server's clock, which starts at the real time
 * and only moves forward. The deadline (Jan 10, holiday-adjusted: 2026 → 2027-01-12) comes from
 * oneStopDeadline, whose rule rules.test.ts pins year by year.
 */
const YEAR = (() => {
  const jst = jstDate(new Date());
  const year = Number(jst.slice(0, 4));
  return jst < `${year}-11-01` ? year : year + 1;
})();
const DAY = 86_400_000;

beforeAll(async () => {
  ctx = await timeSkippingContext('onestop-deadlines');
  ({ env, orm, taskQueue, config } = ctx);
});

afterAll(async () => {
  await ctx?.close();
});

test('a deficient application is reminded 14 and 3 days before the deadline, then closed at its end', async () => {
  // The application arrives on Nov 30 at 10:00 in Japan.
  const arrival = Date.parse(`${YEAR}-11-30T10:00:00+09:00`);
  const now = await env.currentTimeMs();
  if (arrival > now) await env.sleep(arrival - now);
  const { donation } = await registerDonation(orm.em.fork(), newDonation(prefix, { appliedAt: `${YEAR}-11-20T01:00:00.000Z` }), 'test:setup');
  const { application } = await registerApplication(
    orm.em.getKnex(),
    config.myNumber!,
    {
      donation: { donationId: donation.id },
      channel: 'paper',
      arrivedOn: `${YEAR}-11-30`,
      scanRef: 'scan://test',
      content: { formVersion: 'current', name: '山田 花子', nameKana: 'ヤマダ ハナコ', address: '東京都千代田区千代田1-1', donationDate: `${YEAR}-11-20`, amountYen: 10_000, checkboxes: { first: true, second: true }, attachments: [{ kind: 'my_number_card', sides: ['back'] }] },
      myNumber: '123456789018',
    },
    'test:operator',
  );
  const deadline = oneStopDeadline(YEAR);
  expect(application.deadlineOn).toBe(deadline);

  const result = await env.client.workflow.execute(oneStopApplicationWorkflow, {
    taskQueue,
    workflowId: application.workflowId,
    args: [{ applicationId: application.id, reminderDaysBefore: config.onestop.reminderDaysBefore }],
  });
  expect(result.state).toBe('closed_deficient');
  expect(result.notices.map((n) => n.kind)).toEqual(['deficiency', 'reminder', 'reminder', 'closed_deficient']);
  // The deadline day ends at 00:00 JST the day after (2026's: 2027-01-13 00:00 JST = 2027-01-12T15:00Z).
  const ends = deadlineEndsAt(deadline).getTime();
  const near = (at: string, expected: number) => expect(Math.abs(Date.parse(at) - expected)).toBeLessThan(60_000);
  near(result.notices[1].at, ends - 14 * DAY);
  near(result.notices[2].at, ends - 3 * DAY);
  expect(Date.parse(result.notices[3].at)).toBeGreaterThanOrEqual(ends);

  const stored = await findApplication(orm.em.getKnex(), application.id);
  expect(stored!.status).toBe('closed_deficient');
  const notices = await applicationNotices(orm.em.getKnex(), application.id);
  expect(notices.map((n) => n.kind)).toEqual(['deficiency', 'reminder', 'reminder', 'closed_deficient']);
  expect(notices[1].findings.map((f: { code: string }) => f.code)).toEqual(['identity_document_missing']);
});
