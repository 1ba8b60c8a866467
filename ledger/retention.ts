import { randomUUID } from 'node:crypto';
import type { Knex } from '@mikro-orm/postgresql';
import { PURGED, purgePersonalData } from '../domain/onestop/notification';
import { RECORD_CLASSES, RECORD_CLASS_INFO, RECORD_PERSONAL_KEYS, type RecordClass } from '../domain/retention/classes';
import { pgArray } from './billing';
import { closeDestruction, planColumns, type DestructionPlan } from './destruction-plan';
import { isoOrNull as iso, renamed } from './rows';
import { findDestruction, plannedFor, lockDestructionToExecute, OneStopError, retentionCutoff } from './onestop';

/**
 * REC-1 for every record besides the one-stop applications (those: ledger/onestop.ts). A records
 * proposal is a row of the same retention_destructions table (scope 'records'), decided by the
 * city through the same decideDestruction and carried out by the same retentionDestructionWorkflow;
 * what differs is what is due and what its destruction does, which is here.
 */

/** Where a file to delete lives: the folder the activity resolves it in (never followed outside it). */
export type FileRoot = 'print' | 'carriers' | 'reports';
export interface FileToDelete {
  root: FileRoot;
  ref: string;
}

type Sql = string;
const PAID_MONTHS = `(select 1 from billing_runs r where r.month in (date_trunc('month', d.applied_at at time zone 'Asia/Tokyo')::date, date_trunc('month', d.paid_at at time zone 'Asia/Tokyo')::date)
                        and not exists (select 1 from billing_invoices i where i.run_id = r.id and i.paid_at is not null))`;

/** A legal hold on record `id` of class `cls` (not cleared). The class names are ours, never a caller's text. */
const held = (cls: RecordClass, id: Sql): Sql =>
  `exists (select 1 from retention_holds h where h.cleared_at is null and h.record_class = '${cls}' and h.record_id = (${id})::text)`;

/**
 * Already destroyed, or in a proposal the city has not decided (or approved and running): never
 * proposed twice. The pending ids are one uncorrelated list (a hashed lookup), not searched per row.
 */
const taken = (cls: RecordClass, id: Sql): Sql =>
  `(exists (select 1 from retention_purged x where x.record_class = '${cls}' and x.record_id = (${id})::text)
    or (${id})::text in (select e from retention_destructions p, jsonb_array_elements_text(coalesce(p.items -> '${cls}', '[]'::jsonb)) e
                          where p.scope = 'records' and p.status in ('proposed', 'approved')))`;

/** When a donation's period starts: its completion or cancellation (its application day if neither). */
const DONATION_BASIS = `coalesce(d.completed_at, d.cancelled_at, d.applied_at)`;

/**
 * Donation d is no longer needed: its workflow has finished (completed or cancelled, every shipment
 * delivered, cancelled or closed, no one-stop application under review), no inquiry about it or its
 * donor is unanswered, no billing month it counts in is open (a run without a paid invoice), and
 * no legal hold is on it or its donor.
 */
const DONATION_FREE = `(d.status in ('completed', 'cancelled')
  and not exists (select 1 from shipments s where s.donation_id = d.id and s.status not in ('delivered', 'cancelled', 'closed'))
  and not exists (select 1 from onestop_applications a where a.donation_id = d.id and a.status in ('received', 'deficient'))
  and not exists (select 1 from calls c where (c.donation_id = d.id or c.donor_id = d.donor_id) and c.status <> '完了')
  and not exists ${PAID_MONTHS}
  and not ${held('donations', 'd.id')} and not ${held('donors', 'd.donor_id')})`;

