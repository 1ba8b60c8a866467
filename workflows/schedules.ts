// Client-side: brings every feature's Temporal Schedules in line. Not part of the workflow bundle.
import type { Client } from '@temporalio/client';
import type { AppConfig } from '../config/env';
import { SCHEDULES } from './features';
import { ensureSchedule, type ScheduleOutcome } from './schedule-definition';

/**
 * The worker calls this at every start (worker/prepare-namespace.ts), so a schedule
 * declared in a feature's registry exists wherever a worker runs.
 */
export async function ensureSchedules(client: Client, config: AppConfig): Promise<{ id: string; purpose: string; outcome: ScheduleOutcome }[]> {
  const results = [];
  for (const def of SCHEDULES) results.push({ id: def.id, purpose: def.purpose, outcome: await ensureSchedule(client, def, config) });
  return results;
}
