import type { Knex } from '@mikro-orm/postgresql';

/**
 * REPORT-1 (spec 10(1), 13): the city's inspection (検査) of the monthly report. The latest built
 * revision of a month is passed, or returned with the reason; a returned report is rebuilt as the
 * next revision (POST /reports/monthly/:month) and inspected in its turn. A month's fees are paid
 * only for a month whose report passed (13: 検査を受けたものについて支払う).
 */

export class InspectionError extends Error {
  constructor(readonly status: 400 | 404 | 409, message: string, readonly field?: string) {
    super(message);
  }
}

export interface Inspection {
  revision: number;
  decision: 'passed' | 'returned';
  reason: string | null;
  decidedBy: string;
  decidedAt: string;
}

export interface InspectionState {
  month: string;
  /** not_built: no revision yet; awaiting_inspection: the latest revision is not decided; returned: it was returned, a new revision is due. */
  status: 'not_built' | 'awaiting_inspection' | 'passed' | 'returned';
  /** The latest built revision. */
  revision: number | null;
  /** Every decision on the month's revisions, oldest first. */
  inspections: Inspection[];
}

const toInspection = (r: any): Inspection => ({ revision: r.revision, decision: r.decision, reason: r.reason, decidedBy: r.decided_by, decidedAt: new Date(r.decided_at).toISOString() });

async function latestBuilt(knex: Knex, month: string, lock: boolean): Promise<{ id: string; revision: number } | undefined> {
  const { rows } = await knex.raw(
    `select id, revision from monthly_reports where month = (?::text || '-01')::date and status = 'built' order by revision desc limit 1${lock ? ' for update' : ''}`,
    [month],
  );
  return rows[0];
}

export async function reportInspection(knex: Knex, month: string): Promise<InspectionState> {
  const latest = await latestBuilt(knex, month, false);
  const { rows } = await knex.raw(`select revision, decision, reason, decided_by, decided_at from monthly_report_inspections where month = (?::text || '-01')::date order by id`, [month]);
  const inspections = rows.map(toInspection);
  if (!latest) return { month, status: 'not_built', revision: null, inspections };
  const decided = inspections.find((i: Inspection) => i.revision === latest.revision);
  return { month, status: decided ? decided.decision : 'awaiting_inspection', revision: latest.revision, inspections };
}

/** The billing runs of a month (the full run and any scoped ones): told when the month's report passed. */
export async function billingRunsOfMonth(knex: Knex, month: string): Promise<string[]> {
  const { rows } = await knex.raw(`select id from billing_runs where month = (?::text || '-01')::date order by id`, [month]);
  return rows.map((r: any) => r.id);
}

/** The city's decision on the latest built revision: once per revision; a return needs its reason. */
export async function inspectReport(knex: Knex, input: { month: string; revision: number; decision: 'passed' | 'returned'; reason?: string; actor: string }): Promise<InspectionState> {
  const reason = input.reason?.trim() || null;
  if (input.decision === 'returned' && !reason) throw new InspectionError(400, 'is required to return a report', 'reason');
  await knex.transaction(async (trx) => {
    const latest = await latestBuilt(trx, input.month, true);
    if (!latest) throw new InspectionError(404, `report ${input.month} not found`);
    if (latest.revision !== input.revision) throw new InspectionError(409, `only the latest revision of ${input.month} (${latest.revision}) is inspected, not ${input.revision}`);
    const { rows } = await trx.raw(
      `insert into monthly_report_inspections (report_id, month, revision, decision, reason, decided_by) values (?, (?::text || '-01')::date, ?, ?, ?, ?)
       on conflict (report_id) do nothing returning id`,
      [latest.id, input.month, latest.revision, input.decision, reason, input.actor],
    );
    if (!rows[0]) throw new InspectionError(409, `revision ${latest.revision} of ${input.month} is already inspected`);
  });
  return reportInspection(knex, input.month);
}
