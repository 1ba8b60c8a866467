// Client-side helpers for the API: start (or join) a month's report run. Not part of the workflow bundle.
import type { Client, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import type { AppConfig } from '../../config/env';
import { monthlyReportWorkflowId } from '../../domain/reports/month';
import { monthlyReportWorkflow } from './monthly-report-workflow';
import type { MonthlyReportView } from './definitions';

/**
 * REPORT-2: a report for a month on demand. A run already going for the month (scheduled or
 * asked for by someone else) is joined rather than doubled; otherwise a new run makes the next
 * revision.
 */
export async function startOrJoinMonthlyReport(
  client: Client,
  config: Pick<AppConfig, 'temporal' | 'reports'>,
  month: string,
  requestedBy: string,
): Promise<WorkflowHandleWithFirstExecutionRunId<typeof monthlyReportWorkflow>> {
  return client.workflow.start(monthlyReportWorkflow, {
    taskQueue: config.temporal.taskQueue,
    workflowId: monthlyReportWorkflowId(month),
    args: [{ month, kind: 'on_demand', requestedBy, dueDay: config.reports.dueDay, reminderDaysBefore: 0 }],
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
}

/** The run's result if it ends within `waitMs`, else undefined (still building). */
export async function resultWithin(handle: { result(): Promise<MonthlyReportView> }, waitMs: number): Promise<MonthlyReportView | undefined> {
  if (waitMs <= 0) return undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([handle.result(), new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), waitMs)))]);
  } finally {
    clearTimeout(timer);
  }
}
