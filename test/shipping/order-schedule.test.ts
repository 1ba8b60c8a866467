import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { loadConfig } from '../../config/env';
import { SUPPLIER_ORDER_SCHEDULE_ID, supplierOrderSchedule } from '../../workflows/shipping/schedule';
import { ensureSchedule } from '../../workflows/schedule-definition';
import { required } from '../support/context';

let connection: Connection;

beforeAll(async () => {
  connection = await Connection.connect({ address: required('TEST_TEMPORAL_ADDRESS') });
});

afterAll(async () => {
  await connection?.close();
});

test('supplier orders run daily at the configured time in Japan (SHIP-2); a changed time updates the schedule in place', async () => {
  // Its own namespace, so the schedule cannot order other suites' shipments.
  const namespace = `order-schedule-${randomUUID().slice(0, 8)}`;
  await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') });
  const client = new Client({ connection, namespace });
  await ensureSchedule(client, supplierOrderSchedule, loadConfig({ TEMPORAL_TASK_QUEUE: 'unused', SHIP_ORDER_TIME: '08:45' }));
  const handle = client.schedule.getHandle(SUPPLIER_ORDER_SCHEDULE_ID);
  let description = await handle.describe();
  expect(description.spec.timezone).toBe('Asia/Tokyo');
  expect(description.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 8, end: 8, step: 1 }], minute: [{ start: 45, end: 45, step: 1 }] });
  expect(description.action).toMatchObject({ type: 'startWorkflow', workflowType: 'supplierOrderWorkflow', taskQueue: 'unused' });

  await ensureSchedule(client, supplierOrderSchedule, loadConfig({ TEMPORAL_TASK_QUEUE: 'unused', SHIP_ORDER_TIME: '13:00' }));
  description = await handle.describe();
  expect(description.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 13, end: 13, step: 1 }], minute: [{ start: 0, end: 0, step: 1 }] });
  await handle.delete();
});
