// Client-side helpers for ImportFileWorkflow (API, schedule, bench, tests). Not part of the workflow bundle.
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { AppConfig } from '../../config/env';
import type { Donation } from '../../ledger/entities';
import { importWorkflowId } from '../../ledger/intake';
import type { DonationStart } from '../../ledger/migration-import';
import { ensureDonationWorkflow } from '../donation/client';
import type { donationWorkflow } from '../donation/donation-workflow';
import { importFileWorkflow } from './import-file-workflow';

/**
 * Starts an imported donation's workflow unless it exists; a migrated one
 * (LEDGER-4) starts at the stage the previous system had reached. Like
 * ensureDonationWorkflow, a running workflow is reused and a finished one is
 * never started again, so a repeated import changes nothing.
 */
export async function ensureImportedDonationWorkflow(
  client: Client,
  d: Donation,
  config: Pick<AppConfig, 'donation' | 'shipping' | 'temporal'>,
  start?: DonationStart,
  intake?: { importLate: boolean },
): Promise<WorkflowHandle<typeof donationWorkflow>> {
  return ensureDonationWorkflow(client, d, config, start ?? intake);
}

/** Starts the file's import unless it is running; a finished import is not repeated (its result stands). */
export async function ensureImportWorkflow(client: Client, fileId: string, taskQueue: string): Promise<WorkflowHandle<typeof importFileWorkflow>> {
  const workflowId = importWorkflowId(fileId);
  try {
    return await client.workflow.start(importFileWorkflow, {
      taskQueue,
      workflowId,
      args: [{ fileId }],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
  } catch (err) {
    if ((err as Error).name === 'WorkflowExecutionAlreadyStartedError') return client.workflow.getHandle(workflowId);
    throw err;
  }
}
