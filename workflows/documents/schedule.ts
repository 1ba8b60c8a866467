// Client-side: the daily print batch schedule. Not part of the workflow bundle.
import { ScheduleOverlapPolicy } from '@temporalio/client';
import { inJapan, workflowSchedule } from '../schedule-definition';
import { printBatchWorkflow } from '../documents/print-batch-workflow';
import type { PrintBatchInput } from './definitions';

export const PRINT_SCHEDULE_ID = 'print-batch-daily';

/**
 * DOCS-1: one batch a day in Japan time. Runs every day; the workflow skips
 * closed days unless PRINT_ON_CLOSED_DAYS is set (the year-end request), so
 * switching that on needs no schedule change beyond this update.
 */
export const printSchedule = workflowSchedule(PRINT_SCHEDULE_ID, 'DOCS-1 daily print batch', printBatchWorkflow, (config) => {
  const d = config.documents;
  const input: PrintBatchInput = { kind: 'scheduled', requestedBy: 'system:schedule', maxEnvelopes: d.maxEnvelopes, runOnClosedDays: d.runOnClosedDays, closure: d.yearEndClosure };
  // A batch still waiting for the printer's confirmation must not stop tomorrow's batch.
  return { spec: inJapan({ ...d.batchTime, comment: 'daily print batch' }), input, workflowId: 'print-batch/scheduled', policies: { overlap: ScheduleOverlapPolicy.ALLOW_ALL, catchupWindow: '1 day' } };
});
