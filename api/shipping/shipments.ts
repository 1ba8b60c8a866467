import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Client } from '@temporalio/client';
import type { AppConfig } from '../../config/env';
import { buildCarrierFiles, parseDeliveryStatusFile } from '../../domain/carriers';
import type { CarrierCode } from '../../domain/carriers/types';
import { CARRIERS, TROUBLE_KINDS } from '../../domain/shipping/types';
import type { Orm } from '../../ledger/orm';
import { findShipment, findSupplierOrder, orderLines, shipmentByTracking, shipmentEvents, shipmentsOfDonation, supplierOrders, type ShipmentRow } from '../../ledger/shipments';
import {
  confirmShippedUpdate,
  deliveredSignal,
  resolveEscalationSignal,
  shipmentStatusQuery,
  type TroubleReport,
} from '../../workflows/shipping/definitions';
import { supplierOrderWorkflow } from '../../workflows';
import { carrierRowsForOrder } from '../../ledger/carrier-rows';
import { citySender } from '../../domain/shipping/city-sender';
import { actorOf, supplierScope, type Principal } from '../auth';
import { READ, WRITE, type Json } from '../roles';
import { conflict, HttpError, notFound } from '../errors';
import { isoDate } from '../schema-fragments';
import { reportShipmentTrouble, updateShipmentWorkflow } from './trouble';

const SUPPLIER_AND_STAFF = [...READ, 'supplier'] as const;
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', format: 'uuid' } } } as const;
const orderParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[0-9]{1,18}$' } } } as const;

/**
 * SHIP-1…5: supplier orders (suppliers see only their own), shipment confirmation,
 * delivery, trouble and re-shipment, and the day's order run on demand.
 */
