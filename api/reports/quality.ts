import type { FastifyInstance } from 'fastify';
import type { Client } from '@temporalio/client';
import type { AppConfig } from '../../config/env';
import { CARRIER_CODES, CARRIER_CODES_MESSAGE } from '../../domain/carriers/catalogue';
import { jstDate } from '../../domain/jst';
import { monthDays, monthRange } from '../../domain/reports/month';
import type { Orm } from '../../ledger/orm';
import { qualityMeetings } from '../../ledger/recruitment';
import {
  checkNewMeasure,
  closeMeasure,
  createMeasure,
  findMeasure,
  listMeasures,
  MeasureConflictError,
  measureEvents,
  MeasureNotFoundError,
  qualityRows,
  recordReply,
  type Measure,
} from '../../ledger/quality-measures';
import { qualityDemandMailWorkflow } from '../../workflows';
import { actorOf, supplierScope, type Principal } from '../auth';
import { READ, WRITE, type Json } from '../roles';
import { badRequest, HttpError, ledgerAnswers, notFound } from '../errors';
import { requiredWhen, yearMonth } from '../schema-fragments';

const uuidParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', format: 'uuid' } } } as const;
const month = yearMonth;
const text = (max: number) => ({ type: 'string', minLength: 1, maxLength: max }) as const;

/**
 * CALL-3: measures demanded of suppliers and carriers after gift complaints, and the supplier
 * quality report for the city. Operators demand and close; the supplier (or an operator on its
 * behalf) records the reply; a supplier sees only its own measures and never another's.
 */
