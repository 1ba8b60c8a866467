import { randomUUID } from 'node:crypto';
import type { Knex } from '@mikro-orm/postgresql';
import { jstDate } from '../domain/jst';
import { planShipments, type ShipmentPlan } from '../domain/shipping/plan';
import { livesInYanagawa } from '../domain/shipping/residency';
import type { Carrier, ShipmentStatus, TroubleKind } from '../domain/shipping/types';
import type { Temperature } from '../domain/gifts/types';
import { renamed } from './rows';

/**
 * The shipping ledger (SHIP-1…7). Every status change is one transaction with its
 * shipment_events row; the event's idempotency key makes a retried activity a no-op.
 */

export class ShipmentNotFoundError extends Error {
  override name = 'ShipmentNotFoundError';
}

export interface ShipmentRow {
  id: string;
  /** The short number carriers print as お客様管理番号 (S00012345). */
  reference: string;
  donationId: string;
  giftLineId: number;
  giftCode: string;
  supplierId: number | null;
  supplierCode: string | null;
  deliveryNo: number;
  deliveries: number;
  attempt: number;
  replacesShipmentId: string | null;
  status: ShipmentStatus;
  notBefore: string | null;
  orderId: string | null;
  plannedShipOn: string | null;
  shippedOn: string | null;
  carrier: string | null;
  trackingNumber: string | null;
  deliveredAt: string | null;
  troubleKind: TroubleKind | null;
  troubleNote: string | null;
  workflowId: string;
}

const SHIPMENT_COLUMNS = `s.id, s.reference, s.donation_id, s.gift_line_id, s.gift_code, s.supplier_id, p.code as supplier_code, s.delivery_no, s.deliveries, s.attempt,
  s.replaces_shipment_id, s.status, to_char(s.not_before, 'YYYY-MM-DD') as not_before, s.order_id,
  to_char(s.planned_ship_on, 'YYYY-MM-DD') as planned_ship_on, to_char(s.shipped_on, 'YYYY-MM-DD') as shipped_on, s.carrier, s.tracking_number,
  s.delivered_at, s.trouble_kind, s.trouble_note, s.workflow_id`;

function toRow(r: any): ShipmentRow {
  return {
    ...renamed(r, 'id reference donation_id gift_line_id gift_code supplier_id delivery_no deliveries attempt replaces_shipment_id status not_before planned_ship_on shipped_on carrier tracking_number trouble_kind trouble_note workflow_id'),
    supplierCode: r.supplier_code ?? null,
    orderId: r.order_id === null ? null : String(r.order_id),
    deliveredAt: r.delivered_at ? new Date(r.delivered_at).toISOString() : null,
  };
}

export async function findShipment(knex: Knex, id: string): Promise<ShipmentRow | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  const { rows } = await knex.raw(`select ${SHIPMENT_COLUMNS} from shipments s left join suppliers p on p.id = s.supplier_id where s.id = ?`, [id]);
  return rows[0] ? toRow(rows[0]) : undefined;
}

export async function shipmentsOfDonation(knex: Knex, donationId: string): Promise<ShipmentRow[]> {
  const { rows } = await knex.raw(
    `select ${SHIPMENT_COLUMNS} from shipments s left join suppliers p on p.id = s.supplier_id where s.donation_id = ? order by s.gift_line_id, s.delivery_no, s.attempt`,
    [donationId],
  );
  return rows.map(toRow);
}

/** The shipment a carrier file names in お客様管理番号: its short number (S00012345), or its id in files written before the numbers. */
export async function shipmentByCarrierReference(knex: Knex, reference: string): Promise<ShipmentRow | undefined> {
  if (/^[0-9a-f-]{36}$/i.test(reference)) return findShipment(knex, reference);
  if (!/^S[0-9]{8,15}$/.test(reference)) return undefined;
  const { rows } = await knex.raw(`select ${SHIPMENT_COLUMNS} from shipments s left join suppliers p on p.id = s.supplier_id where s.reference = ?`, [reference]);
  return rows[0] ? toRow(rows[0]) : undefined;
}

export async function shipmentByTracking(knex: Knex, trackingNumber: string): Promise<ShipmentRow | undefined> {
  const { rows } = await knex.raw(
    `select ${SHIPMENT_COLUMNS} from shipments s left join suppliers p on p.id = s.supplier_id where s.tracking_number = ? order by s.created_at desc limit 1`,
    [trackingNumber],
  );
  return rows[0] ? toRow(rows[0]) : undefined;
}

