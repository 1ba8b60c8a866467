// Client-side helpers for ImportFileWorkflow (API, schedule, bench, tests). Not part of the workflow bundle.
import type { Client, WorkflowHandle } from '@temporalio/client';
import { importWorkflowId } from '../../ledger/intake';
import { importFileWorkflow } from './import-file-workflow';

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
