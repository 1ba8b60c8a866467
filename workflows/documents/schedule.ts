// Client-side: the daily print batch schedule. Not part of the workflow bundle.
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { AppConfig } from '../../config/env';
import { printBatchWorkflow } from '../documents/print-batch-workflow';
import type { PrintBatchInput } from './definitions';

export const PRINT_SCHEDULE_ID = 'print-batch-daily';

/**
 * DOCS-1: one batch a day in Japan time. Runs every day; the workflow skips
 * closed days unless PRINT_ON_CLOSED_DAYS is set (the year-end request), so
 * switching that on needs no schedule change beyond this update.
 */
export async function ensurePrintSchedule(client: Client, config: AppConfig): Promise<void> {
  const args: [PrintBatchInput] = [
    { kind: 'scheduled', requestedBy: 'system:schedule', maxEnvelopes: config.documents.maxEnvelopes, runOnClosedDays: config.documents.runOnClosedDays },
  ];
  const spec = {
    calendars: [{ hour: config.documents.batchTime.hour, minute: config.documents.batchTime.minute, comment: 'daily print batch' }],
    timezone: 'Asia/Tokyo',
  };
  const action = { type: 'startWorkflow' as const, workflowType: printBatchWorkflow, args, taskQueue: config.temporal.taskQueue, workflowId: 'print-batch/scheduled' };
  try {
    await client.schedule.create({
      scheduleId: PRINT_SCHEDULE_ID,
      spec,
      action,
      // A batch still waiting for the printer's confirmation must not stop tomorrow's batch.
      policies: { overlap: ScheduleOverlapPolicy.ALLOW_ALL, catchupWindow: '1 day' },
    });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    // Configuration may have changed since the schedule was made: bring it in line.
    await client.schedule.getHandle(PRINT_SCHEDULE_ID).update((previous) => ({ ...previous, spec, action }));
  }
}
