// Client-side: the yearly one-stop schedules (ONESTOP-4, REC-1). Not part of the workflow bundle.
import { ScheduleOverlapPolicy, type ScheduleSpec } from '@temporalio/client';
import { reminderMonthDay, type MonthDay } from '../../domain/onestop/notification';
import type { ScheduleDefinition } from '../schedule-definition';
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
  return { calendars: [{ month: MONTHS[date.month - 1], dayOfMonth: date.day, hour, minute, comment }], timezone: 'Asia/Tokyo' };
}

// A missed run is caught up within a week (the machine was down on the day); runs never overlap.
export const yearlyPolicies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '7 days' } as const;

/** ONESTOP-4: the 申告特例通知書 run on the city's date (ONESTOP_NOTIFICATION_DATE, 06:00 JST, so the files are there when the city's day starts). */
export const notificationSchedule: ScheduleDefinition = {
  id: NOTIFICATION_SCHEDULE_ID,
  purpose: 'ONESTOP-4 申告特例通知書 run',
  shape: (config, scheduleId) => ({
    spec: yearly(config.onestop.notificationDate, 6, '申告特例通知書 (ONESTOP-4)'),
    action: { type: 'startWorkflow', workflowType: onestopNotificationWorkflow, args: [{ requestedBy: 'system:schedule' }], taskQueue: config.temporal.taskQueue, workflowId: `${scheduleId}/scheduled` },
    policies: yearlyPolicies,
  }),
};

/** The reminder ONESTOP_NOTIFICATION_REMINDER_DAYS before the notification date (09:00 JST); none when 0. */
export const notificationReminderSchedule: ScheduleDefinition = {
  id: NOTIFICATION_REMINDER_SCHEDULE_ID,
  purpose: 'ONESTOP-4 申告特例通知書 reminder',
  shape: (config, scheduleId) => {
    const o = config.onestop;
    if (o.notificationReminderDays <= 0) return undefined;
    return {
      spec: yearly(reminderMonthDay(o.notificationDate, o.notificationReminderDays), 9, '申告特例通知書 reminder'),
      action: { type: 'startWorkflow', workflowType: onestopNotificationReminderWorkflow, args: [{ date: o.notificationDate }], taskQueue: config.temporal.taskQueue, workflowId: `${scheduleId}/scheduled` },
      policies: yearlyPolicies,
    };
  },
};

/** REC-1: the yearly destruction proposal (ONESTOP_RETENTION_PROPOSAL_DATE, 09:00 JST) — the city still approves every destruction. */
export const retentionSchedule: ScheduleDefinition = {
  id: RETENTION_SCHEDULE_ID,
  purpose: 'REC-1 yearly destruction proposal',
  shape: (config, scheduleId) => ({
    spec: yearly(config.onestop.retentionProposalDate, 9, 'REC-1 destruction proposal'),
    action: {
      type: 'startWorkflow',
      workflowType: retentionProposalWorkflow,
      args: [{ retentionYears: config.onestop.retentionYears, requestedBy: 'system:schedule' }],
      taskQueue: config.temporal.taskQueue,
      workflowId: `${scheduleId}/scheduled`,
    },
    policies: yearlyPolicies,
  }),
};

/** MYNUM-3 / MYNUM-6: the past month's 特定個人情報 handling report, on the 1st at 07:00 JST. */
export const handlingReportSchedule: ScheduleDefinition = {
  id: HANDLING_REPORT_SCHEDULE_ID,
  purpose: 'MYNUM-3 monthly handling report',
  shape: (config, scheduleId) => ({
    spec: { calendars: [{ dayOfMonth: 1, hour: 7, minute: 0, comment: '特定個人情報の取扱状況報告 (MYNUM-3)' }], timezone: 'Asia/Tokyo' },
    action: { type: 'startWorkflow', workflowType: mynumberHandlingReportWorkflow, args: [{ requestedBy: 'system:schedule' }], taskQueue: config.temporal.taskQueue, workflowId: `${scheduleId}/scheduled` },
    policies: yearlyPolicies,
  }),
};

/** DOCS-5: the DSN mailbox read every MAIL_DSN_CHECK_MINUTES; a run still going is not started twice. */
export const lateBounceSchedule: ScheduleDefinition = {
  id: LATE_BOUNCE_SCHEDULE_ID,
  purpose: 'DOCS-5 late bounces from the DSN mailbox',
  shape: (config, scheduleId) => ({
    spec: { intervals: [{ every: `${config.mail.dsnCheckMinutes} minutes` }] },
    action: { type: 'startWorkflow', workflowType: lateBounceWorkflow, args: [{ dir: config.mail.dsnDir }], taskQueue: config.temporal.taskQueue, workflowId: `${scheduleId}/scheduled` },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' },
  }),
};
