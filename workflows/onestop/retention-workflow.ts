import { condition, patched, proxyActivities, setHandler, sleep } from '@temporalio/workflow';
import { jstDate } from '../../domain/jst';
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
  /** MYNUM-5: when a planned destruction was carried out (the workflow's clock). */
  timing?: { plannedOn: string; carriedOutOn: string; late: boolean; daysLate: number };
}

/** The first instant of a JST day. */
const jstMidnight = (day: string) => Date.parse(`${day}T00:00:00+09:00`);

/**
 * REC-1: one run per proposed destruction, ID retention/<id>, of one-stop
 * applications or (scope 'records') of the rest of the ledger. Nothing is
 * destroyed until the city approves; the destruction and its record are one
 * ledger transaction, so the record exists exactly when the data is gone.
 * MYNUM-5: with a planned date, an approved destruction waits (a timer) until that day begins in
 * Japan and is carried out then, not before; a consent given after the planned day is carried out
 * at once and its record says by how many days it was late.
 */
export async function retentionDestructionWorkflow(input: {
  destructionId: string;
  /** REC-1 for every record (workflows/retention); absent: one-stop applications */ scope?: 'records';
  /** MYNUM-5: the application's planned date (JST day); absent: at once after the consent. */ plannedOn?: string;
}): Promise<RetentionResult> {
  let decision: DestructionDecision | undefined;
  setHandler(destructionDecidedSignal, (d) => {
    decision ??= d;
  });
  await condition(() => decision !== undefined);
  if (!decision!.approve) return { outcome: 'rejected' };
  const planned = input.plannedOn && patched('mynum5-planned-date') ? input.plannedOn : undefined;
  if (planned) {
    const wait = jstMidnight(planned) - Date.now();
    if (wait > 0) await sleep(wait);
  }
  const execute = input.scope === 'records' ? records.executeRecordsDestruction : onestop.executeRetentionDestruction;
  const counts = await execute({ destructionId: input.destructionId, actor: 'system:retention' });
  if (!planned) return { outcome: 'destroyed', counts };
  const timing = await records.recordDestructionTiming({ destructionId: input.destructionId, plannedOn: planned, carriedOutOn: jstDate(new Date()) });
  return { outcome: 'destroyed', counts, timing };
}