/** Each class: the ids past its cutoff (`?` = the cutoff instant) that nothing still needs. */
const DUE: Record<RecordClass, Sql> = {
  donations: `select d.id::text as id from donations d where ${DONATION_BASIS} < ?::timestamptz and ${DONATION_FREE} and not ${taken('donations', 'd.id')}`,
  ship_to: `select t.donation_id::text as id from donation_ship_to t join donations d on d.id = t.donation_id
             where ${DONATION_BASIS} < ?::timestamptz and ${DONATION_FREE} and not ${held('ship_to', 't.donation_id')} and not ${taken('ship_to', 't.donation_id')}`,
  donors: `select o.id::text as id from donors o
            where o.created_at < ?::timestamptz and not ${held('donors', 'o.id')} and not ${taken('donors', 'o.id')}
              and not exists (select 1 from donations d where d.donor_id = o.id and not (${DONATION_BASIS} < ?::timestamptz and ${DONATION_FREE}))
              and not exists (select 1 from calls c where c.donor_id = o.id and c.status <> '完了')`,
  calls: `select c.id::text as id from calls c
           where c.status = '完了' and c.updated_at < ?::timestamptz and not ${held('calls', 'c.id')}
             and (c.donor_id is null or not ${held('donors', 'c.donor_id')}) and (c.donation_id is null or not ${held('donations', 'c.donation_id')})
             and not ${taken('calls', 'c.id')}`,
  catalogue_requests: `select q.id::text as id from catalogue_requests q
           where q.status in ('sent', 'cancelled') and coalesce(q.sent_at, q.cancelled_at, q.requested_at) < ?::timestamptz
             and not ${held('catalogue_requests', 'q.id')} and not ${taken('catalogue_requests', 'q.id')}`,
  mail_log: `select m.id::text as id from mail_log m
           where m.status <> 'sending' and m.created_at < ?::timestamptz and not ${held('mail_log', 'm.id')}
             and (m.donation_id is null or not exists (select 1 from donations d where d.id = m.donation_id and (${held('donations', 'd.id')} or ${held('donors', 'd.donor_id')})))
             and not ${taken('mail_log', 'm.id')}`,
  import_quarantine: `select q.id::text as id from import_quarantine q
           where q.status <> 'open' and coalesce(q.resolved_at, q.created_at) < ?::timestamptz
             and not ${held('import_quarantine', 'q.id')} and not ${held('import_files', 'q.file_id')} and not ${taken('import_quarantine', 'q.id')}`,
  import_files: `select f.id::text as id from import_files f
           where f.status in ('done', 'failed') and coalesce(f.finished_at, f.created_at) < ?::timestamptz
             and not exists (select 1 from import_quarantine q where q.file_id = f.id and q.status = 'open')
             and not ${held('import_files', 'f.id')} and not ${taken('import_files', 'f.id')}`,
  print_batches: `select b.id::text as id from print_batches b
           where b.status = 'posted' and coalesce(b.posted_at, b.created_at) < ?::timestamptz and not ${held('print_batches', 'b.id')} and not ${taken('print_batches', 'b.id')}`,
  carrier_files: `select e.id::text as id from carrier_exports e
           where e.ship_on < (?::timestamptz at time zone 'Asia/Tokyo')::date and not ${held('carrier_files', 'e.id')} and not ${taken('carrier_files', 'e.id')}`,
  reports: `select r.id::text as id from monthly_reports r
           where r.status = 'built' and r.built_at < ?::timestamptz and not ${held('reports', 'r.id')} and not ${taken('reports', 'r.id')}`,
};

/** The start of the day (JST) `years` before asOf: records whose period started before it are past retention. */
const cutoffInstant = (asOf: string, years: number) => `${retentionCutoff(asOf, years)}T00:00:00+09:00`;

/** What is due today per class (ids in a stable order); nothing held, needed, proposed or destroyed. */
export async function dueRecords(knex: Knex, asOf: string, years: Record<RecordClass, number>): Promise<Record<RecordClass, string[]>> {
  const out = {} as Record<RecordClass, string[]>;
  for (const c of RECORD_CLASSES) {
    const cutoff = cutoffInstant(asOf, years[c]);
    const bindings = (DUE[c].match(/\?::timestamptz/g) ?? []).map(() => cutoff);
    const { rows } = await knex.raw(`${DUE[c]} order by 1`, bindings);
    out[c] = rows.map((r: { id: string }) => r.id);
  }
  return out;
}