export interface DonationShipmentPlan extends ShipmentPlan {
  donorEmail: string | null;
  /** Set when this call recorded the decision (the first time); repeated calls return the same plan. */
  recorded: boolean;
}

/**
 * Decides how a paid donation's gifts are fulfilled and records a non-shipping
 * decision (resident, record-only portal) on its gift lines and in its event log,
 * once: the event's idempotency key is per donation.
 */
export async function planDonationShipments(knex: Knex, donationId: string, paidAt: string, actor: string, shippedBefore?: string): Promise<DonationShipmentPlan> {
  return knex.transaction(async (trx) => {
    const { rows: heads } = await trx.raw(
      `select d.id, p.record_only, o.postal_code, o.prefecture, o.address, o.email
         from donations d join portals p on p.code = d.portal_code join donors o on o.id = d.donor_id where d.id = ?`,
      [donationId],
    );
    const head = heads[0];
    if (!head) throw new ShipmentNotFoundError(`donation ${donationId} is not in the ledger`);
    const { rows: lines } = await trx.raw(
      `select l.id, l.gift_code, l.fulfilment, g.deliveries, g.delivery_interval_days, g.delivery_constraints
         from donation_gift_lines l join gifts g on g.code = l.gift_code where l.donation_id = ? order by l.id`,
      [donationId],
    );
    const plan = planShipments(
      lines
        .filter((l: any) => l.fulfilment !== 'closed')
        .map((l: any) => ({
          giftLineId: l.id,
          giftCode: l.gift_code,
          deliveries: l.deliveries,
          intervalDays: l.delivery_interval_days,
          shipMonths: Array.isArray(l.delivery_constraints?.shipMonths) ? l.delivery_constraints.shipMonths.map(Number) : [],
        })),
      { paidOn: jstDate(new Date(paidAt)), recordOnlyPortal: head.record_only, resident: livesInYanagawa({ postalCode: head.postal_code, prefecture: head.prefecture, address: head.address }) },
    );
    if (shippedBefore && plan.fulfilment === 'ship' && plan.shipments.length) {
      // LEDGER-4: the previous system already shipped these gifts; nothing is ordered again.
      Object.assign(plan, { fulfilment: 'closed', reason: `shipped by the previous system on ${jstDate(new Date(shippedBefore))}`, shipments: [] });
    }
    let recorded = false;
    if (plan.fulfilment !== 'ship') {
      const inserted = await trx.raw(
        `insert into donation_events (donation_id, kind, actor, occurred_at, reason, before, after, idempotency_key)
         values (?, 'gift_fulfilment', ?, now(), ?, ?::jsonb, ?::jsonb, ?) on conflict (idempotency_key) do nothing returning id`,
        [donationId, actor, plan.reason ?? null, JSON.stringify({ fulfilment: 'ship' }), JSON.stringify({ fulfilment: plan.fulfilment, giftCodes: lines.map((l: any) => l.gift_code) }), `gift-plan:${donationId}`],
      );
      recorded = inserted.rows.length > 0;
      if (recorded) {
        await trx.raw(`update donation_gift_lines set fulfilment = ?, fulfilment_note = ? where donation_id = ? and fulfilment = 'ship'`, [plan.fulfilment, plan.reason ?? null, donationId]);
      }
    }
    return { ...plan, donorEmail: head.email, recorded };
  });
}

export interface NewShipment {
  donationId: string;
  giftLineId: number;
  deliveryNo: number;
  deliveries: number;
  attempt: number;
  replacesShipmentId?: string;
  notBefore?: string;
  workflowId: string;
  actor: string;
  reason?: string;
}

