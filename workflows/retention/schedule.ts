// Client-side: the yearly records retention proposal (REC-1). Not part of the workflow bundle.
import type { ScheduleDefinition } from '../schedule-definition';
import { yearly, yearlyPolicies } from '../onestop/schedule';
import { recordsRetentionProposalWorkflow } from './proposal-workflow';

export const RECORDS_RETENTION_SCHEDULE_ID = 'records-retention-proposal';

/** REC-1: once a year (RETENTION_PROPOSAL_DATE, 09:30 JST) what is past its period is proposed; the city approves every destruction. */
export const recordsRetentionSchedule: ScheduleDefinition = {
  id: RECORDS_RETENTION_SCHEDULE_ID,
  purpose: 'REC-1 yearly records destruction proposal',
  shape: (config, scheduleId) => ({
    spec: yearly(config.retention.proposalDate, 9, 'REC-1 records destruction proposal', 30),
    action: {
      type: 'startWorkflow',
      workflowType: recordsRetentionProposalWorkflow,
      args: [{ years: config.retention.years, requestedBy: 'system:schedule' }],
      taskQueue: config.temporal.taskQueue,
      workflowId: `${scheduleId}/scheduled`,
    },
    policies: yearlyPolicies,
  }),
};
