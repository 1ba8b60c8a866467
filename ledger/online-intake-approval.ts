import type { Knex } from '@mikro-orm/postgresql';
import { isoOrNull, renamed } from './rows';

/**
 * ONESTOP-3: electronic one-stop applications are taken only while the city's approval is in force.
 * One approval is open at a time; recording a new one ends the open one (superseded), revoking ends it.
 */
export interface OnlineIntakeApproval {
  id: string;
  services: string[];
  validUntil: string | null;
  note: string | null;
  approvedBy: string;
  approvedAt: string;
  endedAt: string | null;
  endedBy: string | null;
  endKind: 'revoked' | 'superseded' | null;
  endReason: string | null;
}

const TABLE = 'onestop_online_intake_approvals';
const COLUMNS = `id::text as id, services, to_char(valid_until, 'YYYY-MM-DD') as valid_until, note, approved_by, approved_at, ended_at, ended_by, end_kind, end_reason`;

function toApproval(r: Record<string, unknown>): OnlineIntakeApproval {
  return { ...renamed(r, 'id services valid_until note approved_by ended_by end_kind end_reason'), approvedAt: isoOrNull(r.approved_at)!, endedAt: isoOrNull(r.ended_at) };
}

/** The open approval, if any (it may have passed its end date: see `inForce`). */
export async function openOnlineIntakeApproval(knex: Knex): Promise<OnlineIntakeApproval | undefined> {
  const r = await knex(TABLE).select(knex.raw(COLUMNS)).whereNull('ended_at').first();
  return r ? toApproval(r) : undefined;
}

/** Every approval, newest first. */
export async function onlineIntakeApprovalHistory(knex: Knex): Promise<OnlineIntakeApproval[]> {
  return (await knex(TABLE).select(knex.raw(COLUMNS)).orderBy('id', 'desc')).map(toApproval);
}

/** Whether an open approval lets applications in on `today` (JST date, YYYY-MM-DD): its end date is inclusive. */
export const inForce = (a: OnlineIntakeApproval | undefined, today: string): a is OnlineIntakeApproval => !!a && !a.endedAt && (!a.validUntil || today <= a.validUntil);

/** The approval in force on `today`, or undefined: what the online intake route asks before anything else. */
export async function onlineIntakeApprovalInForce(knex: Knex, today: string): Promise<OnlineIntakeApproval | undefined> {
  const open = await openOnlineIntakeApproval(knex);
  return inForce(open, today) ? open : undefined;
}

/** Records the city's approval; an open one is ended as superseded in the same transaction. */
export async function recordOnlineIntakeApproval(knex: Knex, input: { services: string[]; validUntil?: string | null; note?: string | null }, by: string): Promise<OnlineIntakeApproval> {
  return knex.transaction(async (trx) => {
    await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [TABLE]);
    await trx(TABLE).whereNull('ended_at').update({ ended_at: trx.fn.now(), ended_by: by, end_kind: 'superseded', end_reason: '新しい承認に置き換え' });
    const [{ id }] = await trx(TABLE).insert({ services: [...new Set(input.services)], valid_until: input.validUntil ?? null, note: input.note ?? null, approved_by: by }).returning('id');
    return toApproval(await trx(TABLE).select(trx.raw(COLUMNS)).where({ id }).first());
  });
}

/** Revokes the open approval; undefined when none is open. */
export async function revokeOnlineIntakeApproval(knex: Knex, reason: string, by: string): Promise<OnlineIntakeApproval | undefined> {
  return knex.transaction(async (trx) => {
    await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [TABLE]);
    const [row] = await trx(TABLE).whereNull('ended_at').update({ ended_at: trx.fn.now(), ended_by: by, end_kind: 'revoked', end_reason: reason }).returning('id');
    return row ? toApproval(await trx(TABLE).select(trx.raw(COLUMNS)).where({ id: row.id }).first()) : undefined;
  });
}
