import type { FastifyInstance, FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { parseIssuedLabels, UnsupportedCarrierFileError } from '../../domain/carriers';
import type { CarrierCode } from '../../domain/carriers/types';
import { CARRIERS } from '../../domain/shipping/types';
import { findSupplierOrder, orderLines, shipmentByCarrierReference } from '../../ledger/shipments';
import { confirmShippedUpdate } from '../../workflows/shipping/definitions';
import { supplierOrderCsv } from '../../domain/shipping/order-csv';
import { actorOf, supplierScope } from '../auth';
import type { RouteDeps } from '../feature';
import { READ, type Json } from '../roles';
import { badRequest, HttpError, notFound } from '../errors';
import { isoDate } from '../schema-fragments';

const SUPPLIER_AND_STAFF = [...READ, 'supplier'] as const;
const orderParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[0-9]{1,18}$' } } } as const;
const MAX_LABEL_FILE_BYTES = 5 * 1024 * 1024;

/**
 * SHIP-1 for suppliers (issue 17): the order's lines as the CSV the order mail carries, and the
 * carrier's issued-label export read back (B2クラウド / e飛伝 / ゆうプリR: お客様管理番号 = our
 * shipment id, and its tracking number) to confirm each shipment as `POST /shipments/:id/shipped`
 * does — the shipment's workflow validates each. Good rows are applied; each bad row is answered
 * with its row number and reason.
 */
export async function registerSupplierFileRoutes(app: FastifyInstance, { orm, temporal }: RouteDeps): Promise<void> {
  const knex = () => orm.em.getKnex();
  await app.register(multipart, { limits: { files: 1, fileSize: MAX_LABEL_FILE_BYTES, fields: 5 } });

  async function loadOrder(request: FastifyRequest<{ Params: { id: string } }>) {
    const order = await findSupplierOrder(knex(), request.params.id);
    const p = request.principal!;
    // Another supplier's order is a 404, as for the order itself: nothing is learnt about it.
    if (!order || (supplierScope(p) !== undefined && order.supplierCode !== supplierScope(p))) throw notFound(`supplier order ${request.params.id}`);
    return order;
  }

  app.get<{ Params: { id: string } }>(
    '/supplier-orders/:id/order.csv',
    { schema: { tags: ['shipping'], summary: "The order's lines as the CSV attached to the order mail (UTF-8 with BOM)", params: orderParams }, config: { roles: [...SUPPLIER_AND_STAFF] } },
    async (request, reply) => {
      const order = await loadOrder(request);
      const csv = supplierOrderCsv(await orderLines(knex(), order.id));
      return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="order-${order.id}.csv"`).send(csv);
    },
  );

  app.post<{ Params: { id: string }; Querystring: Json }>(
    '/supplier-orders/:id/issued-labels',
    {
      schema: {
        tags: ['shipping'],
        summary: "Confirm an order's shipments from the carrier's issued-label export (multipart, field \"file\"): each row's お客様管理番号 and tracking number as POST /shipments/:id/shipped; good rows applied, bad rows answered with row and reason",
        consumes: ['multipart/form-data'],
        params: orderParams,
        querystring: { type: 'object', required: ['carrier', 'shippedOn'], additionalProperties: false, properties: { carrier: { type: 'string', enum: [...CARRIERS] }, shippedOn: isoDate } },
        response: { 422: { description: 'The carrier has no issued-label export to read (クリックポスト): enter its tracking numbers one by one', type: 'object', properties: { error: { type: 'string' }, message: { type: 'string' } } } },
      },
      config: { roles: ['supplier', 'operator', 'admin'] },
    },
    async (request, reply) => {
      const order = await loadOrder(request);
      if (!request.isMultipart()) throw new HttpError(415, 'unsupported_media_type', 'the body must be multipart/form-data with a "file" part', [{ field: 'body', reason: 'must be multipart/form-data with a "file" part' }]);
      let content: Buffer;
      try {
        const part = await request.file();
        if (!part) throw badRequest([{ field: 'file', reason: 'is required' }]);
        content = await part.toBuffer();
      } catch (err) {
        if (err instanceof HttpError || (err as { statusCode?: number }).statusCode === 413) throw err;
        throw badRequest([{ field: 'body', reason: `is not readable multipart/form-data (${(err as Error).message})` }]);
      }
      if (!content.length) throw badRequest([{ field: 'file', reason: 'is empty' }]);
      const carrier = request.query.carrier as CarrierCode;
      let parsed: ReturnType<typeof parseIssuedLabels>;
      try {
        parsed = parseIssuedLabels(carrier, content);
      } catch (err) {
        if (err instanceof UnsupportedCarrierFileError) return reply.code(422).send({ error: 'unsupported_carrier_file', message: err.message });
        throw err;
      }
      const actor = actorOf(request.principal!);
      const errors = parsed.errors.map((e) => ({ row: e.row, shipmentId: null as string | null, trackingNumber: null as string | null, reason: e.column ? `${e.column}: ${e.reason}` : e.reason }));
      const applied: { row: number; shipmentId: string; trackingNumber: string }[] = [];
      for (const label of parsed.labels) {
        const bad = (reason: string) => errors.push({ row: label.row, shipmentId: label.shipmentId, trackingNumber: label.trackingNumber, reason });
        // お客様管理番号 holds the shipment's short number (S00012345); files written before it, the id.
        const shipment = await shipmentByCarrierReference(knex(), label.shipmentId);
        if (!shipment || shipment.orderId !== order.id) {
          bad(`shipment ${label.shipmentId} is not in order ${order.id}`);
          continue;
        }
        try {
          await temporal.workflow.getHandle(shipment.workflowId).executeUpdate(confirmShippedUpdate, { args: [{ actor, shippedOn: request.query.shippedOn, carrier, trackingNumber: label.trackingNumber }] });
          applied.push({ row: label.row, shipmentId: shipment.id, trackingNumber: label.trackingNumber });
        } catch (err) {
          if (err instanceof WorkflowUpdateFailedError) bad(err.cause?.message ?? err.message);
          else if (err instanceof WorkflowNotFoundError) bad(`shipment ${shipment.id} has no running workflow`);
          else throw err;
        }
      }
      errors.sort((a, b) => a.row - b.row);
      return { order: order.id, applied: applied.length, rows: applied, errors };
    },
  );
}
