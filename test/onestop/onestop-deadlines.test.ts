import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import os from 'node:os';
import { createActivities } from '../../activities';
import { activityDepsFromConfig } from '../../activities/deps';
import { loadConfig } from '../../config/env';
import { registerDonation } from '../../ledger/donations';
import { applicationNotices, findApplication, registerApplication } from '../../ledger/onestop';
import { createOrm, type Orm } from '../../ledger/orm';
import { oneStopApplicationWorkflow } from '../../workflows';
import { quietRuntime, required } from '../support/context';
import { newDonation } from '../support/factory';

/**
 * Deficiency follow-up against the time-skipping test server: the reminders
 * fire before the holiday-adjusted deadline and the application closes at its
 * end when nothing arrived, without anyone waiting seven weeks.
 */
let env: TestWorkflowEnvironment;
let orm: Orm;
let worker: Worker;
let running: Promise<void>;
const taskQueue = `test-onestop-deadlines-${Date.now()}`;
const prefix = `onestop-deadlines-${Date.now()}`;
const config = loadConfig({ FURUSATO_DATA_DIR: os.tmpdir() });

beforeAll(async () => {
  quietRuntime();
  env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: required('TEMPORAL_TEST_SERVER_PATH') } },
  });
  orm = await createOrm(required('TEST_DATABASE_URL'), { poolMax: 3 });
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    activities: createActivities(activityDepsFromConfig(config, orm, env.client).deps),
    workflowBundle: { codePath: required('TEST_WORKFLOW_BUNDLE') },
  });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await orm?.close();
  await env?.teardown();
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
