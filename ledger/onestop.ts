import { randomUUID } from 'node:crypto';
import { closeDestruction, planColumns, planOf, type DestructionPlan } from './destruction-plan';
import { OneStopError, type DestructionScope } from './onestop-error';
import type { Knex } from '@mikro-orm/postgresql';
import type { Incident, IncidentCityMail, IncidentMailStatus } from '../domain/onestop/incidents';
import type { OneStopNoticeKind } from '../domain/onestop/notices';
import { municipalityByCode, municipalityOf } from '../domain/onestop/municipality';
import { PERSONAL_FIELDS, PURGED, purgePersonalData, referenceNumber, type ManifestRow } from '../domain/onestop/notification';
import type { MyNumberKeyring } from '../config/env';
import type { HandlingArea } from '../domain/onestop/handling-area';
import { jstDate } from '../domain/jst';
import { renamed } from './rows';
import { clearForMyNumber } from './mynumber-handlers';
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
export type NoticeKind = OneStopNoticeKind;

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

export { OneStopError } from './onestop-error';

/** One application per donation, one workflow per application: the ID follows from the donation. */
export const oneStopWorkflowId = (donationId: string) => `onestop/${donationId}`;

/** The driver hands timestamps back as strings or Dates depending on configuration. */
const iso = (v: unknown): string | null => (v === null || v === undefined ? null : new Date(v as string).toISOString());

const dateText = (v: unknown): string => (v instanceof Date ? jstDate(v) : String(v).slice(0, 10));

function toRow(r: any): ApplicationRow {
  return {
    ...renamed(r, 'id donation_id workflow_id channel status scan_ref content current_content changed_particulars findings review_round created_by'),
    arrivedOn: dateText(r.arrived_on),
    deadlineOn: dateText(r.deadline_on),
    online: r.online_service ? { service: r.online_service, reference: r.online_ref } : null,
    myNumber: { verdict: r.my_number_verdict, sealed: r.my_number_key_id !== null, keyId: r.my_number_key_id, destroyedAt: iso(r.my_number_destroyed_at) },
    decidedAt: iso(r.decided_at),
    createdAt: iso(r.created_at)!,
  };
}

// Every column but the sealed number: nothing that lists applications can leak it by accident.
const COLUMNS = [
  'id', 'donation_id', 'workflow_id', 'channel', 'status', 'arrived_on', 'deadline_on', 'scan_ref', 'online_service', 'online_ref', 'content',
  'current_content', 'changed_particulars', 'my_number_key_id', 'my_number_verdict', 'my_number_destroyed_at', 'findings', 'review_round', 'decided_at', 'created_by', 'created_at',
];

/** DB dates come back as local-midnight Date objects unless asked for text. */
const COLUMNS_BUT_DATES = COLUMNS.filter((c) => c !== 'arrived_on' && c !== 'deadline_on');
const selectRow = (k: Knex | Knex.Transaction) =>
  k('onestop_applications').select(COLUMNS_BUT_DATES).select(k.raw('arrived_on::text as arrived_on, deadline_on::text as deadline_on'));

export async function findApplication(knex: Knex, id: string): Promise<ApplicationRow | undefined> {
  const r = await selectRow(knex).where('id', id).first();
  return r ? toRow(r) : undefined;
}

export async function findApplicationByDonation(knex: Knex, donationId: string): Promise<ApplicationRow | undefined> {
  const r = await selectRow(knex).where('donation_id', donationId).first();
  return r ? toRow(r) : undefined;
}

/** `withApplication`: also the id of the donation's application, if it has one (null if not). */
async function resolveDonation(k: Knex | Knex.Transaction, ref: DonationRef, withApplication = false): Promise<{ id: string; receivedOn: string; applicationId?: string | null }> {
  const q = k('donations').select('donations.id', 'donations.paid_at', 'donations.applied_at');
  if (withApplication) q.leftJoin('onestop_applications', 'onestop_applications.donation_id', 'donations.id').select('onestop_applications.id as application_id');
  if (ref.donationId) q.where('donations.id', ref.donationId);
  else if (ref.portal && ref.portalOrderId) q.where({ 'donations.portal_code': ref.portal, 'donations.portal_order_id': ref.portalOrderId });
  else throw new OneStopError('invalid', 'donationId or portal and portalOrderId are required', 'donation');
  const d = await q.first();
  if (!d) throw new OneStopError('not_found', 'donation not found');
  return { id: d.id, receivedOn: jstDate(new Date(d.paid_at ?? d.applied_at)), ...(withApplication ? { applicationId: d.application_id ?? null } : {}) };
}

/**
 * Registers an arrived application. The number's verdict is taken here, where
 * it is still in clear, so that nothing downstream ever needs to open it.
 */
