import fs from 'node:fs';
import path from 'node:path';
import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import { ApplicationFailure, WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { AppConfig } from '../../config/env';
import { jstDate } from '../../domain/jst';
import { isReportMonth, monthlyReportWorkflowId, reportDueOn } from '../../domain/reports/month';
import { reportCsv } from '../../domain/reports/csv';
import { reportSections } from '../../domain/reports/sections';
import type { Orm } from '../../ledger/orm';
import { measureMailView, recordMeasureMail } from '../../ledger/quality-measures';
import { buildMonthlyReportData } from '../../ledger/reports';
import { claimRevision, completeRevision, findRevisionById, recordAlert, recordAlertMail, recordNotice, revisionFile, type ReportAlertKind } from '../../ledger/reports-store';
import type { SendMailInput, SendMailResult } from '../mail/send-mail';
import type { QualityDemandMailData } from '../mail/render';
import { monthlyReportHtml, renderMonthlyReportPdf } from './render';

/** Where reports go and who hears about them; from the worker's configuration unless passed (tests do). */
export interface ReportActivitySettings {
  /** REPORTS_DIR: <dir>/<YYYY-MM>/monthly-report-<YYYY-MM>-r<N>.pdf|csv */
  dir: string;
  /** REPORT_CITY_EMAIL; unset = the notice is recorded as skipped_no_address. */
  cityEmail?: string;
  chromiumPath: string;
}

export function reportActivitySettings(config: Pick<AppConfig, 'reports' | 'documents'>): ReportActivitySettings {
  return { dir: config.reports.dir, cityEmail: config.reports.cityEmail, chromiumPath: config.documents.chromiumPath };
}

export interface ReportActivityDeps {
  orm: Orm;
  /** Starts a month's report run for the monthly Schedule. */
  temporal: Client;
  sendMail: (input: SendMailInput) => Promise<SendMailResult>;
  reports: ReportActivitySettings;
}

export interface BuildMonthlyReportInput {
  month: string;
  kind: 'scheduled' | 'on_demand';
  requestedBy: string;
  workflowId: string;
  /** One revision per workflow run: `<workflow id>/<run id>`. */
  buildKey: string;
  dueDay: number;
  /** The run already escalated: the revision is late whatever the clock says when it is stored. */
  escalated?: boolean;
}

/** What crosses Temporal: ids, numbers, hashes — never the report itself. */
export interface BuiltMonthlyReport {
  reportId: string;
  month: string;
  revision: number;
  builtAt: string;
  late: boolean;
  pdfSha256: string;
  csvSha256: string;
  donations: number;
  amountYen: number;
}

export interface ReportAlertInput {
  month: string;
  kind: ReportAlertKind;
  message: string;
  workflowId: string;
  key: string;
  /** Escalations tell the city too. */
  mailCity?: { dueOn: string; attempts: number };
}

/** Atomic: whoever collects the folder never sees half a file. */
function writeFileAtomic(file: string, bytes: Buffer): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, bytes, { mode: 0o640 });
  fs.renameSync(tmp, file);
}