/** Creates the shipment for one delivery attempt of a gift line, or returns the one a previous try created. */
export async function createShipment(knex: Knex, input: NewShipment): Promise<ShipmentRow> {
  return knex.transaction(async (trx) => {
    const id = randomUUID();
    const inserted = await trx.raw(
      `insert into shipments (id, donation_id, gift_line_id, gift_code, supplier_id, delivery_no, deliveries, attempt, replaces_shipment_id, not_before, workflow_id)
       select ?, l.donation_id, l.id, l.gift_code, g.supplier_id, ?, ?, ?, ?, ?, ?
         from donation_gift_lines l join gifts g on g.code = l.gift_code where l.id = ? and l.donation_id = ?
       on conflict (gift_line_id, delivery_no, attempt) do nothing returning id`,
      [id, input.deliveryNo, input.deliveries, input.attempt, input.replacesShipmentId ?? null, input.notBefore ?? null, input.workflowId, input.giftLineId, input.donationId],
    );
    if (inserted.rows.length) {
      await trx.raw(
        `insert into shipment_events (shipment_id, kind, to_status, actor, occurred_at, reason, data) values (?, 'created', 'planned', ?, now(), ?, ?::jsonb)`,
        [id, input.actor, input.reason ?? null, JSON.stringify({ deliveryNo: input.deliveryNo, attempt: input.attempt, replaces: input.replacesShipmentId ?? null, notBefore: input.notBefore ?? null })],
      );
    }
    const { rows } = await trx.raw(
      `select ${SHIPMENT_COLUMNS} from shipments s left join suppliers p on p.id = s.supplier_id where s.gift_line_id = ? and s.delivery_no = ? and s.attempt = ?`,
      [input.giftLineId, input.deliveryNo, input.attempt],
    );
    if (!rows[0]) throw new ShipmentNotFoundError(`gift line ${input.giftLineId} of donation ${input.donationId} is not in the ledger`);
    return toRow(rows[0]);
  });
}

export interface ShipmentChange {
  shipmentId: string;
  to: ShipmentStatus;
  actor: string;
  reason?: string;
  at: string;
  fields?: { shippedOn?: string; carrier?: Carrier | string; trackingNumber?: string; deliveredAt?: string; troubleKind?: TroubleKind; troubleNote?: string };
  key: string;
}

/** One status change with its event; a repeated key changes nothing. */
export async function changeShipmentStatus(knex: Knex, change: ShipmentChange): Promise<void> {
  await knex.transaction(async (trx) => {
    const { rows } = await trx.raw(`select status from shipments where id = ? for update`, [change.shipmentId]);
    if (!rows[0]) throw new ShipmentNotFoundError(`shipment ${change.shipmentId} is not in the ledger`);
    const f = change.fields ?? {};
    const inserted = await trx.raw(
      `insert into shipment_events (shipment_id, kind, from_status, to_status, actor, occurred_at, reason, data, idempotency_key)
       values (?, 'transition', ?, ?, ?, ?, ?, ?::jsonb, ?) on conflict (idempotency_key) do nothing returning id`,
      [change.shipmentId, rows[0].status, change.to, change.actor, change.at, change.reason ?? null, JSON.stringify(f), change.key],
    );
    if (!inserted.rows.length) return;
    await trx.raw(
      `update shipments set status = ?, updated_at = now(),
         shipped_on = coalesce(?::date, shipped_on), carrier = coalesce(?, carrier), tracking_number = coalesce(?, tracking_number),
         delivered_at = coalesce(?::timestamptz, delivered_at), trouble_kind = coalesce(?, trouble_kind), trouble_note = coalesce(?, trouble_note)
       where id = ?`,
      [change.to, f.shippedOn ?? null, f.carrier ?? null, f.trackingNumber ?? null, f.deliveredAt ?? null, f.troubleKind ?? null, f.troubleNote ?? null, change.shipmentId],
    );
  });
}

/** An alert on a shipment (delivery overdue, escalation) recorded once per key. */
export async function recordShipmentAlert(knex: Knex, input: { shipmentId: string; kind: string; reason: string; at: string; key: string }): Promise<void> {
  await knex.raw(
    `insert into shipment_events (shipment_id, kind, actor, occurred_at, reason, idempotency_key) values (?, ?, 'system:shipping', ?, ?, ?) on conflict (idempotency_key) do nothing`,
    [input.shipmentId, input.kind, input.at, input.reason, input.key],
  );
}

export interface OrderedShipment {
  shipmentId: string;
  workflowId: string;
}

/**
 * One supplier's order of the day, as a reference: its id and how many shipments it holds.
 * Bounded by the number of suppliers, not by the day's volume: the shipments themselves stay in
 * the ledger and are read a page at a time (`orderedShipmentsPage`).
 */
export interface SupplierOrderSummary {
  orderId: string;
  supplierId: number;
  supplierCode: string | null;
  supplierName: string;
  supplierEmail: string | null;
  shipOn: string;
  shipmentCount: number;
}

