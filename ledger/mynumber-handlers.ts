import type { Knex } from '@mikro-orm/postgresql';
import { handlerClearance, type Clearance, type HandlerEntry, type HandlerKind } from '../domain/onestop/handlers';
import { terminalClearance, type HandlingArea } from '../domain/onestop/handling-area';
import { jstDate } from '../domain/jst';
import { approvalNotice, handlerNotice } from '../domain/onestop/handler-notices';
import { renamed } from './rows';

/** MYNUM-1: the register of people who may handle 特定個人情報, and the refusals it caused. */

export interface HandlerRow extends HandlerEntry {
  name: string;
  dispatched: boolean;
  cityApprovedBy: string | null;
  pledgeFile: string | null;
  registeredBy: string;
  updatedBy: string;
}

export interface HandlerInput {
  name: string;
  kind: HandlerKind;
  dispatched?: boolean;
  cityNotifiedOn?: string | null;
  pledgeSignedOn?: string | null;
  pledgeFile?: string | null;
  trainedOn?: string | null;
  validUntil?: string | null;
  removedOn?: string | null;
}

const COLUMNS = [
  'actor', 'name', 'kind', 'dispatched', 'city_approved_by', 'pledge_file', 'registered_by', 'updated_by',
  ...['city_notified_on', 'city_approved_on', 'pledge_signed_on', 'trained_on', 'valid_until', 'removed_on'].map((c) => `to_char(${c}, 'YYYY-MM-DD') as ${c}`),
];

function toRow(r: any): HandlerRow {
  return renamed(
    r,
    'actor name kind dispatched city_notified_on city_approved_on city_approved_by pledge_signed_on pledge_file trained_on valid_until removed_on registered_by updated_by',
  );
}

export async function findHandler(knex: Knex, actor: string): Promise<HandlerRow | undefined> {
  const r = await knex('mynumber_handlers').select(knex.raw(COLUMNS.join(', '))).where({ actor }).first();
  return r ? toRow(r) : undefined;
}

export async function listHandlers(knex: Knex): Promise<HandlerRow[]> {
  return (await knex('mynumber_handlers').select(knex.raw(COLUMNS.join(', '))).orderBy('kind', 'desc').orderBy('actor')).map(toRow);
}

/**
 * Registers a person or updates their entry. Changing who the person responsible is, or their kind,
 * clears the city's approval: a new 作業責任者 takes effect only after the city approves again.
 */
export async function saveHandler(knex: Knex, actor: string, input: HandlerInput, by: string): Promise<HandlerRow> {
  return knex.transaction(async (trx) => {
    const before = await trx('mynumber_handlers').select('kind', 'name').where({ actor }).forUpdate().first();
    const fields = {
      name: input.name,
      kind: input.kind,
      dispatched: input.dispatched ?? false,
      city_notified_on: input.cityNotifiedOn ?? null,
      pledge_signed_on: input.pledgeSignedOn ?? null,
      pledge_file: input.pledgeFile ?? null,
      trained_on: input.trainedOn ?? null,
      valid_until: input.validUntil ?? null,
      removed_on: input.removedOn ?? null,
      updated_by: by,
      updated_at: trx.fn.now(),
    };
    const approvalLapses = !before || before.kind !== input.kind || before.name !== input.name;
    const previous = before ? await findHandler(trx, actor) : undefined;
    if (!before) await trx('mynumber_handlers').insert({ actor, ...fields, registered_by: by });
    else await trx('mynumber_handlers').where({ actor }).update({ ...fields, ...(approvalLapses ? { city_approved_on: null, city_approved_by: null } : {}) });
    const after = (await findHandler(trx, actor))!;
    // In the same transaction: no change of the register without its notice to the city.
    await recordNotice(trx, actor, handlerNotice(previous, after), by);
    return after;
  });
}

async function recordNotice(knex: Knex, actor: string, notice: { kind: string; text: string } | undefined, by: string, now = new Date()): Promise<void> {
  if (notice) await knex('mynumber_handler_notices').insert({ actor, kind: notice.kind, notice: notice.text, noticed_on: jstDate(now), recorded_by: by });
}

/** The dated notices of register changes, oldest first; `from`/`to` (YYYY-MM-DD, JST) bound the dates. */
export async function handlerNotices(knex: Knex, period: { from?: string; to?: string } = {}) {
  const q = knex('mynumber_handler_notices').select('id', 'actor', 'kind', 'notice', knex.raw(`to_char(noticed_on, 'YYYY-MM-DD') as noticed_on`), 'recorded_by', 'recorded_at').orderBy('id');
  if (period.from) q.where('noticed_on', '>=', period.from);
  if (period.to) q.where('noticed_on', '<=', period.to);
  return (await q).map((r: any) => ({ id: Number(r.id), actor: r.actor, kind: r.kind, notice: r.notice, noticedOn: r.noticed_on, recordedBy: r.recorded_by, recordedAt: new Date(r.recorded_at).toISOString() }));
}

/** The city approves a 作業責任者, dated the day it is recorded (an approval cannot be back-dated). */
export async function approveResponsible(knex: Knex, actor: string, by: string, now = new Date()): Promise<HandlerRow | 'not_found' | 'not_responsible'> {
  const entry = await findHandler(knex, actor);
  if (!entry) return 'not_found';
  if (entry.kind !== 'responsible') return 'not_responsible';
  return knex.transaction(async (trx) => {
    await trx('mynumber_handlers').where({ actor }).update({ city_approved_on: jstDate(now), city_approved_by: by, updated_by: by, updated_at: trx.fn.now() });
    const approved = (await findHandler(trx, actor))!;
    await recordNotice(trx, actor, approvalNotice(approved, by), by, now);
    return approved;
  });
}

/** Whether `actor` may handle a 個人番号 now; a refusal is recorded (without the number) before it is returned. */
export async function clearForMyNumber(
  knex: Knex,
  /** A read names its application; an export (MYNUM-2) names none. */
  attempt: { actor: string; role: string; source: string; terminal?: string; applicationId?: string; action?: 'read' | 'export'; reasonGiven: string },
  area: HandlingArea,
  now = new Date(),
): Promise<Clearance> {
  // MYNUM-2 first: from outside the 取扱区域 nobody handles a number, registered or not.
  const atTerminal = terminalClearance(area, attempt.terminal);
  const clearance = atTerminal.cleared ? handlerClearance(await findHandler(knex, attempt.actor), jstDate(now)) : atTerminal;
  if (!clearance.cleared) {
    await knex('my_number_access_refusals').insert({
      application_id: attempt.applicationId ?? null,
      action: attempt.action ?? 'read',
      actor: attempt.actor,
      role: attempt.role,
      source: attempt.source,
      terminal: attempt.terminal ?? null,
      reason_given: attempt.reasonGiven,
      refusal: clearance.reason,
    });
  }
  return clearance;
}

export async function myNumberRefusals(knex: Knex, applicationId: string) {
  const rows = await knex('my_number_access_refusals').where({ application_id: applicationId }).orderBy('id');
  return rows.map((r: any) => ({ actor: r.actor, role: r.role, source: r.source, reasonGiven: r.reason_given, terminal: r.terminal, refusal: r.refusal, refusedAt: new Date(r.refused_at).toISOString() }));
}
