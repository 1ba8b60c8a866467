import type { FastifyInstance } from 'fastify';
import { destructionReportText, type DestructionForReport } from '../../domain/onestop/destruction-report';
import { RECORD_CLASSES, RECORD_CLASS_INFO, retentionYearsVariable, type RecordClass } from '../../domain/retention/classes';
import { decideDestruction, listDestructions } from '../../ledger/onestop';
import { clearHold, findRecordsDestruction, listHolds, proposeRecordsDestruction, setHold } from '../../ledger/retention';
import { destructionDecidedSignal, retentionWorkflowId } from '../../workflows/onestop/definitions';
import { retentionDestructionWorkflow } from '../../workflows/onestop/retention-workflow';
import { actorOf } from '../auth';
import { conflict, notFound } from '../errors';
import type { RouteDeps } from '../feature';
import { proposalAsOf, translate } from '../onestop/onestop';
import { physicalMediaSchema, planProperties, recordPhysicalMedia, type PhysicalDestructionBody } from '../onestop/destruction-plan';
import type { DestructionPlan } from '../../ledger/destruction-plan';
import { READ } from '../roles';
import { isoDate, REASON, text, uuid } from '../schema-fragments';

const TAGS = ['retention'];
const CITY_AND_ADMIN = ['city', 'admin'] as const;
const idParams = { type: 'object', required: ['id'], properties: { id: uuid } } as const;
const recordClass = { type: 'string', enum: RECORD_CLASSES, [REASON]: `must be one of the record classes: ${RECORD_CLASSES.join(', ')}` } as const;
const recordId = { type: 'string', pattern: '^([0-9]{1,18}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$', [REASON]: 'must be a record id: a uuid, or digits for mail_log, import_quarantine and carrier_files' } as const;
const STATUSES = ['proposed', 'approved', 'rejected', 'done'] as const;

/**
 * REC-1 for every record (docs/features/retention.md): the classes and their periods, the
 * proposals and the city's decision, legal holds, and the destruction records. The one-stop
 * applications' own routes are /onestop/retention/…; both decide on the same table.
 */
