import { randomUUID } from 'node:crypto';
import type { Knex } from '@mikro-orm/postgresql';
import type { MyNumberKeyring } from '../config/env';
import { jstDate } from '../domain/jst';
import {
  checkMyNumber,
  daysUntil,
  oneStopDeadline,
  openMyNumber,
  sealMyNumber,
  type ApplicationContent,
  type DonationFacts,
  type Finding,
  type MyNumberVerdict,
} from '../domain/onestop';

/**
 * The one-stop ledger (ONESTOP-1…5). Every write is one transaction with its
 * history row; the 個人番号 enters sealed and leaves only through readMyNumber,
 * which logs the disclosure in the same transaction.
 */

export type OneStopStatus = 'received' | 'deficient' | 'accepted' | 'rejected_late' | 'closed_deficient';
export const ONESTOP_STATUSES: OneStopStatus[] = ['received', 'deficient', 'accepted', 'rejected_late', 'closed_deficient'];
export type NoticeKind = 'accepted' | 'deficiency' | 'reminder' | 'late_rejection' | 'closed_deficient';

/** What is kept of the form besides the review fields; the donor's 性別 on old forms is not kept (not needed). */
export interface StoredContent extends ApplicationContent {
  postalCode?: string;
  phone?: string;
  email?: string;
  birthDate?: string;
}

export interface DonationRef {
  donationId?: string;
  portal?: string;
  portalOrderId?: string;
}

export interface NewApplication {
  donation: DonationRef;
  channel: 'paper' | 'online';
  arrivedOn: string;
  scanRef?: string;
  online?: { service: string; reference: string };
  content: StoredContent;
  /** In clear only on its way from the request to sealMyNumber. */
  myNumber?: string;
}

export interface ApplicationRow {
  id: string;
  donationId: string;
  workflowId: string;
  channel: 'paper' | 'online';
  status: OneStopStatus;
  arrivedOn: string;
  deadlineOn: string;
  scanRef: string | null;
  online: { service: string; reference: string } | null;
  content: StoredContent;
  currentContent: StoredContent;
  changedParticulars: ChangeNotice['changes'];
  myNumber: { verdict: MyNumberVerdict; sealed: boolean; keyId: string | null; destroyedAt: string | null };
  findings: Finding[];
  reviewRound: number;
  decidedAt: string | null;
  createdBy: string;
  createdAt: string;
}

export class OneStopError extends Error {
  constructor(readonly kind: 'not_found' | 'conflict' | 'invalid', message: string, readonly field?: string) {
    super(message);
  }
}

/** One application per donation, one workflow per application: the ID follows from the donation. */
export const oneStopWorkflowId = (donationId: string) => `onestop/${donationId}`;

/** The driver hands timestamps back as strings or Dates depending on configuration. */
const iso = (v: unknown): string | null => (v === null || v === undefined ? null : new Date(v as string).toISOString());

const dateText = (v: unknown): string => (v instanceof Date ? jstDate(v) : String(v).slice(0, 10));

function toRow(r: any): ApplicationRow {
  return {
    id: r.id,
    donationId: r.donation_id,
    workflowId: r.workflow_id,
    channel: r.channel,
    status: r.status,
    arrivedOn: dateText(r.arrived_on),
    deadlineOn: dateText(r.deadline_on),
    scanRef: r.scan_ref,
    online: r.online_service ? { service: r.online_service, reference: r.online_ref } : null,
    content: r.content,
    currentContent: r.current_content,
    changedParticulars: r.changed_particulars,
    myNumber: { verdict: r.my_number_verdict, sealed: r.my_number_key_id !== null, keyId: r.my_number_key_id, destroyedAt: iso(r.my_number_destroyed_at) },
    findings: r.findings,
    reviewRound: r.review_round,
    decidedAt: iso(r.decided_at),
    createdBy: r.created_by,
    createdAt: iso(r.created_at)!,
  };
}

// Every column but the sealed number: nothing that lists applications can leak it by accident.
const COLUMNS = [
  'id', 'donation_id', 'workflow_id', 'channel', 'status', 'arrived_on', 'deadline_on', 'scan_ref', 'online_service', 'online_ref', 'content',
  'current_content', 'changed_particulars', 'my_number_key_id', 'my_number_verdict', 'my_number_destroyed_at', 'findings', 'review_round', 'decided_at', 'created_by', 'created_at',
];

/** DB dates come back as local-midnight Date objects unless asked for text. */
const selectRow = (k: Knex | Knex.Transaction) =>
  k('onestop_applications').select(COLUMNS.filter((c) => c !== 'arrived_on' && c !== 'deadline_on')).select(k.raw('arrived_on::text as arrived_on, deadline_on::text as deadline_on'));

