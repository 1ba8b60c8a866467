// Client-side: the monthly report schedule. Not part of the workflow bundle.
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { AppConfig } from '../../config/env';
import { monthlyReportScheduleWorkflow } from './monthly-report-workflow';
import type { MonthlyReportScheduleInput } from './definitions';

export const REPORT_SCHEDULE_ID = 'monthly-report';

/**
 * REPORT-1: on the 1st of every month (REPORT_SCHEDULE_TIME, Asia/Tokyo) the previous month's
 * report is started; it is due by REPORT_DUE_DAY. A run missed while the machine was down is
 * caught up within a week — still before the due day. Idempotent: a second call updates in place.
 */
export async function ensureReportSchedule(client: Client, config: Pick<AppConfig, 'temporal' | 'reports'>): Promise<void> {
  const args: [MonthlyReportScheduleInput] = [{ requestedBy: 'system:schedule', dueDay: config.reports.dueDay, reminderDaysBefore: config.reports.reminderDaysBefore }];
  const spec = {
    calendars: [{ dayOfMonth: 1, hour: config.reports.scheduleTime.hour, minute: config.reports.scheduleTime.minute, comment: '月次業務報告書 (REPORT-1)' }],
    timezone: 'Asia/Tokyo',
  };
  const action = {
    type: 'startWorkflow' as const,
    workflowType: monthlyReportScheduleWorkflow,
    args,
    taskQueue: config.temporal.taskQueue,
    workflowId: `${REPORT_SCHEDULE_ID}/scheduled`,
  };
  try {
    await client.schedule.create({ scheduleId: REPORT_SCHEDULE_ID, spec, action, policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '7 days' } });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule.getHandle(REPORT_SCHEDULE_ID).update((previous) => ({ ...previous, spec, action }));
  }
}
