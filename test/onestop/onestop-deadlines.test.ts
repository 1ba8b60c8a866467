import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { timeSkippingContext, type TimeSkippingContext } from '../support/time-skipping';
import type { AppConfig } from '../../config/env';
import { registerDonation } from '../../ledger/donations';
import { applicationNotices, findApplication, registerApplication } from '../../ledger/onestop';
import type { Orm } from '../../ledger/orm';
import { oneStopApplicationWorkflow } from '../../workflows';
import { newDonation } from '../support/factory';

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

beforeAll(async () => {
  ctx = await timeSkippingContext('onestop-deadlines');
  ({ env, orm, taskQueue, config } = ctx);
});

afterAll(async () => {
  await ctx?.close();
});

test('a deficient application is reminded 14 and 3 days before the deadline, then closed at its end', async () => {
  const { donation } = await registerDonation(orm.em.fork(), newDonation(prefix, { appliedAt: '2026-11-20T01:00:00.000Z' }), 'test:setup');
  const { application } = await registerApplication(
    orm.em.getKnex(),
    config.myNumber!,
    {
      donation: { donationId: donation.id },
      channel: 'paper',
      arrivedOn: '2026-11-30',
      scanRef: 'scan://test',
      content: { formVersion: 'current', name: '山田 花子', nameKana: 'ヤマダ ハナコ', address: '東京都千代田区千代田1-1', donationDate: '2026-11-20', amountYen: 10_000, checkboxes: { first: true, second: true }, attachments: [{ kind: 'my_number_card', sides: ['back'] }] },
      myNumber: '123456789018',
    },
    'test:operator',
  );
  expect(application.deadlineOn).toBe('2027-01-12');

  const result = await env.client.workflow.execute(oneStopApplicationWorkflow, {
    taskQueue,
    workflowId: application.workflowId,
    args: [{ applicationId: application.id, reminderDaysBefore: config.onestop.reminderDaysBefore }],
  });
  expect(result.state).toBe('closed_deficient');
  expect(result.notices.map((n) => n.kind)).toEqual(['deficiency', 'reminder', 'reminder', 'closed_deficient']);
  // The deadline day ends at 2027-01-13 00:00 JST = 2027-01-12T15:00Z.
  const near = (at: string, expected: string) => expect(Math.abs(Date.parse(at) - Date.parse(expected))).toBeLessThan(60_000);
  near(result.notices[1].at, '2026-12-29T15:00:00.000Z');
  near(result.notices[2].at, '2027-01-09T15:00:00.000Z');
  expect(Date.parse(result.notices[3].at)).toBeGreaterThanOrEqual(Date.parse('2027-01-12T15:00:00.000Z'));

  const stored = await findApplication(orm.em.getKnex(), application.id);
  expect(stored!.status).toBe('closed_deficient');
  const notices = await applicationNotices(orm.em.getKnex(), application.id);
  expect(notices.map((n) => n.kind)).toEqual(['deficiency', 'reminder', 'reminder', 'closed_deficient']);
  expect(notices[1].findings.map((f: { code: string }) => f.code)).toEqual(['identity_document_missing']);
});