export async function findApplication(knex: Knex, id: string): Promise<ApplicationRow | undefined> {
  const r = await selectRow(knex).where('id', id).first();
  return r ? toRow(r) : undefined;
}

export async function findApplicationByDonation(knex: Knex, donationId: string): Promise<ApplicationRow | undefined> {
  const r = await selectRow(knex).where('donation_id', donationId).first();
  return r ? toRow(r) : undefined;
}

async function resolveDonation(k: Knex | Knex.Transaction, ref: DonationRef): Promise<{ id: string; receivedOn: string }> {
  const q = k('donations').select('id', 'paid_at', 'applied_at');
  if (ref.donationId) q.where('id', ref.donationId);
  else if (ref.portal && ref.portalOrderId) q.where({ portal_code: ref.portal, portal_order_id: ref.portalOrderId });
  else throw new OneStopError('invalid', 'donationId or portal and portalOrderId are required', 'donation');
  const d = await q.first();
  if (!d) throw new OneStopError('not_found', 'donation not found');
  return { id: d.id, receivedOn: jstDate(new Date(d.paid_at ?? d.applied_at)) };
}

/**
 * Registers an arrived application. The number's verdict is taken here, where
 * it is still in clear, so that nothing downstream ever needs to open it.
 */
export async function registerApplication(knex: Knex, keyring: MyNumberKeyring, input: NewApplication, actor: string): Promise<{ application: ApplicationRow; created: boolean }> {
  return knex.transaction(async (trx) => {
    const donation = await resolveDonation(trx, input.donation);
    if (input.online) {
      const same = await selectRow(trx).where({ online_service: input.online.service, online_ref: input.online.reference }).first();
      if (same) {
        if (same.donation_id !== donation.id) throw new OneStopError('conflict', `online reference ${input.online.reference} belongs to another donation`);
        return { application: toRow(same), created: false };
      }
    }
    const existing = await trx('onestop_applications').select('id').where('donation_id', donation.id).first();
    if (existing) throw new OneStopError('conflict', `donation already has one-stop application ${existing.id}; send missing documents as a resubmission`);

    const id = randomUUID();
    const verdict = checkMyNumber(input.myNumber);
    const sealed = verdict === 'missing' ? undefined : sealMyNumber(keyring, id, input.myNumber!);
    await trx('onestop_applications').insert({
      id,
      donation_id: donation.id,
      workflow_id: oneStopWorkflowId(donation.id),
      channel: input.channel,
      status: 'received',
      form_version: input.content.formVersion,
      arrived_on: input.arrivedOn,
      deadline_on: oneStopDeadline(Number(donation.receivedOn.slice(0, 4))),
      scan_ref: input.scanRef ?? null,
      online_service: input.online?.service ?? null,
      online_ref: input.online?.reference ?? null,
      content: JSON.stringify(input.content),
      current_content: JSON.stringify(input.content),
      my_number_sealed: sealed?.sealed ?? null,
      my_number_key_id: sealed?.keyId ?? null,
      my_number_verdict: verdict,
      created_by: actor,
    });
    await trx('onestop_events').insert({ application_id: id, kind: 'received', actor, after: JSON.stringify({ channel: input.channel, arrivedOn: input.arrivedOn, myNumber: verdict }) });
    return { application: toRow(await selectRow(trx).where('id', id).first()), created: true };
  });
}

export interface Resubmission {
  arrivedOn: string;
  scanRef?: string;
  /** Replaces what was written; attachments are added to those already received. */
  changes: Partial<Omit<StoredContent, 'attachments'>>;
  attachments?: StoredContent['attachments'];
  myNumber?: string;
}