/**
 * REC-1: proposes destroying what is past its class's period, in one proposal the city decides on.
 * One proposal at a time (an advisory lock); `id` lets a retried activity find its own proposal.
 */
export async function proposeRecordsDestruction(
  knex: Knex,
  input: { asOf: string; years: Record<RecordClass, number>; id?: string; skipEmpty?: boolean; /** MYNUM-5: the planned date and the physical media. */ plan?: DestructionPlan },
  actor: string,
): Promise<{ id: string | undefined; count: number; counts: Record<RecordClass, number> }> {
  const plan = planColumns(input.plan, input.asOf);
  return knex.transaction(async (trx) => {
    await trx.raw('select pg_advisory_xact_lock(hashtext(?))', ['records-retention-proposal']);
    if (input.id) {
      const existing = await trx('retention_destructions').select('id', 'item_count', 'items').where({ id: input.id, scope: 'records' }).first();
      if (existing) return { id: existing.id as string, count: existing.item_count as number, counts: countsOf(existing.items) };
    }
    const items = await dueRecords(trx, input.asOf, input.years);
    const counts = countsOf(items);
    const count = Object.values(counts).reduce((a, b) => a + b, 0);
    if (count === 0 && input.skipEmpty) return { id: undefined, count: 0, counts };
    const id = input.id ?? randomUUID();
    await trx('retention_destructions').insert({
      id,
      scope: 'records',
      status: 'proposed',
      retention_years: Math.max(...Object.values(input.years)),
      class_years: JSON.stringify(input.years),
      as_of: input.asOf,
      application_ids: JSON.stringify([]),
      items: JSON.stringify(items),
      item_count: count,
      proposed_by: actor,
      ...plan,
    });
    return { id, count, counts };
  });
}

const countsOf = (items: Record<string, string[]>) => Object.fromEntries(RECORD_CLASSES.map((c) => [c, (items[c] ?? []).length])) as Record<RecordClass, number>;

/** A records proposal or destruction (undefined for an unknown id or a one-stop one). */
export async function findRecordsDestruction(knex: Knex, id: string) {
  const d = await findDestruction(knex, id);
  if (!d || d.scope !== 'records') return undefined;
  const { applicationIds: _none, application: _onestop, ...rest } = d;
  return { ...rest, counts: countsOf(d.items ?? {}), application: { ...recordsApplication(d.items ?? {}, d.classYears ?? {}), ...plannedFor(d) } };
}

/** MYNUM-5's prior application, for records: per class what, how many, kept how long; the medium, the method, when. */
function recordsApplication(items: Record<string, string[]>, years: Record<string, number>) {
  return {
    items: RECORD_CLASSES.filter((c) => (items[c] ?? []).length > 0).map((c) => ({ class: c, label: RECORD_CLASS_INFO[c].label, count: items[c].length, retentionYears: years[c] ?? null, from: RECORD_CLASS_INFO[c].from, destroys: RECORD_CLASS_INFO[c].destroys })),
    medium: RECORDS_MEDIUM,
    count: Object.values(items).reduce((a, ids) => a + ids.length, 0),
    method: RECORDS_METHOD,
  };
}

export const RECORDS_MEDIUM = 'PostgreSQL ledger (donors, donor_person_members, donation_events, donation_ship_to, calls, call_events, catalogue_requests, mail_log, import_quarantine, import_file_chunks, monthly_reports); files in the print work folder, the carrier outbox and the reports folder';
export const RECORDS_METHOD =
  `name, kana, address, postal code, phone, email and birth date replaced with "${PURGED}" (or NULL where optional) in one transaction, in the history's before/after too; ` +
  'stored import files and report copies deleted from the ledger; files deleted from their folders after the transaction; ids, dates, amounts, statuses and counts kept';

/** Hooks for proving the transaction: `afterClass` runs inside it after each class (a test throws there). */
export interface DestructionHooks {
  afterClass?(cls: RecordClass): void | Promise<void>;
}

