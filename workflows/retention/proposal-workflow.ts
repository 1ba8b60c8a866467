import { proxyActivities } from '@temporalio/workflow';
import type { RetentionActivities } from '../../activities/retention/retention';
import type { RecordClass } from '../../domain/retention/classes';
import { proposeToTheCity, type YearlyProposal, type YearlyProposalInput } from '../onestop/retention-proposal-workflow';

const retention = proxyActivities<RetentionActivities>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '5 seconds', maximumInterval: '2 minutes', nonRetryableErrorTypes: ['DestructionRefused'] },
});

export interface RecordsRetentionProposalInput extends YearlyProposalInput {
  /** Each class's years (RETENTION_YEARS…, 5–7), from the configuration at the schedule's creation. */
  years: Record<RecordClass, number>;
}

/**
 * REC-1, yearly (schedule records-retention-proposal, Asia/Tokyo): proposes destroying the personal
 * data and files of every record past its class's period that nothing still needs, and hands the
 * proposal to retentionDestructionWorkflow (scope 'records'), which waits for the city's decision.
 * Nothing due: no proposal. The alert goes where the one-stop one does (GET /onestop/alerts).
 */
export async function recordsRetentionProposalWorkflow(input: RecordsRetentionProposalInput): Promise<YearlyProposal> {
  return proposeToTheCity(
    input,
    (id, asOf) => retention.proposeRecordsDestruction({ id, asOf, years: input.years, actor: input.requestedBy }),
    (proposed, asOf) => ({
      scope: 'records',
      message: `保存期間を過ぎた記録 ${proposed.count} 件 (寄附者・寄附・送付先・問合せ・ファイルほか) の個人情報とファイルの廃棄を提案しました。市の承認 (POST /retention/proposals/${proposed.id}/decision) までは何も廃棄されません`,
      details: { destructionId: proposed.id, scope: 'records', count: proposed.count, counts: proposed.counts, asOf },
    }),
  );
}
