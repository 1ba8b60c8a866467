// Client-side helpers: the policy from configuration and starting a month's run. Not part of the workflow bundle.
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { AppConfig } from '../../config/env';
import { billingRunId } from '../../domain/billing/month';
import { monthlyBillingWorkflow } from './monthly-billing-workflow';
import { billingStatusQuery, type BillingPolicy, type BillingScope, type BillingView } from './definitions';

export function billingPolicy(config: AppConfig): BillingPolicy {
  return {
    invoiceDay: config.billing.invoiceDay,
    reminderDaysBefore: config.billing.reminderDaysBefore,
    paymentDays: config.billing.paymentDays,
    paymentReminderDaysBefore: config.billing.paymentReminderDaysBefore,
    remindAt: { hour: 9, minute: 0 },
    requireReportInspection: config.billing.requireReportInspection,
  };
}

/** Starts the month's run on demand, or finds the one already running (the same month twice is one run). */
export async function startBillingRun(client: Client, config: AppConfig, input: { month: string; requestedBy: string; scope?: BillingScope }): Promise<{ runId: string; started: boolean }> {
  const runId = billingRunId(input.month, input.scope?.label);
  try {
    await client.workflow.start(monthlyBillingWorkflow, {
      taskQueue: config.temporal.taskQueue,
      workflowId: runId,
      args: [{ month: input.month, requestedBy: input.requestedBy, scope: input.scope, policy: billingPolicy(config) }],
    });
    return { runId, started: true };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return { runId, started: false };
    throw err;
  }
}

/** The run's own view (stage, deadlines, alerts), or null for a finished or not yet visible run: the ledger still answers for it. */
export async function billingRunView(client: Client, runId: string): Promise<BillingView | null> {
  try {
    return await client.workflow.getHandle(runId).query(billingStatusQuery);
  } catch {
    return null;
  }
}