const ids = (items: Record<string, string[]>, c: RecordClass) => items[c] ?? [];

/**
 * REC-1: carries out an approved records destruction in one transaction — the personal fields
 * anonymised, the stored copies deleted, each record marked destroyed, the record written — and
 * returns it. Done already: the same record, nothing changed. A failure anywhere: nothing changed.
 * The files it lists are deleted afterwards by the caller (recordImageDeletion keeps the outcome).
 */
export async function executeRecordsDestruction(knex: Knex, id: string, actor: string, hooks: DestructionHooks = {}) {
  return knex.transaction(async (trx) => {
    const d = await lockDestructionToExecute(trx, id, 'records');
    if (d.status === 'done') return d.report;
    const items: Record<string, string[]> = d.items ?? {};
    const count = {} as Record<RecordClass | 'historyRows', number>;
    const files: FileToDelete[] = [];
    // The append-only logs let this transaction, and only while this destruction is approved, overwrite personal values.
    await trx.raw("select set_config('furusato.rec1_purge', ?, true)", [id]);
    for (const c of RECORD_CLASSES) {
      const list = ids(items, c);
      count[c] = list.length;
      if (list.length) {
        await PURGE[c](trx, list, { files, count, destructionId: id, actor });
        await insertInSlices(trx, 'retention_purged', list.map((recordId) => ({ record_class: c, record_id: recordId, destruction_id: id })), ['record_class', 'record_id']);
      }
      await hooks.afterClass?.(c);
    }
    await trx.raw("select set_config('furusato.rec1_purge', '', true)");
    const head = {
      destructionId: id,
      items: RECORD_CLASSES.filter((c) => ids(items, c).length > 0).map((c) => `${RECORD_CLASS_INFO[c].label}: ${RECORD_CLASS_INFO[c].destroys}`),
      medium: RECORDS_MEDIUM,
      count: { ...count, historyRows: count.historyRows ?? 0, imageReferences: files.length },
      filesToDelete: files,
    };
    return closeDestruction(trx, id, d, actor, head, { method: RECORDS_METHOD, retentionYears: d.class_years });
  });
}

interface PurgeContext {
  files: FileToDelete[];
  count: Record<string, number>;
  destructionId: string;
  actor: string;
}

const purge = (v: unknown) => purgePersonalData(v, RECORD_PERSONAL_KEYS);
const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));
const changed = (a: unknown, b: unknown) => JSON.stringify(a) !== JSON.stringify(b);
/** `column` is one of `list` as one array parameter (a year's proposal may hold more ids than a statement takes parameters). */
const anyOf = (trx: Knex, column: string, list: string[], type: 'uuid' | 'bigint' = 'uuid') => trx.raw(`?? = any(?::${type}[])`, [column, pgArray(list)]);

/** Inserts many rows a slice at a time (PostgreSQL takes at most 65,535 parameters a statement). */
async function insertInSlices(trx: Knex, table: string, rows: Record<string, unknown>[], conflict: string[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 2_000) {
    await trx(table).insert(rows.slice(i, i + 2_000)).onConflict(conflict).ignore();
  }
}

/** Overwrites the personal values in a log's JSON columns, row by row, counting the rows changed. */
async function purgeLog(trx: Knex, table: string, key: string, ownerIds: string[], columns: string[], text: string[] = []): Promise<number> {
  if (!ownerIds.length) return 0;
  let n = 0;
  const rows = await trx(table).select('id', ...columns, ...text).where(anyOf(trx, key, ownerIds));
  for (const r of rows as Record<string, unknown>[]) {
    const update: Record<string, unknown> = {};
    for (const c of columns) if (changed(purge(r[c]), r[c])) update[c] = json(purge(r[c]));
    for (const c of text) if (r[c] !== null && r[c] !== PURGED) update[c] = PURGED;
    if (!Object.keys(update).length) continue;
    await trx(table).where('id', r.id as string).update(update);
    n += 1;
  }
  return n;
}

