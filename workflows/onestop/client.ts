// Client-side helpers for OneStopApplicationWorkflow (API, tests). Not part of the workflow bundle.
import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { IncidentCityMail } from '../../domain/onestop/incidents';
import { incidentReportWorkflowId } from './definitions';
import { incidentReportWorkflow } from './incident-workflow';
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

/**
 * SEC-3: starts the incident's report mail (incidentReportWorkflow, idempotent per incident) and
 * waits up to `waitMs` for its outcome. Undefined when it did not come in time or the start failed:
 * the incident stands, its mail record says what is known (pending), and the workflow (or the next
 * incident's resend) still sends it.
 */
export async function reportIncidentToCity(client: Client, incidentId: string, opts: { taskQueue: string; waitMs: number }): Promise<IncidentCityMail | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const handle = await client.workflow.start(incidentReportWorkflow, {
      taskQueue: opts.taskQueue,
      workflowId: incidentReportWorkflowId(incidentId),
      args: [{ incidentId }],
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
    const late = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), opts.waitMs);
    });
    return await Promise.race([handle.result(), late]);
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}
