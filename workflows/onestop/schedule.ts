// Client-side: the yearly one-stop schedules (ONESTOP-4, REC-1). Not part of the workflow bundle.
import { ScheduleOverlapPolicy, type ScheduleSpec } from '@temporalio/client';
import { reminderMonthDay, type MonthDay } from '../../domain/onestop/notification';
import { inJapan, workflowSchedule } from '../schedule-definition';
import { onestopNotificationReminderWorkflow, onestopNotificationWorkflow } from './notification-workflow';
import { retentionProposalWorkflow } from './retention-proposal-workflow';
import { mynumberHandlingReportWorkflow } from './handling-report-workflow';
import { lateBounceWorkflow } from './late-bounce-workflow';

export const NOTIFICATION_SCHEDULE_ID = 'onestop-notification';
export const NOTIFICATION_REMINDER_SCHEDULE_ID = 'onestop-notification-reminder';
export const RETENTION_SCHEDULE_ID = 'onestop-retention-proposal';
export const HANDLING_REPORT_SCHEDULE_ID = 'mynumber-handling-report';
export const LATE_BOUNCE_SCHEDULE_ID = 'mail-late-bounces';

const MONTHS = ['JANUARY', 'FEBRUARY', 'MARCH', 'APRIL', 'MAY', 'JUNE', 'JULY', 'AUGUST', 'SEPTEMBER', 'OCTOBER', 'NOVEMBER', 'DECEMBER'] as const;

/** Once a year at hour:00 on month/day, Japan time. */
export function yearly(date: MonthDay, hour: number, comment: string, minute = 0): ScheduleSpec {
  return inJapan({ month: MONTHS[date.month - 1], dayOfMonth: date.day, hour, minute, comment });
}

// A missed run is caught up within a week (the machine was down on the day); runs never overlap.
export const yearlyPolicies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '7 days' } as const;

const scheduled = (scheduleId: string) => `${scheduleId}/scheduled`;
const bySchedule = { requestedBy: 'system:schedule' } as const;

/** ONESTOP-4: the 申告特例通知書 run on the city's date (ONESTOP_NOTIFICATION_DATE, 06:00 JST, so the files are there when the city's day starts). */
export const notificationSchedule = workflowSchedule(NOTIFICATION_SCHEDULE_ID, 'ONESTOP-4 申告特例通知書 run', onestopNotificationWorkflow, (config, scheduleId) => ({
  spec: yearly(config.onestop.notificationDate, 6, '申告特例通知書 (ONESTOP-4)'),
  input: bySchedule, workflowId: scheduled(scheduleId), policies: yearlyPolicies,
}));

/** The reminder ONESTOP_NOTIFICATION_REMINDER_DAYS before the notification date (09:00 JST); none when 0. */
export const notificationReminderSchedule = workflowSchedule(NOTIFICATION_REMINDER_SCHEDULE_ID, 'ONESTOP-4 申告特例通知書 reminder', onestopNotificationReminderWorkflow, (config, scheduleId) => {
  const o = config.onestop;
  if (o.notificationReminderDays <= 0) return undefined;
  const spec = yearly(reminderMonthDay(o.notificationDate, o.notificationReminderDays), 9, '申告特例通知書 reminder');
  return { spec, input: { date: o.notificationDate }, workflowId: scheduled(scheduleId), policies: yearlyPolicies };
});

/** REC-1: the yearly destruction proposal (ONESTOP_RETENTION_PROPOSAL_DATE, 09:00 JST) — the city still approves every destruction. */
export const retentionSchedule = workflowSchedule(RETENTION_SCHEDULE_ID, 'REC-1 yearly destruction proposal', retentionProposalWorkflow, (config, scheduleId) => ({
  spec: yearly(config.onestop.retentionProposalDate, 9, 'REC-1 destruction proposal'),
  input: { retentionYears: config.onestop.retentionYears, ...bySchedule }, workflowId: scheduled(scheduleId), policies: yearlyPolicies,
}));

/** MYNUM-3 / MYNUM-6: the past month's 特定個人情報 handling report, on the 1st at 07:00 JST. */
export const handlingReportSchedule = workflowSchedule(HANDLING_REPORT_SCHEDULE_ID, 'MYNUM-3 monthly handling report', mynumberHandlingReportWorkflow, (_config, scheduleId) => ({
  spec: inJapan({ dayOfMonth: 1, hour: 7, minute: 0, comment: '特定個人情報の取扱状況報告 (MYNUM-3)' }),
  input: bySchedule, workflowId: scheduled(scheduleId), policies: yearlyPolicies,
}));

/** DOCS-5: the DSN mailbox read every MAIL_DSN_CHECK_MINUTES; a run still going is not started twice. */
export const lateBounceSchedule = workflowSchedule(LATE_BOUNCE_SCHEDULE_ID, 'DOCS-5 late bounces from the DSN mailbox', lateBounceWorkflow, (config, scheduleId) => ({
  spec: { intervals: [{ every: `${config.mail.dsnCheckMinutes} minutes` }] },
  input: { dir: config.mail.dsnDir }, workflowId: scheduled(scheduleId), policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' },
}));
