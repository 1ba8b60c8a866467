import type { Knex } from '@mikro-orm/postgresql';

/**
 * mail_log: one row per mail idempotency key (sendMail, activities/mail/send-mail.ts). The row is
 * written before the mail goes out (`sending`, or the skip status) and finished once the server
 * answered.
 */

export type MailStatus = 'sending' | 'sent' | 'rejected' | 'skipped_masked' | 'skipped_no_address';
export type FinalMailStatus = Exclude<MailStatus, 'sending'>;

export interface NewMailLogEntry {
  key: string;
  template: string;
  /** Personal data: stored here, never logged. */
  recipient: string | null;
  subject: string;
  donationId: string | null;
  shipmentId: string | null;
  status: MailStatus;
  response: string | null;
  messageId: string | null;
}

/**
 * Inserts the key's row unless it is there (`on conflict (idempotency_key) do nothing`): the
 * status of the row inserted, or nothing when the key was already there. A donation or shipment
 * not in the ledger fails the insert (foreign key).
 */
export async function insertMailLogEntry(knex: Knex, entry: NewMailLogEntry): Promise<{ status: MailStatus }[]> {
  return knex('mail_log')
    .insert({
      idempotency_key: entry.key,
      template: entry.template,
      recipient: entry.recipient,
      subject: entry.subject,
      donation_id: entry.donationId,
      shipment_id: entry.shipmentId,
      status: entry.status,
      response: entry.response,
      message_id: entry.messageId,
    })
    .onConflict('idempotency_key')
    .ignore()
    .returning(['status']);
}

/** The key's row as an earlier attempt left it. */
export async function findMailLogEntry(knex: Knex, key: string): Promise<{ status: MailStatus; message_id: string | null } | undefined> {
  return knex('mail_log').where({ idempotency_key: key }).first('status', 'message_id');
}

/** Records the outcome of a row still `sending` (a row already final stays as it is). */
export async function finishMailLogEntry(knex: Knex, key: string, status: FinalMailStatus, response: string | null): Promise<void> {
  await knex('mail_log').where({ idempotency_key: key, status: 'sending' }).update({ status, response, updated_at: knex.fn.now() });
}
