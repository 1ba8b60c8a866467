import { randomUUID } from 'node:crypto';
import { Client, Connection, type ScheduleDescription } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { loadConfig } from '../../config/env';
import { ensureSchedule, type ScheduleDefinition } from '../../workflows/schedule-definition';
import { required } from './context';

/**
 * Runs `use` with a client in a Temporal namespace of its own on the run's dev server (named
 * `<prefix>-<random>`), so a schedule created there can never start work for the other suites.
 */
export async function inOwnNamespace<T>(prefix: string, use: (client: Client) => Promise<T>): Promise<T> {
  const connection = await Connection.connect({ address: required('TEST_TEMPORAL_ADDRESS') });
  try {
    const namespace = `${prefix}-${randomUUID().slice(0, 8)}`;
    await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') });
    return await use(new Client({ connection, namespace }));
  } finally {
    await connection.close();
  }
}

/** Brings `def` in line with the configuration of `env` (task queue 'unused') and describes the schedule. */
export async function ensureAndDescribe(client: Client, def: ScheduleDefinition, env: Record<string, string> = {}): Promise<ScheduleDescription> {
  await ensureSchedule(client, def, loadConfig({ TEMPORAL_TASK_QUEUE: 'unused', ...env }));
  return client.schedule.getHandle(def.id).describe();
}

/** What every schedule of the system shares: Japan time, and an action starting `workflowType` on the configured task queue. */
export function expectJapanTimeStart(description: ScheduleDescription, workflowType: string): void {
  expect(description.spec.timezone).toBe('Asia/Tokyo');
  expect(description.action).toMatchObject({ type: 'startWorkflow', workflowType, taskQueue: 'unused' });
}
