import type { FastifyInstance, FastifyReply } from 'fastify';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { AppConfig } from '../../config/env';
import { jstDate } from '../../domain/jst';
import { isPastMonth, isReportMonth, monthlyReportWorkflowId, monthRange, previousMonth, sameMonthLastYear } from '../../domain/reports/month';
import { meetingPackEntries } from '../../domain/reports/meeting-pack';
import { zipArchive } from '../../domain/reports/zip';
import { buildMonthlyReportData } from '../../ledger/reports';
import { meetingMinutes } from '../../ledger/meeting-minutes';
import { fiscalYearOf, fiscalYearProgress } from '../../ledger/progress';
import type { Orm } from '../../ledger/orm';
import { findRevision, listAlerts, listRevisions, revisionData, revisionFile, type ReportRevision } from '../../ledger/reports-store';
import { billingRunsOfMonth, inspectReport, InspectionError, reportInspection } from '../../ledger/report-inspections';
import { reportInspectedSignal } from '../../workflows/billing/definitions';
import { resultWithin, startOrJoinMonthlyReport } from '../../workflows/reports/client';
import { monthlyReportStatusQuery } from '../../workflows/reports/definitions';
import { actorOf } from '../auth';
import { READ, type Json } from '../roles';
import { badRequest, HttpError, notFound } from '../errors';
import { requiredWhen, yearMonth } from '../schema-fragments';

const monthSchema = yearMonth;
const monthParams = { type: 'object', required: ['month'], properties: { month: monthSchema } } as const;
const revisionParams = { type: 'object', required: ['month', 'revision'], properties: { month: monthSchema, revision: { type: 'integer', minimum: 1 } } } as const;

/** What a listing shows of a revision: no file bytes, the links to them. */
function summary(r: ReportRevision) {
  const base = `/reports/monthly/${r.month}/revisions/${r.revision}`;
  const { pdfPath: _p, csvPath: _c, ...rest } = r;
  return { ...rest, links: { self: base, pdf: `${base}/report.pdf`, csv: `${base}/report.csv` } };
}

/**
 * REPORT-1/2: the 月次業務報告書. The city and operators ask for any past month at any time
 * (a new numbered revision; earlier ones stay) and download each revision as PDF or CSV.
 */
