import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { loadConfig } from '../../config/env';
import { prepareNamespace } from '../../worker/prepare-namespace';
import { SCHEDULES, SEARCH_ATTRIBUTE_TYPES } from '../../workflows/features';
import type { ScheduleDefinition } from '../../workflows/schedule-definition';
import { required } from '../support/context';

let connection: Connection;

beforeAll(async () => {
  connection = await Connection.connect({ address: required('TEST_TEMPORAL_ADDRESS') });
});

afterAll(async () => {
  await connection?.close();
});

async function freshNamespace(): Promise<Client> {
  const namespace = `schedules-${randomUUID().slice(0, 8)}`;
  await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') });
  return new Client({ connection, namespace });
}

async function scheduleIds(client: Client): Promise<string[]> {
  const ids: string[] = [];
  for await (const s of client.schedule.list()) ids.push(s.scheduleId);
  return ids.sort();
}

const isDefinition = (v: unknown): v is ScheduleDefinition => typeof v === 'object' && v !== null && typeof (v as ScheduleDefinition).shape === 'function' && typeof (v as ScheduleDefinition).id === 'string';

test('every schedule defined under workflows/ is in the one list the worker walks', () => {
  const root = path.resolve(__dirname, '../../workflows');
  const defined: string[] = [];
  for (const dir of fs.readdirSync(root)) {
    const file = path.join(root, dir, 'schedule.ts');
    if (!fs.existsSync(file)) continue;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    for (const value of Object.values(require(file))) if (isDefinition(value)) defined.push(value.id);
  }
  expect(defined.length).toBeGreaterThanOrEqual(8);
  expect(SCHEDULES.map((s) => s.id).sort()).toEqual(defined.sort());
  expect(new Set(SCHEDULES.map((s) => s.id)).size).toBe(SCHEDULES.length);
});

test('a worker start brings a fresh namespace to every schedule; workers starting together agree; a changed setting updates in place', async () => {
  const client = await freshNamespace();
  const config = loadConfig({ TEMPORAL_TASK_QUEUE: 'unused', TEMPORAL_NAMESPACE: client.options.namespace });
  // Three workers starting at once: one creates each schedule, the others update it to the same shape.
  const results = await Promise.all([1, 2, 3].map(() => prepareNamespace(connection, client, config)));
  for (const r of results) expect(r.schedules.map((s) => s.outcome).every((o) => o === 'created' || o === 'updated')).toBe(true);
  for (const s of SCHEDULES) expect(results.filter((r) => r.schedules.find((x) => x.id === s.id)?.outcome === 'created')).toHaveLength(1);
  expect(await scheduleIds(client)).toEqual(SCHEDULES.map((s) => s.id).sort());
  const attrs = await connection.operatorService.listSearchAttributes({ namespace: client.options.namespace });
  expect(Object.keys(attrs.customAttributes ?? {})).toEqual(expect.arrayContaining(Object.keys(SEARCH_ATTRIBUTE_TYPES)));

  // An operator paused the print batch for a printer fault; a new run time must not unpause it.
  await client.schedule.getHandle('print-batch-daily').pause('printer fault');
  const later = await prepareNamespace(connection, client, loadConfig({ TEMPORAL_TASK_QUEUE: 'unused', TEMPORAL_NAMESPACE: client.options.namespace, BILL_RUN_TIME: '07:30', ONESTOP_NOTIFICATION_REMINDER_DAYS: '0' }));
  expect(later.searchAttributesAdded).toEqual([]);
  expect(later.schedules.find((s) => s.id === 'onestop-notification-reminder')?.outcome).toBe('deleted');
  const billing = await client.schedule.getHandle('monthly-billing').describe();
  expect(billing.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 7, end: 7, step: 1 }], minute: [{ start: 30, end: 30, step: 1 }] });
  expect((await client.schedule.getHandle('print-batch-daily').describe()).state.paused).toBe(true);
  expect(await scheduleIds(client)).not.toContain('onestop-notification-reminder');
  for (const id of await scheduleIds(client)) await client.schedule.getHandle(id).delete();
});
