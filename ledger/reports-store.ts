import { createHash, randomUUID } from 'node:crypto';
import type { Knex } from '@mikro-orm/postgresql';
import type { MonthlyReportData } from '../domain/reports/types';
import { renamed } from './rows';

/**
 * REPORT-1/2: built reports, one row per revision. Regenerating a month adds the next revision
 * and leaves the earlier ones as they were; a workflow run owns one revision (its build key), so a
 * retried activity continues its own revision instead of starting another.
 */

export interface ReportRevision {
  id: string;
  month: string;
  revision: number;
  status: 'building' | 'built';
  kind: 'scheduled' | 'on_demand';
  requestedBy: string;
  workflowId: string;
  dueOn: string;
  builtAt: string | null;
  /** Built after the end of its due day (Japan time). */
  late: boolean;
  pdfSha256: string | null;
  csvSha256: string | null;
  pdfPath: string | null;
  csvPath: string | null;
  noticeStatus: string | null;
  totals: MonthlyReportData['totals'] | null;
}

const iso = (v: Date | string | null) => (v == null ? null : new Date(v).toISOString());

const COLUMNS = `id, to_char(month, 'YYYY-MM') as month_text, revision, status, kind, requested_by, workflow_id, to_char(due_on, 'YYYY-MM-DD') as due_on_text,
  built_at, (escalated or (built_at is not null and built_at >= ((due_on + 1)::timestamp at time zone 'Asia/Tokyo'))) as late,
  pdf_sha256, csv_sha256, pdf_path, csv_path, notice_status, data->'totals' as totals`;

function toRevision(r: any): ReportRevision {
  return {
    ...renamed(r, 'id revision status kind requested_by workflow_id late pdf_sha256 csv_sha256 pdf_path csv_path notice_status'),
    month: r.month_text,
    dueOn: r.due_on_text,
    builtAt: iso(r.built_at),
    totals: r.totals ?? null,
  };
}

/** The revision a build owns: found by its key, else the month's next number (serialised per month). */
export async function claimRevision(
  knex: Knex,
  input: { month: string; buildKey: string; kind: 'scheduled' | 'on_demand'; requestedBy: string; workflowId: string; dueOn: string },
): Promise<ReportRevision> {
  return knex.transaction(async (trx) => {
    await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`monthly-report/${input.month}`]);
    const { rows: mine } = await trx.raw(`select ${COLUMNS} from monthly_reports where build_key = ?`, [input.buildKey]);
    if (mine[0]) return toRevision(mine[0]);
    const { rows } = await trx.raw(
      `insert into monthly_reports (id, month, revision, kind, requested_by, workflow_id, build_key, due_on)
       select ?, (?::text || '-01')::date, coalesce(max(revision), 0) + 1, ?, ?, ?, ?, ?::date
         from monthly_reports where month = (?::text || '-01')::date
       returning ${COLUMNS}`,
      [randomUUID(), input.month, input.kind, input.requestedBy, input.workflowId, input.buildKey, input.dueOn, input.month],
    );
    return toRevision(rows[0]);
  });
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

export async function completeRevision(knex: Knex, id: string, r: { data: MonthlyReportData; pdf: Buffer; csv: Buffer; pdfPath: string; csvPath: string; escalated: boolean }): Promise<ReportRevision> {
  const { rows } = await knex.raw(
    `update monthly_reports set status = 'built', built_at = coalesce(built_at, now()), escalated = ?, data = ?::jsonb, pdf = ?, csv = ?, pdf_sha256 = ?, csv_sha256 = ?, pdf_path = ?, csv_path = ?
      where id = ? returning ${COLUMNS}`,
    [r.escalated, JSON.stringify(r.data), r.pdf, r.csv, sha256(r.pdf), sha256(r.csv), r.pdfPath, r.csvPath, id],
  );
  return toRevision(rows[0]);
}

export async function recordNotice(knex: Knex, id: string, status: string): Promise<void> {
  await knex.raw(`update monthly_reports set notice_status = ?, notice_at = now() where id = ?`, [status, id]);
}

