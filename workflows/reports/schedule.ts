// Client-side: the monthly report schedule. Not part of the workflow bundle.
import { ScheduleOverlapPolicy } from '@temporalio/client';
import { inJapan, workflowSchedule } from '../schedule-definition';
import { monthlyReportScheduleWorkflow } from './monthly-report-workflow';
import type { MonthlyReportScheduleInput } from './definitions';

export const REPORT_SCHEDULE_ID = 'monthly-report';

/**
 * REPORT-1: on the 1st of every month (REPORT_SCHEDULE_TIME, Asia/Tokyo) the previous month's
 * report is started; it is due by REPORT_DUE_DAY. A run missed while the machine was down is
 * caught up within a week — still before the due day.
 */
export const reportSchedule = workflowSchedule(REPORT_SCHEDULE_ID, 'REPORT-1 monthly report on the 1st', monthlyReportScheduleWorkflow, (config, scheduleId) => {
  const r = config.reports;
  const input: MonthlyReportScheduleInput = { requestedBy: 'system:schedule', dueDay: r.dueDay, reminderDaysBefore: r.reminderDaysBefore };
  return { spec: inJapan({ dayOfMonth: 1, ...r.scheduleTime, comment: '月次業務報告書 (REPORT-1)' }), input, workflowId: `${scheduleId}/scheduled`, policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '7 days' } };
});
