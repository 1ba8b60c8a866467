import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { DocumentsDeadline } from '../../domain/deadlines';
import type { DonationStatus, PaymentMethod } from '../../domain/donation-status';
import type { DonorFields } from '../../domain/donor';
import type { ShipToCorrectionResult, ShipToInput } from '../../domain/shipping/ship-to';
import type { Fulfilment, ShipmentStatus } from '../../domain/shipping/types';
import type { ShipmentPolicy } from '../shipping/definitions';
import type { NotesIgnoredMessages } from '../status-view';

/** Messages of DonationWorkflow, shared by the workflow and its callers (API, importers, tests). */
export interface DonationWorkflowInput {
  donationId: string;
  portal: string;
  portalOrderId: string;
  amountYen: number;
  paymentMethod: PaymentMethod;
  /** Set when the portal reports the donation as already paid (card payments). */
  paidAt?: string;
  /**
   * Set for donations migrated from the previous system (LEDGER-4) whose
   * documents were already posted there: the workflow records them as sent
   * instead of waiting for a print batch.
   */
  documentsSentAt?: string;
  /**
   * Set for migrated donations (LEDGER-4) whose gifts the previous system already
   * shipped: no shipment is planned. Migrated donations without it whose gifts are
   * still due (SHIP-7) join the supplier orders like any paid donation.
   */
  giftsShippedAt?: string;
  /** INTAKE-4 findings that hold the donation for an operator before anything is sent. */
  reviewFlags: string[];
  /** Portal imports only: whether the import missed the next-business-day SLA (absent for hand entry and migration). */
  importLate?: boolean;
  /**
   * returnWindowDays (DOCS-4) is absent in executions started before returned mail existed;
   * the review-hold alerts (INTAKE-4) before they existed, and then no alert fires.
   */
  policy: {
    reminderLeadDays: number;
    returnWindowDays?: number;
    shipping?: ShipmentPolicy;
    reviewReminderHours?: number;
    reviewEscalationHours?: number;
  };
}

export interface Actor {
  /** Who did it, e.g. "operator:tanaka" or "system:portal-import". */
  actor: string;
}

export interface PaymentConfirmed extends Actor {
  paidAt: string;
  method?: PaymentMethod;
  reference?: string;
}

export interface DocumentsSent extends Actor {
  sentAt: string;
  reference?: string;
}

export interface CancelRequest extends Actor {
  reason: string;
}

export interface ReleaseHold extends Actor {
  reason: string;
}

export interface DonorCorrection extends Actor {
  reason: string;
  changes: Partial<DonorFields>;
}

/** 送付先: where the gifts go (null = to the donor); corrected until a shipment of the donation is ordered. */
export interface ShipToCorrection extends Actor {
  reason: string;
  shipTo: ShipToInput | null;
}

export type { ShipToCorrectionResult };

export interface MailReturned extends Actor {
  reason: string;
  returnedAt: string;
}

/** DOCS-4: the operator confirmed the address (by phone etc.); the corrected fields, or none if the address was right. */
export interface AddressConfirmation extends Actor {
  reason: string;
  changes: Partial<DonorFields>;
}

export interface DonorCorrectionResult {
  eventId: string;
  changed: (keyof DonorFields)[];
}

export interface DeadlineAlert {
  /** reminder/escalation: the documents deadline (DOCS-1); review_*: a review hold left waiting (INTAKE-4). */
  kind: 'reminder' | 'escalation' | 'review_reminder' | 'review_escalation';
  at: string;
}

export interface DonationStatusView extends NotesIgnoredMessages {
  donationId: string;
  portal: string;
  portalOrderId: string;
  status: DonationStatus;
  reviewFlags: string[];
  paymentMethod: PaymentMethod;
  paidAt?: string;
  deadline?: DocumentsDeadline;
  reminderAt?: string;
  alerts: DeadlineAlert[];
  documentsSentAt?: string;
  cancelReason?: string;
  corrections: number;
  returnedMail: number;
  /** How the gifts are fulfilled (SHIP-6 residents and record-only portals get none from us); absent before payment. */
  giftFulfilment?: Fulfilment;
  /** One entry per delivery of each gift line, with the child ShipmentWorkflow that carries it. */
  shipments?: { workflowId: string; giftCode: string; deliveryNo: number; deliveries: number; notBefore: string; status: ShipmentStatus | 'failed' }[];
}

export const paymentConfirmedSignal = defineSignal<[PaymentConfirmed]>('paymentConfirmed');
export const documentsSentSignal = defineSignal<[DocumentsSent]>('documentsSent');
export const cancelSignal = defineSignal<[CancelRequest]>('cancel');
export const releaseHoldSignal = defineSignal<[ReleaseHold]>('releaseHold');
export const correctDonorUpdate = defineUpdate<DonorCorrectionResult, [DonorCorrection]>('correctDonor');
export const correctShipToUpdate = defineUpdate<ShipToCorrectionResult, [ShipToCorrection]>('correctShipTo');
export const mailReturnedSignal = defineSignal<[MailReturned]>('mailReturned');
export const confirmAddressUpdate = defineUpdate<DonorCorrectionResult, [AddressConfirmation]>('confirmAddress');
export const statusQuery = defineQuery<DonationStatusView>('status');
