import type { Knex } from 'knex';
import { isoOrNull, renamed } from './rows';

/** CALL-5: what the city is told of a donation cancelled after its receipt was posted (no donor address or contact). */
export interface CancellationNoticeFacts {
  donationId: string;
  portalName: string;
  portalOrderId: string;
  amountYen: number;
  appliedAt: string;
  cancelledAt: string | null;
  donorName: string;
  /** Receipts voided with the cancellation, and the ones of them that had been posted. */
  voided: string[];
  posted: string[];
  reason: string | null;
  actor: string | null;
}

export async function cancellationNoticeFacts(knex: Knex, donationId: string): Promise<CancellationNoticeFacts | undefined> {
  const { rows } = await knex.raw(
    `select d.id, p.name as portal_name, d.portal_order_id, d.amount_yen, d.applied_at, d.cancelled_at, o.name as donor_name,
            coalesce(array_agg(r.number order by r.number) filter (where r.voided_at is not null), '{}') as voided,
            coalesce(array_agg(r.number order by r.number) filter (where r.voided_at is not null and r.posted_at is not null), '{}') as posted,
            (select e.reason from donation_events e where e.donation_id = d.id and e.kind = 'receipt_voided' order by e.id desc limit 1) as reason,
            (select e.actor from donation_events e where e.donation_id = d.id and e.kind = 'receipt_voided' order by e.id desc limit 1) as actor
       from donations d join portals p on p.code = d.portal_code join donors o on o.id = d.donor_id
       left join receipts r on r.donation_id = d.id
      where d.id = ? group by d.id, p.name, o.name`,
    [donationId],
  );
  const r = rows[0];
  if (!r) return undefined;
  return {
    donationId: r.id,
    ...renamed(r, 'portal_name portal_order_id amount_yen'),
    appliedAt: new Date(r.applied_at).toISOString(),
    cancelledAt: isoOrNull(r.cancelled_at),
    ...renamed(r, 'donor_name voided posted reason actor'),
  };
}
