import { CANCELLABLE_STATUSES, type DonationStatus } from './donation-status';

/**
 * CALL-5 (spec 7(8)ア): a donor's cancellation (寄附のキャンセル), one rule per state of the donation.
 *  - before payment (received, held, awaiting_payment): the donation is cancelled;
 *  - after payment, before the receipt is posted (paid, documents_due): cancelled; gift deliveries not yet
 *    shipped stop and the stock goes back (the refund is the city's, outside this system);
 *  - after the receipt is posted (documents_sent, mail_returned): cancelled, every receipt of the donation is
 *    voided (取消) and the city is informed;
 *  - after a gift has left the supplier (shipped, delivered, or in trouble after shipping): refused, with the reason.
 * A completed or cancelled donation has nothing left to cancel (its workflow is closed): refused with the reason
 * (a completed one names its shipped gift, or says the return window has ended).
 */
export type CancellationStage = 'before_payment' | 'after_payment' | 'after_receipt';

/** States in which a posted receipt exists: a cancellation there voids it (the DonationWorkflow accepts it from donation-v6 on). */
export const CANCELLABLE_AFTER_RECEIPT: readonly DonationStatus[] = ['documents_sent', 'mail_returned'];

const BEFORE_PAYMENT: readonly DonationStatus[] = ['received', 'held', 'awaiting_payment'];

export interface ShipmentFact {
  reference?: string | null;
  giftCode: string;
  status: string;
  shippedOn: string | null;
}

export type CancellationDecision =
  | { ok: true; stage: CancellationStage }
  | { ok: false; kind: 'shipped'; field: string; reason: string }
  | { ok: false; kind: 'closed'; reason: string };

/** The shipment that makes a cancellation impossible: one that has left the supplier. */
export function shippedGift(shipments: readonly ShipmentFact[]): ShipmentFact | undefined {
  return shipments.find((s) => s.shippedOn !== null || s.status === 'shipped' || s.status === 'delivered');
}

export function decideCancellation(status: DonationStatus, shipments: readonly ShipmentFact[]): CancellationDecision {
  const shipped = shippedGift(shipments);
  const what = shipped && `gift ${shipped.giftCode}${shipped.reference ? ` (shipment ${shipped.reference})` : ''} was shipped${shipped.shippedOn ? ` on ${shipped.shippedOn}` : ''}`;
  if (status === 'cancelled') return { ok: false, kind: 'closed', reason: 'donation is cancelled already: there is nothing left to cancel' };
  if (status === 'completed') {
    // Completed: its gifts were delivered, or it had none and its receipt's return window ended; a refund is the city's to decide.
    return { ok: false, kind: 'closed', reason: `donation is completed${what ? ` (${what})` : ' (its receipt was posted and the return window has ended)'}: a completed donation cannot be cancelled (完了後のキャンセル不可); a refund is for the city to decide` };
  }
  if (shipped) return { ok: false, kind: 'shipped', field: 'donation.shipments', reason: `${what}: a donation whose gift has been shipped cannot be cancelled (発送後のキャンセル不可)` };
  if (BEFORE_PAYMENT.includes(status)) return { ok: true, stage: 'before_payment' };
  if (CANCELLABLE_STATUSES.includes(status)) return { ok: true, stage: 'after_payment' };
  if (CANCELLABLE_AFTER_RECEIPT.includes(status)) return { ok: true, stage: 'after_receipt' };
  return { ok: false, kind: 'closed', reason: `donation is ${status}: there is nothing left to cancel` };
}
