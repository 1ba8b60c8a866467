import type { FastifyInstance } from 'fastify';
import { addDays } from '../../domain/jst';
import { auditPackEntries } from '../../domain/onestop/audit-pack';
import { zipArchive } from '../../domain/reports/zip';
import { auditTables, myNumberAuditData } from '../../ledger/mynumber-audit';
import { handlingReport, monthlyHandlingReport, monthlyHandlingReports } from '../../ledger/mynumber-handling';
import { badRequest, notFound } from '../errors';
import type { RouteDeps } from '../feature';
import { isoDate, yearMonth } from '../schema-fragments';

/** A report on demand covers at most a year: the access log is read whole for the period. */
const MAX_DAYS = 366;

type Period = { from: string; to: string };
/** Both routes' period: Japan dates, inclusive. */
const periodQuery = { type: 'object', additionalProperties: false, required: ['from', 'to'], properties: { from: isoDate, to: isoDate } } as const;

function checkedPeriod({ from, to }: Period): Period {
  if (to < from) throw badRequest([{ field: 'querystring.to', reason: 'must not be before from' }]);
  if (addDays(from, MAX_DAYS - 1) < to) throw badRequest([{ field: 'querystring.to', reason: `the period is at most ${MAX_DAYS} days` }]);
  return { from, to };
}

/**
 * MYNUM-3 / MYNUM-6: the 特定個人情報 handling report — on demand for any period at once, and the
 * monthly ones the schedule issued. For the city and the contractor's admin; never a number in it.
 */
export function registerHandlingReportRoutes(app: FastifyInstance, { orm, config }: Pick<RouteDeps, 'orm' | 'config'>): void {
  const knex = () => orm.em.getKnex();

  app.get<{ Querystring: Period }>(
    '/mynumber/handling-report',
    { schema: { tags: ['onestop'], summary: 'MYNUM-3: who read, was refused or exported how many 個人番号 in a period (Japan dates, inclusive, at most 366 days), with anomalies flagged', querystring: periodQuery }, config: { roles: ['admin', 'city'] } },
    async (request, reply) => {
      const period = checkedPeriod(request.query);
      reply.header('cache-control', 'no-store');
      return handlingReport(knex(), period, config.onestop.workingHours);
    },
  );

  app.get<{ Querystring: Period }>(
    '/mynumber/audit-pack',
    { schema: { tags: ['onestop'], summary: 'MYNUM-6: the audit pack of a period for the city (ZIP: access and refusal logs, the register and its notices, exports, handovers, destructions, subcontractors, handling by person; CSV with a contents file; never a number)', querystring: periodQuery }, config: { roles: ['admin', 'city'] } },
    async (request, reply) => {
      const period = checkedPeriod(request.query);
      const now = new Date();
      const zip = zipArchive(auditPackEntries(auditTables(await myNumberAuditData(knex(), period, config.onestop.workingHours)), period, now), now);
      return reply
        .header('content-type', 'application/zip')
        .header('content-disposition', `attachment; filename="mynumber-audit-${period.from}-${period.to}.zip"`)
        .header('cache-control', 'no-store')
        .send(zip);
    },
  );

  app.get(
    '/mynumber/handling-reports',
    { schema: { tags: ['onestop'], summary: 'MYNUM-6: the monthly handling reports issued on the 1st (schedule mynumber-handling-report)' }, config: { roles: ['admin', 'city'] } },
    async () => ({ reports: await monthlyHandlingReports(knex()) }),
  );

  app.get<{ Params: { month: string } }>(
    '/mynumber/handling-reports/:month',
    { schema: { tags: ['onestop'], summary: 'MYNUM-6: one monthly handling report as issued', params: { type: 'object', required: ['month'], properties: { month: yearMonth } } }, config: { roles: ['admin', 'city'] } },
    async (request) => {
      const report = await monthlyHandlingReport(knex(), request.params.month);
      if (!report) throw notFound(`handling report ${request.params.month}`);
      return report;
    },
  );
}