export function registerQualityRoutes(app: FastifyInstance, { config, orm, temporal }: { config: AppConfig; orm: Orm; temporal: Client }): void {
  const knex = () => orm.em.getKnex();

  const ledger = ledgerAnswers(MeasureNotFoundError, MeasureConflictError);

  /** A supplier learns nothing about others' measures, not even that they exist. */
  const visibleMeasure = async (id: string, p: Principal): Promise<Measure> => {
    const m = await findMeasure(knex(), id);
    const supplier = supplierScope(p);
    if (!m || (supplier !== undefined && (m.party.kind !== 'supplier' || m.party.supplierCode !== supplier))) throw notFound(`measure ${id}`);
    return m;
  };

  app.post<{ Params: { id: string }; Body: Json }>(
    '/calls/:id/measures',
    {
      schema: {
        tags: ['call centre'],
        summary: 'Demand measures from the supplier or carrier about a gift complaint (CALL-3); the demand is mailed to them',
        params: uuidParams,
        body: {
          type: 'object',
          required: ['party', 'demand', 'dueOn'],
          additionalProperties: false,
          properties: {
            party: {
              type: 'object',
              required: ['kind'],
              additionalProperties: false,
              properties: { kind: { type: 'string', enum: ['supplier', 'carrier'] }, supplierCode: text(100), carrier: { type: 'string', enum: CARRIER_CODES, 'x-reason': CARRIER_CODES_MESSAGE } },
              // A demand to a carrier names it (ledger/quality-measures.ts checkNewMeasure); a supplier's is found from the call.
              ...requiredWhen('kind', ['supplier'], 'carrier', CARRIER_CODES_MESSAGE),
            },
            demand: text(5000),
            dueOn: { type: 'string', format: 'date' },
            contactEmail: { type: 'string', format: 'email', maxLength: 254, description: "overrides the supplier's address; a carrier demand is mailed only here" },
          },
        },
      },
      config: { roles: WRITE },
    },
    async (request, reply) => {
      const b = request.body;
      const party = b.party.kind === 'supplier' ? { kind: 'supplier' as const, supplierCode: b.party.supplierCode } : { kind: 'carrier' as const, carrier: b.party.carrier ?? '' };
      const input = { callId: request.params.id, party, demand: b.demand, dueOn: b.dueOn, contactEmail: b.contactEmail };
      const { errors, supplierId, callFound } = await checkNewMeasure(knex(), input);
      if (!callFound) throw notFound(`call ${request.params.id}`);
      if (errors.length) throw badRequest(errors);
      const measure = await createMeasure(knex(), input, supplierId, actorOf(request.principal!));
      await temporal.workflow.start(qualityDemandMailWorkflow, { taskQueue: config.temporal.taskQueue, workflowId: measure.workflowId, args: [{ measureId: measure.id }] });
      return reply.code(201).send({ measure });
    },
  );

  app.get<{ Querystring: Json }>(
    '/quality/measures',
    {
      schema: {
        tags: ['quality'],
        summary: 'Demands for measures, newest first (a supplier sees its own)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            callId: { type: 'string', format: 'uuid' },
            supplierCode: { type: 'string' },
            carrier: { type: 'string' },
            status: { type: 'string', enum: ['open', 'replied', 'closed'] },
            overdue: { type: 'boolean' },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 200 },
          },
        },
      },
      config: { roles: [...READ, 'supplier'] },
    },
    async (request) => {
      const supplier = supplierScope(request.principal!);
      if (supplier !== undefined && ((request.query.supplierCode && request.query.supplierCode !== supplier) || request.query.carrier)) throw new HttpError(403, 'forbidden', 'a supplier sees only its own measures');
      return { measures: await listMeasures(knex(), { ...request.query, supplierCode: supplier ?? request.query.supplierCode }) };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/quality/measures/:id',
    { schema: { tags: ['quality'], summary: 'A demand with its history', params: uuidParams }, config: { roles: [...READ, 'supplier'] } },
    async (request) => {
      const measure = await visibleMeasure(request.params.id, request.principal!);
      return { measure, history: await measureEvents(knex(), measure.id) };
    },
  );

  app.post<{ Params: { id: string }; Body: Json }>(
    '/quality/measures/:id/reply',
    {
      schema: {
        tags: ['quality'],
        summary: "Record the supplier's or carrier's reply and the measure taken",
        params: uuidParams,
        body: { type: 'object', required: ['reply', 'measureTaken'], additionalProperties: false, properties: { reply: text(5000), measureTaken: text(5000), at: { type: 'string', format: 'date-time' } } },
      },
      config: { roles: [...WRITE, 'supplier'] },
    },
    async (request) => {
      const measure = await visibleMeasure(request.params.id, request.principal!);
      const at = request.body.at ? new Date(request.body.at) : undefined;
      if (at && at.getTime() > Date.now() + 5 * 60_000) throw badRequest([{ field: 'at', reason: 'is in the future' }]);
      return { measure: await ledger(() => recordReply(knex(), measure.id, { reply: request.body.reply, measureTaken: request.body.measureTaken, at }, actorOf(request.principal!))) };
    },
  );

  app.post<{ Params: { id: string }; Body: Json }>(
    '/quality/measures/:id/close',
    {
      schema: { tags: ['quality'], summary: 'Close a demand once its reply is recorded', params: uuidParams, body: { type: 'object', required: ['note'], additionalProperties: false, properties: { note: text(2000) } } },
      config: { roles: WRITE },
    },
    async (request) => ({ measure: await ledger(() => closeMeasure(knex(), request.params.id, request.body.note, actorOf(request.principal!))) }),
  );

  app.get<{ Querystring: Json }>(
    '/quality/report',
    {
      schema: {
        tags: ['quality'],
        summary:
          "Supplier quality report (CALL-3, GIFT-3): complaints, re-shipments and measures per supplier / carrier and month, and the period's success-case meetings and quality trainings (with a supplierCode: those it attended or presented at)",
        querystring: { type: 'object', additionalProperties: false, properties: { from: month, to: month, supplierCode: { type: 'string' } } },
      },
      config: { roles: READ },
    },
    async (request) => {
      const thisMonth = jstDate(new Date()).slice(0, 7);
      const to: string = request.query.to ?? thisMonth;
      const from: string = request.query.from ?? to;
      if (from > to) throw badRequest([{ field: 'querystring.from', reason: `must not be after to (${to})` }]);
      if (monthRange(to).start.getTime() - monthRange(from).start.getTime() > 3 * 366 * 86_400_000) throw badRequest([{ field: 'querystring.from', reason: 'at most 36 months at once' }]);
      const rows = await qualityRows(knex(), from, to, { supplierCode: request.query.supplierCode });
      const meetings = await qualityMeetings(knex(), monthDays(from).from, monthDays(to).to, request.query.supplierCode);
      return { from, to, rows, meetings };
    },
  );
}
