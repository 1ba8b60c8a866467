import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { jstDate } from '../../domain/jst';
import { handlerNotices } from '../../ledger/mynumber-handlers';
import { registerReportPdf, registerReports } from '../../ledger/mynumber-register-reports';
import { handlerRegisterReportWorkflow } from '../../workflows/onestop/handler-register-workflow';
import { actorOf } from '../auth';
import { badRequest, notFound } from '../errors';
import type { RouteDeps } from '../feature';
import { idParams } from '../schemas';
import { isoDate } from '../schema-fragments';

const FOR = ['admin', 'city'] as const;

/** MYNUM-1 to the city: the dated notices of register changes and the register printed as PDF. */
export function registerHandlerRegisterRoutes(app: FastifyInstance, { orm, temporal, config }: RouteDeps): void {
  const knex = () => orm.em.getKnex();

  app.get<{ Querystring: { from?: string; to?: string } }>(
    '/mynumber/handlers/notices',
    {
      schema: { tags: ['onestop'], summary: 'MYNUM-1: the dated notices every change of the 取扱者名簿 produced (registered, changed, removed, approved)', querystring: { type: 'object', additionalProperties: false, properties: { from: isoDate, to: isoDate } } },
      config: { roles: [...FOR] },
    },
    async (request) => {
      const { from, to } = request.query;
      if (from && to && to < from) throw badRequest([{ field: 'querystring.to', reason: 'must not be before from' }]);
      return { notices: await handlerNotices(knex(), { from, to }) };
    },
  );

  app.post(
    '/mynumber/handlers/register-report',
    { schema: { tags: ['onestop'], summary: 'MYNUM-1: print the 取扱者名簿 for the city now (PDF, Japanese), with each person’s clearance today and the recent notices' }, config: { roles: [...FOR] } },
    async (request, reply) => {
      const reportId = randomUUID();
      const printed = await temporal.workflow.execute(handlerRegisterReportWorkflow, {
        taskQueue: config.temporal.taskQueue,
        workflowId: `mynumber-register/${reportId}`,
        args: [{ reportId, asOf: jstDate(new Date()), requestedBy: actorOf(request.principal!) }],
        workflowExecutionTimeout: '10 minutes',
      });
      return reply.code(201).send({ ...printed, pdf: `/mynumber/handlers/register-reports/${reportId}/report.pdf` });
    },
  );

  app.get(
    '/mynumber/handlers/register-reports',
    { schema: { tags: ['onestop'], summary: 'MYNUM-1: the registers printed for the city, newest first' }, config: { roles: [...FOR] } },
    async () => ({ reports: await registerReports(knex()) }),
  );

  app.get<{ Params: { id: string } }>(
    '/mynumber/handlers/register-reports/:id/report.pdf',
    { schema: { tags: ['onestop'], summary: 'MYNUM-1: one printed register (PDF)', params: idParams }, config: { roles: [...FOR] } },
    async (request, reply) => {
      const pdf = await registerReportPdf(knex(), request.params.id);
      if (!pdf) throw notFound(`register report ${request.params.id}`);
      return reply.header('content-type', 'application/pdf').header('content-disposition', `attachment; filename="mynumber-register-${request.params.id}.pdf"`).send(pdf);
    },
  );
}
