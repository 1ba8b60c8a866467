import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { OneStopActivities, NotificationDelivery } from '../../activities/onestop/onestop';
import { jstDate } from '../../domain/jst';
import { daysBetween, donationYearDueNext, donationYearOfDelivery, notificationDueOn, type MonthDay } from '../../domain/onestop/notification';
import { step } from '../step-options';

const ledger = proxyActivities<OneStopActivities>(step('10 minutes', { backoff: ['5 seconds', '2 minutes'] }));

// Opening 15,000 numbers and writing the files takes a while; the activity heartbeats as it goes.
const delivery = proxyActivities<OneStopActivities>(step('30 minutes', { heartbeat: '2 minutes', backoff: ['10 seconds', '5 minutes'] }));

export interface OneStopNotificationInput {
  /** The donation year; absent when the yearly schedule starts the run (then: the year before this one, JST). */
  donationYear?: number;
  requestedBy: string;
  /** The instant whose year counts when donationYear is absent; absent = when this run started (the schedule's firing). Tests pin it. */
  at?: string;
}

export interface OneStopNotificationResult extends NotificationDelivery {
  matched: number;
  municipalities: number;
}

/**
 * ONESTOP-4, once a year on the city's date (schedule onestop-notification,
 * Asia/Tokyo) and on demand (POST /onestop/notifications): every accepted
 * application of the donation year gets its 整理番号 and receiving
 * municipality, one 申告特例通知書 file per municipality goes into the city's
 * drop folder with manifest.csv written last, and what could not go in is
 * listed for an operator (alert). Idempotent: a re-run writes the same bytes
 * and records no second delivery. Nothing personal passes through history:
 * the activities take the year and return counts, codes and hashes.
 */
export async function onestopNotificationWorkflow(input: OneStopNotificationInput): Promise<OneStopNotificationResult> {
  const { workflowId } = workflowInfo();
  const donationYear = input.donationYear ?? donationYearOfDelivery(input.at ? new Date(input.at) : new Date());
  const assigned = await ledger.assignOneStopNotifications({ donationYear });
  const delivered = await delivery.deliverOneStopNotifications({ donationYear, requestedBy: input.requestedBy, workflowId, undecided: assigned.undecided });
  if (delivered.created) {
    await ledger.recordOneStopAlert({
      kind: 'notification_delivered',
      donationYear,
      message: `申告特例通知書 ${donationYear}年分: ${delivered.files} 団体, ${delivered.applications} 件を納品フォルダに出力しました (manifest.csv sha256 ${delivered.manifestSha256.slice(0, 12)}…)`,
      details: { runId: delivered.runId, files: delivered.files, applications: delivered.applications, totalYen: delivered.totalYen, deliveryDir: delivered.deliveryDir },
      key: `notification-delivered/${delivered.runId}`,
    });
  }
  if (delivered.problems > 0 || delivered.undecided > 0) {
    await ledger.recordOneStopAlert({
      kind: 'notification_problems',
      donationYear,
      message: `申告特例通知書 ${donationYear}年分: ${delivered.problems} 件は通知先団体が未確定等のためファイルに含まれていません。審査中・不備 ${delivered.undecided} 件。確認後に再実行してください`,
      details: { problems: delivered.problems, undecided: delivered.undecided },
      key: `notification-problems/${delivered.runId}`,
    });
  }
  return { ...delivered, matched: assigned.matched, municipalities: assigned.municipalities };
}

export interface OneStopNotificationReminderInput {
  /** The city's delivery date (config ONESTOP_NOTIFICATION_DATE). */
  date: MonthDay;
  /** The instant the reminder counts from; absent = when this run started (the schedule's firing). Tests pin it. */
  at?: string;
}

/**
 * ONESTOP-4 reminder, some days before the city's date (schedule
 * onestop-notification-reminder): assigns municipalities now, so that
 * addresses without one can be fixed before the files are written, and
 * records an alert with what is ready and what is not.
 */
export async function onestopNotificationReminderWorkflow(input: OneStopNotificationReminderInput): Promise<{ donationYear: number; dueOn: string; daysLeft: number; matched: number; problems: number; undecided: number }> {
  const now = input.at ? new Date(input.at) : new Date();
  const donationYear = donationYearDueNext(now, input.date);
  const dueOn = notificationDueOn(donationYear, input.date);
  const daysLeft = daysBetween(jstDate(now), dueOn);
  const assigned = await ledger.assignOneStopNotifications({ donationYear });
  await ledger.recordOneStopAlert({
    kind: 'notification_due',
    donationYear,
    message:
      `申告特例通知書 ${donationYear}年分の納品日 ${dueOn} まであと${daysLeft}日: 受理 ${assigned.applications} 件 (${assigned.municipalities} 団体), ` +
      `通知先団体未確定 ${assigned.problems} 件, 審査中・不備 ${assigned.undecided} 件`,
    details: { dueOn, daysLeft, ...assigned },
    key: `notification-due/${donationYear}`,
  });
  return { donationYear, dueOn, daysLeft, matched: assigned.matched, problems: assigned.problems, undecided: assigned.undecided };
}
