import { randomUUID } from 'node:crypto';
import type { Knex } from '@mikro-orm/postgresql';
import type { EntityManager } from '@mikro-orm/postgresql';
import { registerDonation } from '../../ledger/donations';
import { newDonation } from '../support/factory';

/**
 * Made-up billing data under a run-unique prefix: suppliers, gifts, paid donations and
 * shipments written straight into the ledger (no shipment workflows), print batches and
 * one-stop applications. Every row hangs off this suite's suppliers, so a run scoped to
 * them never sees another suite's rows.
 */
export function billingSeed(knex: Knex, em: () => EntityManager, prefix: string) {
  let n = 0;
  return {
    async supplier(code: string, name: string): Promise<number> {
      const [{ id }] = await knex('suppliers')
        .insert({ code, name, email: `${code}@example.jp`, shipping_weekdays: '{1,2,3,4,5}', rules_acknowledged_at: new Date() })
        .returning('id');
      return id;
    },

    async gift(code: string, supplierId: number, g: { name: string; priceYen: number; costYen: number; shippingCostYen: number; deliveries?: number }): Promise<void> {
      await knex('gifts').insert({
        code,
        name: g.name,
        supplier_id: supplierId,
        price_yen: g.priceYen,
        cost_yen: g.costYen,
        shipping_cost_yen: g.shippingCostYen,
        deliveries: g.deliveries ?? 1,
        delivery_interval_days: (g.deliveries ?? 1) > 1 ? 30 : null,
        active: true,
      });
    },

    /** A donation paid at `paidAt`; gifts as [code, quantity]. */
    async donation(o: { amountYen: number; paidAt: string; gifts?: [string, number][]; portal?: string; channel?: 'portal' | 'phone' | 'fax' | 'mail' | 'counter'; status?: string }): Promise<string> {
      n += 1;
      const { donation } = await registerDonation(
        em(),
        newDonation(`${prefix}-${n}`, {
          portal: o.portal ?? 'choice',
          channel: o.channel ?? 'portal',
          amountYen: o.amountYen,
          paymentMethod: 'credit_card',
          appliedAt: o.paidAt,
          paidAt: o.paidAt,
          gifts: (o.gifts ?? []).map(([code, quantity]) => ({ code, quantity })),
          // One made-up person per donation, so no repeat-donor merging across suites.
          donor: { ...newDonation('x').donor, address: `千代田区千代田1-${prefix}-${n}`, email: `donor-${prefix}-${n}@example.jp` },
        }),
        'system:test',
      );
      if (o.status) await knex.raw(`update donations set status = ? where id = ?`, [o.status, donation.id]);
      return donation.id;
    },

    /** A shipment of one gift line of a donation that left the supplier on `shippedOn`. */
    async shipment(donationId: string, giftCode: string, s: { shippedOn: string; status?: string; carrier?: string; deliveryNo?: number; deliveries?: number; attempt?: number }): Promise<string> {
      const { rows } = await knex.raw(
        `select l.id, g.supplier_id from donation_gift_lines l join gifts g on g.code = l.gift_code where l.donation_id = ? and l.gift_code = ? order by l.id limit 1`,
        [donationId, giftCode],
      );
      const id = randomUUID();
      await knex('shipments').insert({
        id,
        donation_id: donationId,
        gift_line_id: rows[0].id,
        gift_code: giftCode,
        supplier_id: rows[0].supplier_id,
        delivery_no: s.deliveryNo ?? 1,
        deliveries: s.deliveries ?? 1,
        attempt: s.attempt ?? 1,
        status: s.status ?? 'delivered',
        shipped_on: s.shippedOn,
        carrier: s.carrier ?? 'yamato_b2',
        tracking_number: `${Date.now() % 1e9}${n}`,
        delivered_at: (s.status ?? 'delivered') === 'delivered' ? `${s.shippedOn}T06:00:00Z` : null,
        workflow_id: `shipment/${donationId}/${rows[0].id}/${s.deliveryNo ?? 1}`,
      });
      return id;
    },

    /** A posted print batch with one envelope per donation: receipts, (reason 'onestop_notice') one-stop notices or (reason 'payment_form') postal transfer forms. */
    async postedBatch(donationIds: string[], postedAt: string, reason: 'initial' | 'onestop_notice' | 'payment_form' = 'initial'): Promise<void> {
      const id = randomUUID();
      const documents = { initial: ['thank_you_letter', 'donation_receipt'], onestop_notice: ['onestop_accepted_notice'], payment_form: ['postal_transfer_form'] }[reason];
      await knex('print_batches').insert({ id, kind: 'on_demand', status: 'posted', requested_by: 'system:test', workflow_id: `print/${id}`, envelope_count: donationIds.length, posted_at: postedAt });
      const items = [];
      for (const [i, d] of donationIds.entries()) {
        let notice: number | null = null;
        if (reason === 'onestop_notice') {
          // A notice envelope belongs to a notice of the donation's application (seeded by onestopAccepted).
          const [app] = await knex('onestop_applications').where({ donation_id: d }).select('id');
          [{ id: notice }] = await knex('onestop_notices').insert({ application_id: app.id, kind: 'accepted', channel: 'mail', status: 'sent', idempotency_key: `seed-notice-${randomUUID()}` }).returning('id');
        }
        items.push({ batch_id: id, seq: i + 1, donation_id: d, reason, onestop_notice_id: notice, documents: JSON.stringify(documents), envelope: 'naga3_window' });
      }
      await knex('print_batch_items').insert(items);
    },

    async onestopAccepted(donationId: string, decidedAt: string): Promise<void> {
      await knex('onestop_applications').insert({
        id: randomUUID(),
        donation_id: donationId,
        workflow_id: `onestop/${donationId}`,
        channel: 'paper',
        status: 'accepted',
        form_version: 'current',
        arrived_on: decidedAt.slice(0, 10),
        deadline_on: '2027-01-12',
        content: '{}',
        current_content: '{}',
        my_number_verdict: 'valid',
        decided_at: decidedAt,
        created_by: 'system:test',
      });
    },

    async campaign(code: string, o: { costYen: number; billedMonth: string; giftCodes: string[]; status?: 'approved' | 'proposed' }): Promise<void> {
      const approved = (o.status ?? 'approved') === 'approved';
      await knex('promotion_campaigns').insert({
        id: randomUUID(),
        code,
        name: `広告 ${code}`,
        gift_codes: `{${o.giftCodes.join(',')}}`,
        starts_on: o.billedMonth,
        ends_on: o.billedMonth,
        cost_yen: o.costYen,
        billed_month: o.billedMonth,
        status: o.status ?? 'approved',
        proposed_by: 'system:test',
        decided_by: approved ? 'city:test' : null,
        decided_at: approved ? new Date() : null,
      });
    },
  };
}
