// Client-side helpers for OneStopApplicationWorkflow (API, tests). Not part of the workflow bundle.
import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowHandle } from '@temporalio/client';
import { oneStopApplicationWorkflow } from './onestop-application-workflow';

/** Idempotent start: the ID follows from the donation, so a retried intake finds the running (or finished) workflow. */
export async function ensureOneStopWorkflow(
  client: Client,
  app: { id: string; workflowId: string },
  opts: { taskQueue: string; reminderDaysBefore: number[] },
): Promise<WorkflowHandle<typeof oneStopApplicationWorkflow>> {
  try {
    return await client.workflow.start(oneStopApplicationWorkflow, {
      taskQueue: opts.taskQueue,
      workflowId: app.workflowId,
      args: [{ applicationId: app.id, reminderDaysBefore: opts.reminderDaysBefore }],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return client.workflow.getHandle(app.workflowId);
    throw err;
  }
}