/**
 * SHIP-1/SHIP-2: the day's order per supplier. Every shipment waiting for an
 * order whose supplier ships on this weekday joins that supplier's order for
 * the day; running it again the same day adds late arrivals to the same order
 * and counts everything in it, so the caller can re-notify safely. Set-based:
 * no shipment id leaves PostgreSQL, however big the day.
 */
export async function openSupplierOrders(knex: Knex, shipOn: string, actor: string, supplierCodes?: string[]): Promise<{ orders: SupplierOrderSummary[]; withoutSupplier: number }> {
  // An operator may run the day's orders for some suppliers only (a late confirmation, a supplier's own request).
  const only = supplierCodes?.length ? `{${supplierCodes.map((c) => `"${c.replace(/["\\]/g, '')}"`).join(',')}}` : null;
  return knex.transaction(async (trx) => {
    const due = `select s.id, s.supplier_id from shipments s join suppliers p on p.id = s.supplier_id
       where s.status = 'awaiting_order' and (s.not_before is null or s.not_before <= ?::date)
         and p.active and extract(isodow from ?::date)::smallint = any (p.shipping_weekdays)
         and (?::text[] is null or p.code = any (?::text[]))`;
    await trx.raw(
      `insert into supplier_orders (supplier_id, ship_on) select distinct supplier_id, ?::date from (${due}) d on conflict (supplier_id, ship_on) do nothing`,
      [shipOn, shipOn, shipOn, only, only],
    );
    // One statement moves the shipments and writes their events; a concurrent run finds them no longer awaiting.
    await trx.raw(
      `with moved as (
         update shipments s set order_id = o.id, planned_ship_on = o.ship_on, status = 'ordered', updated_at = now()
           from supplier_orders o, (${due}) d
          where d.id = s.id and s.status = 'awaiting_order' and o.supplier_id = d.supplier_id and o.ship_on = ?::date
          returning s.id, s.order_id)
       insert into shipment_events (shipment_id, kind, from_status, to_status, actor, occurred_at, reason, data)
       select m.id, 'transition', 'awaiting_order', 'ordered', ?, now(), 'supplier order of ' || ?::text, jsonb_build_object('orderId', m.order_id, 'shipOn', ?::text)
         from moved m`,
      [shipOn, shipOn, only, only, shipOn, actor, shipOn, shipOn],
    );
    const { rows } = await trx.raw(
      `select o.id as order_id, o.supplier_id, p.code, p.name, p.email, count(*)::int as shipments
         from supplier_orders o join suppliers p on p.id = o.supplier_id join shipments s on s.order_id = o.id
        where o.ship_on = ?::date and s.status = 'ordered' and (?::text[] is null or p.code = any (?::text[]))
        group by o.id, o.supplier_id, p.code, p.name, p.email order by o.id`,
      [shipOn, only, only],
    );
    const orders: SupplierOrderSummary[] = rows.map((r: any) => ({
      orderId: String(r.order_id),
      supplierId: r.supplier_id,
      supplierCode: r.code,
      supplierName: r.name,
      supplierEmail: r.email,
      shipOn,
      shipmentCount: r.shipments,
    }));
    const { rows: orphans } = await trx.raw(`select count(*)::int as n from shipments where status = 'awaiting_order' and supplier_id is null`);
    return { orders, withoutSupplier: orphans[0].n };
  });
}

/**
 * The next page of an order's shipments still at `ordered`, by shipment id (keyset: `afterId`
 * is the last id of the previous page). A notifier walks an order of any size with bounded memory
 * and can resume after the last id it finished.
 */
export async function orderedShipmentsPage(knex: Knex, orderId: string, afterId: string | null, limit: number): Promise<OrderedShipment[]> {
  const { rows } = await knex.raw(
    `select s.id, s.workflow_id from shipments s
      where s.order_id = ? and s.status = 'ordered' and (?::uuid is null or s.id > ?::uuid)
      order by s.id limit ?`,
    [orderId, afterId, afterId, limit],
  );
  return rows.map((r: any) => ({ shipmentId: r.id, workflowId: r.workflow_id }));
}

/**
 * Shipments ordered while no workflow was there to tell (never started, or already closed):
 * no pre-shipping mail goes and no confirmation can reach them, so an operator has to look.
 * One event per shipment and order, however often the notifier retries.
 */
