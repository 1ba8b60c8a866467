import type { Knex } from '@mikro-orm/postgresql';
import { handlingAnomalies, isWorkingTime, type ActorHandling, type HandlingAnomaly, type HandlingHours } from '../domain/onestop/handling-report';
import { addDays, jstStartOfDay } from '../domain/jst';
import { exportsBetween } from './mynumber-exports';

/**
 * MYNUM-3 / MYNUM-6: the handling report — per person, the 個人番号 read (and from which terminals),
 * refused and exported in a period, from the append-only access log and refusal log; never a number.
 * Monthly reports are kept as issued (one per month); a report on demand is computed and not kept.
 */
export interface HandlingExport {
  /** `notification_run`: ONESTOP-4 writing the year's 申告特例通知書 files; `encrypted_export`: a MYNUM-2 package leaving the 取扱区域 (its destination named). */
  kind: 'notification_run' | 'encrypted_export';
  donationYear: number;
  applications: number;
  requestedBy: string;
  deliveredAt: string;
  destination?: string;
}

export interface HandlingReport {
  /** Inclusive dates (Japan). */
  from: string;
  to: string;
  actors: (ActorHandling & { terminals: string[] })[];
  totals: { reads: number; applications: number; refusals: number; exported: number };
  exports: HandlingExport[];
  anomalies: HandlingAnomaly[];
  workingHours: string;
  generatedAt: string;
}

const hhmm = (t: { hour: number; minute: number }) => `${String(t.hour).padStart(2, '0')}:${String(t.minute).padStart(2, '0')}`;

export async function handlingReport(knex: Knex, period: { from: string; to: string }, hours: HandlingHours, now = new Date()): Promise<HandlingReport> {
  const start = jstStartOfDay(period.from);
  const end = jstStartOfDay(addDays(period.to, 1));
  const [reads, refusals, runs, packages] = await Promise.all([
    knex('my_number_access_log').select('actor', 'role', 'application_id', 'accessed_at', 'terminal').where('accessed_at', '>=', start).andWhere('accessed_at', '<', end).orderBy('id'),
    knex('my_number_access_refusals').select('actor', 'role').count({ n: '*' }).where('refused_at', '>=', start).andWhere('refused_at', '<', end).groupBy('actor', 'role'),
    knex('onestop_notification_runs').select('donation_year', 'applications', 'requested_by', 'delivered_at').where('delivered_at', '>=', start).andWhere('delivered_at', '<', end).orderBy('delivered_at'),
    exportsBetween(knex, start, end),
  ]);
  const byActor = new Map<string, ActorHandling & { apps: Set<string>; terminalSet: Set<string> }>();
  const entry = (actor: string, role: string) => {
    let e = byActor.get(actor);
    if (!e) byActor.set(actor, (e = { actor, role, reads: 0, applications: 0, afterHours: 0, refusals: 0, apps: new Set(), terminalSet: new Set() }));
    return e;
  };
  const allApps = new Set<string>();
  for (const r of reads) {
    const e = entry(r.actor, r.role);
    e.reads += 1;
    e.apps.add(r.application_id);
    allApps.add(r.application_id);
    if (r.terminal) e.terminalSet.add(r.terminal);
    if (!isWorkingTime(new Date(r.accessed_at), hours)) e.afterHours += 1;
  }
  for (const r of refusals as unknown as { actor: string; role: string; n: string }[]) entry(r.actor, r.role).refusals = Number(r.n);
  const actors = [...byActor.values()]
    .sort((a, b) => b.reads - a.reads || a.actor.localeCompare(b.actor))
    .map(({ apps, terminalSet, ...a }) => ({ ...a, applications: apps.size, terminals: [...terminalSet].sort() }));
  const exports: HandlingExport[] = [
    ...runs.map((r: any) => ({ kind: 'notification_run' as const, donationYear: r.donation_year, applications: r.applications, requestedBy: r.requested_by, deliveredAt: new Date(r.delivered_at).toISOString() })),
    ...packages.map((e) => ({ kind: 'encrypted_export' as const, donationYear: e.donationYear, applications: e.applications, requestedBy: e.actor, deliveredAt: e.createdAt, destination: e.destination })),
  ].sort((a, b) => a.deliveredAt.localeCompare(b.deliveredAt));
  return {
    from: period.from,
    to: period.to,
    actors,
    totals: {
      reads: reads.length,
      applications: allApps.size,
      refusals: actors.reduce((n, a) => n + a.refusals, 0),
      exported: exports.reduce((n: number, x: HandlingExport) => n + x.applications, 0),
    },
    exports,
    anomalies: handlingAnomalies(actors),
    workingHours: `${hhmm(hours.from)}-${hhmm(hours.to)}`,
    generatedAt: now.toISOString(),
  };
}

/** Keeps a month's report as issued; a second run for the month answers the first (idempotent). */
export async function keepMonthlyHandlingReport(knex: Knex, month: string, report: HandlingReport, by: string): Promise<{ report: HandlingReport; created: boolean }> {
  const inserted = await knex('mynumber_handling_reports').insert({ month, report: JSON.stringify(report), created_by: by }).onConflict('month').ignore().returning('month');
  const kept = await knex('mynumber_handling_reports').select('report').where({ month }).first();
  return { report: kept.report as HandlingReport, created: inserted.length > 0 };
}

export async function monthlyHandlingReports(knex: Knex): Promise<{ month: string; createdAt: string; createdBy: string; reads: number; anomalies: number }[]> {
  const rows = await knex('mynumber_handling_reports').select('month', 'created_at', 'created_by', 'report').orderBy('month', 'desc');
  return rows.map((r: any) => ({ month: r.month, createdAt: new Date(r.created_at).toISOString(), createdBy: r.created_by, reads: r.report.totals.reads, anomalies: r.report.anomalies.length }));
}

export async function monthlyHandlingReport(knex: Knex, month: string): Promise<HandlingReport | undefined> {
  const row = await knex('mynumber_handling_reports').select('report').where({ month }).first();
  return row?.report as HandlingReport | undefined;
}
