import { condition, proxyActivities, setHandler } from '@temporalio/workflow';
import type { OneStopActivities } from '../../activities/onestop/onestop';
import type { RetentionActivities } from '../../activities/retention/retention';
import { destructionDecidedSignal, type DestructionDecision } from './definitions';

const onestop = proxyActivities<OneStopActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', nonRetryableErrorTypes: ['DestructionRefused'] },
});

const records = proxyActivities<RetentionActivities>({
  startToCloseTimeout: '30 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', nonRetryableErrorTypes: ['DestructionRefused'] },
});

export interface RetentionResult {
  outcome: 'destroyed' | 'rejected';
  counts?: { applications: number; myNumbers: number; imageReferences: number } | Record<string, number>;
}

/**
 * REC-1: one run per proposed destruction, ID retention/<id>, of one-stop
 * applications or (scope 'records') of the rest of the ledger. Nothing is
 * destroyed until the city approves; the destruction and its record are one
 * ledger transaction, so the record exists exactly when the data is gone.
 */
export async function retentionDestructionWorkflow(input: { destructionId: string; /** REC-1 for every record (workflows/retention); absent: one-stop applications */ scope?: 'records' }): Promise<RetentionResult> {
  let decision: DestructionDecision | undefined;
  setHandler(destructionDecidedSignal, (d) => {
    decision ??= d;
  });
  await condition(() => decision !== undefined);
  if (!decision!.approve) return { outcome: 'rejected' };
  const execute = input.scope === 'records' ? records.executeRecordsDestruction : onestop.executeRetentionDestruction;
  const counts = await execute({ destructionId: input.destructionId, actor: 'system:retention' });
  return { outcome: 'destroyed', counts };
}
