import { continueAsNew, defineQuery, proxyActivities, setHandler, startChild, ParentClosePolicy, workflowInfo } from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { IntakeActivities } from '../../activities/intake/intake';

const intake = proxyActivities<IntakeActivities>({
  startToCloseTimeout: '15 minutes',
  // A worker that dies mid-chunk stops heartbeating; another attempt resumes from the ledger's resume point.
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds', nonRetryableErrorTypes: ['ImportFileNotFoundError'] },
});

export interface ImportFileInput {
  fileId: string;
  /** Rows per activity: small enough that a retry repeats little, large enough to keep history short. */
  chunkRows?: number;
  /** Totals carried over a continue-as-new. */
  totals?: ImportTotals;
}

export interface ImportTotals {
  rowsDone: number;
  created: number;
  unchanged: number;
  quarantined: number;
  late: number;
}

export const importProgressQuery = defineQuery<ImportTotals>('importProgress');

/**
 * ImportFileWorkflow (PORTAL-1): one per stored portal file, ID import/<file id>.
 * It drives the file through chunk activities until every row is in the
 * ledger or the quarantine. Starting it twice for a file is refused by ID.
 */
export async function importFileWorkflow(input: ImportFileInput): Promise<ImportTotals> {
  const totals: ImportTotals = input.totals ?? { rowsDone: 0, created: 0, unchanged: 0, quarantined: 0, late: 0 };
  setHandler(importProgressQuery, () => totals);
  for (;;) {
    const r = await intake.importFileChunk({ fileId: input.fileId, maxRows: input.chunkRows ?? 2000 });
    totals.rowsDone = r.rowsDone;
    totals.created += r.created;
    totals.unchanged += r.unchanged;
    totals.quarantined += r.quarantined;
    totals.late += r.late;
    if (r.done) return totals;
    if (workflowInfo().continueAsNewSuggested) await continueAsNew<typeof importFileWorkflow>({ ...input, totals });
  }
}

/**
 * The scheduled collection (PORTAL-1): takes new files from every portal's
 * inbox and starts an import for each. Imports outlive this run (ABANDON), so
 * a slow file never delays the next collection.
 */
export async function collectPortalFilesWorkflow(): Promise<{ collected: number; started: string[] }> {
  const files = await intake.collectPortalFiles();
  const started: string[] = [];
  for (const f of files) {
    if (!f.needsImport) continue;
    try {
      await startChild(importFileWorkflow, {
        workflowId: `import/${f.fileId}`,
        args: [{ fileId: f.fileId }],
        parentClosePolicy: ParentClosePolicy.ABANDON,
      });
      started.push(f.fileId);
    } catch (err) {
      // Already started by an earlier collection that crashed after starting it.
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  }
  return { collected: files.length, started };
}
