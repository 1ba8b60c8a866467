import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { Finding } from '../../domain/onestop/review';

/**
 * Messages of OneStopApplicationWorkflow. Nothing here carries personal data:
 * the application id points into the ledger, where the 個人番号 is sealed.
 */
export interface OneStopWorkflowInput {
  applicationId: string;
  /** Days before the deadline on which a deficient application's donor is reminded. */
  reminderDaysBefore: number[];
}

export type OneStopWorkflowState = 'reviewing' | 'accepted' | 'deficient' | 'rejected_late' | 'closed_deficient';

export interface OneStopStatusView {
  applicationId: string;
  state: OneStopWorkflowState;
  round: number;
  deadlineOn?: string;
  findings: Finding[];
  notices: { kind: string; channel: string; at: string }[];
  resubmissions: number;
}

/** The ledger holds the resubmitted content; the signal only says which history row to look at. */
export interface Resubmitted {
  eventId: string;
  actor: string;
}

/** REC-1: the city's decision on a proposed destruction (recorded in the ledger by the API first). */
export interface DestructionDecision {
  approve: boolean;
  actor: string;
}

export const destructionDecidedSignal = defineSignal<[DestructionDecision]>('destructionDecided');
export const retentionWorkflowId = (destructionId: string) => `retention/${destructionId}`;

export const resubmittedSignal = defineSignal<[Resubmitted]>('resubmitted');
export const oneStopStatusQuery = defineQuery<OneStopStatusView>('oneStopStatus');

/** SEC-3: workflow id of an incident's report mail (incidentReportWorkflow), one per incident. */
export const incidentReportWorkflowId = (incidentId: string) => `incident-report/${incidentId}`;
