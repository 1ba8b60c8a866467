import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { loadConfig } from '../../config/env';
import { PRINT_SCHEDULE_ID, printSchedule } from '../../workflows/documents/schedule';
import { ensureSchedule } from '../../workflows/schedule-definition';
import { required } from '../support/context';

let connection: Connection;

beforeAll(async () => {
  connection = await Connection.connect({ address: required('TEST_TEMPORAL_ADDRESS') });
});

afterAll(async () => {
  await connection?.close();
});

test('the daily print batch runs at the configured time in Japan, and a changed configuration updates it in place', async () => {
  // A namespace of its own, so this schedule cannot start batches for the other suites.
  const namespace = `print-schedule-${randomUUID().slice(0, 8)}`;
  await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') });
  const client = new Client({ connection, namespace });
  await ensureSchedule(client, printSchedule, loadConfig({ TEMPORAL_TASK_QUEUE: 'unused', PRINT_BATCH_TIME: '10:30' }));
  const handle = client.schedule.getHandle(PRINT_SCHEDULE_ID);
  let description = await handle.describe();
  expect(description.spec.timezone).toBe('Asia/Tokyo');
  expect(description.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 10, end: 10, step: 1 }], minute: [{ start: 30, end: 30, step: 1 }] });
  expect(description.action).toMatchObject({ type: 'startWorkflow', workflowType: 'printBatchWorkflow', taskQueue: 'unused' });
  expect(description.action.type === 'startWorkflow' && description.action.args?.[0]).toMatchObject({ kind: 'scheduled', runOnClosedDays: false, closure: { from: '12-29', to: '01-03' } });

  await ensureSchedule(client, printSchedule, loadConfig({ TEMPORAL_TASK_QUEUE: 'unused', PRINT_BATCH_TIME: '09:00', PRINT_ON_CLOSED_DAYS: 'true' }));
  description = await handle.describe();
  expect(description.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 9, end: 9, step: 1 }], minute: [{ start: 0, end: 0, step: 1 }] });
  expect(description.action.type === 'startWorkflow' && description.action.args?.[0]).toMatchObject({ runOnClosedDays: true });
  await handle.delete();
});
