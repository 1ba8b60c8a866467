import type { Knex } from '@mikro-orm/postgresql';
import { jstDate } from '../domain/jst';
import type { CallCategory } from '../domain/callcentre';
import { createCall } from './callcentre';

/**
 * PORTAL-4: what a donor who knows an order number and the postal code sees on the public status page.
 * Only facts of the donation itself — never a name, address, phone, e-mail or 個人番号: the page answers
 * anyone who has both numbers.
 */
export interface DonorStatus {
  orderNumber: string;
  portal: string;
  receivedOn: string;
  amountYen: number;
  paidOn: string | null;
  status: string;
  gifts: { name: string; quantity: number }[];
  receipts: { issue: number; reason: string; postedOn: string | null }[];
  shipments: { reference: string; gift: string; deliveryNo: number; deliveries: number; status: string; carrier: string | null; trackingNumber: string | null; shippedOn: string | null; deliveredOn: string | null }[];
  oneStop: { wanted: boolean; status: string | null; arrivedOn: string | null; deadlineOn: string | null; missing: string[] };
}

const digits = (s: string) => s.normalize('NFKC').replace(/\D/g, '');

/**
 * The donation with this order number whose donor's postal code is this one. A wrong postal code,
 * an unknown number and a number that two portals share with that postal code all answer undefined:
 * the page tells none of them apart.
 */
export async function findDonationForStatus(knex: Knex, orderNumber: string, postalCode: string): Promise<string | undefined> {
  const { rows } = await knex.raw(
    `select d.id from donations d join donors o on o.id = d.donor_id
      where d.portal_order_id = ? and regexp_replace(o.postal_code, '[^0-9]', '', 'g') = ? limit 2`,
    [orderNumber.trim(), digits(postalCode)],
  );
  return rows.length === 1 ? rows[0].id : undefined;
}

const jst = (v: unknown) => (v ? jstDate(new Date(v as string)) : null);

export async function donorStatus(knex: Knex, donationId: string): Promise<DonorStatus> {
  const d = (await knex.raw(`select d.portal_order_id, p.name as portal, d.applied_at, d.amount_yen, d.paid_at, d.status, d.wants_one_stop from donations d join portals p on p.code = d.portal_code where d.id = ?`, [donationId])).rows[0];
  const gifts = (await knex.raw(`select g.name, l.quantity from donation_gift_lines l join gifts g on g.code = l.gift_code where l.donation_id = ? order by l.id`, [donationId])).rows;
  const receipts = (await knex.raw(`select issue, reason, posted_at from receipts where donation_id = ? order by issue`, [donationId])).rows;
  const shipments = (
    await knex.raw(
      `select s.reference, g.name as gift, s.delivery_no, s.deliveries, s.status, s.carrier, s.tracking_number, to_char(s.shipped_on, 'YYYY-MM-DD') as shipped_on, s.delivered_at
         from shipments s join gifts g on g.code = s.gift_code where s.donation_id = ? order by s.gift_line_id, s.delivery_no, s.attempt`,
      [donationId],
    )
  ).rows;
  const app = (await knex.raw(`select status, to_char(arrived_on, 'YYYY-MM-DD') as arrived_on, to_char(deadline_on, 'YYYY-MM-DD') as deadline_on, findings from onestop_applications where donation_id = ?`, [donationId])).rows[0];
  // What is missing, as the review names it (fields, never values).
  const missing = app && app.status === 'deficient' ? (app.findings as { severity: string; reason: string }[]).filter((f) => f.severity === 'deficiency').map((f) => f.reason) : [];
  return {
    orderNumber: d.portal_order_id,
    portal: d.portal,
    receivedOn: jst(d.applied_at)!,
    amountYen: d.amount_yen,
    paidOn: jst(d.paid_at),
    status: d.status,
    gifts: gifts.map((g: { name: string; quantity: number }) => ({ name: g.name, quantity: g.quantity })),
    receipts: receipts.map((r: { issue: number; reason: string; posted_at: unknown }) => ({ issue: r.issue, reason: r.reason, postedOn: jst(r.posted_at) })),
    shipments: shipments.map((s: any) => ({
      reference: s.reference,
      gift: s.gift,
      deliveryNo: s.delivery_no,
      deliveries: s.deliveries,
      status: s.status,
      carrier: s.carrier,
      trackingNumber: s.tracking_number,
      shippedOn: s.shipped_on,
      deliveredOn: jst(s.delivered_at),
    })),
    oneStop: { wanted: d.wants_one_stop, status: app?.status ?? null, arrivedOn: app?.arrived_on ?? null, deadlineOn: app?.deadline_on ?? null, missing },
  };
}

export const STATUS_REQUEST_KINDS = ['address_change', 'reissue'] as const;
export type StatusRequestKind = (typeof STATUS_REQUEST_KINDS)[number];

const REQUEST_WORDING: Record<StatusRequestKind, { category: CallCategory; subject: string }> = {
  address_change: { category: '寄附手続き', subject: 'ステータスページ: 住所変更の依頼' },
  reissue: { category: '証明書', subject: 'ステータスページ: 受領証明書の再発行依頼' },
};

/**
 * A donor's request from the status page, recorded in the call-centre log (channel web, 未対応) for an
 * operator: the page proves only that the caller knows the order number and the postal code, so the
 * operator confirms with the donor before changing anything.
 */
export async function recordStatusRequest(knex: Knex, r: { donationId: string; kind: StatusRequestKind; message?: string; receivedAt: Date; outOfHours: boolean }): Promise<{ id: string }> {
  const donorId = (await knex('donations').where({ id: r.donationId }).first('donor_id')).donor_id as string;
  const w = REQUEST_WORDING[r.kind];
  const body = [r.message?.trim() || '(本文なし)', '', '— 寄附者ステータスページから。本人確認は注文番号と郵便番号のみ: 変更・再発行の前に寄附者へ折り返し確認すること。'].join('\n');
  const call = await createCall(knex, { channel: 'web', category: w.category, complaint: false, subject: w.subject, body, donorId, donationId: r.donationId, receivedAt: r.receivedAt, outOfHours: r.outOfHours }, 'public:status-page');
  return { id: call.id };
}
