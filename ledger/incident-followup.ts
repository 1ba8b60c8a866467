import { createHash } from 'node:crypto';
import type { Knex } from '@mikro-orm/postgresql';
import { isoOrNull, renamed } from './rows';

/**
 * SEC-3 after the report (特記: 事故発生時の市の指示): the city's instructions tracked to done, the
 * contractor's follow-up reports, and the affected logs frozen as evidence by their SHA-256.
 */

/** The append-only logs an incident can freeze, with the column that dates their rows. */
export const EVIDENCE_LOGS = {
  my_number_access_log: 'accessed_at',
  my_number_access_refusals: 'refused_at',
  donation_events: 'occurred_at',
  console_sign_ins: 'at',
} as const;
export type EvidenceLog = keyof typeof EVIDENCE_LOGS;

export interface IncidentInstruction {
  id: number;
  instruction: string;
  dueOn: string | null;
  givenBy: string;
  givenAt: string;
  doneReport: string | null;
  doneBy: string | null;
  doneAt: string | null;
}

export interface IncidentEvidence {
  id: number;
  log: EvidenceLog;
  from: string;
  to: string;
  rows: number;
  sha256: string;
  frozenBy: string;
  frozenAt: string;
}

const instructionOf = (r: any): IncidentInstruction => ({
  ...renamed(r, 'id instruction due_on given_by done_report done_by'),
  id: Number(r.id),
  givenAt: isoOrNull(r.given_at)!,
  doneAt: isoOrNull(r.done_at),
});

const evidenceOf = (r: any): IncidentEvidence => ({
  id: Number(r.id),
  log: r.log_name,
  from: isoOrNull(r.period_from)!,
  to: isoOrNull(r.period_to)!,
  rows: r.row_count,
  sha256: r.sha256,
  frozenBy: r.frozen_by,
  frozenAt: isoOrNull(r.frozen_at)!,
});

const incidentExists = async (knex: Knex, id: string) => Boolean(await knex('incidents').where({ id }).first('id'));

export async function giveInstruction(knex: Knex, incidentId: string, input: { instruction: string; dueOn?: string }, by: string): Promise<IncidentInstruction | undefined> {
  if (!(await incidentExists(knex, incidentId))) return undefined;
  const [r] = await knex('incident_instructions')
    .insert({ incident_id: incidentId, instruction: input.instruction, due_on: input.dueOn ?? null, given_by: by })
    .returning(['id', 'instruction', knex.raw(`to_char(due_on, 'YYYY-MM-DD') as due_on`), 'given_by', 'given_at', 'done_report', 'done_by', 'done_at']);
  return instructionOf(r);
}

/** Completes an instruction once; a second completion is 'already_done' and changes nothing. */
export async function completeInstruction(knex: Knex, incidentId: string, instructionId: number, report: string, by: string): Promise<IncidentInstruction | 'not_found' | 'already_done'> {
  const n = await knex('incident_instructions').where({ id: instructionId, incident_id: incidentId }).whereNull('done_at').update({ done_report: report, done_by: by, done_at: knex.fn.now() });
  if (n === 0) return (await knex('incident_instructions').where({ id: instructionId, incident_id: incidentId }).first('id')) ? 'already_done' : 'not_found';
  return (await instructions(knex, incidentId)).find((i) => i.id === instructionId)!;
}

export async function instructions(knex: Knex, incidentId: string): Promise<IncidentInstruction[]> {
  const rows = await knex('incident_instructions').select('*', knex.raw(`to_char(due_on, 'YYYY-MM-DD') as due_on`)).where({ incident_id: incidentId }).orderBy('id');
  return rows.map(instructionOf);
}

export async function addFollowUp(knex: Knex, incidentId: string, report: string, by: string): Promise<{ id: number; report: string; reportedBy: string; reportedAt: string } | undefined> {
  if (!(await incidentExists(knex, incidentId))) return undefined;
  const [r] = await knex('incident_followups').insert({ incident_id: incidentId, report, reported_by: by }).returning('*');
  return { id: Number(r.id), report: r.report, reportedBy: r.reported_by, reportedAt: isoOrNull(r.reported_at)! };
}

export async function followUps(knex: Knex, incidentId: string) {
  const rows = await knex('incident_followups').where({ incident_id: incidentId }).orderBy('id');
  return rows.map((r: any) => ({ id: Number(r.id), report: r.report, reportedBy: r.reported_by, reportedAt: isoOrNull(r.reported_at)! }));
}

/**
 * SHA-256 over the log's rows in [from, to) with ids up to `lastId`, in id order, each row as JSON of
 * its columns in name order: the same rows always give the same digest, read in pages so a December
 * day of donation events is never held whole.
 */
async function digestLog(knex: Knex, log: EvidenceLog, from: string, to: string, lastId: number | null): Promise<{ rows: number; sha256: string }> {
  const column = EVIDENCE_LOGS[log];
  const hash = createHash('sha256');
  let rows = 0;
  let after = 0;
  for (;;) {
    if (lastId === null) break;
    const page = await knex(log).where(column, '>=', from).andWhere(column, '<', to).andWhere('id', '>', after).andWhere('id', '<=', lastId).orderBy('id').limit(2_000);
    for (const r of page) {
      const canonical = Object.fromEntries(Object.keys(r).sort().map((k) => [k, r[k] instanceof Date ? r[k].toISOString() : r[k]]));
      hash.update(`${JSON.stringify(canonical)}\n`);
    }
    rows += page.length;
    if (page.length < 2_000) break;
    after = Number(page[page.length - 1].id);
  }
  return { rows, sha256: hash.digest('hex') };
}

/** Freezes the log's rows of the period as evidence: recorded with their count and digest. */
export async function freezeEvidence(knex: Knex, incidentId: string, input: { log: EvidenceLog; from: string; to: string }, by: string): Promise<IncidentEvidence | undefined> {
  if (!(await incidentExists(knex, incidentId))) return undefined;
  const column = EVIDENCE_LOGS[input.log];
  const last = await knex(input.log).where(column, '>=', input.from).andWhere(column, '<', input.to).max({ id: 'id' }).first();
  const lastId = last?.id === null || last?.id === undefined ? null : Number(last.id);
  const { rows, sha256 } = await digestLog(knex, input.log, input.from, input.to, lastId);
  const [r] = await knex('incident_evidence').insert({ incident_id: incidentId, log_name: input.log, period_from: input.from, period_to: input.to, row_count: rows, last_row_id: lastId, sha256, frozen_by: by }).returning('*');
  return evidenceOf(r);
}

/** Reads the frozen rows again: whether they still give the recorded digest. */
export async function verifyEvidence(knex: Knex, incidentId: string, evidenceId: number): Promise<{ evidence: IncidentEvidence; now: { rows: number; sha256: string }; intact: boolean } | undefined> {
  const r = await knex('incident_evidence').where({ id: evidenceId, incident_id: incidentId }).first();
  if (!r) return undefined;
  const evidence = evidenceOf(r);
  const now = await digestLog(knex, evidence.log, evidence.from, evidence.to, r.last_row_id === null ? null : Number(r.last_row_id));
  return { evidence, now, intact: now.sha256 === evidence.sha256 && now.rows === evidence.rows };
}

export async function evidenceOfIncident(knex: Knex, incidentId: string): Promise<IncidentEvidence[]> {
  return (await knex('incident_evidence').where({ incident_id: incidentId }).orderBy('id')).map(evidenceOf);
}