/** Missing documents or corrections sent after a deficiency notice; the workflow reviews again. */
export async function applyResubmission(knex: Knex, keyring: MyNumberKeyring, id: string, input: Resubmission, actor: string): Promise<{ eventId: string }> {
  return knex.transaction(async (trx) => {
    const r = await trx('onestop_applications').select('status', 'current_content', trx.raw('deadline_on::text as deadline_on')).where('id', id).forUpdate().first();
    if (!r) throw new OneStopError('not_found', `one-stop application ${id} not found`);
    if (r.status !== 'deficient') throw new OneStopError('conflict', `application is ${r.status}; only a deficient application takes a resubmission`);
    if (input.arrivedOn > r.deadline_on) throw new OneStopError('invalid', `corrections are due by ${r.deadline_on} like the application itself`, 'arrivedOn');
    const before: StoredContent = r.current_content;
    const after: StoredContent = { ...before, ...input.changes, attachments: [...before.attachments, ...(input.attachments ?? [])] };
    const update: Record<string, unknown> = { current_content: JSON.stringify(after), updated_at: trx.fn.now() };
    let myNumber: MyNumberVerdict | undefined;
    if (input.myNumber !== undefined) {
      myNumber = checkMyNumber(input.myNumber);
      const sealed = myNumber === 'missing' ? undefined : sealMyNumber(keyring, id, input.myNumber);
      Object.assign(update, { my_number_verdict: myNumber, my_number_sealed: sealed?.sealed ?? null, my_number_key_id: sealed?.keyId ?? null });
    }
    await trx('onestop_applications').where('id', id).update(update);
    const [ev] = await trx('onestop_events')
      .insert({
        application_id: id,
        kind: 'resubmission',
        actor,
        before: JSON.stringify(before),
        after: JSON.stringify({ ...after, arrivedOn: input.arrivedOn, scanRef: input.scanRef ?? null, ...(myNumber ? { myNumber } : {}) }),
      })
      .returning('id');
    return { eventId: String(ev.id ?? ev) };
  });
}

export interface ChangeNotice {
  arrivedOn: string;
  scanRef?: string;
  changes: Partial<Pick<StoredContent, 'name' | 'nameKana' | 'address' | 'postalCode' | 'phone'>>;
  reason: string;
}

/**
 * 申告特例申請事項変更届出書: a move or a new name before January 1. It is due
 * by the same deadline. The change is kept apart from what the donor wrote
 * (which the review compares with the ledger) and overrides it in the
 * 申告特例通知書; before/after go to the history.
 */
export async function applyChangeNotice(knex: Knex, id: string, input: ChangeNotice, actor: string): Promise<{ eventId: string; currentContent: StoredContent }> {
  return knex.transaction(async (trx) => {
    const r = await trx('onestop_applications').select('status', 'current_content', 'changed_particulars', trx.raw('deadline_on::text as deadline_on')).where('id', id).forUpdate().first();
    if (!r) throw new OneStopError('not_found', `one-stop application ${id} not found`);
    if (r.status === 'rejected_late' || r.status === 'closed_deficient') throw new OneStopError('conflict', `application is ${r.status}; a change notice no longer applies`);
    if (input.arrivedOn > r.deadline_on) throw new OneStopError('invalid', `a change notice is due by ${r.deadline_on} (翌年1月10日, holiday-adjusted)`, 'arrivedOn');
    const before: StoredContent = { ...r.current_content, ...r.changed_particulars };
    const after: StoredContent = { ...before, ...input.changes };
    await trx('onestop_applications').where('id', id).update({ changed_particulars: JSON.stringify({ ...r.changed_particulars, ...input.changes }), updated_at: trx.fn.now() });
    const changed = Object.keys(input.changes) as (keyof StoredContent)[];
    const [ev] = await trx('onestop_events')
      .insert({
        application_id: id,
        kind: 'change_notice',
        actor,
        reason: input.reason,
        before: JSON.stringify(Object.fromEntries(changed.map((k) => [k, before[k] ?? null]))),
        after: JSON.stringify({ ...Object.fromEntries(changed.map((k) => [k, after[k] ?? null])), arrivedOn: input.arrivedOn, scanRef: input.scanRef ?? null }),
      })
      .returning('id');
    return { eventId: String(ev.id ?? ev), currentContent: after };
  });
}

export async function applicationEvents(knex: Knex, id: string) {
  const rows = await knex('onestop_events').where('application_id', id).orderBy('id');
  return rows.map((e: any) => ({ id: String(e.id), kind: e.kind, actor: e.actor, occurredAt: iso(e.occurred_at), reason: e.reason, before: e.before, after: e.after }));
}

export async function applicationNotices(knex: Knex, id: string) {
  const rows = await knex('onestop_notices').where('application_id', id).orderBy('id');
  return rows.map((n: any) => ({ id: String(n.id), kind: n.kind as NoticeKind, channel: n.channel, status: n.status, findings: n.findings, createdAt: iso(n.created_at) }));
}

export async function donationFacts(knex: Knex, donationId: string): Promise<DonationFacts | undefined> {
  const d = await knex('donations as d')
    .join('donors as p', 'p.id', 'd.donor_id')
    .select('p.name', 'p.name_kana', 'p.prefecture', 'p.address', 'd.amount_yen', 'd.paid_at', 'd.applied_at')
    .where('d.id', donationId)
    .first();
  if (!d) return undefined;
  return {
    donorName: d.name,
    donorKana: d.name_kana,
    prefecture: d.prefecture,
    address: d.address,
    amountYen: d.amount_yen,
    receivedOn: jstDate(new Date(d.paid_at ?? d.applied_at)),
    appliedOn: jstDate(new Date(d.applied_at)),
  };
}

