import { randomUUID } from 'node:crypto';
import type { Knex } from '@mikro-orm/postgresql';
import { checkTransition, type CallCategory, type CallChannel, type CallStatus } from '../domain/callcentre/types';
import { asColumns, renamed } from './rows';

/** CALL-1…4: the call centre log. Current state in `calls`, history in append-only `call_events`. */

export interface CallLinks {
  donorId?: string | null;
  donationId?: string | null;
  giftCode?: string | null;
  supplierCode?: string | null;
  shipmentId?: string | null;
}

export interface NewCall extends CallLinks {
  channel: CallChannel;
  category: CallCategory;
  complaint: boolean;
  subject: string;
  body: string;
  callerName?: string | null;
  callerContact?: string | null;
  receivedAt: Date;
  outOfHours: boolean;
}

export interface CallRow {
  id: string;
  channel: CallChannel;
  category: CallCategory;
  complaint: boolean;
  status: CallStatus;
  subject: string;
  body: string;
  callerName: string | null;
  callerContact: string | null;
  donorId: string | null;
  donationId: string | null;
  giftCode: string | null;
  supplierCode: string | null;
  shipmentId: string | null;
  receivedAt: string;
  outOfHours: boolean;
  outcome: string | null;
  reportToCity: boolean;
  reshipmentRequestedAt: string | null;
  reshipmentResult: unknown;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
}

export interface CallEvent {
  id: number;
  at: string;
  actor: string;
  kind: string;
  fromStatus: string | null;
  toStatus: string | null;
  note: string | null;
  detail: unknown;
}

const iso = (v: Date | string | null) => (v == null ? null : new Date(v).toISOString());

function toCall(r: any): CallRow {
  return {
    ...renamed(r, 'id channel category complaint status subject body caller_name caller_contact donor_id donation_id gift_code supplier_code shipment_id out_of_hours outcome report_to_city reshipment_result created_by updated_by'),
    receivedAt: iso(r.received_at)!,
    reshipmentRequestedAt: iso(r.reshipment_requested_at),
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
  };
}

const toEvent = (r: any): CallEvent => ({ id: Number(r.id), at: iso(r.at)!, actor: r.actor, kind: r.kind, fromStatus: r.from_status, toStatus: r.to_status, note: r.note, detail: r.detail });

/** Links that name nothing in the ledger, as field errors ("links.donationId" "does not exist"). Supplier codes are free: would-be suppliers (CALL-4). */
export async function missingLinks(knex: Knex, links: CallLinks): Promise<{ field: string; reason: string }[]> {
  const checks: [keyof CallLinks, string, string][] = [
    ['donorId', 'donors', 'id'],
    ['donationId', 'donations', 'id'],
    ['giftCode', 'gifts', 'code'],
    ['shipmentId', 'shipments', 'id'],
  ];
  const missing: { field: string; reason: string }[] = [];
  for (const [key, table, column] of checks) {
    const value = links[key];
    if (value == null) continue;
    const found = await knex(table).where(column, value).first(column);
    if (!found) missing.push({ field: `links.${key}`, reason: `${value} does not exist` });
  }
  return missing;
}

export async function createCall(knex: Knex, call: NewCall, actor: string): Promise<CallRow> {
  return knex.transaction(async (trx) => {
    const [row] = await trx('calls')
      .insert({
        id: randomUUID(),
        channel: call.channel,
        category: call.category,
        complaint: call.complaint,
        subject: call.subject,
        body: call.body,
        ...asColumns(call, 'callerName callerContact donorId donationId giftCode supplierCode shipmentId'),
        received_at: call.receivedAt,
        out_of_hours: call.outOfHours,
        // CALL-3: every complaint is reported to the city.
        report_to_city: call.complaint,
        created_by: actor,
        updated_by: actor,
      })
      .returning('*');
    await trx('call_events').insert({ call_id: row.id, actor, kind: 'created', to_status: row.status, detail: JSON.stringify({ channel: call.channel, category: call.category, complaint: call.complaint, outOfHours: call.outOfHours }) });
    return toCall(row);
  });
}

export async function findCall(knex: Knex, id: string): Promise<CallRow | undefined> {
  const row = await knex('calls').where({ id }).first();
  return row ? toCall(row) : undefined;
}

export async function callEvents(knex: Knex, id: string): Promise<CallEvent[]> {
  return (await knex('call_events').where({ call_id: id }).orderBy('id')).map(toEvent);
}

export interface CallFilter extends CallLinks {
  status?: CallStatus;
  category?: CallCategory;
  complaint?: boolean;
  reportToCity?: boolean;
  from?: Date;
  to?: Date;
  limit?: number;
  offset?: number;
}