export async function recordOrderSignalMissing(knex: Knex, orderId: string, shipmentIds: string[]): Promise<void> {
  if (!shipmentIds.length) return;
  await knex.raw(
    `insert into shipment_events (shipment_id, kind, actor, occurred_at, reason, data, idempotency_key)
     select s.id, 'order_signal_missing', 'system:shipping', now(), 'ordered, but no running workflow received the order', jsonb_build_object('orderId', ?::bigint),
            'order-signal-missing:' || ?::text || ':' || s.id
       from shipments s where s.id = any (?::uuid[])
     on conflict (idempotency_key) do nothing`,
    // A pg array literal: knex would spread a JS array into separate bindings.
    [orderId, orderId, `{${shipmentIds.join(',')}}`],
  );
}

export interface OrderLine {
  shipmentId: string;
  donationId: string;
  giftCode: string;
  giftName: string;
  temperature: string;
  quantity: number;
  deliveryNo: number;
  deliveries: number;
  attempt: number;
  status: ShipmentStatus;
  carrier: string | null;
  trackingNumber: string | null;
  recipient: { name: string; nameKana: string; postalCode: string; prefecture: string; address: string; phone: string | null };
}

/** What a supplier needs to pack and label one order: the lines with the recipient (the 送付先, else the donor). */
export async function orderLines(knex: Knex, orderId: string): Promise<OrderLine[]> {
  const { rows } = await knex.raw(
    `select s.id, s.donation_id, s.gift_code, g.name as gift_name, g.temperature, l.quantity, s.delivery_no, s.deliveries, s.attempt, s.status,
            coalesce(s.carrier, g.carrier, p.default_carrier) as carrier, s.tracking_number,
            o.name, o.name_kana, o.postal_code, o.prefecture, o.address, o.phone
       from shipments s join donation_gift_lines l on l.id = s.gift_line_id join gifts g on g.code = s.gift_code
       join donation_recipients o on o.donation_id = s.donation_id left join suppliers p on p.id = s.supplier_id
      where s.order_id = ? order by s.created_at`,
    [orderId],
  );
  return rows.map((r: any) => ({
    shipmentId: r.id,
    donationId: r.donation_id,
    giftCode: r.gift_code,
    giftName: r.gift_name,
    temperature: r.temperature,
    quantity: r.quantity,
    deliveryNo: r.delivery_no,
    deliveries: r.deliveries,
    attempt: r.attempt,
    status: r.status,
    carrier: r.carrier,
    trackingNumber: r.tracking_number,
    recipient: { name: r.name, nameKana: r.name_kana, postalCode: r.postal_code, prefecture: r.prefecture, address: r.address, phone: r.phone },
  }));
}

export interface SupplierOrderRow {
  id: string;
  supplierId: number;
  supplierCode: string | null;
  shipOn: string;
  status: string;
  lines: number;
  shipped: number;
}

export async function supplierOrders(knex: Knex, filter: { supplierCode?: string; from?: string; to?: string; limit: number }): Promise<SupplierOrderRow[]> {
  const { rows } = await knex.raw(
    `select o.id, o.supplier_id, p.code, to_char(o.ship_on, 'YYYY-MM-DD') as ship_on, o.status,
            count(s.id)::int as lines, count(s.id) filter (where s.status in ('shipped', 'delivered'))::int as shipped
       from supplier_orders o join suppliers p on p.id = o.supplier_id left join shipments s on s.order_id = o.id
      where (?::text is null or p.code = ?) and (?::date is null or o.ship_on >= ?::date) and (?::date is null or o.ship_on <= ?::date)
      group by o.id, p.code order by o.ship_on desc, o.id desc limit ?`,
    [filter.supplierCode ?? null, filter.supplierCode ?? null, filter.from ?? null, filter.from ?? null, filter.to ?? null, filter.to ?? null, filter.limit],
  );
  return rows.map((r: any) => ({ id: String(r.id), supplierId: r.supplier_id, supplierCode: r.code, shipOn: r.ship_on, status: r.status, lines: r.lines, shipped: r.shipped }));
}