export interface Reader {
  actor: string;
  role: string;
  source: string;
}

/**
 * The only way a 個人番号 leaves the ledger in clear. The access-log row is
 * written in the same transaction first: no log, no number.
 */
export async function readMyNumber(knex: Knex, keyring: MyNumberKeyring, id: string, reader: Reader, reason: string): Promise<string | undefined> {
  return knex.transaction(async (trx) => {
    const r = await trx('onestop_applications').select('my_number_sealed', 'my_number_key_id').where('id', id).first();
    if (!r) throw new OneStopError('not_found', `one-stop application ${id} not found`);
    await trx('my_number_access_log').insert({ application_id: id, actor: reader.actor, role: reader.role, reason, source: reader.source });
    if (!r.my_number_sealed) return undefined;
    return openMyNumber(keyring, id, { keyId: r.my_number_key_id, sealed: r.my_number_sealed });
  });
}

export async function myNumberAccessLog(knex: Knex, id: string) {
  const rows = await knex('my_number_access_log').where('application_id', id).orderBy('id');
  return rows.map((a: any) => ({ actor: a.actor, role: a.role, reason: a.reason, source: a.source, accessedAt: iso(a.accessed_at) }));
}

/** Key rotation: re-seals every number not under the active key. Run after adding a key and making it active. */
export async function resealMyNumbers(knex: Knex, keyring: MyNumberKeyring, batch = 500): Promise<number> {
  let total = 0;
  for (;;) {
    const done = await knex.transaction(async (trx) => {
      const rows = await trx('onestop_applications')
        .select('id', 'my_number_sealed', 'my_number_key_id')
        .whereNotNull('my_number_key_id')
        .whereNot('my_number_key_id', keyring.activeKeyId)
        .limit(batch)
        .forUpdate()
        .skipLocked();
      for (const r of rows) {
        const clear = openMyNumber(keyring, r.id, { keyId: r.my_number_key_id, sealed: r.my_number_sealed });
        const sealed = sealMyNumber(keyring, r.id, clear);
        await trx('onestop_applications').where('id', r.id).update({ my_number_sealed: sealed.sealed, my_number_key_id: sealed.keyId });
      }
      return rows.length;
    });
    total += done;
    if (done < batch) return total;
  }
}

/** ONESTOP-2 status for the city: counts per state, open deficiencies by kind, days to each deadline. */
export async function oneStopSummary(knex: Knex, today: string) {
  const byStatus = await knex('onestop_applications').select('status', knex.raw('deadline_on::text as deadline_on')).count('* as n').groupBy('status', 'deadline_on');
  const deadlines = new Map<string, Record<OneStopStatus, number>>();
  for (const r of byStatus as any[]) {
    const counts = deadlines.get(r.deadline_on) ?? (Object.fromEntries(ONESTOP_STATUSES.map((s) => [s, 0])) as Record<OneStopStatus, number>);
    counts[r.status as OneStopStatus] += Number(r.n);
    deadlines.set(r.deadline_on, counts);
  }
  const open = await knex('onestop_applications as a')
    .crossJoin(knex.raw(`jsonb_array_elements(a.findings) as f`))
    .where('a.status', 'deficient')
    .whereRaw(`f->>'severity' = 'deficiency'`)
    .select(knex.raw(`f->>'code' as code`))
    .count('* as n')
    .groupByRaw(`f->>'code'`);
  const pendingNotices = await knex('onestop_notices').where('status', 'pending').select('kind').count('* as n').groupBy('kind');
  return {
    today,
    deadlines: [...deadlines.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([deadlineOn, counts]) => ({ deadlineOn, daysToDeadline: daysUntil(today, deadlineOn), counts, total: Object.values(counts).reduce((a, b) => a + b, 0) })),
    deficienciesOutstanding: Object.fromEntries((open as any[]).map((r) => [r.code, Number(r.n)])),
    deficientApplications: (byStatus as any[]).filter((r) => r.status === 'deficient').reduce((a, r) => a + Number(r.n), 0),
    pendingNotices: Object.fromEntries((pendingNotices as any[]).map((r) => [r.kind, Number(r.n)])),
  };
}

/** REC-1: retention ends this many years after the application's deadline day. */
export function retentionCutoff(asOf: string, years: number): string {
  const [y, m, d] = asOf.split('-');
  return `${Number(y) - years}-${m}-${d}`;
}