export function registerShipmentRoutes(app: FastifyInstance, { config, orm, temporal }: { config: AppConfig; orm: Orm; temporal: Client }): void {
  const knex = () => orm.em.getKnex();

  /** A supplier may act only on shipments in its own orders; staff on any. */
  async function loadShipment(request: FastifyRequest<{ Params: { id: string } }>): Promise<ShipmentRow> {
    const shipment = await findShipment(knex(), request.params.id);
    const own = supplierScope(request.principal!);
    // A supplier learns nothing about other suppliers' shipments, not even that they exist.
    if (!shipment || (own !== undefined && shipment.supplierCode !== own)) throw notFound(`shipment ${request.params.id}`);
    return shipment;
  }

  app.get<{ Querystring: Json }>(
    '/supplier-orders',
    {
      schema: {
        tags: ['shipping'],
        summary: 'Supplier orders (a supplier sees its own only)',
        querystring: { type: 'object', additionalProperties: false, properties: { supplier: { type: 'string' }, from: isoDate, to: isoDate, limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } } },
      },
      config: { roles: [...SUPPLIER_AND_STAFF] },
    },
    async (request) => {
      const own = supplierScope(request.principal!);
      if (own && request.query.supplier && request.query.supplier !== own) throw new HttpError(403, 'forbidden', 'a supplier sees only its own orders');
      return { orders: await supplierOrders(knex(), { supplierCode: own ?? request.query.supplier, from: request.query.from, to: request.query.to, limit: request.query.limit }) };
    },
  );

  async function loadOrder(request: FastifyRequest<{ Params: { id: string } }>) {
    const order = await findSupplierOrder(knex(), request.params.id);
    const own = supplierScope(request.principal!);
    if (!order || (own !== undefined && order.supplierCode !== own)) throw notFound(`supplier order ${request.params.id}`);
    return order;
  }

  app.get<{ Params: { id: string } }>(
    '/supplier-orders/:id',
    { schema: { tags: ['shipping'], summary: 'One order with its lines and delivery addresses', params: orderParams }, config: { roles: [...SUPPLIER_AND_STAFF] } },
    async (request) => {
      const order = await loadOrder(request);
      return { ...order, lines: await orderLines(knex(), order.id) };
    },
  );

  app.get<{ Params: { id: string }; Querystring: Json }>(
    '/supplier-orders/:id/carrier-file',
    {
      schema: {
        tags: ['shipping'],
        summary: "The order's labels in a carrier's import format (CP932), for suppliers who print their own",
        params: orderParams,
        querystring: { type: 'object', required: ['carrier'], additionalProperties: false, properties: { carrier: { type: 'string', enum: [...CARRIERS] } } },
      },
      config: { roles: [...SUPPLIER_AND_STAFF] },
    },
    async (request, reply) => {
      const order = await loadOrder(request);
      const rows = await carrierRowsForOrder(knex(), citySender(), order.id);
      const files = buildCarrierFiles(request.query.carrier as CarrierCode, rows, { yamato: config.shipping.yamato });
      const problems = files.flatMap((f) => f.problems);
      // Several files (クリックポスト's 40-row limit) or unencodable rows: the operator needs the report, not a partial file.
      if (files.length !== 1 || problems.length) return reply.code(422).send({ error: 'carrier_file', message: `${problems.length} row(s) cannot be encoded; ${files.length} file(s)`, problems, files: files.map((f) => f.fileName) });
      return reply.header('content-type', 'text/csv; charset=Shift_JIS').header('content-disposition', `attachment; filename="${files[0].fileName}"`).send(files[0].content);
    },
  );

  app.get<{ Querystring: Json }>(
    '/shipments',
    {
      schema: { tags: ['shipping'], summary: "A donation's shipments", querystring: { type: 'object', required: ['donationId'], additionalProperties: false, properties: { donationId: { type: 'string', format: 'uuid' } } } },
      config: { roles: READ },
    },
    async (request) => ({ shipments: await shipmentsOfDonation(knex(), request.query.donationId) }),
  );

  app.get<{ Params: { id: string } }>(
    '/shipments/:id',
    { schema: { tags: ['shipping'], summary: 'A shipment with its history and its workflow state', params: idParams }, config: { roles: [...SUPPLIER_AND_STAFF] } },
    async (request) => {
      const shipment = await loadShipment(request);
      const workflow = await temporal.workflow.getHandle(shipment.workflowId).query(shipmentStatusQuery).catch(() => null);
      return { ...shipment, events: await shipmentEvents(knex(), shipment.id), workflow };
    },
  );

  app.post<{ Params: { id: string }; Body: Json }>(
    '/shipments/:id/shipped',
    {
      schema: {
        tags: ['shipping'],
        summary: 'Supplier confirms the shipment: ship date, carrier, tracking number',
        params: idParams,
        body: {
          type: 'object',
          required: ['shippedOn', 'carrier', 'trackingNumber'],
          additionalProperties: false,
          properties: { shippedOn: isoDate, carrier: { type: 'string', enum: [...CARRIERS] }, trackingNumber: { type: 'string', pattern: '^[0-9A-Za-z-]{6,30}$' } },
        },
      },
      config: { roles: ['supplier', 'operator', 'admin'] },
    },
    async (request) => {
      const shipment = await loadShipment(request);
      const result = await updateShipmentWorkflow(shipment, () =>
        temporal.workflow.getHandle(shipment.workflowId).executeUpdate(confirmShippedUpdate, { args: [{ actor: actorOf(request.principal!), ...(request.body as { shippedOn: string; carrier: string; trackingNumber: string }) }] }),
      );
      return { shipment: result };
    },
  );

  app.post<{ Params: { id: string }; Body: Json }>(
    '/shipments/:id/delivered',
    { schema: { tags: ['shipping'], summary: 'Record a delivery reported by phone or seen on the carrier site', params: idParams, body: { type: 'object', additionalProperties: false, properties: { at: { type: 'string', format: 'date-time' } } } }, config: { roles: WRITE } },
    async (request, reply) => {
      const shipment = await loadShipment(request);
      if (shipment.status !== 'shipped') throw conflict(`shipment ${shipment.id} is ${shipment.status}; only a shipped shipment can be delivered`);
      await temporal.workflow.getHandle(shipment.workflowId).signal(deliveredSignal, { actor: actorOf(request.principal!), at: request.body?.at ?? new Date().toISOString(), source: 'operator' });
      return reply.code(202).send({ accepted: true });
    },
  );

  const troubleBody = {
    type: 'object',
    required: ['kind', 'note'],
    additionalProperties: false,
    properties: { kind: { type: 'string', enum: [...TROUBLE_KINDS] }, note: { type: 'string', minLength: 1, maxLength: 2000 }, source: { type: 'string', enum: ['operator', 'call_centre', 'carrier'], default: 'operator' } },
  } as const;

  app.post<{ Params: { id: string }; Body: Json }>(
    '/shipments/:id/trouble',
    { schema: { tags: ['shipping'], summary: 'Report delay, damage or loss (SHIP-5, CALL-3): starts a re-shipment', params: idParams, body: troubleBody }, config: { roles: WRITE } },
    async (request, reply) => {
      const shipment = await loadShipment(request);
      const trouble: TroubleReport = { actor: actorOf(request.principal!), kind: request.body.kind, note: request.body.note, source: request.body.source };
      const result = await reportShipmentTrouble({ config, temporal }, shipment, trouble);
      return result.reopened ? reply.code(202).send(result) : reply.code(200).send(result.outcome);
    },
  );

  app.post<{ Params: { id: string }; Body: Json }>(
    '/shipments/:id/resolve',
    {
      schema: {
        tags: ['shipping'],
        summary: 'Decide an escalated shipment: re-ship once more or close it',
        params: idParams,
        body: { type: 'object', required: ['action', 'reason'], additionalProperties: false, properties: { action: { type: 'string', enum: ['reship', 'close'] }, reason: { type: 'string', minLength: 1 } } },
      },
      config: { roles: WRITE },
    },
    async (request, reply) => {
      const shipment = await loadShipment(request);
      if (shipment.status !== 'escalated') throw conflict(`shipment ${shipment.id} is ${shipment.status}; only an escalated shipment needs a decision`);
      await temporal.workflow.getHandle(shipment.workflowId).signal(resolveEscalationSignal, { actor: actorOf(request.principal!), action: request.body.action, reason: request.body.reason });
      return reply.code(202).send({ accepted: true });
    },
  );

  app.post<{ Body: Json }>(
    '/supplier-order-runs',
    {
      schema: { tags: ['shipping'], summary: "Run the day's supplier orders now (normally the daily schedule does)", body: { type: 'object', additionalProperties: false, properties: { shipOn: isoDate, suppliers: { type: 'array', minItems: 1, items: { type: 'string' } } } } },
      config: { roles: WRITE },
    },
    async (request, reply) => {
      const shipOn: string | undefined = request.body?.shipOn;
      const workflowId = `supplier-orders/${shipOn ?? 'today'}/${Date.now()}`;
      const handle = await temporal.workflow.start(supplierOrderWorkflow, { taskQueue: config.temporal.taskQueue, workflowId, args: [{ shipOn, requestedBy: actorOf(request.principal!), suppliers: request.body?.suppliers }] });
      return reply.code(202).send({ workflowId: handle.workflowId });
    },
  );

  app.post<{ Body: Json }>(
    '/carrier-status',
    {
      schema: {
        tags: ['shipping'],
        summary: "Apply carriers' delivery statuses (JSON rows of tracking number, status, time)",
        body: {
          type: 'object',
          required: ['rows'],
          additionalProperties: false,
          properties: {
            rows: {
              type: 'array',
              minItems: 1,
              maxItems: 10_000,
              items: { type: 'object', required: ['trackingNumber', 'status', 'at'], additionalProperties: false, properties: { trackingNumber: { type: 'string' }, status: { type: 'string', enum: ['delivered', 'returned_to_depot', 'investigating', 'returned'] }, at: { type: 'string', format: 'date-time' } } },
            },
          },
        },
      },
      config: { roles: WRITE },
    },
    async (request) => applyCarrierStatuses(request.body.rows, actorOf(request.principal!)),
  );

  // The carriers' status export as a file (CP932 or UTF-8 CSV, our neutral layout: 伝票番号,お客様管理番号,配達状況,日時).
  app.register(async (scope) => {
    scope.addContentTypeParser(['text/csv', 'application/octet-stream'], { parseAs: 'buffer', bodyLimit: 20 * 1024 * 1024 }, (_req, body, done) => done(null, body));
    scope.post<{ Body: Buffer }>(
      '/carrier-status/file',
      {
        schema: { tags: ['shipping'], summary: 'Apply a delivery status file (text/csv body); bad rows are reported with row, column and reason', consumes: ['text/csv', 'application/octet-stream'] },
        config: { roles: WRITE },
      },
      async (request) => {
        if (!Buffer.isBuffer(request.body)) throw new HttpError(415, 'unsupported_media_type', 'send the file as text/csv or application/octet-stream');
        const parsed = parseDeliveryStatusFile(request.body);
        const applied = parsed.statuses.length ? await applyCarrierStatuses(parsed.statuses.map((r) => ({ trackingNumber: r.trackingNumber, status: r.status, at: r.at })), actorOf(request.principal!)) : { applied: 0, results: [] };
        // Results are numbered by data row; the file's own row numbers (header = 1) go with errors and with each status.
        return { ...applied, results: applied.results.map((r, i) => ({ ...r, row: parsed.statuses[i].row })), errors: parsed.errors };
      },
    );
  });

  /** Delivered rows complete their shipments; other statuses are reported for an operator. Unknown numbers are named, not dropped. */
  async function applyCarrierStatuses(rows: { trackingNumber: string; status: string; at: string }[], actor: string) {
    const results: { row: number; trackingNumber: string; outcome: string }[] = [];
    // A list repeats tracking numbers (a parcel's day of statuses); each is looked up once per request.
    const lookups = new Map<string, ReturnType<typeof shipmentByTracking>>();
    for (const [i, r] of rows.entries()) {
      if (!lookups.has(r.trackingNumber)) lookups.set(r.trackingNumber, shipmentByTracking(knex(), r.trackingNumber));
      const shipment = await lookups.get(r.trackingNumber);
      if (!shipment) results.push({ row: i + 1, trackingNumber: r.trackingNumber, outcome: 'unknown tracking number' });
      else if (r.status !== 'delivered') results.push({ row: i + 1, trackingNumber: r.trackingNumber, outcome: `carrier reports ${r.status}: check with the carrier` });
      else if (shipment.status !== 'shipped') results.push({ row: i + 1, trackingNumber: r.trackingNumber, outcome: `shipment is ${shipment.status}; nothing to do` });
      else {
        await temporal.workflow.getHandle(shipment.workflowId).signal(deliveredSignal, { actor, at: r.at, source: 'carrier_status' });
        results.push({ row: i + 1, trackingNumber: r.trackingNumber, outcome: 'delivered' });
      }
    }
    return { applied: results.filter((r) => r.outcome === 'delivered').length, results };
  }

}
