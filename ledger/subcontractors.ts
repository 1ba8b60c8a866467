import type { Knex } from '@mikro-orm/postgresql';
import { handoffClearance, type DataKind, type HandoffClearance, type SubcontractorEntry } from '../domain/subcontractors/register';
import { jstDate } from '../domain/jst';
import { renamed } from './rows';

/** CONTRACT-3: the subcontractor register, the city's approvals, and the hand-offs it refused. */
export interface SubcontractorRow extends SubcontractorEntry {
  reason: string;
  work: string;
  safeguards: string;
  cityApprovedBy: string | null;
  approvalDocument: string | null;
  revokedBy: string | null;
  revocationReason: string | null;
  registeredBy: string;
  updatedBy: string;
  updatedAt: string;
}

export interface SubcontractorInput {
  name: string;
  reason: string;
  work: string;
  dataPassed: DataKind[];
  safeguards: string;
}

// Dates leave PostgreSQL as text: a date column read as a JS Date would shift by the client's zone.
const COLUMNS = [
  'code', 'name', 'reason', 'work', 'data_passed', 'safeguards', 'city_approved_by', 'approval_document', 'revoked_by', 'revocation_reason', 'registered_by', 'updated_by', 'updated_at',
  ...['city_approved_on', 'revoked_on'].map((c) => `to_char(${c}, 'YYYY-MM-DD') as ${c}`),
].join(', ');

function toRow(r: any): SubcontractorRow {
  return {
    ...renamed(r, 'code name reason work data_passed safeguards city_approved_on city_approved_by approval_document revoked_on revoked_by revocation_reason registered_by updated_by'),
    updatedAt: new Date(r.updated_at).toISOString(),
  };
}

const select = (knex: Knex) => knex('subcontractors').select(knex.raw(COLUMNS));

export async function findSubcontractor(knex: Knex, code: string): Promise<SubcontractorRow | undefined> {
  const r = await select(knex).where({ code }).first();
  return r ? toRow(r) : undefined;
}

export async function listSubcontractors(knex: Knex): Promise<SubcontractorRow[]> {
  return (await select(knex).orderBy('code')).map(toRow);
}

/**
 * Registers or updates an entry. A change of the work or of the data passed is a new subcontracting
 * the city has not approved: the approval lapses and must be given again.
 */
export async function saveSubcontractor(knex: Knex, code: string, input: SubcontractorInput, by: string): Promise<SubcontractorRow> {
  return knex.transaction(async (trx) => {
    const before = await findSubcontractor(trx, code);
    const dataPassed = [...new Set(input.dataPassed)].sort();
    const fields = { name: input.name, reason: input.reason, work: input.work, data_passed: dataPassed, safeguards: input.safeguards, updated_by: by, updated_at: trx.fn.now() };
    const lapses = !before || before.work !== input.work || before.dataPassed.join() !== dataPassed.join();
    if (!before) await trx('subcontractors').insert({ code, ...fields, registered_by: by });
    else await trx('subcontractors').where({ code }).update({ ...fields, ...(lapses ? { city_approved_on: null, city_approved_by: null, approval_document: null } : {}) });
    return (await findSubcontractor(trx, code))!;
  });
}

/** The city's prior written approval, dated the day it is recorded (never back-dated); clears an earlier revocation. */
export async function approveSubcontractor(knex: Knex, code: string, approvalDocument: string, by: string, now = new Date()): Promise<SubcontractorRow | undefined> {
  const n = await knex('subcontractors').where({ code }).update({ city_approved_on: jstDate(now), city_approved_by: by, approval_document: approvalDocument, revoked_on: null, revoked_by: null, revocation_reason: null, updated_by: by, updated_at: knex.fn.now() });
  return n ? findSubcontractor(knex, code) : undefined;
}

export async function revokeSubcontractor(knex: Knex, code: string, reason: string, by: string, now = new Date()): Promise<SubcontractorRow | undefined> {
  const n = await knex('subcontractors').where({ code }).update({ revoked_on: jstDate(now), revoked_by: by, revocation_reason: reason, updated_by: by, updated_at: knex.fn.now() });
  return n ? findSubcontractor(knex, code) : undefined;
}

/**
 * Whether personal data of `kind` may go to `code` now; a refusal is recorded against the subject
 * (e.g. the print batch) before it is returned, once per recipient and subject with the attempts counted.
 */
export async function clearHandoff(knex: Knex, code: string, kind: DataKind, subject: string, now = new Date()): Promise<HandoffClearance> {
  const clearance = handoffClearance(code, await findSubcontractor(knex, code), kind, jstDate(now));
  if (!clearance.cleared) {
    await knex('subcontractor_handoff_refusals')
      .insert({ code, subject, data_kind: kind, refusal: clearance.reason })
      .onConflict(['code', 'subject'])
      .merge({ refusal: clearance.reason, attempts: knex.raw('subcontractor_handoff_refusals.attempts + 1'), last_refused_at: knex.fn.now() });
  }
  return clearance;
}

export async function handoffRefusals(knex: Knex): Promise<{ code: string; subject: string; dataKind: string; refusal: string; attempts: number; firstRefusedAt: string; lastRefusedAt: string }[]> {
  const rows = await knex('subcontractor_handoff_refusals').orderBy('id');
  return rows.map((r: any) => ({ ...renamed(r, 'code subject data_kind refusal attempts'), firstRefusedAt: new Date(r.first_refused_at).toISOString(), lastRefusedAt: new Date(r.last_refused_at).toISOString() }) as any);
}
