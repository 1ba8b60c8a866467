import type { Knex } from '@mikro-orm/postgresql';
import type { ShipTo } from '../domain/portals/types';
import type { ShipToCorrectionResult, ShipToView } from '../domain/shipping/ship-to';
import { insertShipTo } from './donations';

export type { ShipToCorrectionResult, ShipToView } from '../domain/shipping/ship-to';

export class ShipToError extends Error {
  override name = 'ShipToError';
  constructor(readonly status: 'not_found' | 'conflict', message: string) {
    super(message);
  }
}

type Row = Record<string, any>;

export async function findShipTo(knex: Knex, donationId: string): Promise<ShipToView | null> {
  const [r] = (await knex.raw('select * from donation_ship_to where donation_id = ?::uuid', [donationId])).rows as Row[];
  return r ? { name: r.name, nameKana: r.name_kana, postalCode: r.postal_code, prefecture: r.prefecture, address: r.address, phone: r.phone ?? null } : null;
}

export interface ShipToCorrectionInput {
  donationId: string;
  /** Normalised and validated by the caller; null = to the donor. */
  shipTo: ShipTo | null;
  actor: string;
  reason: string;
  at: string;
  /** Stable per workflow step: a repeated attempt answers with the first one's event and changes nothing. */
  key: string;
}

/**
 * An operator corrects (or removes: null = to the donor) a donation's 送付先, on behalf of its
 * DonationWorkflow (the `correctShipTo` update). Only while none of its gifts is with a supplier:
 * once a shipment is ordered the label exists, and the address is the supplier's to change.
 * Recorded in the donation's event log with before, after, who and why, in the same transaction.
 */
export async function correctShipTo(knex: Knex, input: ShipToCorrectionInput): Promise<ShipToCorrectionResult> {
  const { donationId, shipTo } = input;
  return knex.transaction(async (trx) => {
    const [donation] = (await trx.raw('select id from donations where id = ?::uuid for update', [donationId])).rows as Row[];
    if (!donation) throw new ShipToError('not_found', `donation ${donationId} not found`);
    // Checked under the donation's lock, before the shipment rule: a repeat answers as the first attempt did.
    const [done] = (await trx.raw('select before, after from donation_events where idempotency_key = ?', [input.key])).rows as Row[];
    if (done) return { before: done.before?.shipTo ?? null, after: done.after?.shipTo ?? null };
    const ordered = (await trx.raw(
      `select id, status from shipments where donation_id = ?::uuid and status in ('ordered', 'shipped', 'delivered', 'trouble', 'escalated') order by created_at limit 1`,
      [donationId],
    )).rows as Row[];
    if (ordered.length) throw new ShipToError('conflict', `shipment ${ordered[0].id} is already ${ordered[0].status}: its label is with the supplier, who must change the address`);
    const before = await findShipTo(trx, donationId);
    await trx.raw('delete from donation_ship_to where donation_id = ?::uuid', [donationId]);
    if (shipTo) await insertShipTo(trx, [{ donationId, shipTo }]);
    await trx('donation_events').insert({
      donation_id: donationId,
      kind: 'ship_to_corrected',
      actor: input.actor,
      occurred_at: new Date(input.at),
      reason: input.reason,
      before: JSON.stringify({ shipTo: before }),
      after: JSON.stringify({ shipTo }),
      idempotency_key: input.key,
    });
    return { before, after: shipTo };
  });
}