/** The files a row names in `columns`, for deletion after the transaction (under `root`); the columns are cleared. */
async function takeFiles(trx: Knex, ctx: PurgeContext, table: string, list: string[], root: FileRoot, columns: string[], clear: Record<string, null>): Promise<void> {
  for (const r of await trx(table).select(...columns).where(anyOf(trx, 'id', list))) {
    for (const c of columns) if (r[c]) ctx.files.push({ root, ref: r[c] });
  }
  await trx(table).where(anyOf(trx, 'id', list)).update(clear);
}

const addHistory = (ctx: PurgeContext, n: number) => {
  ctx.count.historyRows = (ctx.count.historyRows ?? 0) + n;
};

/** Each class's destruction of a non-empty list of its records. */
const PURGE: Record<RecordClass, (trx: Knex, ids: string[], ctx: PurgeContext) => Promise<unknown>> = {
  async donors(trx, list) {
    await trx('donors').where(anyOf(trx, 'id', list)).update({ name: PURGED, name_kana: PURGED, postal_code: PURGED, address: PURGED, phone: null, email: null, updated_at: trx.fn.now() });
    await trx('donor_person_members').where(anyOf(trx, 'donor_id', list)).update({ kana_key: PURGED, phone_key: null, address_key: null, birth_date: null });
  },
  async donations(trx, list, ctx) {
    addHistory(ctx, await purgeLog(trx, 'donation_events', 'donation_id', list, ['before', 'after']));
    // The anonymisation is itself recorded in each donation's history (an insert: the log stays append-only).
    const now = new Date().toISOString();
    const events = list.map((donationId) => ({ donation_id: donationId, kind: 'personal_data_purged', actor: ctx.actor, occurred_at: now, reason: `REC-1 destruction ${ctx.destructionId}`, idempotency_key: `retention/${ctx.destructionId}/${donationId}` }));
    await insertInSlices(trx, 'donation_events', events, ['idempotency_key']);
  },
  ship_to: (trx, list) => trx('donation_ship_to').where(anyOf(trx, 'donation_id', list)).update({ name: PURGED, name_kana: PURGED, postal_code: PURGED, address: PURGED, phone: null }),
  async calls(trx, list, ctx) {
    const ifSet = (column: string) => trx.raw(`case when ${column} is null then null else ? end`, [PURGED]);
    await trx('calls').where(anyOf(trx, 'id', list)).update({ subject: PURGED, body: PURGED, outcome: ifSet('outcome'), caller_name: ifSet('caller_name'), caller_contact: ifSet('caller_contact'), updated_at: trx.fn.now(), updated_by: ctx.actor });
    addHistory(ctx, await purgeLog(trx, 'call_events', 'call_id', list, ['detail'], ['note']));
  },
  catalogue_requests: (trx, list) => trx('catalogue_requests').where(anyOf(trx, 'id', list)).update({ name: PURGED, name_kana: PURGED, postal_code: PURGED, address: PURGED, phone: null, email: null, note: null }),
  mail_log: (trx, list) => trx('mail_log').where(anyOf(trx, 'id', list, 'bigint')).update({ recipient: null, response: null, updated_at: trx.fn.now() }),
  import_quarantine: (trx, list) => trx('import_quarantine').where(anyOf(trx, 'id', list, 'bigint')).update({ rows: JSON.stringify([]), corrections: JSON.stringify({}) }),
  import_files: (trx, list) => trx('import_file_chunks').where(anyOf(trx, 'file_id', list)).del(),
  print_batches: (trx, list, ctx) => takeFiles(trx, ctx, 'print_batches', list, 'print', ['pdf_path', 'manifest_path'], { pdf_path: null, manifest_path: null }),
  async carrier_files(trx, list, ctx) {
    for (const e of await trx('carrier_exports').select(trx.raw('ship_on::text as ship_on'), 'file_name').where(anyOf(trx, 'id', list, 'bigint'))) ctx.files.push({ root: 'carriers', ref: `${e.ship_on}/${e.file_name}` });
  },
  reports: (trx, list, ctx) => takeFiles(trx, ctx, 'monthly_reports', list, 'reports', ['pdf_path', 'csv_path'], { pdf: null, csv: null }),
};

