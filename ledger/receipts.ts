import type { EntityManager } from '@mikro-orm/postgresql';
import { receiptNumber } from '../domain/documents';

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
