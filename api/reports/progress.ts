import type { FastifyInstance } from 'fastify';
import { fiscalYearOf, fiscalYearProgress } from '../../ledger/progress';
import type { Orm } from '../../ledger/orm';
import { READ } from '../roles';

/** LEDGER-3: the fiscal year's progress for the city, at any time. */
export function registerProgressRoutes(app: FastifyInstance, { orm }: { orm: Orm }): void {
  app.get<{ Querystring: { fiscalYear?: number } }>(
    '/progress',
    {
      schema: {
        tags: ['ledger'],
        summary: "LEDGER-3: the fiscal year's donations by status and portal, intake SLA, documents due and overdue, shipments and one-stop applications by status, open review holds and quarantine (default: the current fiscal year, JST)",
        querystring: { type: 'object', additionalProperties: false, properties: { fiscalYear: { type: 'integer', minimum: 2000, maximum: 2100 } } },
      },
      config: { roles: READ },
    },
    async (request) => fiscalYearProgress(orm.em.fork().getKnex(), request.query.fiscalYear ?? fiscalYearOf(new Date())),
  );
}