export function createReportActivities(deps: ReportActivityDeps) {
  const knex = () => deps.orm.em.getKnex();
  const reports = () => deps.reports;

  /** The demand's mail data from the ledger (no donor data: the complaint's category, subject, gift and tracking number). */
  async function demandMail(measureId: string) {
    const view = await measureMailView(knex(), measureId);
    if (!view) throw ApplicationFailure.create({ type: 'MeasureNotFoundError', message: `measure ${measureId} is not in the ledger`, nonRetryable: true });
    const { measure, call } = view;
    const data: QualityDemandMailData = {
      measureId: measure.id,
      partyName: measure.party.name,
      demand: measure.demand,
      dueOn: measure.dueOn,
      receivedOn: jstDate(new Date(call.received_at)),
      category: call.category,
      subject: call.subject,
      giftName: call.gift_name ?? undefined,
      trackingNumber: call.tracking_number ?? undefined,
    };
    return { measure, data };
  }

  return {
    /**
     * The Schedule's run starts `report-<month>` on the worker's own task queue and lets it live
     * on its own; one already running for the month (on demand) is left alone. A client start
     * rather than an abandoned child: nothing ties the report's lifetime to the starter's.
     */
    async startMonthlyReport(input: { month: string; requestedBy: string; dueDay: number; reminderDaysBefore: number; retryInterval?: string | number }): Promise<{ workflowId: string; started: boolean }> {
      const workflowId = monthlyReportWorkflowId(input.month);
      try {
        await deps.temporal.workflow.start('monthlyReportWorkflow', {
          taskQueue: Context.current().info.taskQueue,
          workflowId,
          args: [{ month: input.month, kind: 'scheduled', requestedBy: input.requestedBy, dueDay: input.dueDay, reminderDaysBefore: input.reminderDaysBefore, retryInterval: input.retryInterval }],
          workflowIdReusePolicy: 'ALLOW_DUPLICATE',
        });
        return { workflowId, started: true };
      } catch (err) {
        if (err instanceof WorkflowExecutionAlreadyStartedError) return { workflowId, started: false };
        throw err;
      }
    },

    /**
     * REPORT-1/2: builds one revision of a month's 月次業務報告書 — figures from the ledger, PDF and
     * CSV — and stores it (ledger row with the bytes, files in the reports folder). A retry of the
     * same run continues the same revision; a finished one is returned as it is.
     */
    async buildMonthlyReport(input: BuildMonthlyReportInput): Promise<BuiltMonthlyReport> {
      if (!isReportMonth(input.month)) throw ApplicationFailure.create({ type: 'ReportMonthError', message: `not a report month: ${input.month}`, nonRetryable: true });
      let revision = await claimRevision(knex(), {
        month: input.month,
        buildKey: input.buildKey,
        kind: input.kind,
        requestedBy: input.requestedBy,
        workflowId: input.workflowId,
        dueOn: reportDueOn(input.month, input.dueDay),
      });
      if (revision.status !== 'built') {
        const data = await buildMonthlyReportData(deps.orm, input.month);
        const pdf = await renderMonthlyReportPdf(monthlyReportHtml(data, { revision: revision.revision, dueOn: revision.dueOn }), reports().chromiumPath);
        const csv = reportCsv(reportSections(data));
        const base = path.join(reports().dir, input.month, `monthly-report-${input.month}-r${revision.revision}`);
        writeFileAtomic(`${base}.pdf`, pdf);
        writeFileAtomic(`${base}.csv`, csv);
        revision = await completeRevision(knex(), revision.id, { data, pdf, csv, pdfPath: `${base}.pdf`, csvPath: `${base}.csv`, escalated: input.escalated ?? false });
      }
      return {
        reportId: revision.id,
        month: revision.month,
        revision: revision.revision,
        builtAt: revision.builtAt!,
        late: revision.late,
        pdfSha256: revision.pdfSha256!,
        csvSha256: revision.csvSha256!,
        donations: revision.totals?.count ?? 0,
        amountYen: revision.totals?.amountYen ?? 0,
      };
    },

    /** Tells the city a revision is ready, the PDF attached (aggregates only, no donor data). Once per revision. */
    async mailMonthlyReportNotice(input: { reportId: string }): Promise<{ status: string }> {
      const r = await findRevisionById(knex(), input.reportId);
      if (!r || r.status !== 'built') throw ApplicationFailure.create({ type: 'ReportNotFoundError', message: `report ${input.reportId} is not built`, nonRetryable: true });
      const pdf = await revisionFile(knex(), r.id, 'pdf');
      if (!pdf) throw ApplicationFailure.create({ type: 'ReportNotFoundError', message: `report ${r.id} has no PDF`, nonRetryable: true });
      const result = await deps.sendMail({
        key: `report-notice/${r.id}`,
        to: reports().cityEmail,
        template: 'report-notice',
        data: { month: r.month, revision: r.revision, count: r.totals?.count ?? 0, amountYen: r.totals?.amountYen ?? 0, dueOn: r.dueOn, late: r.late },
        attachments: [{ filename: `monthly-report-${r.month}-r${r.revision}.pdf`, content: pdf.toString('base64'), encoding: 'base64', contentType: 'application/pdf' }],
      });
      await recordNotice(knex(), r.id, result.status);
      return { status: result.status };
    },

    /** A reminder or escalation about a month's report, recorded once per key; an escalation is mailed to the city. */
    async recordMonthlyReportAlert(input: ReportAlertInput): Promise<{ created: boolean; mailStatus?: string }> {
      const { alert, created } = await recordAlert(knex(), input);
      if (!input.mailCity) return { created };
      // sendMail is idempotent per key: a retry after the mail went out mails nothing twice.
      const result = await deps.sendMail({
        key: `report-alert/${input.key}`,
        to: reports().cityEmail,
        template: 'report-overdue',
        data: { month: input.month, dueOn: input.mailCity.dueOn, attempts: input.mailCity.attempts, reason: input.message },
      });
      await recordAlertMail(knex(), alert.id, result.status);
      return { created, mailStatus: result.status };
    },

    /** CALL-3: mails the demand for measures to the supplier (or the carrier's contact); the outcome goes on the measure. */
    async mailQualityDemand(input: { measureId: string }): Promise<{ status: string; dueOn: string }> {
      const { measure, data } = await demandMail(input.measureId);
      const result = await deps.sendMail({ key: `quality-demand/${measure.id}`, to: measure.party.email ?? undefined, template: 'quality-demand', data });
      await recordMeasureMail(knex(), measure.id, result.status, { messageId: result.messageId ?? null });
      return { status: result.status, dueOn: measure.dueOn };
    },

    /** CALL-3: the due day ended; a party that has not replied gets one reminder (a reply or a close meanwhile: nothing is sent). */
    async remindQualityDemand(input: { measureId: string }): Promise<{ status: string }> {
      const { measure, data } = await demandMail(input.measureId);
      if (measure.status !== 'open') return { status: 'answered' };
      const result = await deps.sendMail({ key: `quality-demand-reminder/${measure.id}`, to: measure.party.email ?? undefined, template: 'quality-demand', data: { ...data, reminder: true } });
      return { status: result.status };
    },
  };
}

export type ReportActivities = ReturnType<typeof createReportActivities>;