export function registerReportRoutes(app: FastifyInstance, { config, orm, temporal }: { config: AppConfig; orm: Orm; temporal: Client }): void {
  const knex = () => orm.em.getKnex();

  const checkMonth = (month: string) => {
    if (!isReportMonth(month)) throw badRequest([{ field: 'params.month', reason: 'must be YYYY-MM from 2019' }]);
    if (!isPastMonth(month, jstDate(new Date()))) throw badRequest([{ field: 'params.month', reason: `must be a month that has ended (before ${jstDate(new Date()).slice(0, 7)})` }]);
  };

  const revisionOf = async (month: string, revision?: number) => {
    const r = await findRevision(knex(), month, revision);
    if (!r) throw notFound(revision ? `report ${month} revision ${revision}` : `report ${month}`);
    return r;
  };

  /** The latest built revision's PDF and CSV with its inspection state (REPORT-1); null before one is built. */
  const latestReportFiles = async (month: string) => {
    const inspection = await reportInspection(knex(), month);
    if (inspection.revision === null) return null;
    const r = await revisionOf(month, inspection.revision);
    const [pdf, csv] = await Promise.all([revisionFile(knex(), r.id, 'pdf'), revisionFile(knex(), r.id, 'csv')]);
    return pdf && csv ? { revision: r.revision, inspection: inspection.status, pdf, csv } : null;
  };

  const sendFile = async (reply: FastifyReply, r: ReportRevision, kind: 'pdf' | 'csv') => {
    const bytes = await revisionFile(knex(), r.id, kind);
    if (!bytes) throw notFound(`report ${r.month} revision ${r.revision} ${kind}`);
    return reply
      .header('content-type', kind === 'pdf' ? 'application/pdf' : 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="monthly-report-${r.month}-r${r.revision}.${kind}"`)
      .send(bytes);
  };

  app.post<{ Params: { month: string }; Querystring: Json }>(
    '/reports/monthly/:month',
    {
      schema: {
        tags: ['reports'],
        summary: "Build a month's report now (REPORT-2): a new revision, or the run already going for the month",
        params: monthParams,
        querystring: { type: 'object', additionalProperties: false, properties: { wait: { type: 'integer', minimum: 0, maximum: 120, default: 60, description: 'seconds to wait for the result' } } },
      },
      config: { roles: READ },
    },
    async (request, reply) => {
      const { month } = request.params;
      checkMonth(month);
      const handle = await startOrJoinMonthlyReport(temporal, config, month, actorOf(request.principal!));
      const run = { workflowId: handle.workflowId, runId: handle.firstExecutionRunId };
      const result = await resultWithin(handle, request.query.wait * 1000);
      if (!result?.revision) return reply.code(202).send({ status: 'building', run });
      const built = await revisionOf(month, result.revision);
      return reply.code(201).send({ report: summary(built), run, noticeStatus: result.noticeStatus ?? null });
    },
  );

  app.get<{ Querystring: Json }>(
    '/reports/monthly',
    {
      schema: { tags: ['reports'], summary: 'Built reports, newest first (every revision)', querystring: { type: 'object', additionalProperties: false, properties: { month: monthSchema, limit: { type: 'integer', minimum: 1, maximum: 1000, default: 120 } } } },
      config: { roles: READ },
    },
    async (request) => ({ reports: (await listRevisions(knex(), { month: request.query.month, limit: request.query.limit })).map(summary) }),
  );

  app.get<{ Params: { month: string } }>(
    '/reports/monthly/:month',
    { schema: { tags: ['reports'], summary: "A month's revisions (latest first), its alerts and a run in progress", params: monthParams }, config: { roles: READ } },
    async (request) => {
      const { month } = request.params;
      const revisions = (await listRevisions(knex(), { month })).map(summary);
      let running: unknown = null;
      try {
        const handle = temporal.workflow.getHandle(monthlyReportWorkflowId(month));
        if ((await handle.describe()).status.name === 'RUNNING') running = await handle.query(monthlyReportStatusQuery);
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      }
      return { month, latest: revisions.at(0) ?? null, revisions, inspection: await reportInspection(knex(), month), alerts: await listAlerts(knex(), month), running };
    },
  );

  app.post<{ Params: { month: string }; Body: { revision: number; decision: 'pass' | 'return'; reason?: string } }>(
    '/reports/monthly/:month/inspection',
    {
      schema: {
        tags: ['reports'],
        summary: "REPORT-1: the city passes the latest revision of a month's report, or returns it with the reason (a new revision is then built and inspected)",
        params: monthParams,
        // A return says why (ledger/report-inspections.ts).
        body: { type: 'object', required: ['revision', 'decision'], additionalProperties: false, properties: { revision: { type: 'integer', minimum: 1 }, decision: { type: 'string', enum: ['pass', 'return'] }, reason: { type: 'string', maxLength: 2000 } }, ...requiredWhen('decision', ['pass'], 'reason', 'is required to return a report') },
      },
      config: { roles: ['city', 'admin'] },
    },
    async (request) => {
      const b = request.body;
      try {
        const state = await inspectReport(knex(), { month: request.params.month, revision: b.revision, decision: b.decision === 'pass' ? 'passed' : 'returned', reason: b.reason, actor: actorOf(request.principal!) });
        // The month's billing runs waiting for a passed report look again now (they also poll).
        if (state.status === 'passed') {
          for (const runId of await billingRunsOfMonth(knex(), request.params.month)) {
            await temporal.workflow.getHandle(runId).signal(reportInspectedSignal).catch((err: unknown) => {
              if (!(err instanceof WorkflowNotFoundError)) throw err;
            });
          }
        }
        return state;
      } catch (err) {
        if (!(err instanceof InspectionError)) throw err;
        if (err.status === 400) throw badRequest([{ field: err.field ?? 'body', reason: err.message }]);
        throw err.status === 404 ? notFound(`report ${request.params.month}`) : new HttpError(409, 'conflict', err.message);
      }
    },
  );

  app.get<{ Params: { month: string } }>(
    '/reports/monthly/:month/inspection',
    { schema: { tags: ['reports'], summary: "REPORT-1: the inspection state of a month's report (not built, awaiting inspection, passed, returned) and every decision", params: monthParams }, config: { roles: READ } },
    async (request) => reportInspection(knex(), request.params.month),
  );

  app.get<{ Params: { month: string; revision: number } }>(
    '/reports/monthly/:month/revisions/:revision',
    { schema: { tags: ['reports'], summary: 'One revision with all its figures', params: revisionParams }, config: { roles: READ } },
    async (request) => {
      const r = await revisionOf(request.params.month, request.params.revision);
      return { report: summary(r), data: await revisionData(knex(), r.id) };
    },
  );

  for (const kind of ['pdf', 'csv'] as const) {
    app.get<{ Params: { month: string; revision: number } }>(
      `/reports/monthly/:month/revisions/:revision/report.${kind}`,
      { schema: { tags: ['reports'], summary: `One revision as ${kind.toUpperCase()}`, params: revisionParams }, config: { roles: READ } },
      async (request, reply) => sendFile(reply, await revisionOf(request.params.month, request.params.revision), kind),
    );
    app.get<{ Params: { month: string } }>(
      `/reports/monthly/:month/report.${kind}`,
      { schema: { tags: ['reports'], summary: `The latest revision as ${kind.toUpperCase()}`, params: monthParams }, config: { roles: READ } },
      async (request, reply) => sendFile(reply, await revisionOf(request.params.month), kind),
    );
  }

  app.get<{ Params: { month: string } }>(
    '/reports/monthly/:month/meeting-pack',
    {
      schema: {
        tags: ['reports'],
        summary:
          "REPORT-3: the monthly strategy meeting's pack as one ZIP: the month's headline figures against the month before and a year before, by portal, campaigns' cost-effectiveness, complaints and quality (CSV), the fiscal year so far (CSV), the month's latest report PDF and CSV with its inspection state, the meeting's minutes recorded against the month (text), and a contents sheet",
        params: monthParams,
      },
      config: { roles: READ },
    },
    async (request, reply) => {
      const { month } = request.params;
      checkMonth(month);
      const generatedAt = new Date();
      const report = await latestReportFiles(month);
      // A month before the system's years (the month before 2019-01) has nothing to compare: its columns stay empty.
      const figures = async (m: string) => (isReportMonth(m) ? buildMonthlyReportData(orm, m, generatedAt) : null);
      const entries = meetingPackEntries({
        month,
        generatedAt,
        current: await buildMonthlyReportData(orm, month, generatedAt),
        previous: await figures(previousMonth(month)),
        lastYear: await figures(sameMonthLastYear(month)),
        progress: await fiscalYearProgress(knex(), fiscalYearOf(monthRange(month).start)),
        report,
        minutes: await meetingMinutes(knex(), month),
      });
      return reply
        .header('content-type', 'application/zip')
        .header('content-disposition', `attachment; filename="meeting-pack-${month}.zip"`)
        .send(zipArchive(entries, generatedAt));
    },
  );

  app.get<{ Querystring: Json }>(
    '/reports/alerts',
    { schema: { tags: ['reports'], summary: 'Reminders and escalations of reports not built in time', querystring: { type: 'object', additionalProperties: false, properties: { month: monthSchema } } }, config: { roles: READ } },
    async (request) => ({ alerts: await listAlerts(knex(), request.query.month) }),
  );
}
