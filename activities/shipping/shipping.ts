import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { AppConfig } from '../../config/env';
import type { Orm } from '../../ledger/orm';
import { jstDate } from '../../domain/jst';
import {
  changeShipmentStatus,
  createShipment,
  openSupplierOrders,
  orderedShipmentsPage,
  orderLines,
  markSupplierOrderSent,
  noGiftNoticeFacts,
  planDonationShipments,
  preShippingMailFacts,
  recordOrderSignalMissing,
  recordShipmentAlert,
  ShipmentNotFoundError,
  supplierOrderAddressee,
  type NewShipment,
  type ShipmentChange,
} from '../../ledger/shipments';
import { orderPlacedSignal } from '../../workflows/shipping/definitions';
import { writeCarrierFiles } from './carrier-export';
import { carrierRowsForDay, carriersForDay, recordCarrierExports } from '../../ledger/carrier-rows';
import { citySender } from '../../domain/shipping/city-sender';
import type { SendMail, SendMailInput, SendMailResult } from '../mail/send-mail';
import type { NoGiftResidentMailData, PreShippingMailData, SupplierOrderMailData } from '../mail/render';
import { supplierOrderCsv } from '../../domain/shipping/order-csv';

export type { SendMail };

export interface ShippingDeps {
  orm: Orm;
  temporal: Client;
  shipping: AppConfig['shipping'];
  sendMail: SendMail;
}

const knexOf = (orm: Orm) => orm.em.getKnex();
/** Signals in flight at once while notifying an order's shipments. */
const SIGNAL_BATCH = 16;
/** Shipments read from the ledger at a time while notifying. */
const NOTIFY_PAGE = 500;

/** What openSupplierOrders hands the workflow: one entry per supplier order, never per shipment. */
export interface OpenedSupplierOrders {
  orders: { orderId: string; supplierCode: string | null; shipmentCount: number }[];
  withoutSupplier: number;
}

/** One carrier's files of the day: how many, the first file's name, rows and problems over all of them. */
export interface CarrierExportSummary {
  carrier: string;
  fileName: string;
  files: number;
  rows: number;
  problems: number;
}

/** notifyShipmentsOrdered's heartbeat: orders finished, and within the current order the last shipment id of the last finished batch. */
export interface NotifyProgress {
  done: string[];
  orderId?: string;
  lastId?: string;
  signalled: number;
  missing: number;
}

/** Reads a heartbeat from this version, or from the one before paging (`{ orders, current, signalled }`: that order starts again). */
export function notifyProgressFrom(details: unknown): NotifyProgress {
  const d = (details ?? {}) as Partial<NotifyProgress> & { orders?: string[] };
  return {
    done: Array.isArray(d.done) ? [...d.done] : Array.isArray(d.orders) ? [...d.orders] : [],
    orderId: typeof d.orderId === 'string' ? d.orderId : undefined,
    lastId: typeof d.lastId === 'string' ? d.lastId : undefined,
    signalled: Number(d.signalled) || 0,
    missing: Number(d.missing) || 0,
  };
}

// A missing shipment is a programming error: retrying cannot help.
function notFound(err: unknown): never {
  if (err instanceof ShipmentNotFoundError) throw ApplicationFailure.create({ type: 'ShipmentNotFoundError', message: err.message, nonRetryable: true });
  throw err;
}

