import { proxyActivities } from '@temporalio/workflow';
import type { ShippingActivities } from '../../activities/shipping/shipping';
import type { SupplierOrderRunInput, SupplierOrderRunView } from './definitions';
import { step } from '../step-options';

const act = proxyActivities<ShippingActivities>(step('10 minutes', { backoff: ['5 seconds', '5 minutes'] }));
// A December day can order tens of thousands of shipments: the steps that walk them (the notifier
// and the carrier export) heartbeat their progress and a retry resumes from the last heartbeat.
// A worker that dies mid-step is noticed within the heartbeat timeout, not the start-to-close one.
const notifier = proxyActivities<ShippingActivities>(step('2 hours', { heartbeat: '1 minute', backoff: ['5 seconds', '5 minutes'] }));
// One mail per supplier, heartbeating while it builds and sends: a worker that dies while sending
// is noticed within the heartbeat timeout, and the mail goes out from another (once: its key).
const mailer = proxyActivities<ShippingActivities>(step('10 minutes', { heartbeat: '1 minute', backoff: ['5 seconds', '5 minutes'] }));
const exporter = proxyActivities<ShippingActivities>(step('1 hour', { heartbeat: '2 minutes', backoff: ['5 seconds', '5 minutes'] }));

/**
 * The day's supplier orders (SHIP-1, SHIP-2, SHIP-3): every supplier whose shipping
 * day it is gets one order with everything waiting for it, each shipment learns its
 * order (and mails the donor), the supplier gets its order mail, and the carriers'
 * import files for the day are written. Safe to run again the same day.
 *
 * Nothing that crosses Temporal grows with the day's volume: activities pass order ids and
 * counts (one entry per supplier) and the carrier export returns one summary per carrier; the
 * shipments themselves are read from the ledger a page at a time by the activities.
 */
export async function supplierOrderWorkflow(input: SupplierOrderRunInput): Promise<SupplierOrderRunView> {
  const shipOn = input.shipOn ?? (await act.todayInJapan());
  const { orders, withoutSupplier } = await act.openSupplierOrders({ shipOn, actor: input.requestedBy, suppliers: input.suppliers });
  const view: SupplierOrderRunView = { shipOn, orders: [], withoutSupplier, carrierFiles: [] };
  // Order ids only: the shipments' workflow ids are read from the ledger, so the payload stays small however big the day.
  await notifier.notifyShipmentsOrdered({ orders: orders.map((o) => ({ orderId: o.orderId, shipOn })) });
  for (const order of orders) {
    const mail = await mailer.sendSupplierOrderMail({ orderId: order.orderId });
    view.orders.push({ orderId: order.orderId, supplierCode: order.supplierCode, shipments: shipmentCount(order), mail: mail.status });
  }
  // Runs recorded before the per-carrier summary carry one entry per file; either shape is the view's.
  view.carrierFiles = await exporter.exportCarrierFiles({ shipOn, suppliers: input.suppliers });
  return view;
}

/** Runs recorded before the count was returned carry the list of shipments instead. */
function shipmentCount(order: { shipmentCount?: number; shipments?: unknown[] }): number {
  return order.shipmentCount ?? order.shipments?.length ?? 0;
}
