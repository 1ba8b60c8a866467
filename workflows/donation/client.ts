// Client-side helpers for DonationWorkflow (API, importers, tests). Not part of the workflow bundle.
import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { AppConfig } from '../../config/env';
import type { Donation } from '../../ledger/entities';
import { donationWorkflow } from './donation-workflow';
import type { DonationWorkflowInput } from './definitions';

/** Where a migrated donation starts (see donationWorkflowInput); a fresh one starts at the beginning. */
export type DonationStage = { documentsSentAt?: string; giftsShippedAt?: string; reviewFlags?: string[]; importLate?: boolean };

/**
 * `stage` places a donation migrated from the previous system (LEDGER-4, SHIP-7)
 * where that system had got to: documents already posted, gifts already shipped,
 * and the review flags that should hold it (absent = the ledger's).
 */
export function donationWorkflowInput(
  d: Donation,
  config: Pick<AppConfig, 'donation'> & Partial<Pick<AppConfig, 'shipping'>>,
  stage?: DonationStage,
): DonationWorkflowInput {
  return {
    donationId: d.id,
    portal: d.portal.code,
    portalOrderId: d.portalOrderId,
    amountYen: d.amountYen,
    paymentMethod: d.paymentMethod,
    paidAt: d.paidAt?.toISOString(),
    documentsSentAt: stage?.documentsSentAt ?? d.documentsSentAt?.toISOString(),
    ...(stage?.giftsShippedAt ? { giftsShippedAt: stage.giftsShippedAt } : {}),
    reviewFlags: [...(stage?.reviewFlags ?? d.reviewFlags)],
    ...(stage?.importLate !== undefined ? { importLate: stage.importLate } : {}),
    policy: {
      reminderLeadDays: config.donation.reminderLeadDays,
      returnWindowDays: config.donation.returnWindowDays,
      reviewReminderHours: config.donation.reviewReminderHours,
      reviewEscalationHours: config.donation.reviewEscalationHours,
      shipping: config.shipping && { maxReshipments: config.shipping.maxReshipments, deliveryOverdueDays: config.shipping.deliveryOverdueDays },
    },
  };
}

/**
 * Starts the donation's workflow unless it already exists. Safe to call again
 * after a crash between the ledger insert and the start: a running workflow is
 * reused and a finished one is never started a second time. `stage`: see donationWorkflowInput.
 */
export async function ensureDonationWorkflow(
  client: Client,
  d: Donation,
  config: Pick<AppConfig, 'donation' | 'shipping' | 'temporal'>,
  stage?: DonationStage,
): Promise<WorkflowHandle<typeof donationWorkflow>> {
  try {
    return await client.workflow.start(donationWorkflow, {
      taskQueue: config.temporal.taskQueue,
      workflowId: d.workflowId,
      args: [donationWorkflowInput(d, config, stage)],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return client.workflow.getHandle(d.workflowId);
    throw err;
  }
}