export async function findSupplierOrder(knex: Knex, orderId: string): Promise<SupplierOrderRow | undefined> {
  if (!/^\d{1,18}$/.test(orderId)) return undefined;
  const { rows } = await knex.raw(
    `select o.id, o.supplier_id, p.code, to_char(o.ship_on, 'YYYY-MM-DD') as ship_on, o.status,
            count(s.id)::int as lines, count(s.id) filter (where s.status in ('shipped', 'delivered'))::int as shipped
       from supplier_orders o join suppliers p on p.id = o.supplier_id left join shipments s on s.order_id = o.id
      where o.id = ? group by o.id, p.code`,
    [orderId],
  );
  const r = rows[0];
  return r ? { id: String(r.id), supplierId: r.supplier_id, supplierCode: r.code, shipOn: r.ship_on, status: r.status, lines: r.lines, shipped: r.shipped } : undefined;
}

export async function markSupplierOrderSent(knex: Knex, orderId: string): Promise<void> {
  await knex.raw(`update supplier_orders set status = 'sent', sent_at = coalesce(sent_at, now()) where id = ?`, [orderId]);
}

export async function shipmentEvents(knex: Knex, shipmentId: string) {
  const { rows } = await knex.raw(
    `select kind, from_status, to_status, actor, occurred_at, reason, data from shipment_events where shipment_id = ? order by id`,
    [shipmentId],
  );
  return rows.map((r: any) => ({ kind: r.kind, from: r.from_status, to: r.to_status, actor: r.actor, at: new Date(r.occurred_at).toISOString(), reason: r.reason, data: r.data }));
}

/** What SHIP-6's no-gift notice to a resident donor says: the donor, the donation and its gifts' names (joined by 、). */
export interface NoGiftNoticeFacts {
  name: string;
  email: string | null;
  amount_yen: number;
  portal_order_id: string;
  portal_name: string;
  applied_at: Date | string;
  gifts: string;
}

export async function noGiftNoticeFacts(knex: Knex, donationId: string): Promise<NoGiftNoticeFacts | undefined> {
  const { rows } = await knex.raw(
    `select o.name, o.email, d.amount_yen, d.portal_order_id, p.name as portal_name, d.applied_at,
            coalesce(string_agg(g.name, '、' order by l.id), '') as gifts
       from donations d join donors o on o.id = d.donor_id join portals p on p.code = d.portal_code
       left join donation_gift_lines l on l.donation_id = d.id left join gifts g on g.code = l.gift_code
      where d.id = ? group by o.name, o.email, d.amount_yen, d.portal_order_id, p.name, d.applied_at`,
    [donationId],
  );
  return rows[0];
}

/** What SHIP-4's pre-shipping mail says about one shipment: the gift, the supplier, the carrier, the donor. */
export interface PreShippingMailFacts {
  id: string;
  donation_id: string;
  delivery_no: number;
  deliveries: number;
  attempt: number;
  /** Set when the shipment is ordered, before its pre-shipping mail. */
  planned_ship_on: string | null;
  carrier: string | null;
  tracking_number: string | null;
  gift_name: string;
  temperature: Temperature;
  supplier_name: string | null;
  donor_name: string;
  email: string | null;
  portal_order_id: string;
  portal_name: string;
}

export async function preShippingMailFacts(knex: Knex, shipmentId: string): Promise<PreShippingMailFacts | undefined> {
  const { rows } = await knex.raw(
    `select s.id, s.donation_id, s.delivery_no, s.deliveries, s.attempt, to_char(s.planned_ship_on, 'YYYY-MM-DD') as planned_ship_on,
            coalesce(s.carrier, g.carrier, p.default_carrier) as carrier, s.tracking_number,
            g.name as gift_name, g.temperature, p.name as supplier_name, o.name as donor_name, o.email,
            d.portal_order_id, q.name as portal_name
       from shipments s join gifts g on g.code = s.gift_code left join suppliers p on p.id = s.supplier_id
       join donations d on d.id = s.donation_id join donors o on o.id = d.donor_id join portals q on q.code = d.portal_code where s.id = ?`,
    [shipmentId],
  );
  return rows[0];
}

/** Whom a supplier order's mail goes to, and by when the supplier ships. */
export interface SupplierOrderAddressee {
  id: string;
  ship_on: string;
  name: string;
  email: string | null;
  code: string | null;
}

export async function supplierOrderAddressee(knex: Knex, orderId: string): Promise<SupplierOrderAddressee | undefined> {
  const { rows } = await knex.raw(
    `select o.id, to_char(o.ship_on, 'YYYY-MM-DD') as ship_on, p.name, p.email, p.code from supplier_orders o join suppliers p on p.id = o.supplier_id where o.id = ?`,
    [orderId],
  );
  return rows[0];
}