export async function listCalls(knex: Knex, f: CallFilter): Promise<{ total: number; calls: CallRow[] }> {
  const q = knex('calls');
  if (f.status) q.where('status', f.status);
  if (f.category) q.where('category', f.category);
  if (f.complaint !== undefined) q.where('complaint', f.complaint);
  if (f.reportToCity !== undefined) q.where('report_to_city', f.reportToCity);
  if (f.from) q.where('received_at', '>=', f.from);
  if (f.to) q.where('received_at', '<', f.to);
  if (f.donorId) q.where('donor_id', f.donorId);
  if (f.donationId) q.where('donation_id', f.donationId);
  if (f.giftCode) q.where('gift_code', f.giftCode);
  if (f.supplierCode) q.where('supplier_code', f.supplierCode);
  if (f.shipmentId) q.where('shipment_id', f.shipmentId);
  const [{ n }] = await q.clone().count<{ n: string }[]>({ n: '*' });
  const rows = await q.orderBy('received_at', 'desc').orderBy('id').limit(f.limit ?? 100).offset(f.offset ?? 0);
  return { total: Number(n), calls: rows.map(toCall) };
}

export class CallNotFoundError extends Error {}
export class CallConflictError extends Error {}

/** Runs fn on the locked row; the event it returns is appended and the row stamped with who/when. */
async function changeCall(knex: Knex, id: string, actor: string, fn: (call: CallRow) => { set: Record<string, unknown>; event: Record<string, unknown> }): Promise<CallRow> {
  return knex.transaction(async (trx) => {
    const row = await trx('calls').where({ id }).forUpdate().first();
    if (!row) throw new CallNotFoundError(`call ${id} not found`);
    const { set, event } = fn(toCall(row));
    const [updated] = await trx('calls').where({ id }).update({ ...set, updated_at: trx.fn.now(), updated_by: actor }).returning('*');
    await trx('call_events').insert({ call_id: id, actor, ...event });
    return toCall(updated);
  });
}

export function changeStatus(knex: Knex, id: string, to: CallStatus, reason: string | undefined, actor: string): Promise<CallRow> {
  return changeCall(knex, id, actor, (call) => {
    const check = checkTransition(call.status, to, call.outcome !== null);
    if (!check.ok) throw new CallConflictError(`call ${id}: ${check.reason}`);
    if (check.reopen && !reason) throw new CallConflictError(`call ${id}: reopening needs a reason`);
    return { set: { status: to }, event: { kind: check.reopen ? 'reopened' : 'status', from_status: call.status, to_status: to, note: reason ?? null } };
  });
}

export function addFollowUp(knex: Knex, id: string, followUp: { at: Date; by: string; note: string }, actor: string): Promise<CallRow> {
  return changeCall(knex, id, actor, (call) => {
    if (call.status === '完了') throw new CallConflictError(`call ${id} is 完了; reopen it before adding follow-ups`);
    return { set: {}, event: { kind: 'follow_up', at: followUp.at, note: followUp.note, detail: JSON.stringify({ by: followUp.by, recordedBy: actor }) } };
  });
}

export function setOutcome(knex: Knex, id: string, outcome: string, actor: string): Promise<CallRow> {
  return changeCall(knex, id, actor, (call) => {
    if (call.status === '完了') throw new CallConflictError(`call ${id} is 完了; reopen it before changing the outcome`);
    return { set: { outcome }, event: { kind: 'outcome', note: outcome, detail: JSON.stringify({ previous: call.outcome }) } };
  });
}

/** CALL-3: the re-shipment a gift complaint started; the call is then reported to the city. */
export function recordReshipment(knex: Knex, id: string, result: Record<string, unknown>, actor: string): Promise<CallRow> {
  return changeCall(knex, id, actor, () => ({
    set: { reshipment_requested_at: knex.fn.now(), reshipment_result: JSON.stringify(result), report_to_city: true },
    event: { kind: 'reshipment', detail: JSON.stringify(result) },
  }));
}

/**
 * CALL-5: the answer to a cancellation asked at the desk, in the call's history (accepted with its stage, or
 * refused with the reason). A receipt voided by it is the city's to know: the call goes to the city's report.
 */
export function recordCancellation(knex: Knex, id: string, result: { accepted: boolean; stage?: string; reason: string; donationId: string }, actor: string): Promise<CallRow> {
  return changeCall(knex, id, actor, (call) => {
    if (call.status === '完了') throw new CallConflictError(`call ${id} is 完了; reopen it first`);
    return {
      set: result.stage === 'after_receipt' ? { report_to_city: true } : {},
      event: { kind: 'cancellation', note: result.reason, detail: JSON.stringify(result) },
    };
  });
}
