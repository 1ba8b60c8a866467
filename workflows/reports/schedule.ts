// Client-side: the monthly report schedule. Not part of the workflow bundle.
import { ScheduleOverlapPolicy } from '@temporalio/client';
import { inJapan, startWorkflowAction, type ScheduleDefinition } from '../schedule-definition';
import { monthlyReportScheduleWorkflow } from './monthly-report-workflow';
import type { MonthlyReportScheduleInput } from './definitions';

export const REPORT_SCHEDULE_ID = 'monthly-report';

/**
 * REPORT-1: on the 1st of every month (REPORT_SCHEDULE_TIME, Asia/Tokyo) the previous month's
 * report is started; it is due by REPORT_DUE_DAY. A run missed while the machine was down is
 * caught up within a week — still before the due day.
 */
export const reportSchedule: ScheduleDefinition = {
  id: REPORT_SCHEDULE_ID,
  purpose: 'REPORT-1 monthly report on the 1st',
  shape: (config, scheduleId) => ({
    spec: inJapan({ dayOfMonth: 1, hour: config.reports.scheduleTime.hour, minute: config.reports.scheduleTime.minute, comment: '月次業務報告書 (REPORT-1)' }),
    action: startWorkflowAction(
      config,
      monthlyReportScheduleWorkflow,
      [{ requestedBy: 'system:schedule', dueDay: config.reports.dueDay, reminderDaysBefore: config.reports.reminderDaysBefore }] satisfies [MonthlyReportScheduleInput],
      `${scheduleId}/scheduled`,
    ),
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '7 days' },
  }),
};
