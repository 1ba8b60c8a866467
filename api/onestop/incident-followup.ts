import type { FastifyInstance } from 'fastify';
import { addFollowUp, completeInstruction, EVIDENCE_LOGS, evidenceOfIncident, followUps, freezeEvidence, giveInstruction, instructions, verifyEvidence, type EvidenceLog } from '../../ledger/incident-followup';
import { findIncident } from '../../ledger/onestop';
import { actorOf } from '../auth';
import { badRequest, conflict, notFound } from '../errors';
import type { RouteDeps } from '../feature';
import { idParams } from '../schemas';
import { READ, WRITE } from '../roles';
import { dateTime, isoDate, text } from '../schema-fragments';

const incidentRef = (id: string) => `incident ${id}`;

/**
 * SEC-3 after the report: the city instructs, the contractor does it and says so, reports how things
 * went on, and freezes the affected logs as evidence; the whole file of an incident in one answer.
 */
export function registerIncidentFollowUpRoutes(app: FastifyInstance, { orm }: Pick<RouteDeps, 'orm'>): void {
  const knex = () => orm.em.getKnex();
  const found = <T>(id: string, value: T | undefined): T => {
    if (value === undefined) throw notFound(incidentRef(id));
    return value;
  };

  app.get<{ Params: { id: string } }>(
    '/incidents/:id/follow-up',
    { schema: { tags: ['incidents'], summary: 'SEC-3: the city’s instructions and their state, the follow-up reports and the frozen evidence of an incident', params: idParams }, config: { roles: READ } },
    async (request) => {
      const id = request.params.id;
      if (!(await findIncident(knex(), id))) throw notFound(incidentRef(id));
      const [given, reports, evidence] = await Promise.all([instructions(knex(), id), followUps(knex(), id), evidenceOfIncident(knex(), id)]);
      return { incidentId: id, instructions: given, open: given.filter((i) => !i.doneAt).length, followUps: reports, evidence };
    },
  );

  app.post<{ Params: { id: string }; Body: { instruction: string; dueOn?: string } }>(
    '/incidents/:id/instructions',
    {
      schema: {
        tags: ['incidents'],
        summary: 'SEC-3: the city’s instruction after an incident (tracked until the contractor reports it done)',
        params: idParams,
        body: { type: 'object', additionalProperties: false, required: ['instruction'], properties: { instruction: text(4000), dueOn: isoDate } },
      },
      config: { roles: ['city'] },
    },
    async (request, reply) => reply.code(201).send({ instruction: found(request.params.id, await giveInstruction(knex(), request.params.id, request.body, actorOf(request.principal!))) }),
  );

  app.post<{ Params: { id: string; n: number }; Body: { report: string } }>(
    '/incidents/:id/instructions/:n/done',
    {
      schema: {
        tags: ['incidents'],
        summary: 'SEC-3: the contractor reports an instruction done, saying what was done (once)',
        params: { type: 'object', required: ['id', 'n'], properties: { ...idParams.properties, n: { type: 'integer', minimum: 1, maximum: 9_007_199_254_740_991 } } },
        body: { type: 'object', additionalProperties: false, required: ['report'], properties: { report: text(4000) } },
      },
      config: { roles: WRITE },
    },
    async (request) => {
      const done = await completeInstruction(knex(), request.params.id, request.params.n, request.body.report, actorOf(request.principal!));
      if (done === 'not_found') throw notFound(`instruction ${request.params.n} of ${incidentRef(request.params.id)}`);
      if (done === 'already_done') throw conflict(`instruction ${request.params.n} is already reported done; add a follow-up report instead`);
      return { instruction: done };
    },
  );

  app.post<{ Params: { id: string }; Body: { report: string } }>(
    '/incidents/:id/follow-ups',
    {
      schema: { tags: ['incidents'], summary: 'SEC-3: a follow-up report to the city (cause, damage, measures, recurrence prevention)', params: idParams, body: { type: 'object', additionalProperties: false, required: ['report'], properties: { report: text(8000) } } },
      config: { roles: WRITE },
    },
    async (request, reply) => reply.code(201).send({ followUp: found(request.params.id, await addFollowUp(knex(), request.params.id, request.body.report, actorOf(request.principal!))) }),
  );

  app.post<{ Params: { id: string }; Body: { log: EvidenceLog; from: string; to: string } }>(
    '/incidents/:id/evidence',
    {
      schema: {
        tags: ['incidents'],
        summary: 'SEC-3: freeze an affected log’s rows of a period as evidence (row count and SHA-256 recorded); the period must have ended',
        params: idParams,
        body: { type: 'object', additionalProperties: false, required: ['log', 'from', 'to'], properties: { log: { type: 'string', enum: Object.keys(EVIDENCE_LOGS) }, from: dateTime, to: dateTime } },
      },
      config: { roles: WRITE },
    },
    async (request, reply) => {
      const { log, from, to } = request.body;
      if (Date.parse(to) <= Date.parse(from)) throw badRequest([{ field: 'to', reason: 'must be after from' }]);
      if (Date.parse(to) > Date.now()) throw badRequest([{ field: 'to', reason: 'must not be in the future: only a period that has ended can be frozen' }]);
      return reply.code(201).send({ evidence: found(request.params.id, await freezeEvidence(knex(), request.params.id, { log, from, to }, actorOf(request.principal!))) });
    },
  );

  app.get<{ Params: { id: string; n: number } }>(
    '/incidents/:id/evidence/:n/verification',
    {
      schema: { tags: ['incidents'], summary: 'SEC-3: read the frozen rows again and say whether they still give the recorded digest', params: { type: 'object', required: ['id', 'n'], properties: { ...idParams.properties, n: { type: 'integer', minimum: 1, maximum: 9_007_199_254_740_991 } } } },
      config: { roles: READ },
    },
    async (request) => {
      const v = await verifyEvidence(knex(), request.params.id, request.params.n);
      if (!v) throw notFound(`evidence ${request.params.n} of ${incidentRef(request.params.id)}`);
      return v;
    },
  );
}
