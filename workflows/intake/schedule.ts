// Client-side: the scheduled portal collection (PORTAL-1). Not part of the workflow bundle.
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { AppConfig } from '../../config/env';
import { collectPortalFilesWorkflow } from './import-file-workflow';

export const INTAKE_SCHEDULE_ID = 'portal-intake';

/**
 * Every 30 minutes, around the clock, in Japan time: portals publish exports
 * at their own hours, and the next-business-day SLA leaves no room for a
 * once-a-day run that misses a file. A collection still running when the next
 * is due makes the next one unnecessary (SKIP). Idempotent: a second call
 * updates the existing schedule.
 */
export async function ensureIntakeSchedule(client: Client, config: Pick<AppConfig, 'temporal'>, scheduleId = INTAKE_SCHEDULE_ID): Promise<void> {
  const spec = { calendars: [{ hour: '*' as const, minute: [5, 35], comment: 'collect portal files' }], timezone: 'Asia/Tokyo' };
  const action = {
    type: 'startWorkflow' as const,
    workflowType: collectPortalFilesWorkflow,
    args: [] as [],
    taskQueue: config.temporal.taskQueue,
    workflowId: `${scheduleId}/collect`,
  };
  try {
    await client.schedule.create({ scheduleId, spec, action, policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' } });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, spec, action }));
  }
}