export async function registerApplication(knex: Knex, keyring: MyNumberKeyring, input: NewApplication, actor: string): Promise<{ application: ApplicationRow; created: boolean }> {
  return knex.transaction(async (trx) => {
    // The donation and whether it already has an application in one round trip (issue 19: intake at the floor).
    const donation = await resolveDonation(trx, input.donation, true);
    if (input.online) {
      const same = await selectRow(trx).where({ online_service: input.online.service, online_ref: input.online.reference }).first();
      if (same) {
        if (same.donation_id !== donation.id) throw new OneStopError('conflict', `online reference ${input.online.reference} belongs to another donation`);
        return { application: toRow(same), created: false };
      }
    }
    if (donation.applicationId) throw new OneStopError('conflict', `donation already has one-stop application ${donation.applicationId}; send missing documents as a resubmission`);

    const id = randomUUID();
    const verdict = checkMyNumber(input.myNumber);
    const sealed = verdict === 'missing' ? undefined : sealMyNumber(keyring, id, input.myNumber!);
    const deadlineOn = oneStopDeadline(Number(donation.receivedOn.slice(0, 4)));
    // The history row rides along in the same statement (its foreign key is checked at the statement's end),
    // and the row comes back from the insert itself rather than from a second read.
    const received = trx('onestop_events').insert({ application_id: id, kind: 'received', actor, after: JSON.stringify({ channel: input.channel, arrivedOn: input.arrivedOn, myNumber: verdict }) });
    const [inserted] = await trx.with('received_event', received).into('onestop_applications').insert({
      id,
      donation_id: donation.id,
      workflow_id: oneStopWorkflowId(donation.id),
      channel: input.channel,
      status: 'received',
      form_version: input.content.formVersion,
      arrived_on: input.arrivedOn,
      deadline_on: deadlineOn,
      scan_ref: input.scanRef ?? null,
      online_service: input.online?.service ?? null,
      online_ref: input.online?.reference ?? null,
      content: JSON.stringify(input.content),
      current_content: JSON.stringify(input.content),
      my_number_sealed: sealed?.sealed ?? null,
      my_number_key_id: sealed?.keyId ?? null,
      my_number_verdict: verdict,
      created_by: actor,
    }).returning(COLUMNS_BUT_DATES);
    // The two dates as written (YYYY-MM-DD), as selectRow reads them back.
    return { application: toRow({ ...inserted, arrived_on: input.arrivedOn, deadline_on: deadlineOn }), created: true };
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
  return rows.map((n: any) => ({
    id: String(n.id),
    kind: n.kind as NoticeKind,
    channel: n.channel,
    status: n.status,
    findings: n.findings,
    createdAt: iso(n.created_at),
    sentAt: iso(n.sent_at),
    // DOCS-5: what the email did (a bounced or unmailable one went to paper), and the print batch of a paper notice.
    emailStatus: n.email_status ?? null,
    printBatchId: n.print_batch_id ?? null,
  }));
}

// ───────────────────────── DOCS-5: notices going out ─────────────────────────

export interface OneStopNoticeRow {
  id: string;
  applicationId: string;
  kind: NoticeKind;
  channel: 'mail' | 'email';
  status: 'pending' | 'sent';
  findings: Finding[];
  key: string;
  emailStatus: string | null;
  printBatchId: string | null;
}

export async function findNoticeByKey(knex: Knex, key: string): Promise<OneStopNoticeRow | undefined> {
  const n = await knex('onestop_notices').where('idempotency_key', key).first();
  return n ? toNoticeRow(n) : undefined;
}

function toNoticeRow(n: any): OneStopNoticeRow {
  return {
    id: String(n.id),
    applicationId: n.application_id,
    kind: n.kind,
    channel: n.channel,
    status: n.status,
    findings: n.findings,
    key: n.idempotency_key,
    emailStatus: n.email_status ?? null,
    printBatchId: n.print_batch_id ?? null,
  };
}

/** What a notice says about the donation (as the 受付済み通知 does) and who it is addressed to in the ledger. */
export async function noticeDonationFacts(knex: Knex, donationId: string) {
  const d = await knex('donations as d')
    .join('donors as p', 'p.id', 'd.donor_id')
    .join('portals as o', 'o.code', 'd.portal_code')
    .select('d.portal_order_id', 'd.amount_yen', 'd.paid_at', 'd.applied_at', 'o.name as portal_name', 'p.name', 'p.name_kana', 'p.postal_code', 'p.prefecture', 'p.address')
    .where('d.id', donationId)
    .first();
  if (!d) return undefined;
  return {
    portalName: d.portal_name as string,
    portalOrderId: d.portal_order_id as string,
    amountYen: d.amount_yen as number,
    receivedAt: new Date(d.paid_at ?? d.applied_at).toISOString(),
    donor: { name: d.name as string, nameKana: d.name_kana as string, postalCode: d.postal_code as string, prefecture: d.prefecture as string, address: d.address as string },
  };
}

/** What sendMail (mail_log) came to for a notice's email. */
export type NoticeEmailStatus = 'sent' | 'rejected' | 'skipped_masked' | 'skipped_no_address';

/**
 * The email of an email notice went out (sent) or cannot (bounce, masked portal relay address, no
 * usable address): sent is final; otherwise the notice falls back to paper — channel mail, still
 * pending, so the next print batch takes it. Only a pending email notice changes.
 */
export async function recordNoticeEmail(knex: Knex, noticeId: string, status: NoticeEmailStatus): Promise<'mail' | 'email'> {
  const sent = status === 'sent';
  await knex('onestop_notices')
    .where({ id: noticeId, channel: 'email', status: 'pending' })
    .update(sent ? { status: 'sent', sent_at: knex.fn.now(), email_status: status } : { channel: 'mail', email_status: status });
  return sent ? 'email' : 'mail';
}

/** Queues a notice (pending) on this channel, once per key: a notice already there is left as it is. */
/** Queues a notice once per key; returns it as inserted, or undefined when the key was already queued (findNoticeByKey has it). */
export async function queueNotice(knex: Knex, notice: { applicationId: string; kind: NoticeKind; channel: 'mail' | 'email'; findings: Finding[]; key: string }): Promise<OneStopNoticeRow | undefined> {
  const [inserted] = await knex('onestop_notices')
    .insert({ application_id: notice.applicationId, kind: notice.kind, channel: notice.channel, findings: JSON.stringify(notice.findings), idempotency_key: notice.key })
    .onConflict('idempotency_key')
    .ignore()
    .returning('*');
  return inserted ? toNoticeRow(inserted) : undefined;
}

/**
 * Records a review's verdict (status, findings, one more review round; decided unless deficient)
 * with its review event, in one transaction, once per key. Returns the application's review round
 * after it: `app.reviewRound + 1`, or `app.reviewRound` when the key was already recorded.
 */
export async function recordReview(
  knex: Knex,
  app: Pick<ApplicationRow, 'id' | 'status' | 'reviewRound'>,
  review: { status: OneStopStatus; findings: Finding[] },
  key: string,
  actor: string,
): Promise<number> {
  const { status } = review;
  // One statement (issue 19: a decision without a round trip per step): the review event is inserted
  // unless its key is already recorded, and the application is updated only if it was.
  const event = knex('onestop_events')
    .insert({
      application_id: app.id,
      kind: 'review',
      actor,
      before: JSON.stringify({ status: app.status }),
      after: JSON.stringify({ status, findings: review.findings.map((f) => f.code) }),
      idempotency_key: key,
    })
    .onConflict('idempotency_key')
    .ignore()
    .returning('id');
  const updated = await knex
    .with('review_event', event)
    .from('onestop_applications')
    .where('id', app.id)
    .whereExists(knex.select(knex.raw('1')).from('review_event'))
    .update({
      status,
      findings: JSON.stringify(review.findings),
      review_round: knex.raw('review_round + 1'),
      decided_at: status === 'deficient' ? null : knex.fn.now(),
      updated_at: knex.fn.now(),
    })
    .returning('id');
  return updated.length ? app.reviewRound + 1 : app.reviewRound;
}

/** The deadline passed with the deficiency unresolved: a deficient application is closed, once per key. */
export async function closeDeficientApplication(knex: Knex, input: { applicationId: string; key: string; actor: string }): Promise<void> {
  await knex.transaction(async (trx) => {
    const done = await trx('onestop_events').select('id').where('idempotency_key', input.key).first();
    if (done) return;
    const updated = await trx('onestop_applications').where({ id: input.applicationId, status: 'deficient' }).update({ status: 'closed_deficient', decided_at: trx.fn.now(), updated_at: trx.fn.now() });
    if (updated === 0) return;
    await trx('onestop_events').insert({
      application_id: input.applicationId,
      kind: 'closed_deficient',
      actor: input.actor,
      reason: 'deadline passed with deficiencies outstanding',
      before: JSON.stringify({ status: 'deficient' }),
      after: JSON.stringify({ status: 'closed_deficient' }),
      idempotency_key: input.key,
    });
  });
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
  /** MYNUM-2: the address of the terminal the person reads from (the console forwards the browser's). */
  terminal?: string;
}

/**
 * The only way a 個人番号 leaves the ledger in clear. The access-log row is
 * written in the same transaction first: no log, no number.
 */
export async function readMyNumber(knex: Knex, keyring: MyNumberKeyring, area: HandlingArea, id: string, reader: Reader, reason: string): Promise<string | undefined> {
  // MYNUM-1: only a cleared handler reads; the refusal is recorded (outside the read's transaction, so it stays).
  if (!/^[0-9a-f-]{36}$/i.test(id) || !(await knex('onestop_applications').where('id', id).first('id'))) throw new OneStopError('not_found', `one-stop application ${id} not found`);
  const clearance = await clearForMyNumber(knex, { actor: reader.actor, role: reader.role, source: reader.source, terminal: reader.terminal, applicationId: id, reasonGiven: reason }, area);
  if (!clearance.cleared) throw new OneStopError('forbidden', `個人番号を閲覧できません: ${clearance.reason}`);
  return knex.transaction(async (trx) => {
    const r = await trx('onestop_applications').select('my_number_sealed', 'my_number_key_id').where('id', id).first();
    if (!r) throw new OneStopError('not_found', `one-stop application ${id} not found`);
    await trx('my_number_access_log').insert({ application_id: id, actor: reader.actor, role: reader.role, reason, source: reader.source, terminal: reader.terminal ?? null });
    if (!r.my_number_sealed) return undefined;
    return openMyNumber(keyring, id, { keyId: r.my_number_key_id, sealed: r.my_number_sealed });
  });
}

export async function myNumberAccessLog(knex: Knex, id: string) {
  const rows = await knex('my_number_access_log').where('application_id', id).orderBy('id');
  return rows.map((a: any) => ({ actor: a.actor, role: a.role, reason: a.reason, source: a.source, terminal: a.terminal, accessedAt: iso(a.accessed_at) }));
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
export async function proposeDestruction(
  knex: Knex,
  input: {
    asOf: string;
    retentionYears: number;
    /** set by the yearly workflow, so that a retried activity finds its proposal */ id?: string;
    skipEmpty?: boolean;
    /** MYNUM-5: the planned date and the physical media of the prior application. */ plan?: DestructionPlan;
    /** Only these of what is due (the city asks for part of it); each must be due, or the proposal is refused at `applicationIds`. */ applicationIds?: string[];
  },
  actor: string,
): Promise<{ id: string | undefined; count: number }> {
  const plan = planColumns(input.plan, input.asOf);
  return knex.transaction(async (trx) => {
    // One proposal at a time per application: a proposal awaiting the city (or approved, running) is not repeated.
    await trx.raw('select pg_advisory_xact_lock(hashtext(?))', ['onestop-retention-proposal']);
    const due = await trx('onestop_applications as a')
      .select('a.id')
      .where((q) => q.whereNull('a.my_number_destroyed_at').orWhereNull('a.personal_data_purged_at'))
      .where('a.deadline_on', '<', retentionCutoff(input.asOf, input.retentionYears))
      .whereNotIn('a.status', ['received', 'deficient'])
      .whereNotExists(trx('retention_destructions as d').select(trx.raw('1')).whereIn('d.status', ['proposed', 'approved']).whereRaw('d.application_ids @> to_jsonb(a.id::text)'))
      .modify((q) => (input.applicationIds ? q.whereIn('a.id', input.applicationIds) : q))
      .orderBy('a.deadline_on')
      .orderBy('a.id');
    if (input.applicationIds && due.length !== new Set(input.applicationIds).size) {
      const notDue = input.applicationIds.filter((a) => !due.some((r: { id: string }) => r.id === a));
      throw new OneStopError('invalid', `not past retention, under review, already destroyed or already proposed: ${notDue.join(', ')}`, 'applicationIds');
    }
    if (input.id) {
      const existing = await trx('retention_destructions').select('id', 'item_count').where('id', input.id).first();
      if (existing) return { id: existing.id as string, count: existing.item_count as number };
    }
    if (due.length === 0 && input.skipEmpty) return { id: undefined, count: 0 };
    const id = input.id ?? randomUUID();
    await trx('retention_destructions').insert({
      id,
      status: 'proposed',
      retention_years: input.retentionYears,
      as_of: input.asOf,
      application_ids: JSON.stringify(due.map((r: { id: string }) => r.id)),
      item_count: due.length,
      proposed_by: actor,
      ...plan,
    });
    return { id: id as string | undefined, count: due.length };
  });
}

export async function findDestruction(knex: Knex, id: string) {
  const r = await knex('retention_destructions').select('*', knex.raw('as_of::text as as_of'), knex.raw('planned_on::text as planned_on')).where('id', id).first();
  if (!r) return undefined;
  const plan = planOf(r);
  return {
    id: r.id as string,
    status: r.status as 'proposed' | 'approved' | 'rejected' | 'done',
    /** REC-1: 'onestop' (applications) or 'records' (the rest of the ledger, ledger/retention.ts). */
    scope: r.scope as DestructionScope,
    /** MYNUM-5: 'retention' (REC-1's periods) or 'contract_end' (the city's direction at the end of the contract, ledger/mynumber-contract-end.ts). */
    purpose: r.purpose as 'retention' | 'contract_end',
    retentionYears: r.retention_years as number,
    asOf: r.as_of as string,
    count: r.item_count as number,
    applicationIds: r.application_ids as string[],
    /** A records proposal: the ids per record class, and each class's years. */
    items: (r.items ?? null) as Record<string, string[]> | null,
    classYears: (r.class_years ?? null) as Record<string, number> | null,
    proposedBy: r.proposed_by as string,
    proposedAt: iso(r.proposed_at),
    decidedBy: r.decided_by as string | null,
    decidedAt: iso(r.decided_at),
    decisionReason: r.decision_reason as string | null,
    executedAt: iso(r.executed_at),
    witness: r.witness as string | null,
    /** MYNUM-5: the prior application the city consents to (items, medium, count, method, when, physical media). */
    application: { items: DESTRUCTION_ITEMS, medium: DESTRUCTION_MEDIUM, count: r.item_count as number, method: DESTRUCTION_METHOD, ...plannedFor(plan) },
    /** MYNUM-5: the planned day (null: at once after the consent) and each physical medium with its destruction (null until a person records it). */
    plannedOn: plan.plannedOn,
    physicalMedia: plan.physicalMedia,
    report: r.report as Record<string, unknown> | null,
  };
}

export type { DestructionScope } from './onestop-error';

/** REC-1: the proposals of one scope (one-stop unless asked), newest first; `status` narrows them (the city's queue asks for `proposed`). */
export async function listDestructions(knex: Knex, filter: { status?: string; scope?: DestructionScope } = {}) {
  const rows = await knex('retention_destructions')
    .select('id')
    .where('scope', filter.scope ?? 'onestop')
    .modify((q) => (filter.status ? q.where('status', filter.status) : q))
    .orderBy('proposed_at', 'desc')
    .limit(200);
  return Promise.all(rows.map((r: { id: string }) => findDestruction(knex, r.id).then((d) => d!)));
}

export async function decideDestruction(knex: Knex, id: string, approve: boolean, actor: string, reason: string, witness?: string, scope: DestructionScope = 'onestop'): Promise<void> {
  const updated = await knex('retention_destructions')
    .where({ id, status: 'proposed', scope })
    .update({ status: approve ? 'approved' : 'rejected', decided_by: actor, decided_at: knex.fn.now(), decision_reason: reason, witness: approve ? (witness ?? null) : null });
  if (updated === 0) throw new OneStopError((await findDestruction(knex, id)) ? 'conflict' : 'not_found', `destruction ${id} is not awaiting a decision`);
}

/** MYNUM-5: what is destroyed and where, the same words in the prior application and in the record. */
export const DESTRUCTION_ITEMS = ['個人番号 (特定個人情報)', '申告特例申請書・添付書類の画像', '氏名・フリガナ・住所・郵便番号・電話番号・メールアドレス・生年月日 (申請書、再提出、変更届出書の記載)'];
export const DESTRUCTION_MEDIUM = 'PostgreSQL ledger onestop_applications (my_number_sealed, scan_ref, content), onestop_events (before/after); image files in the scan folder';
export const DESTRUCTION_TIMING = '市の同意 (承認) の記録後ただちに、一つのトランザクションで実施';

/** MYNUM-5: the application's "when" and its physical media, shared by both scopes. */
export function plannedFor(plan: ReturnType<typeof planOf>) {
  return {
    planned: plan.plannedOn ? `${plan.plannedOn} (予定日。その日より前には実施しない。予定日より後に同意された場合は同意の記録後ただちに実施し、遅れを記録する)` : DESTRUCTION_TIMING,
    plannedOn: plan.plannedOn,
    physicalMedia: plan.physicalMedia.map(({ kind, description, count }) => ({ kind, description, count })),
  };
}

export const DESTRUCTION_METHOD =
  'sealed 個人番号 (AES-256-GCM ciphertext) overwritten with NULL in the ledger; name, kana, address, postal code, phone, email and birth date ' +
  `replaced with "${PURGED}" in the application and its history (resubmissions, 変更届出書); image files deleted from the scan folder and their references cleared`;

/**
 * REC-1: a destruction of `scope` locked for carrying it out (in the caller's transaction): approved,
 * or done already (the caller returns its record and changes nothing); anything else is refused.
 */
export async function lockDestructionToExecute(trx: Knex, id: string, scope: DestructionScope) {
  const d = await trx('retention_destructions').where('id', id).forUpdate().first();
  if (!d) throw new OneStopError('not_found', `destruction ${id} not found`);
  if (d.scope !== scope) throw new OneStopError('conflict', `destruction ${id} is of ${d.scope}, not ${scope}`);
  if (d.status !== 'done' && d.status !== 'approved') throw new OneStopError('conflict', `destruction ${id} is ${d.status}, not approved`);
  return d;
}

/** Executes an approved destruction in one transaction and writes the record the city receives (items, medium, count, method, date, person). */
export async function executeDestruction(knex: Knex, id: string, actor: string) {
  return knex.transaction(async (trx) => {
    const d = await lockDestructionToExecute(trx, id, 'onestop');
    if (d.status === 'done') return d.report;
    const ids: string[] = d.application_ids;
    const apps = ids.length ? await trx('onestop_applications').select('id', 'scan_ref', 'content', 'current_content', 'changed_particulars', 'personal_data_purged_at').whereIn('id', ids) : [];
    const events = ids.length ? await trx('onestop_events').select('id', 'before', 'after').whereIn('application_id', ids) : [];
    // Every scan the applications reference: the 申請書 and the copies sent with resubmissions and 変更届出書.
    const imageRefs = [...new Set([
      ...apps.map((r: { scan_ref: string | null }) => r.scan_ref),
      ...events.map((e: { after: { scanRef?: string } | null }) => e.after?.scanRef),
    ].filter((r): r is string => typeof r === 'string' && r.length > 0))];
    const destroyed = ids.length
      ? await trx('onestop_applications')
          .whereIn('id', ids)
          .whereNull('my_number_destroyed_at')
          .update({ my_number_sealed: null, my_number_key_id: null, my_number_destroyed_at: trx.fn.now(), scan_ref: null, updated_at: trx.fn.now() })
      : 0;
    // The other personal data: replaced in place, so the counts, dates and amounts of the year stay reportable.
    let purged = 0;
    for (const a of apps as any[]) {
      if (a.personal_data_purged_at) continue;
      await trx('onestop_applications')
        .where('id', a.id)
        .update({
          content: JSON.stringify(purgePersonalData(a.content)),
          current_content: JSON.stringify(purgePersonalData(a.current_content)),
          changed_particulars: JSON.stringify(purgePersonalData(a.changed_particulars)),
          online_ref: null,
          scan_ref: null,
          personal_data_purged_at: trx.fn.now(),
          updated_at: trx.fn.now(),
        });
      purged += 1;
    }
    // The history is append-only; the guard lets this transaction (and only it) overwrite personal values in before/after.
    await trx.raw("select set_config('furusato.rec1_purge', ?, true)", [id]);
    let eventsPurged = 0;
    for (const e of events as any[]) {
      const before = purgePersonalData(e.before);
      const after = purgePersonalData(e.after);
      if (JSON.stringify(before) === JSON.stringify(e.before) && JSON.stringify(after) === JSON.stringify(e.after)) continue;
      await trx('onestop_events').where('id', e.id).update({ before: before === null ? null : JSON.stringify(before), after: after === null ? null : JSON.stringify(after) });
      eventsPurged += 1;
    }
    await trx.raw("select set_config('furusato.rec1_purge', '', true)");
    if (ids.length) {
      await trx('onestop_events')
        .insert(ids.flatMap((applicationId) => [
          { application_id: applicationId, kind: 'my_number_destroyed', actor, reason: `REC-1 destruction ${id}`, idempotency_key: `destruction/${id}/${applicationId}` },
          { application_id: applicationId, kind: 'personal_data_purged', actor, reason: `REC-1 destruction ${id}: ${PERSONAL_FIELDS.join(', ')}`, idempotency_key: `destruction/${id}/${applicationId}/purge` },
        ]))
        .onConflict('idempotency_key')
        .ignore();
    }
    const head = {
      destructionId: id,
      items: DESTRUCTION_ITEMS,
      medium: DESTRUCTION_MEDIUM,
      count: { applications: ids.length, myNumbers: destroyed, imageReferences: imageRefs.length, personalData: purged, historyRows: eventsPurged },
      imageReferencesToDelete: imageRefs,
    };
    return closeDestruction(trx, id, d, actor, head, { method: DESTRUCTION_METHOD, retentionYears: d.retention_years });
  });
}

export interface ImageDeletion {
  folder: string;
  deleted: string[];
  alreadyAbsent: string[];
  refused: { ref: string; reason: string }[];
  at: string;
}

/**
 * REC-1: the outcome of deleting a destruction's image files, added to its
 * record once. The files themselves are deleted by the caller (the activity);
 * a second call leaves the first outcome in place.
 */
export async function recordImageDeletion(knex: Knex, id: string, outcome: ImageDeletion): Promise<ImageDeletion> {
  return knex.transaction(async (trx) => {
    const d = await trx('retention_destructions').select('status', 'report').where('id', id).forUpdate().first();
    if (!d || d.status !== 'done') throw new OneStopError('conflict', `destruction ${id} is not done`);
    if (d.report.imageFiles) return d.report.imageFiles as ImageDeletion;
    const report = { ...d.report, imageFiles: outcome, count: { ...d.report.count, imageFilesDeleted: outcome.deleted.length } };
    await trx('retention_destructions').where('id', id).update({ report: JSON.stringify(report) });
    return outcome;
  });
}

// ───────────────────────── ONESTOP-4: 申告特例通知書 ─────────────────────────

const yearRange = (donationYear: number) => [`${donationYear + 1}-01-01`, `${donationYear + 1}-12-31`];

export interface AssignmentSummary {
  applications: number;
  matched: number;
  problems: number;
  /** Applications of the year still under review or deficient: not (yet) in the files. */
  undecided: number;
  municipalities: number;
}

/**
 * Gives every accepted application of the donation year its 整理番号 (once)
 * and its receiving municipality: the operator's choice, else the one the
 * address names (the 変更届出書's address when there is one), else none — then
 * it is listed for an operator, never dropped.
 */
export async function assignNotificationItems(knex: Knex, donationYear: number): Promise<AssignmentSummary> {
  const [from, to] = yearRange(donationYear);
  return knex.transaction(async (trx) => {
    await trx.raw('select pg_advisory_xact_lock(hashtext(?), ?)', ['onestop-notification', donationYear]);
    const apps = await trx('onestop_applications as a')
      .join('donations as d', 'd.id', 'a.donation_id')
      .join('donors as p', 'p.id', 'd.donor_id')
      .leftJoin('onestop_notification_items as i', 'i.application_id', 'a.id')
      .select('a.id', 'a.current_content', 'a.changed_particulars', 'a.residence_code', 'p.prefecture', 'i.serial', 'a.arrived_on')
      .where('a.status', 'accepted')
      .whereBetween('a.deadline_on', [from, to])
      .orderBy('a.arrived_on')
      .orderBy('a.id');
    const [{ max }] = await trx('onestop_notification_items').where('donation_year', donationYear).max('serial as max');
    let next = Number(max ?? 0);
    const rows = apps.map((a: any) => {
      // An application without an address is a problem to list, never a reason to stop the whole year's assignment.
      const address: string = a.changed_particulars?.address ?? a.current_content?.address ?? '';
      const chosen = a.residence_code ? municipalityByCode(a.residence_code) : undefined;
      const found = chosen ?? municipalityOf(a.prefecture, address);
      const serial: number = a.serial ?? ++next;
      return {
        application_id: a.id,
        donation_year: donationYear,
        serial,
        reference_number: referenceNumber(donationYear, serial),
        recipient_code: found?.code ?? null,
        match: chosen ? 'operator' : found ? 'address' : 'none',
        problem: found ? null : 'address_unmatched',
        updated_at: trx.fn.now(),
      };
    });
    for (let i = 0; i < rows.length; i += 1000) {
      await trx('onestop_notification_items').insert(rows.slice(i, i + 1000)).onConflict('application_id').merge(['recipient_code', 'match', 'problem', 'updated_at']);
    }
    const [{ n }] = await trx('onestop_applications').whereIn('status', ['received', 'deficient']).whereBetween('deadline_on', [from, to]).count('* as n');
    const matched = rows.filter((r) => r.recipient_code);
    return {
      applications: rows.length,
      matched: matched.length,
      problems: rows.length - matched.length,
      undecided: Number(n),
      municipalities: new Set(matched.map((r) => r.recipient_code)).size,
    };
  });
}

/** One accepted application as the notice needs it; the number still sealed. Only the delivery activity asks for these. */
export interface NotificationSource {
  applicationId: string;
  serial: number;
  referenceNumber: string;
  recipientCode: string;
  particulars: StoredContent;
  prefecture: string;
  donationReceivedOn: string;
  amountYen: number;
  sealed: { keyId: string; sealed: Buffer } | null;
}

/**
 * The year's receiving municipalities with a notice to write, in code order, and how many each has;
 * the delivery writes their files one at a time (and resumes after the last one written).
 */
export async function notificationRecipients(knex: Knex, donationYear: number): Promise<{ code: string; count: number }[]> {
  const [from, to] = yearRange(donationYear);
  const rows = await knex('onestop_notification_items as i')
    .join('onestop_applications as a', 'a.id', 'i.application_id')
    .select('i.recipient_code')
    .count('* as n')
    .where('i.donation_year', donationYear)
    .whereNotNull('i.recipient_code')
    .where('a.status', 'accepted')
    .whereBetween('a.deadline_on', [from, to])
    .groupBy('i.recipient_code')
    .orderBy('i.recipient_code');
  return rows.map((r: any) => ({ code: r.recipient_code as string, count: Number(r.n) }));
}

/**
 * What a municipality's file of the year must hold by the ledger: the applications that are
 * there without a problem, and their amounts. A resumed delivery takes a file an earlier attempt
 * wrote only when it holds that many records.
 */
export async function notificationFileTotals(knex: Knex, donationYear: number, recipientCode: string): Promise<{ count: number; totalYen: number }> {
  const [from, to] = yearRange(donationYear);
  const row = await knex('onestop_notification_items as i')
    .join('onestop_applications as a', 'a.id', 'i.application_id')
    .join('donations as d', 'd.id', 'a.donation_id')
    .where('i.donation_year', donationYear)
    .where('i.recipient_code', recipientCode)
    .whereNull('i.problem')
    .where('a.status', 'accepted')
    .whereBetween('a.deadline_on', [from, to])
    .count('* as n')
    .sum('d.amount_yen as yen')
    .first();
  return { count: Number(row?.n ?? 0), totalYen: Number(row?.yen ?? 0) };
}

/** The year's accepted applications with a municipality, in serial order; with `recipientCode`, that municipality's only. */
export async function notificationSources(knex: Knex, donationYear: number, recipientCode?: string): Promise<NotificationSource[]> {
  const [from, to] = yearRange(donationYear);
  const rows = await knex('onestop_notification_items as i')
    .join('onestop_applications as a', 'a.id', 'i.application_id')
    .join('donations as d', 'd.id', 'a.donation_id')
    .join('donors as p', 'p.id', 'd.donor_id')
    .select('i.application_id', 'i.serial', 'i.reference_number', 'i.recipient_code', 'a.current_content', 'a.changed_particulars', 'a.my_number_sealed', 'a.my_number_key_id', 'p.prefecture', 'd.paid_at', 'd.applied_at', 'd.amount_yen')
    .where('i.donation_year', donationYear)
    .whereNotNull('i.recipient_code')
    .where('a.status', 'accepted')
    .whereBetween('a.deadline_on', [from, to])
    .modify((q) => {
      if (recipientCode) q.where('i.recipient_code', recipientCode);
    })
    .orderBy('i.serial');
  return rows.map((r: any) => ({
    applicationId: r.application_id,
    serial: r.serial,
    referenceNumber: r.reference_number,
    recipientCode: r.recipient_code,
    particulars: { ...r.current_content, ...r.changed_particulars },
    prefecture: r.prefecture,
    donationReceivedOn: jstDate(new Date(r.paid_at ?? r.applied_at)),
    amountYen: Number(r.amount_yen),
    sealed: r.my_number_sealed ? { keyId: r.my_number_key_id, sealed: r.my_number_sealed } : null,
  }));
}

/** Marks applications that cannot go into a file (the reason names a field, never a value). */
export async function markNotificationProblems(knex: Knex, problems: { applicationId: string; problem: string }[]): Promise<void> {
  for (const p of problems) await knex('onestop_notification_items').where('application_id', p.applicationId).update({ problem: p.problem, updated_at: knex.fn.now() });
}

/**
 * SEC-2: opening numbers for the notices is a disclosure like any other:
 * one access-log row per application, written before the numbers are opened.
 */
export async function logMyNumberReads(knex: Knex, applicationIds: string[], reader: Reader, reason: string): Promise<void> {
  const rows = applicationIds.map((id) => ({ application_id: id, actor: reader.actor, role: reader.role, reason, source: reader.source }));
  for (let i = 0; i < rows.length; i += 1000) await knex('my_number_access_log').insert(rows.slice(i, i + 1000));
}

/** The year's notification items that cannot go into a file (markNotificationProblems). */
export async function notificationProblemCount(knex: Knex, donationYear: number): Promise<number> {
  const [{ n }] = await knex('onestop_notification_items').where('donation_year', donationYear).whereNotNull('problem').count('* as n');
  return Number(n);
}

/** One municipality's file of a delivery: the manifest row (domain/onestop/notification.ts). */
export type NotificationFile = ManifestRow;

/** Records a delivery, unless the year's latest delivery has the same manifest (then the files are as they were). */
export async function recordNotificationRun(
  knex: Knex,
  run: { donationYear: number; deliveryDir: string; manifestSha256: string; files: NotificationFile[]; applications: number; totalYen: number; problems: number; undecided: number; requestedBy: string; workflowId: string },
): Promise<{ runId: string; created: boolean }> {
  return knex.transaction(async (trx) => {
    await trx.raw('select pg_advisory_xact_lock(hashtext(?), ?)', ['onestop-notification-run', run.donationYear]);
    const latest = await trx('onestop_notification_runs').select('id', 'manifest_sha256').where('donation_year', run.donationYear).orderBy('delivered_at', 'desc').orderBy('id').first();
    if (latest?.manifest_sha256 === run.manifestSha256) return { runId: latest.id as string, created: false };
    const id = randomUUID();
    await trx('onestop_notification_runs').insert({
      id,
      donation_year: run.donationYear,
      delivery_dir: run.deliveryDir,
      manifest_sha256: run.manifestSha256,
      files: JSON.stringify(run.files),
      applications: run.applications,
      total_yen: run.totalYen,
      problems: run.problems,
      undecided: run.undecided,
      requested_by: run.requestedBy,
      workflow_id: run.workflowId,
    });
    return { runId: id, created: true };
  });
}

/** For operators and the city: the deliveries of a year, and what is not in them (with the address, so an operator can decide). */
export async function notificationStatus(knex: Knex, donationYear: number) {
  const [from, to] = yearRange(donationYear);
  const runs = await knex('onestop_notification_runs').where('donation_year', donationYear).orderBy('delivered_at');
  const perMunicipality = await knex('onestop_notification_items').where('donation_year', donationYear).whereNotNull('recipient_code').whereNull('problem').countDistinct('recipient_code as m').count('* as n').first();
  const problems = await knex('onestop_notification_items as i')
    .join('onestop_applications as a', 'a.id', 'i.application_id')
    .select('i.application_id', 'i.reference_number', 'i.problem', 'i.recipient_code', 'a.donation_id', 'a.current_content', 'a.changed_particulars')
    .where('i.donation_year', donationYear)
    .whereNotNull('i.problem')
    .orderBy('i.serial');
  const undecided = await knex('onestop_applications').select('status').whereIn('status', ['received', 'deficient']).whereBetween('deadline_on', [from, to]).count('* as n').groupBy('status');
  return {
    donationYear,
    runs: runs.map((r: any) => ({
      id: r.id,
      deliveredAt: iso(r.delivered_at),
      deliveryDir: r.delivery_dir,
      manifestSha256: r.manifest_sha256,
      files: r.files,
      applications: r.applications,
      totalYen: Number(r.total_yen),
      problems: r.problems,
      undecided: r.undecided,
      requestedBy: r.requested_by,
      workflowId: r.workflow_id,
    })),
    ready: { applications: Number(perMunicipality?.n ?? 0), municipalities: Number(perMunicipality?.m ?? 0) },
    problems: problems.map((p: any) => ({
      applicationId: p.application_id,
      donationId: p.donation_id,
      referenceNumber: p.reference_number,
      problem: p.problem,
      address: p.changed_particulars?.address ?? p.current_content.address,
    })),
    undecided: Object.fromEntries(undecided.map((u: any) => [u.status, Number(u.n)])),
  };
}

/** An operator names the residence municipality where the address does not (history row with the reason). */
export async function assignResidence(knex: Knex, id: string, code: string, reason: string, actor: string): Promise<void> {
  await knex.transaction(async (trx) => {
    const r = await trx('onestop_applications').select('residence_code').where('id', id).forUpdate().first();
    if (!r) throw new OneStopError('not_found', `one-stop application ${id} not found`);
    await trx('onestop_applications').where('id', id).update({ residence_code: code, updated_at: trx.fn.now() });
    await trx('onestop_events').insert({ application_id: id, kind: 'residence_assigned', actor, reason, before: JSON.stringify({ residenceCode: r.residence_code }), after: JSON.stringify({ residenceCode: code }) });
  });
}

// ───────────────────────── alerts (ONESTOP-4, REC-1) ─────────────────────────

export type AlertKind = 'notification_due' | 'notification_problems' | 'notification_delivered' | 'destruction_proposed' | 'handling_report';

/** Idempotent on the key: a retried activity records the alert once. */
export async function recordAlert(knex: Knex, alert: { kind: AlertKind; donationYear?: number; message: string; details?: Record<string, unknown>; key: string }): Promise<void> {
  await knex('onestop_alerts')
    .insert({ kind: alert.kind, donation_year: alert.donationYear ?? null, message: alert.message, details: JSON.stringify(alert.details ?? {}), idempotency_key: alert.key })
    .onConflict('idempotency_key')
    .ignore();
}

export async function listAlerts(knex: Knex, opts: { open?: boolean; limit?: number } = {}) {
  const q = knex('onestop_alerts').orderBy('id', 'desc').limit(opts.limit ?? 200);
  if (opts.open) q.whereNull('acknowledged_at');
  return (await q).map((a: any) => ({
    id: String(a.id),
    kind: a.kind as AlertKind,
    donationYear: a.donation_year,
    message: a.message,
    details: a.details,
    createdAt: iso(a.created_at),
    acknowledgedAt: iso(a.acknowledged_at),
    acknowledgedBy: a.acknowledged_by,
  }));
}

export async function acknowledgeAlert(knex: Knex, id: string, actor: string): Promise<void> {
  const updated = await knex('onestop_alerts').where('id', id).whereNull('acknowledged_at').update({ acknowledged_at: knex.fn.now(), acknowledged_by: actor });
  if (updated === 0) {
    const exists = await knex('onestop_alerts').select('id').where('id', id).first();
    throw new OneStopError(exists ? 'conflict' : 'not_found', exists ? `alert ${id} is already acknowledged` : `alert ${id} not found`);
  }
}

// ───────────────────────── SEC-3: incidents ─────────────────────────

export interface NewIncident {
  content: string;
  affectedPeople?: number;
  affectedRecords?: number;
  place: string;
  circumstances: string;
  discoveredAt: string;
  reportedBy: string;
}

const toCityMail = (r: any): IncidentCityMail | null =>
  r.mail_status
    ? { status: r.mail_status, to: r.mail_recipient, attempts: r.mail_attempts, sentAt: iso(r.mail_sent_at), lastError: r.mail_last_error, updatedAt: iso(r.mail_updated_at)! }
    : null;

const MAIL_COLUMNS = [
  'm.status as mail_status',
  'm.recipient as mail_recipient',
  'm.attempts as mail_attempts',
  'm.sent_at as mail_sent_at',
  'm.last_error as mail_last_error',
  'm.updated_at as mail_updated_at',
];
const incidentsWithMail = (knex: Knex) => knex('incidents as i').leftJoin('incident_city_mail as m', 'm.incident_id', 'i.id').select('i.*', ...MAIL_COLUMNS);

const toIncident = (r: any): Incident => ({
  id: r.id,
  content: r.content,
  affectedPeople: r.affected_people,
  affectedRecords: r.affected_records,
  place: r.place,
  circumstances: r.circumstances,
  discoveredAt: iso(r.discovered_at)!,
  reportedBy: r.reported_by,
  recordedBy: r.recorded_by,
  createdAt: iso(r.created_at)!,
  reportedToCityAt: iso(r.reported_to_city_at)!,
  cityMail: toCityMail(r),
});

/**
 * Stored = reported: the city reads it at once (GET /incidents); reported_to_city_at is the moment of
 * storing. The incident and its mail record (pending) are one transaction, so an incident is never
 * without its mail record; the mail itself is sent by incidentReportWorkflow's activity
 * (activities/onestop/onestop.ts, mailIncidentToCity), which records its outcome with recordIncidentMailOutcome.
 */
export async function recordIncident(knex: Knex, input: NewIncident, actor: string): Promise<Incident> {
  if (input.affectedPeople === undefined && input.affectedRecords === undefined) throw new OneStopError('invalid', 'give the number of people or of records affected (or both)', 'affectedPeople');
  if (Date.parse(input.discoveredAt) > Date.now() + 5 * 60_000) throw new OneStopError('invalid', 'must not be in the future', 'discoveredAt');
  const id = await knex.transaction(async (trx) => {
    const [inserted] = await trx('incidents')
      .insert({
        id: randomUUID(),
        content: input.content,
        affected_people: input.affectedPeople ?? null,
        affected_records: input.affectedRecords ?? null,
        place: input.place,
        circumstances: input.circumstances,
        discovered_at: input.discoveredAt,
        reported_by: input.reportedBy,
        recorded_by: actor,
      })
      .returning('id');
    // In the same transaction: an incident is never without its mail record (a crash before sending leaves it pending).
    await trx('incident_city_mail').insert({ incident_id: inserted.id, status: 'pending' });
    return inserted.id as string;
  });
  return (await findIncident(knex, id))!;
}

export async function listIncidents(knex: Knex): Promise<Incident[]> {
  return (await incidentsWithMail(knex).orderBy('i.created_at', 'desc').limit(500)).map(toIncident);
}

export async function findIncident(knex: Knex, id: string): Promise<Incident | undefined> {
  const r = await incidentsWithMail(knex).where('i.id', id).first();
  return r ? toIncident(r) : undefined;
}

// SEC-3: the incident mail to the city (sent by activities/onestop/onestop.ts; here only its record).

/**
 * Records what one attempt at the incident's mail came to (attempts + 1); `sent` keeps the first
 * sending time. Returns the mail record as the incident shows it.
 */
export async function recordIncidentMailOutcome(
  knex: Knex,
  incidentId: string,
  status: IncidentMailStatus,
  fields: { recipient: string | null; lastError?: string | null; messageId?: string },
): Promise<IncidentCityMail> {
  const values = { status, recipient: fields.recipient, last_error: fields.lastError ?? null, message_id: fields.messageId ?? null, updated_at: knex.fn.now() };
  const [row] = await knex('incident_city_mail')
    .insert({ incident_id: incidentId, ...values, attempts: 1, sent_at: status === 'sent' ? knex.fn.now() : null })
    .onConflict('incident_id')
    .merge({ ...values, attempts: knex.raw('incident_city_mail.attempts + 1'), sent_at: status === 'sent' ? knex.raw('coalesce(incident_city_mail.sent_at, now())') : null })
    .returning('*');
  return toCityMail({
    mail_status: row.status,
    mail_recipient: row.recipient,
    mail_attempts: row.attempts,
    mail_sent_at: row.sent_at,
    mail_last_error: row.last_error,
    mail_updated_at: row.updated_at,
  })!;
}

/** The server's answer stored with a mail (mail_log.response), e.g. the reason for a refusal. */
export async function mailLogResponse(knex: Knex, key: string): Promise<string | null> {
  return (await knex('mail_log').where('idempotency_key', key).first('response'))?.response ?? null;
}

/** Incidents whose mail did not get out (failed, or pending after a crash) and was last touched at least `olderThanSeconds` ago, oldest first. */
export async function openIncidentMails(knex: Knex, olderThanSeconds: number, limit = 10): Promise<string[]> {
  const open = await knex('incident_city_mail')
    .whereIn('status', ['pending', 'failed'])
    .where('updated_at', '<', knex.raw(`now() - make_interval(secs => ?::int)`, [olderThanSeconds]))
    .orderBy('updated_at')
    .limit(limit)
    .select('incident_id');
  return open.map((r: { incident_id: string }) => r.incident_id);
}
