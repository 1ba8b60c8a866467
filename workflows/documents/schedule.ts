// Client-side: the daily print batch schedule. Not part of the workflow bundle.
import { ScheduleOverlapPolicy } from '@temporalio/client';
import { inJapan, startWorkflowAction, type ScheduleDefinition } from '../schedule-definition';
import { printBatchWorkflow } from '../documents/print-batch-workflow';
import type { PrintBatchInput } from './definitions';

export const PRINT_SCHEDULE_ID = 'print-batch-daily';

/**
 * DOCS-1: one batch a day in Japan time. Runs every day; the workflow skips
 * closed days unless PRINT_ON_CLOSED_DAYS is set (the year-end request), so
 * switching that on needs no schedule change beyond this update.
 */
export const printSchedule: ScheduleDefinition = {
  id: PRINT_SCHEDULE_ID,
  purpose: 'DOCS-1 daily print batch',
  shape: (config) => ({
    spec: inJapan({ hour: config.documents.batchTime.hour, minute: config.documents.batchTime.minute, comment: 'daily print batch' }),
    action: startWorkflowAction(
      config,
      printBatchWorkflow,
      [{ kind: 'scheduled', requestedBy: 'system:schedule', maxEnvelopes: config.documents.maxEnvelopes, runOnClosedDays: config.documents.runOnClosedDays, closure: config.documents.yearEndClosure }] satisfies [PrintBatchInput],
      'print-batch/scheduled',
    ),
    // A batch still waiting for the printer's confirmation must not stop tomorrow's batch.
    policies: { overlap: ScheduleOverlapPolicy.ALLOW_ALL, catchupWindow: '1 day' },
  }),
};