// ───────────────────────── legal holds ─────────────────────────

export interface HoldRow {
  id: string;
  recordClass: RecordClass;
  recordId: string;
  reason: string;
  setBy: string;
  setAt: string;
  clearedBy: string | null;
  clearedAt: string | null;
  clearReason: string | null;
}

const toHold = (r: any): HoldRow => ({ ...renamed(r, 'id record_class record_id reason set_by'), setAt: iso(r.set_at)!, clearedBy: r.cleared_by, clearedAt: iso(r.cleared_at), clearReason: r.clear_reason });

/** Where each class's records are, and how an id is compared (uuid or number). */
const byUuid = (table: string, key = 'id') => ({ table, key, numeric: false });
const byNumber = (table: string) => ({ table, key: 'id', numeric: true });
const RECORD_TABLES: Record<RecordClass, { table: string; key: string; numeric: boolean }> = {
  donors: byUuid('donors'), donations: byUuid('donations'), ship_to: byUuid('donation_ship_to', 'donation_id'), calls: byUuid('calls'),
  catalogue_requests: byUuid('catalogue_requests'), import_files: byUuid('import_files'), print_batches: byUuid('print_batches'), reports: byUuid('monthly_reports'),
  mail_log: byNumber('mail_log'), import_quarantine: byNumber('import_quarantine'), carrier_files: byNumber('carrier_exports'),
};

async function recordExists(knex: Knex, cls: RecordClass, recordId: string): Promise<boolean> {
  const t = RECORD_TABLES[cls];
  if (t.numeric ? !/^[0-9]{1,18}$/.test(recordId) : !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(recordId)) return false;
  return Boolean(await knex(t.table).select(knex.raw('1')).where(t.key, recordId).first());
}

/** A legal hold: the record (and, for a donor or donation, what belongs to it) is not proposed until it is cleared. */
export async function setHold(knex: Knex, input: { recordClass: RecordClass; recordId: string; reason: string }, actor: string): Promise<HoldRow> {
  if (!(await recordExists(knex, input.recordClass, input.recordId))) throw new OneStopError('invalid', `names no record of ${input.recordClass}`, 'recordId');
  return knex.transaction(async (trx) => {
    const active = await trx('retention_holds').where({ record_class: input.recordClass, record_id: input.recordId }).whereNull('cleared_at').forUpdate().first();
    if (active) throw new OneStopError('conflict', `${input.recordClass} ${input.recordId} is already on hold (${active.id})`);
    const [row] = await trx('retention_holds').insert({ id: randomUUID(), record_class: input.recordClass, record_id: input.recordId, reason: input.reason, set_by: actor }).returning('*');
    return toHold(row);
  });
}

export async function clearHold(knex: Knex, id: string, reason: string, actor: string): Promise<HoldRow> {
  const [row] = await knex('retention_holds').where({ id }).whereNull('cleared_at').update({ cleared_by: actor, cleared_at: knex.fn.now(), clear_reason: reason }).returning('*');
  if (row) return toHold(row);
  throw new OneStopError((await knex('retention_holds').where({ id }).first()) ? 'conflict' : 'not_found', `hold ${id} is not active`);
}

export async function listHolds(knex: Knex, filter: { active?: boolean; recordClass?: RecordClass } = {}): Promise<HoldRow[]> {
  const rows = await knex('retention_holds')
    .modify((q) => {
      if (filter.active) q.whereNull('cleared_at');
      if (filter.recordClass) q.where('record_class', filter.recordClass);
    })
    .orderBy('set_at', 'desc')
    .limit(500);
  return rows.map(toHold);
}

export async function findHold(knex: Knex, id: string): Promise<HoldRow | undefined> {
  const r = await knex('retention_holds').where({ id }).first();
  return r ? toHold(r) : undefined;
}
