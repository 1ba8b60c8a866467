// Client-side: the monthly billing run. Not part of the workflow bundle.
import { ScheduleOverlapPolicy } from '@temporalio/client';
import { inJapan, startWorkflowAction, type ScheduleDefinition } from '../schedule-definition';
import { scheduledBillingWorkflow } from './scheduled-billing-workflow';
import { billingPolicy } from './client';
import type { ScheduledBillingInput } from './definitions';

export const BILLING_SCHEDULE_ID = 'monthly-billing';

/** BILL-3: on the 1st of every month (Japan time) the previous month's billing starts; the invoice is due by the 10th. */
export const billingSchedule: ScheduleDefinition = {
  id: BILLING_SCHEDULE_ID,
  purpose: 'BILL-3 previous month billing on the 1st',
  shape: (config) => ({
    spec: inJapan({ dayOfMonth: 1, hour: config.billing.runTime.hour, minute: config.billing.runTime.minute, comment: 'previous month billing' }),
    action: startWorkflowAction(config, scheduledBillingWorkflow, [{ requestedBy: 'system:schedule', policy: billingPolicy(config) }] satisfies [ScheduledBillingInput], 'billing-scheduled'),
    // A run missed while the machine was down is caught up within the week: the 10th is still ahead.
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '7 days' },
  }),
};
