// Client-side: the gifts feature's schedule. Not part of the workflow bundle.
import { ScheduleOverlapPolicy } from '@temporalio/client';
import { inJapan, workflowSchedule } from '../schedule-definition';
import { recruitmentReportWorkflow, type RecruitmentReportInput } from './recruitment-report-workflow';

export const RECRUITMENT_REPORT_SCHEDULE_ID = 'supplier-recruitment-report';

/**
 * GIFT-6: on the 2nd of every month at 09:00 (Asia/Tokyo) the month before's recruitment report is mailed to
 * the city (REPORT_CITY_EMAIL), after the monthly report of the 1st. A run missed while the machine was down
 * is caught up within a week; a repeat mails nothing twice (the mail's key is the month).
 */
export const recruitmentReportSchedule = workflowSchedule(RECRUITMENT_REPORT_SCHEDULE_ID, 'GIFT-6 supplier recruitment report to the city, monthly', recruitmentReportWorkflow, (_config, scheduleId) => {
  const input: RecruitmentReportInput = { requestedBy: 'system:schedule' };
  return { spec: inJapan({ dayOfMonth: 2, hour: 9, minute: 0, comment: '事業者募集状況報告 (GIFT-6)' }), input, workflowId: `${scheduleId}/scheduled`, policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '7 days' } };
});
