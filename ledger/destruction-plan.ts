import type { Knex } from '@mikro-orm/postgresql';
import { jstDate } from '../domain/jst';
import type { PhysicalMediumKind } from '../domain/onestop/destruction-report';
import { OneStopError, type DestructionScope } from './onestop-error';

/**
 * MYNUM-5 (特記12), shared by both scopes of REC-1: the planned date of a destruction's prior
 * application, the physical media it names (destroyed by a person, whose record is added here), and
 * the timing the retention workflow carried it out on. Never a 個人番号: media are described in words.
 */


export interface PhysicalMedium {
  kind: PhysicalMediumKind;
  /** What it is, in words (e.g. 令和7年分 申告特例申請書 原本 (段ボール2箱)). */
  description: string;
  count: number;
}

/** The person's record of destroying one medium: method, who, when, the witness, the certificate. */
export interface PhysicalDestruction {
  medium: number;
  method: string;
  destroyedBy: string;
  destroyedAt: string;
  witness: string | null;
  certificate: string;
  recordedBy: string;
  recordedAt: string;
}

export interface DestructionPlan {
  /** The day it is carried out (JST), not before; absent: at once after the city's consent. */
  plannedOn?: string;
  physicalMedia?: PhysicalMedium[];
}

/** The plan's columns for a new proposal; a planned date before the proposal's own day (asOf) is refused at `plannedOn`. */
export function planColumns(plan: DestructionPlan | undefined, asOf: string): { planned_on: string | null; physical_media: string } {
  if (plan?.plannedOn && plan.plannedOn < asOf) throw new OneStopError('invalid', `must not be before the proposal's date (${asOf})`, 'plannedOn');
  return { planned_on: plan?.plannedOn ?? null, physical_media: JSON.stringify(plan?.physicalMedia ?? []) };
}

/** The plan as the prior application and the record show it: each medium with its destruction (null until recorded). */
export function planOf(row: { planned_on?: unknown; physical_media?: PhysicalMedium[] | null; physical_records?: PhysicalDestruction[] | null }) {
  const records = row.physical_records ?? [];
  const plannedOn = row.planned_on ? (row.planned_on instanceof Date ? jstDate(row.planned_on) : String(row.planned_on).slice(0, 10)) : null;
  return {
    plannedOn,
    physicalMedia: (row.physical_media ?? []).map((m, i) => ({ ...m, destroyed: records.find((r) => r.medium === i) ?? null })),
  };
}

/**
 * A person records destroying one of the application's physical media. Only after the city's
 * consent, on or after the planned date, never in the future (nothing is back- or post-dated); with
 * the witness when the city named one; once per medium.
 */
export async function recordPhysicalDestruction(
  knex: Knex,
  id: string,
  scope: DestructionScope,
  input: { medium: number; method: string; destroyedBy: string; destroyedAt: string; witness?: string; certificate: string },
  by: string,
  now: Date = new Date(),
): Promise<PhysicalDestruction> {
  return knex.transaction(async (trx) => {
    const d = await trx('retention_destructions').select('*', trx.raw('planned_on::text as planned_on')).where({ id, scope }).forUpdate().first();
    if (!d) throw new OneStopError('not_found', `destruction ${id} not found`);
    if (d.status !== 'approved' && d.status !== 'done') throw new OneStopError('conflict', `destruction ${id} is ${d.status}: a medium is destroyed only after the city's consent`);
    const media = (d.physical_media ?? []) as PhysicalMedium[];
    if (input.medium >= media.length) throw new OneStopError('invalid', `the application names ${media.length} physical media (0…${media.length - 1})`, 'medium');
    const records = (d.physical_records ?? []) as PhysicalDestruction[];
    if (records.some((r) => r.medium === input.medium)) throw new OneStopError('conflict', `medium ${input.medium} of destruction ${id} is already recorded as destroyed`);
    const at = new Date(input.destroyedAt);
    if (Number.isNaN(at.getTime())) throw new OneStopError('invalid', 'must be an instant that exists (RFC 3339)', 'destroyedAt');
    if (at.getTime() > now.getTime()) throw new OneStopError('invalid', 'must not be in the future', 'destroyedAt');
    if (at.getTime() < new Date(d.decided_at).getTime()) throw new OneStopError('invalid', `must not be before the city's consent (${new Date(d.decided_at).toISOString()})`, 'destroyedAt');
    if (d.planned_on && jstDate(at) < d.planned_on) throw new OneStopError('invalid', `must not be before the planned date (${d.planned_on})`, 'destroyedAt');
    if (d.witness && !input.witness) throw new OneStopError('invalid', `the city named its witness (${d.witness}): say who witnessed it`, 'witness');
    const record: PhysicalDestruction = {
      medium: input.medium,
      method: input.method,
      destroyedBy: input.destroyedBy,
      destroyedAt: at.toISOString(),
      witness: input.witness ?? null,
      certificate: input.certificate,
      recordedBy: by,
      recordedAt: now.toISOString(),
    };
    await trx('retention_destructions').where({ id }).update({ physical_records: JSON.stringify([...records, record]) });
    return record;
  });
}

/** When the workflow carried a planned destruction out (its own clock): on the planned day, or late when the consent came after it. */
export interface DestructionTiming {
  plannedOn: string;
  carriedOutOn: string;
  late: boolean;
  daysLate: number;
}

export function timingOf(plannedOn: string, carriedOutOn: string): DestructionTiming {
  const daysLate = Math.max(0, Math.round((Date.parse(carriedOutOn) - Date.parse(plannedOn)) / 86_400_000));
  return { plannedOn, carriedOutOn, late: daysLate > 0, daysLate };
}

/** Adds the timing to a done destruction's record, once (a retried activity leaves the first in place). */
export async function recordDestructionTiming(knex: Knex, id: string, timing: DestructionTiming): Promise<DestructionTiming> {
  return knex.transaction(async (trx) => {
    const d = await trx('retention_destructions').select('status', 'report').where({ id }).forUpdate().first();
    if (!d || d.status !== 'done') throw new OneStopError('conflict', `destruction ${id} is not done`);
    if (d.report.timing) return d.report.timing as DestructionTiming;
    await trx('retention_destructions').where({ id }).update({ report: JSON.stringify({ ...d.report, timing }) });
    return timing;
  });
}

/**
 * REC-1, both scopes: a carried-out destruction's report (what it destroyed, then the common tail:
 * method, retention, date, persons), stored on the destruction, which is done from then on.
 */
export async function closeDestruction<H extends object>(
  trx: Knex,
  id: string,
  d: { proposed_by: string; decided_by: string; witness?: string | null },
  actor: string,
  head: H,
  tail: { method: string; retentionYears: number },
) {
  const report = { ...head, ...tail, date: new Date().toISOString(), person: { proposedBy: d.proposed_by, approvedBy: d.decided_by, executedBy: actor, witness: d.witness ?? null } };
  await trx('retention_destructions').where('id', id).update({ status: 'done', executed_at: trx.fn.now(), report: JSON.stringify(report) });
  return report;
}
