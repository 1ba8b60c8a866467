import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { AppConfig } from '../../config/env';
import { validateDonorChanges } from '../../domain/donor';
import { Donation, PrintBatch, PrintBatchItem, Receipt } from '../../ledger/entities';
import type { Orm } from '../../ledger/orm';
import { ReissueRefusedError, requestReissue } from '../../ledger/receipts';
import { printBatchWorkflow } from '../../workflows';
import { batchPostedSignal, printBatchStatusQuery, printBatchWorkflowId } from '../../workflows/documents/definitions';
import { confirmAddressUpdate, mailReturnedSignal, statusQuery } from '../../workflows/donation/definitions';
import { actorOf } from '../auth';
import { READ, WRITE, type Json } from '../roles';
import { badRequest, conflict, conflictOn, HttpError, notFound } from '../errors';
import { correctionBody, idParams, reasonBody } from '../schemas';

const batchIdParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', format: 'uuid' } } } as const;

/** DOCS-1…6: print batches, returned mail and receipt reissues. */
export function registerDocumentRoutes(app: FastifyInstance, { config, orm, temporal }: { config: AppConfig; orm: Orm; temporal: Client }): void {
  const em = () => orm.em.fork();

  async function loadBatch(id: string): Promise<PrintBatch> {
    const batch = await em().findOne(PrintBatch, { id });
    if (!batch) throw notFound(`print batch ${id}`);
    return batch;
  }

  async function loadDonation(id: string): Promise<Donation> {
    const donation = await em().findOne(Donation, { id });
    if (!donation) throw notFound(`donation ${id}`);
    return donation;
  }

  const batchJson = (b: PrintBatch) => ({
    id: b.id,
    kind: b.kind,
    status: b.status,
    requestedBy: b.requestedBy,
    envelopes: b.envelopeCount,
    documents: b.documentCount,
    pages: b.pageCount,
    printerReference: b.printerReference ?? null,
    createdAt: b.createdAt.toISOString(),
    renderedAt: b.renderedAt?.toISOString() ?? null,
    handedOffAt: b.handedOffAt?.toISOString() ?? null,
    postedAt: b.postedAt?.toISOString() ?? null,
    postedBy: b.postedBy ?? null,
  });

  app.post<{ Body: Json }>(
    '/print-batches',
    {
      schema: {
        tags: ['documents'],
        summary: 'Start an on-demand print batch of everything due now',
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            maxEnvelopes: { type: 'integer', minimum: 1, maximum: 100_000 },
            donationIds: { type: 'array', minItems: 1, maxItems: 1_000, items: { type: 'string', format: 'uuid' }, description: 'Only these donations (urgent resend, at most 1,000: the list travels in the workflow input); default: everything due' },
          },
        },
      },
      config: { roles: WRITE },
    },
    async (request, reply) => {
      const batchId = randomUUID();
      const workflowId = printBatchWorkflowId(batchId);
      await temporal.workflow.start(printBatchWorkflow, {
        taskQueue: config.temporal.taskQueue,
        workflowId,
        args: [{ batchId, kind: 'on_demand', donationIds: request.body?.donationIds, requestedBy: actorOf(request.principal!), maxEnvelopes: request.body?.maxEnvelopes ?? config.documents.maxEnvelopes, runOnClosedDays: true }],
      });
      return reply.code(202).send({ batchId, workflowId });
    },
  );

  app.get<{ Querystring: Json }>(
    '/print-batches',
    { schema: { tags: ['documents'], summary: 'Recent print batches', querystring: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 } } } }, config: { roles: READ } },
    async (request) => ({ batches: (await em().find(PrintBatch, {}, { orderBy: { createdAt: 'desc' }, limit: request.query.limit })).map(batchJson) }),
  );

  app.get<{ Params: { id: string } }>(
    '/print-batches/:id',
    { schema: { tags: ['documents'], summary: 'A print batch with its manifest', params: batchIdParams }, config: { roles: READ } },
    async (request) => {
      const batch = await loadBatch(request.params.id);
      const items = await em().find(PrintBatchItem, { batch: batch.id }, { orderBy: { seq: 'asc' }, populate: ['receipt', 'donation'] });
      let live = null;
      try {
        live = await temporal.workflow.getHandle(batch.workflowId).query(printBatchStatusQuery);
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) request.log.warn({ err }, 'print batch query failed');
      }
      return {
        batch: batchJson(batch),
        workflow: live,
        items: items.map((i) => ({
          seq: i.seq,
          donationId: i.donation.id,
          portalOrderId: i.donation.portalOrderId,
          reason: i.reason,
          documents: i.documents,
          receiptNumber: i.receipt?.number ?? null,
          pageFrom: i.pageFrom ?? null,
          pageTo: i.pageTo ?? null,
          envelope: i.envelope,
        })),
      };
    },
  );

  app.post<{ Params: { id: string }; Body: Json }>(
    '/print-batches/:id/posted',
    {
      schema: {
        tags: ['documents'],
        summary: 'The printing service confirms the batch was printed and posted',
        params: batchIdParams,
        body: { type: 'object', additionalProperties: false, required: ['postedAt'], properties: { postedAt: { type: 'string', format: 'date-time' } } },
      },
      config: { roles: WRITE },
    },
    async (request, reply) => {
      const batch = await loadBatch(request.params.id);
      if (batch.status !== 'handed_off') throw conflict(`print batch ${batch.id} is ${batch.status}; only a batch handed to the printer can be confirmed as posted`);
      if (Date.parse(request.body.postedAt) > Date.now() + 60_000) throw badRequest([{ field: 'postedAt', reason: 'is in the future' }]);
      await temporal.workflow.getHandle(batch.workflowId).signal(batchPostedSignal, { actor: actorOf(request.principal!), postedAt: request.body.postedAt });
      return reply.code(202).send({ accepted: true });
    },
  );

  app.post<{ Params: { id: string }; Body: Json }>(
    '/donations/:id/returned-mail',
    {
      schema: {
        tags: ['documents'],
        summary: 'Record an envelope that came back undelivered (DOCS-4)',
        params: idParams,
        body: { type: 'object', additionalProperties: false, required: ['reason'], properties: { reason: { type: 'string', minLength: 1, maxLength: 500 }, returnedAt: { type: 'string', format: 'date-time' } } },
      },
      config: { roles: WRITE },
    },
    async (request, reply) => {
      const donation = await loadDonation(request.params.id);
      const handle = temporal.workflow.getHandle(donation.workflowId);
      let status: string = donation.status;
      try {
        status = (await handle.query(statusQuery)).status;
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) throw conflict(`donation ${donation.id} has no running workflow; returned mail after the return window is handled as a reissue`);
        throw err;
      }
      if (status !== 'documents_sent') throw conflict(`donation ${donation.id} is ${status}; returned mail applies to documents that were sent`);
      await handle.signal(mailReturnedSignal, { actor: actorOf(request.principal!), reason: request.body.reason, returnedAt: request.body.returnedAt ?? new Date().toISOString() });
      return reply.code(202).send({ accepted: true });
    },
  );

  app.post<{ Params: { id: string }; Body: Json }>(
    '/donations/:id/address-confirmation',
    { schema: { tags: ['documents'], summary: 'Confirm (and correct) the address after returned mail; the documents go out again', params: idParams, body: { ...correctionBody, properties: { ...correctionBody.properties, changes: { ...correctionBody.properties.changes, minProperties: 0 } } } }, config: { roles: WRITE } },
    async (request) => {
      const changes = request.body.changes ?? {};
      if (Object.keys(changes).length) {
        const errors = validateDonorChanges(changes);
        if (errors.length) throw badRequest(errors);
      }
      const donation = await loadDonation(request.params.id);
      try {
        return await temporal.workflow.getHandle(donation.workflowId).executeUpdate(confirmAddressUpdate, { args: [{ actor: actorOf(request.principal!), reason: request.body.reason, changes }] });
      } catch (err) {
        if (err instanceof WorkflowUpdateFailedError) throw new HttpError(409, 'rejected', `address confirmation rejected: ${err.cause?.message ?? err.message}`);
        if (err instanceof WorkflowNotFoundError) throw conflict(`donation ${donation.id} has no running workflow`);
        throw err;
      }
    },
  );

  app.post<{ Params: { id: string }; Body: Json }>(
    '/donations/:id/receipts/reissue',
    { schema: { tags: ['documents'], summary: 'Reissue the 寄附金受領証明書 (lost, wrong name); printed in the next batch', params: idParams, body: reasonBody }, config: { roles: WRITE } },
    async (request, reply) => {
      const donation = await loadDonation(request.params.id);
      const receipt = await conflictOn(ReissueRefusedError, () => requestReissue(em(), donation.id, actorOf(request.principal!), request.body.reason));
      return reply.code(201).send({ receiptNumber: receipt.number, issue: receipt.issue });
    },
  );

  app.get<{ Params: { id: string } }>(
    '/donations/:id/receipts',
    { schema: { tags: ['documents'], summary: 'Receipts issued for a donation', params: idParams }, config: { roles: READ } },
    async (request) => {
      const donation = await loadDonation(request.params.id);
      const receipts = await em().find(Receipt, { donation: donation.id }, { orderBy: { issue: 'asc' } });
      return {
        receipts: receipts.map((r) => ({
          number: r.number,
          issue: r.issue,
          reason: r.reason,
          reissue: r.issue > 1,
          requestedBy: r.requestedBy,
          requestedAt: r.requestedAt.toISOString(),
          note: r.note ?? null,
          printBatchId: r.printBatch?.id ?? null,
          postedAt: r.postedAt?.toISOString() ?? null,
        })),
      };
    },
  );
}
