import type { FastifyInstance } from 'fastify';
import { jstDate } from '../../domain/jst';
import { contractEndReportText } from '../../domain/onestop/contract-end-report';
import type { DestructionPlan } from '../../ledger/destruction-plan';
import { contractEndState, directContractEnd, findContractEnd, type ContractEndDirection } from '../../ledger/mynumber-contract-end';
import { findDestruction } from '../../ledger/onestop';
import { retentionWorkflowId } from '../../workflows/onestop/definitions';
import { retentionDestructionWorkflow } from '../../workflows/onestop/retention-workflow';
import { actorOf } from '../auth';
import { badRequest, notFound } from '../errors';
import type { RouteDeps } from '../feature';
import { idParams } from '../schemas';
import { text } from '../schema-fragments';
import { planProperties } from './destruction-plan';
import { translate } from './translate';

const CITY_AND_ADMIN = ['city', 'admin'] as const;

/**
 * MYNUM-5 (特記12) at the end of the contract (ledger/mynumber-contract-end.ts): the city directs, per
 * donation year, return or destruction; a return leaves as the MYNUM-2 export with a MYNUM-4 handover;
 * the system's copy goes by one destruction the city consents to (POST /onestop/retention/destructions/:id/decision)
 * on REC-1's path; the final report says what went where.
 */
export function registerContractEndRoutes(app: FastifyInstance, { orm, temporal, config }: RouteDeps): void {
  const knex = () => orm.em.getKnex();
  const found = async (id: string) => {
    const c = await findContractEnd(knex(), id);
    if (!c) throw notFound(`contract end ${id}`);
    const [state, destruction] = await Promise.all([contractEndState(knex(), c), findDestruction(knex(), c.destructionId)]);
    return { contractEnd: c, destruction: destruction!, ...state };
  };

  app.post<{ Body: { directions: ContractEndDirection[]; reason: string } & DestructionPlan }>(
    '/mynumber/contract-end',
    {
      schema: {
        tags: ['onestop'],
        summary: 'MYNUM-5: the city directs, per donation year, whether the one-stop 特定個人情報 is returned or destroyed at the end of the contract; opens the destruction of the system’s copy (the city consents to it as to any other)',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['directions', 'reason'],
          properties: {
            directions: {
              type: 'array',
              minItems: 1,
              maxItems: 100,
              items: {
                type: 'object',
                additionalProperties: false,
                required: ['donationYear', 'action'],
                properties: { donationYear: { type: 'integer', minimum: 2008, maximum: 2100 }, action: { type: 'string', enum: ['return', 'destroy'], description: 'return: as a MYNUM-2 export with a MYNUM-4 handover, then erased; destroy: erased' } },
              },
            },
            reason: text(500),
            ...planProperties,
          },
        },
      },
      config: { roles: ['city'] },
    },
    async (request, reply) => {
      const { directions, reason, ...plan } = request.body;
      const years = directions.map((d) => d.donationYear);
      if (new Set(years).size !== years.length) throw badRequest([{ field: 'directions', reason: 'each donation year is directed once' }]);
      const made = await directContractEnd(knex(), { directions, reason, asOf: jstDate(new Date()), retentionYears: config.onestop.retentionYears, plan }, actorOf(request.principal!)).catch(translate);
      const destructionId = made.contractEnd.destructionId;
      await temporal.workflow.start(retentionDestructionWorkflow, {
        taskQueue: config.temporal.taskQueue,
        workflowId: retentionWorkflowId(destructionId),
        args: [{ destructionId, ...(plan.plannedOn ? { plannedOn: plan.plannedOn } : {}) }],
      });
      return reply.code(201).send({ contractEnd: made.contractEnd, applications: made.applications, decision: `/onestop/retention/destructions/${destructionId}/decision` });
    },
  );

  app.get<{ Params: { id: string } }>(
    '/mynumber/contract-end/:id',
    { schema: { tags: ['onestop'], summary: 'MYNUM-5: a contract-end direction, per year its return (export, handover, confirmation) and what remains, the destruction and the years not directed', params: idParams }, config: { roles: [...CITY_AND_ADMIN] } },
    async (request) => found(request.params.id),
  );

  app.get<{ Params: { id: string } }>(
    '/mynumber/contract-end/:id/report.txt',
    { schema: { tags: ['onestop'], summary: 'MYNUM-5: the final report of the return and destruction at the end of the contract (what went where), Japanese text', params: idParams }, config: { roles: [...CITY_AND_ADMIN] } },
    async (request, reply) => {
      const f = await found(request.params.id);
      const text = contractEndReportText({ ...f.contractEnd, destruction: f.destruction, years: f.years, notDirected: f.notDirected });
      return reply.header('content-type', 'text/plain; charset=utf-8').send(text);
    },
  );
}
