// Client-side: every Temporal Schedule the system runs on. Not part of the workflow bundle.
import type { Client } from '@temporalio/client';
import type { AppConfig } from '../config/env';
import { billingSchedule } from './billing/schedule';
import { printSchedule } from './documents/schedule';
import { intakeSchedule } from './intake/schedule';
import { notificationReminderSchedule, notificationSchedule, retentionSchedule } from './onestop/schedule';
import { reportSchedule } from './reports/schedule';
import { ensureSchedule, type ScheduleDefinition, type ScheduleOutcome } from './schedule-definition';
import { supplierOrderSchedule } from './shipping/schedule';

/**
 * The one list. The worker walks it at every start (worker/prepare-namespace.ts),
 * so a schedule added here exists wherever a worker runs; one left out of it
 * exists nowhere, which test/workflows/schedules.test.ts would notice.
 */
export const SCHEDULES: readonly ScheduleDefinition[] = [
  intakeSchedule,
  printSchedule,
  supplierOrderSchedule,
  notificationSchedule,
  notificationReminderSchedule,
  retentionSchedule,
  reportSchedule,
  billingSchedule,
];

export async function ensureSchedules(client: Client, config: AppConfig): Promise<{ id: string; purpose: string; outcome: ScheduleOutcome }[]> {
  const results = [];
  for (const def of SCHEDULES) results.push({ id: def.id, purpose: def.purpose, outcome: await ensureSchedule(client, def, config) });
  return results;
}
