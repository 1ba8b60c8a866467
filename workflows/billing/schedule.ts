// Client-side: the monthly billing run. Not part of the workflow bundle.
import { ScheduleAlreadyRunning, ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { AppConfig } from '../../config/env';
import { scheduledBillingWorkflow } from './scheduled-billing-workflow';
import { billingPolicy } from './client';
import type { ScheduledBillingInput } from './definitions';

export const BILLING_SCHEDULE_ID = 'monthly-billing';

/** BILL-3: on the 1st of every month (Japan time) the previous month's billing starts; the invoice is due by the 10th. */
export async function ensureBillingSchedule(client: Client, config: AppConfig): Promise<void> {
  const args: [ScheduledBillingInput] = [{ requestedBy: 'system:schedule', policy: billingPolicy(config) }];
  const spec = {
    calendars: [{ dayOfMonth: 1, hour: config.billing.runTime.hour, minute: config.billing.runTime.minute, comment: 'previous month billing' }],
    timezone: 'Asia/Tokyo',
  };
  const action = { type: 'startWorkflow' as const, workflowType: scheduledBillingWorkflow, args, taskQueue: config.temporal.taskQueue, workflowId: 'billing-scheduled' };
  try {
    // A run missed while the machine was down is caught up within the week: the 10th is still ahead.
    await client.schedule.create({ scheduleId: BILLING_SCHEDULE_ID, spec, action, policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '7 days' } });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule.getHandle(BILLING_SCHEDULE_ID).update((previous) => ({ ...previous, spec, action }));
  }
}
