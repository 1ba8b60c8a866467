import { ParentClosePolicy, proxyActivities, startChild, uuid4, workflowInfo } from '@temporalio/workflow';
import type { OneStopActivities } from '../../activities/onestop/onestop';
import { jstDate } from '../../domain/jst';
import { retentionWorkflowId } from './definitions';
import { retentionDestructionWorkflow } from './retention-workflow';

const onestop = proxyActivities<OneStopActivities>({
  startToCloseTimeout: '5 minutes',
  retry: { initialInterval: '5 seconds', maximumInterval: '2 minutes', nonRetryableErrorTypes: ['DestructionRefused'] },
});

/** What both yearly REC-1 proposals are started with, beside their periods. */
export interface YearlyProposalInput {
  requestedBy: string;
  /** Only for catching up on a missed year: an earlier day, never a later one than today. */
  asOf?: string;
}

export interface RetentionProposalInput extends YearlyProposalInput {
  retentionYears: number;
}

/**
 * REC-1, yearly (schedule onestop-retention-proposal, Asia/Tokyo): proposes
 * destroying the 個人番号, images and other personal data of applications
 * past retention, and hands the proposal to retentionDestructionWorkflow,
 * which waits for the city's decision — nothing is destroyed before the city
 * approves. Nothing due: no proposal.
 */
export async function retentionProposalWorkflow(input: RetentionProposalInput): Promise<YearlyProposal> {
  return proposeToTheCity(
    input,
    (id, asOf) => onestop.proposeOneStopDestruction({ id, asOf, retentionYears: input.retentionYears, actor: input.requestedBy }),
    (proposed, asOf) => ({
      message: `保存期間 (${input.retentionYears}年) を過ぎた申告特例申請 ${proposed.count} 件の個人番号・画像・個人情報の廃棄を提案しました。市の承認 (POST /onestop/retention/destructions/${proposed.id}/decision) までは何も廃棄されません`,
      details: { destructionId: proposed.id, count: proposed.count, asOf, retentionYears: input.retentionYears },
    }),
  );
}

export type YearlyProposal = { destructionId?: string; count: number; asOf: string };

/**
 * REC-1, both yearly proposals: the day (asOf, today in Japan by default), the proposal under an id
 * chosen here (deterministically, so a retried activity finds its own proposal) and, when anything
 * is due, its hand-over to the city.
 */
export async function proposeToTheCity<P extends { id?: string; count: number }>(
  input: YearlyProposalInput,
  propose: (id: string, asOf: string) => Promise<P>,
  tell: (proposed: P & { id: string }, asOf: string) => { scope?: 'records'; message: string; details: Record<string, unknown> },
): Promise<YearlyProposal> {
  const asOf = input.asOf ?? jstDate(new Date());
  const id = uuid4();
  const proposed = await propose(id, asOf);
  if (!proposed.id) return { count: 0, asOf };
  await handToTheCity({ destructionId: proposed.id, ...tell(proposed as P & { id: string }, asOf) });
  return { destructionId: proposed.id, count: proposed.count, asOf };
}

/**
 * REC-1 (either scope): a new proposal goes to retentionDestructionWorkflow, which waits for the
 * city, and operators and the city are alerted (GET /onestop/alerts). Shared by the yearly proposals.
 */
export async function handToTheCity(p: { destructionId: string; scope?: 'records'; message: string; details: Record<string, unknown> }): Promise<void> {
  await startChild(retentionDestructionWorkflow, {
    workflowId: retentionWorkflowId(p.destructionId),
    args: [p.scope ? { destructionId: p.destructionId, scope: p.scope } : { destructionId: p.destructionId }],
    parentClosePolicy: ParentClosePolicy.ABANDON,
    taskQueue: workflowInfo().taskQueue,
  });
  await onestop.recordOneStopAlert({ kind: 'destruction_proposed', message: p.message, details: p.details, key: `destruction-proposed/${p.destructionId}` });
}
