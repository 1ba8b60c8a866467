import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Knex } from '@mikro-orm/postgresql';
import { decideCancellation, type CancellationStage } from '../../domain/cancellation';
import type { DonationStatus } from '../../domain/donation-status';
import { shipmentsOfDonation } from '../../ledger/shipments';
import { cancelSignal, statusQuery } from '../../workflows/donation/definitions';
import { badRequest, conflict } from '../errors';

export interface CancellableDonation {
  id: string;
  workflowId: string;
  /** The ledger's mirror, used when the workflow does not answer. */
  status: DonationStatus;
}

export type CancellationAnswer =
  | { accepted: true; stage: CancellationStage; status: DonationStatus }
  /** closed: the donation is completed or cancelled (409); otherwise a shipped gift (400 at `field`). */
  | { accepted: false; closed: boolean; field?: string; reason: string };

/** The donation's live state: its workflow's, else the ledger's mirror (a closed workflow, or no worker answering). */
export async function liveDonationStatus(temporal: Client, donation: CancellableDonation): Promise<DonationStatus> {
  try {
    return (await temporal.workflow.getHandle(donation.workflowId).query(statusQuery)).status;
  } catch {
    return donation.status;
  }
}

/**
 * CALL-5: the one way a donation is cancelled, from `POST /donations/:id/cancel` and from the desk
 * (`POST /calls/:id/cancellation`): domain/cancellation decides by state and shipments, the DonationWorkflow
 * carries it out (voiding a posted receipt). Answers what was decided (refusals too, for the call's history).
 */
export async function decideAndCancel(deps: { temporal: Client; knex: Knex }, donation: CancellableDonation, request: { actor: string; reason: string }): Promise<CancellationAnswer> {
  const status = await liveDonationStatus(deps.temporal, donation);
  const decision = decideCancellation(status, await shipmentsOfDonation(deps.knex, donation.id));
  if (!decision.ok) return decision.kind === 'closed' ? { accepted: false, closed: true, reason: decision.reason } : { accepted: false, closed: false, field: decision.field, reason: decision.reason };
  try {
    await deps.temporal.workflow.getHandle(donation.workflowId).signal(cancelSignal, request);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw conflict(`cannot cancel donation ${donation.id}: its workflow is closed (${status})`);
    throw err;
  }
  return { accepted: true, stage: decision.stage, status };
}

/** A refused cancellation: a closed donation as a 409 with the reason; a shipped gift as the 400 that names the field. */
export function refusal(donationId: string, answer: Extract<CancellationAnswer, { accepted: false }>) {
  return answer.closed || !answer.field ? conflict(`cannot cancel donation ${donationId}: ${answer.reason}`) : badRequest([{ field: answer.field, reason: answer.reason }]);
}