export function registerRetentionRoutes(app: FastifyInstance, { config, orm, temporal }: RouteDeps): void {
  const knex = () => orm.em.getKnex();
  const found = async (id: string) => {
    const d = await findRecordsDestruction(knex(), id);
    if (!d) throw notFound(`retention proposal ${id}`);
    return d;
  };

  app.get(
    '/retention/classes',
    { schema: { tags: TAGS, summary: 'REC-1: every record class, its retention period (years, set by the city in the configuration) and what its destruction does' }, config: { roles: READ } },
    async () => ({
      proposalDate: config.retention.proposalDate,
      classes: RECORD_CLASSES.map((c) => ({ class: c, ...RECORD_CLASS_INFO[c], years: config.retention.years[c], setting: retentionYearsVariable(c) })),
      onestop: { years: config.onestop.retentionYears, setting: 'ONESTOP_RETENTION_YEARS', routes: '/onestop/retention/destructions' },
    }),
  );

  app.post<{ Body: { asOf?: string } & DestructionPlan }>(
    '/retention/proposals',
    {
      schema: {
        tags: TAGS,
        summary: 'REC-1: propose destroying what is past its period (besides the yearly schedule); nothing held, needed or already proposed; the city decides. MYNUM-5: with a planned date and physical media',
        body: { type: 'object', additionalProperties: false, properties: { asOf: { ...isoDate, description: 'default today (JST); never later' }, ...planProperties } },
      },
      config: { roles: ['admin'] },
    },
    async (request, reply) => {
      const { asOf: asked, ...plan } = request.body ?? {};
      const asOf = proposalAsOf(asked);
      const proposed = await proposeRecordsDestruction(knex(), { asOf, years: config.retention.years, plan }, actorOf(request.principal!)).catch(translate);
      const id = proposed.id!;
      await temporal.workflow.start(retentionDestructionWorkflow, { taskQueue: config.temporal.taskQueue, workflowId: retentionWorkflowId(id), args: [{ destructionId: id, scope: 'records', ...(plan.plannedOn ? { plannedOn: plan.plannedOn } : {}) }] });
      return reply.code(201).send({ id, status: 'proposed' as const, asOf, plannedOn: plan.plannedOn ?? null, count: proposed.count, counts: proposed.counts });
    },
  );
  app.post<{ Params: { id: string }; Body: PhysicalDestructionBody }>(
    '/retention/proposals/:id/physical-media',
    { schema: { tags: TAGS, ...physicalMediaSchema }, config: { roles: ['admin'] } },
    async (request, reply) => reply.code(201).send(await recordPhysicalMedia(knex(), 'records', request)),
  );

  app.get<{ Querystring: { status?: (typeof STATUSES)[number] } }>(
    '/retention/proposals',
    {
      schema: {
        tags: TAGS,
        summary: 'REC-1: the records proposals, newest first (status=proposed: those waiting for the city)',
        querystring: { type: 'object', additionalProperties: false, properties: { status: { type: 'string', enum: STATUSES } } },
      },
      config: { roles: [...CITY_AND_ADMIN] },
    },
    async (request) => {
      const rows = await listDestructions(knex(), { status: request.query.status, scope: 'records' });
      return { proposals: (await Promise.all(rows.map((r) => findRecordsDestruction(knex(), r.id)))).filter((d) => d !== undefined) };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/retention/proposals/:id',
    { schema: { tags: TAGS, summary: 'REC-1: a proposal — the prior application (items per class, medium, count, method, when) — and, once done, its record', params: idParams }, config: { roles: [...CITY_AND_ADMIN] } },
    async (request) => found(request.params.id),
  );

  app.post<{ Params: { id: string }; Body: { approve: boolean; reason: string; witness?: string } }>(
    '/retention/proposals/:id/decision',
    {
      schema: {
        tags: TAGS,
        summary: "REC-1: the city's approval (or refusal) of a proposal; only an approval destroys anything",
        params: idParams,
        body: { type: 'object', additionalProperties: false, required: ['approve', 'reason'], properties: { approve: { type: 'boolean' }, reason: text(500), witness: { ...text(200), description: 'the city’s witness (立会人), when it sends one' } } },
      },
      config: { roles: ['city'] },
    },
    async (request, reply) => {
      await found(request.params.id);
      const actor = actorOf(request.principal!);
      await decideDestruction(knex(), request.params.id, request.body.approve, actor, request.body.reason, request.body.witness, 'records').catch(translate);
      await temporal.workflow.getHandle(retentionWorkflowId(request.params.id)).signal(destructionDecidedSignal, { approve: request.body.approve, actor });
      return reply.code(202).send({ id: request.params.id, status: request.body.approve ? ('approved' as const) : ('rejected' as const) });
    },
  );

  app.get(
    '/retention/destructions',
    { schema: { tags: TAGS, summary: 'REC-1: the records destructions carried out, newest first, each with its record (items, medium, count, method, date, person)' }, config: { roles: [...CITY_AND_ADMIN] } },
    async () => {
      const rows = await listDestructions(knex(), { status: 'done', scope: 'records' });
      return { destructions: (await Promise.all(rows.map((r) => findRecordsDestruction(knex(), r.id)))).filter((d) => d !== undefined) };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/retention/destructions/:id',
    { schema: { tags: TAGS, summary: 'REC-1: the record of a carried-out destruction (items, medium, count, method, date, person, files deleted); 409 until it is done', params: idParams }, config: { roles: [...CITY_AND_ADMIN] } },
    async (request) => {
      const d = await found(request.params.id);
      if (d.status !== 'done' || !d.report) throw conflict(`retention proposal ${d.id} is ${d.status}: its record exists only once it is carried out`);
      return { id: d.id, decidedBy: d.decidedBy, decidedAt: d.decidedAt, decisionReason: d.decisionReason, witness: d.witness, executedAt: d.executedAt, record: d.report };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/retention/destructions/:id/report.txt',
    { schema: { tags: TAGS, summary: 'REC-1 / MYNUM-5: the written report of a carried-out records destruction (日時・実施者・方法・項目・件数・立会人), Japanese text; 409 until it is done', params: idParams }, config: { roles: [...CITY_AND_ADMIN] } },
    async (request, reply) => {
      const d = await found(request.params.id);
      const text = destructionReportText(d as DestructionForReport);
      if (!text) throw conflict(`retention proposal ${d.id} is ${d.status}: a report exists only once it is carried out`);
      return reply.header('content-type', 'text/plain; charset=utf-8').send(text);
    },
  );

  app.get<{ Querystring: { active?: boolean; recordClass?: RecordClass } }>(
    '/retention/holds',
    {
      schema: {
        tags: TAGS,
        summary: 'REC-1: legal holds (a held record is never proposed), newest first; cleared ones stay on record',
        querystring: { type: 'object', additionalProperties: false, properties: { active: { type: 'boolean' }, recordClass } },
      },
      config: { roles: READ },
    },
    async (request) => ({ holds: await listHolds(knex(), { active: request.query.active, recordClass: request.query.recordClass }) }),
  );

  app.post<{ Body: { recordClass: RecordClass; recordId: string; reason: string } }>(
    '/retention/holds',
    {
      schema: {
        tags: TAGS,
        summary: 'REC-1: put a record on legal hold (a donor or a donation holds what belongs to it: its donations, 送付先, mail, calls)',
        body: { type: 'object', additionalProperties: false, required: ['recordClass', 'recordId', 'reason'], properties: { recordClass, recordId, reason: text(500) } },
      },
      config: { roles: [...CITY_AND_ADMIN] },
    },
    async (request, reply) => reply.code(201).send({ hold: await setHold(knex(), request.body, actorOf(request.principal!)).catch(translate) }),
  );

  app.post<{ Params: { id: string }; Body: { reason: string } }>(
    '/retention/holds/:id/clear',
    {
      schema: { tags: TAGS, summary: 'REC-1: clear a legal hold (recorded: who, when, why); the record is proposed again once past its period', params: idParams, body: { type: 'object', additionalProperties: false, required: ['reason'], properties: { reason: text(500) } } },
      config: { roles: [...CITY_AND_ADMIN] },
    },
    async (request) => ({ hold: await clearHold(knex(), request.params.id, request.body.reason, actorOf(request.principal!)).catch(translate) }),
  );
}
