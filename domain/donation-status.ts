/**
 * The donation lifecycle. Later stages (gift shipment, one-stop) attach to
 * documents_sent → completed without changing the earlier states.
 */
export const DONATION_STATUSES = [
  'received',
  'held',
  'awaiting_payment',
  'paid',
  'documents_due',
  'documents_sent',
  'mail_returned',
  'completed',
  'cancelled',
] as const;

export type DonationStatus = (typeof DONATION_STATUSES)[number];

export const TERMINAL_STATUSES: readonly DonationStatus[] = ['completed', 'cancelled'];

/** A donation can be cancelled until its documents are in the post; after that a receipt exists and must be withdrawn by hand. */
export const CANCELLABLE_STATUSES: readonly DonationStatus[] = ['received', 'held', 'awaiting_payment', 'paid', 'documents_due'];

/** Donor corrections are accepted while the donation is alive: afterwards the documents are already out. */
export const CORRECTABLE_STATUSES: readonly DonationStatus[] = ['received', 'held', 'awaiting_payment', 'paid', 'documents_due', 'documents_sent', 'mail_returned'];

export const CHANNELS = ['portal', 'phone', 'fax', 'mail', 'counter'] as const;
export type Channel = (typeof CHANNELS)[number];

export const PAYMENT_METHODS = ['credit_card', 'bank_transfer', 'postal_transfer', 'convenience_store', 'cash', 'other'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];