export async function findRevision(knex: Knex, month: string, revision?: number): Promise<ReportRevision | undefined> {
  const { rows } = await knex.raw(
    `select ${COLUMNS} from monthly_reports where month = (?::text || '-01')::date and status = 'built' and (?::int is null or revision = ?::int)
      order by revision desc limit 1`,
    [month, revision ?? null, revision ?? null],
  );
  return rows[0] ? toRevision(rows[0]) : undefined;
}

export async function findRevisionById(knex: Knex, id: string): Promise<ReportRevision | undefined> {
  const { rows } = await knex.raw(`select ${COLUMNS} from monthly_reports where id = ?`, [id]);
  return rows[0] ? toRevision(rows[0]) : undefined;
}

/** Built revisions, newest month and revision first. */
export async function listRevisions(knex: Knex, f: { month?: string; limit?: number } = {}): Promise<ReportRevision[]> {
  const { rows } = await knex.raw(
    `select ${COLUMNS} from monthly_reports where status = 'built' and (?::text is null or month = (?::text || '-01')::date)
      order by month desc, revision desc limit ?`,
    [f.month ?? null, f.month ?? null, f.limit ?? 120],
  );
  return rows.map(toRevision);
}

export async function revisionData(knex: Knex, id: string): Promise<MonthlyReportData | undefined> {
  const { rows } = await knex.raw(`select data from monthly_reports where id = ? and status = 'built'`, [id]);
  return rows[0]?.data ?? undefined;
}

export async function revisionFile(knex: Knex, id: string, kind: 'pdf' | 'csv'): Promise<Buffer | undefined> {
  const { rows } = await knex.raw(`select ${kind === 'pdf' ? 'pdf' : 'csv'} as bytes from monthly_reports where id = ? and status = 'built'`, [id]);
  return rows[0]?.bytes ?? undefined;
}

export type ReportAlertKind = 'build_failed' | 'reminder' | 'overdue' | 'built_late';

export interface ReportAlert {
  id: number;
  month: string;
  kind: ReportAlertKind;
  message: string;
  workflowId: string;
  mailStatus: string | null;
  raisedAt: string;
}

const toAlert = (r: any): ReportAlert => ({ id: Number(r.id), month: r.month_text, kind: r.kind, message: r.message, workflowId: r.workflow_id, mailStatus: r.mail_status, raisedAt: iso(r.raised_at)! });

/** Once per key (a retried activity records nothing twice); returns whether this call recorded it. */
export async function recordAlert(knex: Knex, a: { month: string; kind: ReportAlertKind; message: string; workflowId: string; key: string }): Promise<{ alert: ReportAlert; created: boolean }> {
  const { rows } = await knex.raw(
    `insert into report_alerts (month, kind, message, workflow_id, idempotency_key) values ((?::text || '-01')::date, ?, ?, ?, ?)
     on conflict (idempotency_key) do nothing returning *, to_char(month, 'YYYY-MM') as month_text`,
    [a.month, a.kind, a.message, a.workflowId, a.key],
  );
  if (rows[0]) return { alert: toAlert(rows[0]), created: true };
  const { rows: existing } = await knex.raw(`select *, to_char(month, 'YYYY-MM') as month_text from report_alerts where idempotency_key = ?`, [a.key]);
  return { alert: toAlert(existing[0]), created: false };
}

export async function recordAlertMail(knex: Knex, id: number, status: string): Promise<void> {
  await knex.raw(`update report_alerts set mail_status = ? where id = ?`, [status, id]);
}

export async function listAlerts(knex: Knex, month?: string): Promise<ReportAlert[]> {
  const { rows } = await knex.raw(
    `select *, to_char(month, 'YYYY-MM') as month_text from report_alerts where (?::text is null or month = (?::text || '-01')::date) order by id desc limit 500`,
    [month ?? null, month ?? null],
  );
  return rows.map(toAlert);
}
