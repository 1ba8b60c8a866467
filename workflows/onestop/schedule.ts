// Client-side: the yearly one-stop schedules (ONESTOP-4, REC-1). Not part of the workflow bundle.
import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type Client, type ScheduleOptionsAction, type ScheduleSpec } from '@temporalio/client';
import type { AppConfig } from '../../config/env';
import { reminderMonthDay, type MonthDay } from '../../domain/onestop/notification';
import { onestopNotificationReminderWorkflow, onestopNotificationWorkflow } from './notification-workflow';
import { retentionProposalWorkflow } from './retention-proposal-workflow';

export const NOTIFICATION_SCHEDULE_ID = 'onestop-notification';
export const NOTIFICATION_REMINDER_SCHEDULE_ID = 'onestop-notification-reminder';
export const RETENTION_SCHEDULE_ID = 'onestop-retention-proposal';

const MONTHS = ['JANUARY', 'FEBRUARY', 'MARCH', 'APRIL', 'MAY', 'JUNE', 'JULY', 'AUGUST', 'SEPTEMBER', 'OCTOBER', 'NOVEMBER', 'DECEMBER'] as const;

/** Once a year at hour:00 on month/day, Japan time. */
function yearly(date: MonthDay, hour: number, comment: string): ScheduleSpec {
  return { calendars: [{ month: MONTHS[date.month - 1], dayOfMonth: date.day, hour, minute: 0, comment }], timezone: 'Asia/Tokyo' };
}

async function upsert(client: Client, scheduleId: string, spec: ScheduleSpec, action: ScheduleOptionsAction): Promise<void> {
  try {
    // A missed run is caught up within a week (the machine was down on the day); runs never overlap.
    await client.schedule.create({ scheduleId, spec, action, policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '7 days' } });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    // Configuration may have changed since the schedule was made: bring it in line.
    await client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, spec, action }));
  }
}

/**
 * ONESTOP-4: the 申告特例通知書 run on the city's date (ONESTOP_NOTIFICATION_DATE,
 * 06:00 JST, so the files are there when the city's day starts) and the
 * reminder ONESTOP_NOTIFICATION_REMINDER_DAYS before it (09:00 JST; none when
 * 0). REC-1: the yearly destruction proposal (ONESTOP_RETENTION_PROPOSAL_DATE,
 * 09:00 JST) — the city still approves every destruction. Idempotent: a second
 * call updates the schedules in place.
 */
export async function ensureOneStopSchedules(client: Client, config: Pick<AppConfig, 'temporal' | 'onestop'>): Promise<void> {
  const { taskQueue } = config.temporal;
  const o = config.onestop;
  await upsert(client, NOTIFICATION_SCHEDULE_ID, yearly(o.notificationDate, 6, '申告特例通知書 (ONESTOP-4)'), {
    type: 'startWorkflow',
    workflowType: onestopNotificationWorkflow,
    args: [{ requestedBy: 'system:schedule' }],
    taskQueue,
    workflowId: `${NOTIFICATION_SCHEDULE_ID}/scheduled`,
  });
  if (o.notificationReminderDays > 0) {
    await upsert(client, NOTIFICATION_REMINDER_SCHEDULE_ID, yearly(reminderMonthDay(o.notificationDate, o.notificationReminderDays), 9, '申告特例通知書 reminder'), {
      type: 'startWorkflow',
      workflowType: onestopNotificationReminderWorkflow,
      args: [{ date: o.notificationDate }],
      taskQueue,
      workflowId: `${NOTIFICATION_REMINDER_SCHEDULE_ID}/scheduled`,
    });
  } else {
    await client.schedule
      .getHandle(NOTIFICATION_REMINDER_SCHEDULE_ID)
      .delete()
      .catch((err) => {
        if (!(err instanceof ScheduleNotFoundError)) throw err;
      });
  }
  await upsert(client, RETENTION_SCHEDULE_ID, yearly(o.retentionProposalDate, 9, 'REC-1 destruction proposal'), {
    type: 'startWorkflow',
    workflowType: retentionProposalWorkflow,
    args: [{ retentionYears: o.retentionYears, requestedBy: 'system:schedule' }],
    taskQueue,
    workflowId: `${RETENTION_SCHEDULE_ID}/scheduled`,
  });
}
