import { condition, proxyActivities, setHandler } from '@temporalio/workflow';
import type { OneStopActivities } from '../../activities/onestop/onestop';
import { destructionDecidedSignal, type DestructionDecision } from './definitions';

const onestop = proxyActivities<OneStopActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', nonRetryableErrorTypes: ['DestructionRefused'] },
});

export interface RetentionResult {
  outcome: 'destroyed' | 'rejected';
  counts?: { applications: number; myNumbers: number; imageReferences: number };
}

/**
 * REC-1: one run per proposed destruction, ID retention/<id>. Nothing is
 * destroyed until the city approves; the destruction and its record are one
 * ledger transaction, so the record exists exactly when the data is gone.
 */
export async function retentionDestructionWorkflow(input: { destructionId: string }): Promise<RetentionResult> {
  let decision: DestructionDecision | undefined;
  setHandler(destructionDecidedSignal, (d) => {
    decision ??= d;
  });
  await condition(() => decision !== undefined);
  if (!decision!.approve) return { outcome: 'rejected' };
  const counts = await onestop.executeRetentionDestruction({ destructionId: input.destructionId, actor: 'system:retention' });
  return { outcome: 'destroyed', counts };
}
