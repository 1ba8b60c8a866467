import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import { receiptNumber, type MailingReason } from '../domain/documents';
import { txKnex } from './stock';

export class ReissueRefusedError extends Error {
  override name = 'ReissueRefusedError';
}

/**
 * Queues a reissued 寄附金受領証明書 (lost, wrong name) for the next print
 * batch: same serial, next issue number, marked as a reissue.
 */
export async function requestReissue(em: EntityManager, donationId: string, requestedBy: string, note: string): Promise<{ number: string; issue: number }> {
  return em.getKnex().transaction(async (trx) => {
    await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [donationId]);
    const issued = await trx('receipts').where({ donation_id: donationId }).orderBy('issue', 'desc');
    if (!issued.some((r) => r.posted_at)) throw new ReissueRefusedError('no receipt has been posted for this donation yet; it will be issued by the next print batch');
    if (issued.some((r) => !r.posted_at)) throw new ReissueRefusedError(`receipt ${issued.find((r) => !r.posted_at).number} is already waiting to be printed`);
    const latest = issued[0];
    const issue = latest.issue + 1;
    const number = receiptNumber(Number(String(latest.number).slice(1, 5)), latest.serial, issue);
    await trx('receipts').insert({ donation_id: donationId, serial: latest.serial, issue, number, reason: 'reissue', requested_by: requestedBy, note });
    await trx('donation_events').insert({
      donation_id: donationId,
      kind: 'receipt_reissue_requested',
      actor: requestedBy,
      occurred_at: new Date(),
      reason: note,
      before: JSON.stringify({ receiptNumber: latest.number }),
      after: JSON.stringify({ receiptNumber: number }),
    });
    return { number, issue };
  });
}

/**
 * Issues the donation's next receipt (DOCS-1) inside the print batch's transaction: the first
 * takes a new serial from receipt_serial_seq and the fiscal year given; a later one keeps the
 * serial and fiscal year of the one before and counts the issue up. Returns the receipt's id.
 */
export async function issueReceipt(trx: Knex.Transaction, donationId: string, reason: MailingReason, requestedBy: string, fiscalYear: number, note?: string): Promise<number> {
  const [previous] = await trx('receipts').where({ donation_id: donationId }).orderBy('issue', 'desc').limit(1);
  const serial = previous ? previous.serial : Number((await trx.raw(`select nextval('receipt_serial_seq') as n`)).rows[0].n);
  const issue = previous ? previous.issue + 1 : 1;
  const fy = previous ? Number(String(previous.number).slice(1, 5)) : fiscalYear;
  const [row] = await trx('receipts')
    .insert({ donation_id: donationId, serial, issue, number: receiptNumber(fy, serial, issue), reason, requested_by: requestedBy, note: note ?? null })
    .returning('id');
  return row.id;
}

/**
 * CALL-5: a donation cancelled after its receipt was issued voids every receipt of it not yet voided
 * (inside the cancellation's transaction), with a receipt_voided event naming them. Returns their numbers.
 */
export async function voidReceipts(em: EntityManager, donationId: string, voided: { actor: string; reason?: string; at: Date; key: string }): Promise<string[]> {
  const db = txKnex(em);
  const rows: { number: string; posted_at: Date | null }[] = await db('receipts')
    .where({ donation_id: donationId })
    .whereNull('voided_at')
    .update({ voided_at: voided.at, voided_by: voided.actor, void_reason: voided.reason ?? null })
    .returning(['number', 'posted_at']);
  if (!rows.length) return [];
  const numbers = rows.map((r) => r.number).sort();
  await db('donation_events').insert({
    donation_id: donationId,
    kind: 'receipt_voided',
    actor: voided.actor,
    occurred_at: voided.at,
    reason: voided.reason ?? null,
    before: JSON.stringify({ receipts: numbers }),
    after: JSON.stringify({ voided: numbers, posted: rows.filter((r) => r.posted_at).map((r) => r.number).sort() }),
    idempotency_key: `${voided.key}:void`,
  });
  return numbers;
}