export function createShippingActivities(deps: ShippingDeps) {
  const knex = () => knexOf(deps.orm);

  return {
    async todayInJapan(): Promise<string> {
      return jstDate(new Date());
    },

    async planDonationShipments(input: { donationId: string; paidAt: string; shippedBefore?: string }) {
      return planDonationShipments(knex(), input.donationId, input.paidAt, 'system:shipping', input.shippedBefore).catch(notFound);
    },

    /** SHIP-6: tells a resident donor why no gift comes (once per donation). */
    async sendNoGiftNotice(input: { donationId: string }): Promise<{ status: string }> {
      const r = await noGiftNoticeFacts(knex(), input.donationId);
      if (!r) notFound(new ShipmentNotFoundError(`donation ${input.donationId} is not in the ledger`));
      return deps.sendMail({
        key: `no-gift-resident:${input.donationId}`,
        to: r.email ?? undefined,
        template: 'no-gift-resident',
        donationId: input.donationId,
        data: {
          donorName: r.name,
          giftName: r.gifts || undefined,
          amountYen: r.amount_yen,
          receivedOn: new Date(r.applied_at).toISOString(),
          portalName: r.portal_name,
          portalOrderId: r.portal_order_id,
        } satisfies NoGiftResidentMailData,
      });
    },

    async createShipment(input: NewShipment) {
      return createShipment(knex(), input).catch(notFound);
    },

    async changeShipmentStatus(input: ShipmentChange): Promise<void> {
      await changeShipmentStatus(knex(), input).catch(notFound);
    },

    async recordShipmentAlert(input: { shipmentId: string; kind: string; reason: string; at: string; key: string }): Promise<void> {
      await recordShipmentAlert(knex(), input);
    },

    /** SHIP-4: one pre-shipping mail per shipment, however often this is retried. */
    async sendPreShippingMail(input: { shipmentId: string }): Promise<{ status: string }> {
      const r = await preShippingMailFacts(knex(), input.shipmentId);
      if (!r) notFound(new ShipmentNotFoundError(`shipment ${input.shipmentId} is not in the ledger`));
      return deps.sendMail({
        key: `pre-shipping:${input.shipmentId}`,
        to: r.email ?? undefined,
        template: 'pre-shipping',
        donationId: r.donation_id,
        shipmentId: r.id,
        data: {
          donorName: r.donor_name,
          giftName: r.gift_name,
          plannedShipOn: r.planned_ship_on!,
          supplierName: r.supplier_name ?? '柳川市',
          temperature: r.temperature,
          carrier: r.carrier ?? undefined,
          trackingNumber: r.tracking_number ?? undefined,
          portalName: r.portal_name,
          portalOrderId: r.portal_order_id,
          deliveryNo: r.deliveries > 1 ? r.delivery_no : undefined,
          deliveries: r.deliveries > 1 ? r.deliveries : undefined,
        } satisfies PreShippingMailData,
      });
    },

    /** Opens the day's orders in the ledger; the result is a reference (order ids and counts), one entry per supplier. */
    async openSupplierOrders(input: { shipOn: string; actor: string; suppliers?: string[] }): Promise<OpenedSupplierOrders> {
      const { orders, withoutSupplier } = await openSupplierOrders(knex(), input.shipOn, input.actor, input.suppliers);
      return { orders: orders.map((o) => ({ orderId: o.orderId, supplierCode: o.supplierCode, shipmentCount: o.shipmentCount })), withoutSupplier };
    },

    /**
     * Tells each ordered shipment its order; shipments already told ignore it (the workflow keeps
     * the first orderPlaced), closed ones are skipped. The shipments are read from the ledger a page
     * at a time by shipment id and signalled SIGNAL_BATCH at a time; after each batch the heartbeat
     * carries `{ done, orderId, lastId }`, so a retry resumes after the last finished batch and
     * re-sends at most one batch. `workflowIds` of runs scheduled before paging is ignored: the
     * ledger holds the same shipments.
     */
    async notifyShipmentsOrdered(input: { orders: { orderId: string; shipOn: string; workflowIds?: string[] }[] }): Promise<{ signalled: number; missing: number }> {
      const ctx = Context.current();
      const progress = notifyProgressFrom(ctx.info.heartbeatDetails);
      for (const order of input.orders) {
        if (progress.done.includes(order.orderId)) continue;
        let after = progress.orderId === order.orderId ? (progress.lastId ?? null) : null;
        for (;;) {
          const page = await orderedShipmentsPage(knex(), order.orderId, after, NOTIFY_PAGE);
          for (let i = 0; i < page.length; i += SIGNAL_BATCH) {
            const batch = page.slice(i, i + SIGNAL_BATCH);
            const missing: string[] = [];
            await Promise.all(
              batch.map(async (s) => {
                try {
                  await deps.temporal.workflow.getHandle(s.workflowId).signal(orderPlacedSignal, { orderId: order.orderId, shipOn: order.shipOn });
                  progress.signalled += 1;
                } catch (err) {
                  if (!(err instanceof WorkflowNotFoundError)) throw err;
                  missing.push(s.shipmentId);
                }
              }),
            );
            await recordOrderSignalMissing(knex(), order.orderId, missing);
            progress.missing += missing.length;
            after = batch[batch.length - 1].shipmentId;
            ctx.heartbeat({ ...progress, orderId: order.orderId, lastId: after } satisfies NotifyProgress);
          }
          if (page.length < NOTIFY_PAGE) break;
        }
        progress.done.push(order.orderId);
        delete progress.orderId;
        delete progress.lastId;
        ctx.heartbeat({ ...progress } satisfies NotifyProgress);
      }
      return { signalled: progress.signalled, missing: progress.missing };
    },

    /**
     * SHIP-1: the supplier's order mail with its lines as CSV; a re-run that added lines mails the new total.
     * A December order of 10,000 lines is a ~2 MB attachment read, built and handed to SMTP in one go:
     * the activity heartbeats `{ stage, lines }` after each step and every 10 s while the SMTP relay
     * takes the message (a send cannot report progress of its own). There is nothing to resume: a
     * retry builds the same CSV from the ledger and sendMail is idempotent on the key (order and line
     * count), so a mail that went out is not sent again.
     */
    async sendSupplierOrderMail(input: { orderId: string }): Promise<{ status: string }> {
      const beat = (details: { stage: string; lines?: number }) => {
        try {
          Context.current().heartbeat(details);
        } catch {
          // Called outside an activity (a script): nothing to report to.
        }
      };
      beat({ stage: 'reading' });
      const lines = await orderLines(knex(), input.orderId);
      beat({ stage: 'building', lines: lines.length });
      // The order was opened by openSupplierOrders.
      const order = (await supplierOrderAddressee(knex(), input.orderId))!;
      const csv = supplierOrderCsv(lines);
      beat({ stage: 'sending', lines: lines.length });
      const alive = setInterval(() => beat({ stage: 'sending', lines: lines.length }), 10_000);
      let result: SendMailResult;
      try {
        result = await deps.sendMail({
          key: `supplier-order:${input.orderId}:${lines.length}`,
          to: order.email ?? undefined,
          template: 'supplier-order',
          data: { supplierName: order.name, orderNumber: input.orderId, shipBy: order.ship_on, lineCount: lines.length, attachmentName: `order-${input.orderId}.csv` } satisfies SupplierOrderMailData,
          attachments: [{ filename: `order-${input.orderId}.csv`, content: csv.toString('base64'), encoding: 'base64', contentType: 'text/csv; charset=utf-8' }],
        });
      } finally {
        clearInterval(alive);
      }
      await markSupplierOrderSent(knex(), input.orderId);
      return result;
    },

    /**
     * SHIP-3: the day's carrier import files, rewritten whole when the day's run repeats. One
     * carrier at a time (its rows only in memory); the heartbeat carries the carriers written so a
     * retry goes on with the next. The result is one summary per carrier, however many files
     * (クリックポスト: 40 rows a file) the day needs.
     */
    async exportCarrierFiles(input: { shipOn: string; suppliers?: string[] }): Promise<CarrierExportSummary[]> {
      const ctx = Context.current();
      const done = ((ctx.info.heartbeatDetails as { done?: CarrierExportSummary[] } | undefined)?.done ?? []).filter((d) => typeof d?.carrier === 'string');
      const dir = path.join(deps.shipping.carrierDir, input.shipOn);
      for (const carrier of await carriersForDay(knex(), input.shipOn, input.suppliers)) {
        if (done.some((d) => d.carrier === carrier)) continue;
        ctx.heartbeat({ done, carrier });
        const rows = await carrierRowsForDay(knex(), citySender(), input.shipOn, input.suppliers, carrier);
        const files = writeCarrierFiles(rows, dir, { yamato: deps.shipping.yamato });
        if (files.length) {
          await recordCarrierExports(knex(), input.shipOn, files);
          done.push({ carrier, fileName: files[0].fileName, files: files.length, rows: files.reduce((n, f) => n + f.rows, 0), problems: files.reduce((n, f) => n + f.problems.length, 0) });
        }
        ctx.heartbeat({ done });
      }
      return done;
    },
  };
}

export type ShippingActivities = ReturnType<typeof createShippingActivities>;

export const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
export const ensureDir = (dir: string) => fs.mkdirSync(dir, { recursive: true });
