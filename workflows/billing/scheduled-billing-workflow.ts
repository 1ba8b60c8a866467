import { ParentClosePolicy, startChild } from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { billingRunId, monthBefore } from '../../domain/billing/month';
import { monthlyBillingWorkflow } from './monthly-billing-workflow';
import type { ScheduledBillingInput } from './definitions';

/**
 * The schedule's run on the 1st: starts the previous month's MonthlyBillingWorkflow under
 * its month's ID (a schedule cannot name its workflows per month) and leaves it running.
 * A month already started on demand is left alone.
 */
export async function scheduledBillingWorkflow(input: ScheduledBillingInput): Promise<{ month: string; workflowId: string; started: boolean }> {
  const month = input.month ?? monthBefore(input.at ? new Date(input.at) : new Date());
  const workflowId = billingRunId(month, input.scope?.label);
  try {
    await startChild(monthlyBillingWorkflow, {
      workflowId,
      args: [{ month, requestedBy: input.requestedBy, scope: input.scope, policy: input.policy }],
      parentClosePolicy: ParentClosePolicy.ABANDON,
    });
    return { month, workflowId, started: true };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return { month, workflowId, started: false };
    throw err;
  }
}