/** Proposes destroying every 個人番号 and image reference whose retention ended by asOf; nothing happens before the city approves. */
export async function proposeDestruction(knex: Knex, input: { asOf: string; retentionYears: number }, actor: string) {
  return knex.transaction(async (trx) => {
    const due = await trx('onestop_applications')
      .select('id')
      .whereNull('my_number_destroyed_at')
      .where('deadline_on', '<', retentionCutoff(input.asOf, input.retentionYears))
      .whereNotIn('status', ['received', 'deficient'])
      .orderBy('deadline_on')
      .orderBy('id');
    const id = randomUUID();
    await trx('retention_destructions').insert({
      id,
      status: 'proposed',
      retention_years: input.retentionYears,
      as_of: input.asOf,
      application_ids: JSON.stringify(due.map((r: { id: string }) => r.id)),
      item_count: due.length,
      proposed_by: actor,
    });
    return { id, count: due.length };
  });
}

export async function findDestruction(knex: Knex, id: string) {
  const r = await knex('retention_destructions').select('*', knex.raw('as_of::text as as_of')).where('id', id).first();
  if (!r) return undefined;
  return {
    id: r.id as string,
    status: r.status as 'proposed' | 'approved' | 'rejected' | 'done',
    retentionYears: r.retention_years as number,
    asOf: r.as_of as string,
    count: r.item_count as number,
    applicationIds: r.application_ids as string[],
    proposedBy: r.proposed_by as string,
    proposedAt: iso(r.proposed_at),
    decidedBy: r.decided_by as string | null,
    decidedAt: iso(r.decided_at),
    decisionReason: r.decision_reason as string | null,
    executedAt: iso(r.executed_at),
    report: r.report as Record<string, unknown> | null,
  };
}

export async function decideDestruction(knex: Knex, id: string, approve: boolean, actor: string, reason: string): Promise<void> {
  const updated = await knex('retention_destructions')
    .where({ id, status: 'proposed' })
    .update({ status: approve ? 'approved' : 'rejected', decided_by: actor, decided_at: knex.fn.now(), decision_reason: reason });
  if (updated === 0) throw new OneStopError((await findDestruction(knex, id)) ? 'conflict' : 'not_found', `destruction ${id} is not awaiting a decision`);
}

export const DESTRUCTION_METHOD =
  'sealed 個人番号 (AES-256-GCM ciphertext) overwritten with NULL in the ledger; image references cleared and listed for deletion from the image store';

/** Executes an approved destruction in one transaction and writes the record the city receives (items, medium, count, method, date, person). */
export async function executeDestruction(knex: Knex, id: string, actor: string) {
  return knex.transaction(async (trx) => {
    const d = await trx('retention_destructions').where('id', id).forUpdate().first();
    if (!d) throw new OneStopError('not_found', `destruction ${id} not found`);
    if (d.status === 'done') return d.report;
    if (d.status !== 'approved') throw new OneStopError('conflict', `destruction ${id} is ${d.status}, not approved`);
    const ids: string[] = d.application_ids;
    const images = ids.length ? await trx('onestop_applications').select('id', 'scan_ref').whereIn('id', ids).whereNotNull('scan_ref') : [];
    const destroyed = ids.length
      ? await trx('onestop_applications')
          .whereIn('id', ids)
          .whereNull('my_number_destroyed_at')
          .update({ my_number_sealed: null, my_number_key_id: null, my_number_destroyed_at: trx.fn.now(), scan_ref: null, updated_at: trx.fn.now() })
      : 0;
    if (ids.length) {
      await trx('onestop_events').insert(ids.map((applicationId) => ({ application_id: applicationId, kind: 'my_number_destroyed', actor, reason: `REC-1 destruction ${id}`, idempotency_key: `destruction/${id}/${applicationId}` })));
    }
    const report = {
      destructionId: id,
      items: ['個人番号 (特定個人情報)', '申告特例申請書・添付書類の画像'],
      medium: 'PostgreSQL ledger onestop_applications (my_number_sealed, scan_ref); image store',
      count: { applications: ids.length, myNumbers: destroyed, imageReferences: images.length },
      imageReferencesToDelete: images.map((r: { scan_ref: string }) => r.scan_ref),
      method: DESTRUCTION_METHOD,
      retentionYears: d.retention_years,
      date: new Date().toISOString(),
      person: { proposedBy: d.proposed_by, approvedBy: d.decided_by, executedBy: actor },
    };
    await trx('retention_destructions').where('id', id).update({ status: 'done', executed_at: trx.fn.now(), report: JSON.stringify(report) });
    return report;
  });
}
