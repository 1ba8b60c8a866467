import { randomUUID } from 'node:crypto';
import type { Knex } from '@mikro-orm/postgresql';
import { GIFT_COMPLAINT_CATEGORIES } from '../domain/callcentre/types';
import type { FieldError } from '../domain/donor';
import { isIsoDate, jstDate } from '../domain/jst';
import { monthRange, nextMonth } from '../domain/reports/month';
import type { QualityRow } from '../domain/reports/types';
import { CARRIER_CODES_MESSAGE, carrierName } from '../domain/carriers/catalogue';
import { isCarrier, type Carrier } from '../domain/shipping/types';

/**
 * CALL-3: measures demanded of a supplier or carrier after a gift complaint — what was demanded,
 * when, by when, their reply and the measure taken, and the closing — and the supplier quality
 * report built from complaints, re-shipments and measures.
 */

export type MeasureStatus = 'open' | 'replied' | 'closed';

export interface Measure {
  id: string;
  callId: string;
  party: { kind: 'supplier'; supplierCode: string; name: string; email: string | null } | { kind: 'carrier'; carrier: Carrier; name: string; email: string | null };
  demand: string;
  demandedAt: string;
  demandedBy: string;
  dueOn: string;
  status: MeasureStatus;
  /** Open past its due day (Japan time). */
  overdue: boolean;
  reply: string | null;
  measureTaken: string | null;
  repliedAt: string | null;
  repliedBy: string | null;
  closedAt: string | null;
  closedBy: string | null;
  closeNote: string | null;
  mailStatus: string | null;
  workflowId: string;
}

export class MeasureNotFoundError extends Error {
  override name = 'MeasureNotFoundError';
}
export class MeasureConflictError extends Error {
  override name = 'MeasureConflictError';
}

const iso = (v: Date | string | null) => (v == null ? null : new Date(v).toISOString());

const SELECT = `select m.*, to_char(m.due_on, 'YYYY-MM-DD') as due_on_text, s.code as supplier_code, s.name as supplier_name, s.email as supplier_email
  from quality_measures m left join suppliers s on s.id = m.supplier_id`;

function toMeasure(r: any, today = jstDate(new Date())): Measure {
  return {
    id: r.id,
    callId: r.call_id,
    party:
      r.party_kind === 'supplier'
        ? { kind: 'supplier', supplierCode: r.supplier_code, name: r.supplier_name, email: r.contact_email ?? r.supplier_email ?? null }
        : { kind: 'carrier', carrier: r.carrier, name: carrierName(r.carrier), email: r.contact_email ?? null },
    demand: r.demand,
    demandedAt: iso(r.demanded_at)!,
    demandedBy: r.demanded_by,
    dueOn: r.due_on_text,
    status: r.status,
    overdue: r.status !== 'closed' && r.due_on_text < today,
    reply: r.reply,
    measureTaken: r.measure_taken,
    repliedAt: iso(r.replied_at),
    repliedBy: r.replied_by,
    closedAt: iso(r.closed_at),
    closedBy: r.closed_by,
    closeNote: r.close_note,
    mailStatus: r.mail_status,
    workflowId: r.workflow_id,
  };
}

export const measureWorkflowId = (id: string) => `quality-demand/${id}`;

export interface NewMeasure {
  callId: string;
  party: { kind: 'supplier'; supplierCode?: string } | { kind: 'carrier'; carrier: string };
  demand: string;
  dueOn: string;
  /** Overrides the supplier's address on file; the only address a carrier demand can go to. */
  contactEmail?: string;
  demandedAt?: Date;
}

/**
 * Checks a demand against its call: a gift complaint (返礼品/配送), a supplier that exists (by
 * default the one the call, its shipment or its gift names), a carrier we know, a due day not
 * in the past. Returns the supplier id to record, or the field errors.
 */
export async function checkNewMeasure(knex: Knex, m: NewMeasure): Promise<{ errors: FieldError[]; supplierId?: number; callFound: boolean }> {
  const errors: FieldError[] = [];
  const { rows } = await knex.raw(
    `select k.complaint, k.category, coalesce(ps.id, ss.id, gs.id) as supplier_id
       from calls k
       left join suppliers ps on ps.code = k.supplier_code
       left join shipments sh on sh.id = k.shipment_id left join suppliers ss on ss.id = sh.supplier_id
       left join gifts g on g.code = k.gift_code left join suppliers gs on gs.id = g.supplier_id
      where k.id = ?`,
    [m.callId],
  );
  const call = rows[0];
  if (!call) return { errors, callFound: false };
  if (!call.complaint) errors.push({ field: 'call.complaint', reason: 'must be true: measures are demanded for complaints' });
  if (!GIFT_COMPLAINT_CATEGORIES.includes(call.category)) errors.push({ field: 'call.category', reason: `must be ${GIFT_COMPLAINT_CATEGORIES.join(' or ')}, is ${call.category}` });
  if (!isIsoDate(m.dueOn)) errors.push({ field: 'dueOn', reason: 'is not a calendar date' });
  else if (m.dueOn < jstDate(m.demandedAt ?? new Date())) errors.push({ field: 'dueOn', reason: 'must not be before the day of the demand' });
  let supplierId: number | undefined;
  if (m.party.kind === 'supplier') {
    if (m.party.supplierCode) {
      const found = (await knex.raw(`select id from suppliers where code = ?`, [m.party.supplierCode])).rows[0];
      if (!found) errors.push({ field: 'party.supplierCode', reason: `supplier ${m.party.supplierCode} does not exist` });
      supplierId = found?.id;
    } else if (call.supplier_id != null) {
      supplierId = call.supplier_id;
    } else {
      errors.push({ field: 'party.supplierCode', reason: 'is required: the call names no supplier (link a supplier, shipment or gift, or give the code)' });
    }
  } else if (!isCarrier(m.party.carrier)) {
    errors.push({ field: 'party.carrier', reason: CARRIER_CODES_MESSAGE });
  }
  return { errors, supplierId, callFound: true };
}

export async function createMeasure(knex: Knex, m: NewMeasure, supplierId: number | undefined, actor: string): Promise<Measure> {
  const id = randomUUID();
  await knex.transaction(async (trx) => {
    await trx.raw(
      `insert into quality_measures (id, call_id, party_kind, supplier_id, carrier, contact_email, demand, demanded_at, demanded_by, due_on, workflow_id)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::date, ?)`,
      [id, m.callId, m.party.kind, m.party.kind === 'supplier' ? supplierId! : null, m.party.kind === 'carrier' ? m.party.carrier : null, m.contactEmail ?? null, m.demand, (m.demandedAt ?? new Date()).toISOString(), actor, m.dueOn, measureWorkflowId(id)],
    );
    await trx.raw(`insert into quality_measure_events (measure_id, kind, actor, note, detail) values (?, 'demanded', ?, ?, ?::jsonb)`, [
      id,
      actor,
      m.demand,
      JSON.stringify({ party: m.party, dueOn: m.dueOn }),
    ]);
    // The call's own history shows the demand too (CALL-2: the city reads the call log).
    await trx.raw(`insert into call_events (call_id, actor, kind, note, detail) values (?, ?, 'follow_up', ?, ?::jsonb)`, [
      m.callId,
      actor,
      `対策要求: ${m.demand}（期限 ${m.dueOn}）`,
      JSON.stringify({ measureId: id, by: actor, recordedBy: actor }),
    ]);
  });
  return (await findMeasure(knex, id))!;
}

export async function findMeasure(knex: Knex, id: string): Promise<Measure | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  const { rows } = await knex.raw(`${SELECT} where m.id = ?`, [id]);
  return rows[0] ? toMeasure(rows[0]) : undefined;
}

export async function measureEvents(knex: Knex, id: string) {
  const { rows } = await knex.raw(`select kind, actor, at, note, detail from quality_measure_events where measure_id = ? order by id`, [id]);
  return rows.map((r: any) => ({ kind: r.kind, actor: r.actor, at: iso(r.at), note: r.note, detail: r.detail }));
}

export async function listMeasures(
  knex: Knex,
  f: { callId?: string; supplierCode?: string; carrier?: string; status?: MeasureStatus; overdue?: boolean; limit?: number } = {},
): Promise<Measure[]> {
  const today = jstDate(new Date());
  const { rows } = await knex.raw(
    `${SELECT}
      where (?::uuid is null or m.call_id = ?::uuid) and (?::text is null or s.code = ?) and (?::text is null or m.carrier = ?)
        and (?::text is null or m.status = ?) and (?::boolean is null or (m.status <> 'closed' and m.due_on < ?::date) = ?::boolean)
      order by m.demanded_at desc, m.id limit ?`,
    [f.callId ?? null, f.callId ?? null, f.supplierCode ?? null, f.supplierCode ?? null, f.carrier ?? null, f.carrier ?? null, f.status ?? null, f.status ?? null, f.overdue ?? null, today, f.overdue ?? null, f.limit ?? 200],
  );
  return rows.map((r: any) => toMeasure(r, today));
}

/** Runs fn on the locked measure; its event is appended in the same transaction. */
async function changeMeasure(knex: Knex, id: string, fn: (m: Measure) => { set: Record<string, unknown>; event: { kind: string; actor: string; note?: string | null; detail?: unknown } }): Promise<Measure> {
  await knex.transaction(async (trx) => {
    const { rows } = await trx.raw(`${SELECT} where m.id = ? for update of m`, [id]);
    if (!rows[0]) throw new MeasureNotFoundError(`measure ${id} not found`);
    const { set, event } = fn(toMeasure(rows[0]));
    await trx('quality_measures').where({ id }).update({ ...set, updated_at: trx.fn.now() });
    await trx.raw(`insert into quality_measure_events (measure_id, kind, actor, note, detail) values (?, ?, ?, ?, ?::jsonb)`, [id, event.kind, event.actor, event.note ?? null, JSON.stringify(event.detail ?? null)]);
  });
  return (await findMeasure(knex, id))!;
}

/** Their reply and the measure they took; a later reply replaces an earlier one (both stay in the history). */
export function recordReply(knex: Knex, id: string, reply: { reply: string; measureTaken: string; at?: Date }, actor: string): Promise<Measure> {
  return changeMeasure(knex, id, (m) => {
    if (m.status === 'closed') throw new MeasureConflictError(`measure ${id} is closed`);
    return {
      set: { status: 'replied', reply: reply.reply, measure_taken: reply.measureTaken, replied_at: (reply.at ?? new Date()).toISOString(), replied_by: actor },
      event: { kind: 'replied', actor, note: reply.reply, detail: { measureTaken: reply.measureTaken, previous: m.reply ? { reply: m.reply, measureTaken: m.measureTaken } : null } },
    };
  });
}

/** Closing needs their reply first: a demand nobody answered is not settled, it is overdue. */
export function closeMeasure(knex: Knex, id: string, note: string, actor: string): Promise<Measure> {
  return changeMeasure(knex, id, (m) => {
    if (m.status === 'closed') throw new MeasureConflictError(`measure ${id} is already closed`);
    if (m.status !== 'replied') throw new MeasureConflictError(`measure ${id} has no reply yet: record the reply and the measure taken (POST /quality/measures/${id}/reply) before closing`);
    return { set: { status: 'closed', closed_at: new Date().toISOString(), closed_by: actor, close_note: note }, event: { kind: 'closed', actor, note } };
  });
}

/** The demand mail's outcome (sent, rejected, skipped_…), once per measure. */
export async function recordMeasureMail(knex: Knex, id: string, status: string, detail: Record<string, unknown>): Promise<void> {
  await knex.transaction(async (trx) => {
    const inserted = await trx.raw(
      `insert into quality_measure_events (measure_id, kind, actor, note, detail, idempotency_key) values (?, 'mailed', 'system:quality', ?, ?::jsonb, ?)
       on conflict (idempotency_key) do nothing returning id`,
      [id, status, JSON.stringify(detail), `measure-mail/${id}`],
    );
    if (inserted.rows.length) await trx.raw(`update quality_measures set mail_status = ?, updated_at = now() where id = ?`, [status, id]);
  });
}

/** What the demand mail needs: the measure, its call and the party's address. */
export async function measureMailView(knex: Knex, id: string) {
  const m = await findMeasure(knex, id);
  if (!m) return undefined;
  const { rows } = await knex.raw(
    `select k.subject, k.category, k.received_at, sh.gift_code, g.name as gift_name, sh.tracking_number, sh.shipped_on
       from calls k left join shipments sh on sh.id = k.shipment_id left join gifts g on g.code = coalesce(sh.gift_code, k.gift_code) where k.id = ?`,
    [m.callId],
  );
  return { measure: m, call: rows[0] };
}

/**
 * CALL-3 supplier quality report: per month (JST) and supplier or carrier, complaints, re-shipments
 * and measures demanded / open / closed / overdue, for months [fromMonth, toMonth]. Set-based.
 * A complaint's supplier is the one the call names, else its shipment's, else its gift's; a 配送
 * complaint about a shipment also counts for that shipment's carrier. A re-shipment counts for its
 * supplier and for the carrier of the shipment it replaces.
 */
export async function qualityRows(knex: Knex, fromMonth: string, toMonth: string, opts: { supplierCode?: string; today?: string } = {}): Promise<QualityRow[]> {
  const start = monthRange(fromMonth).start.toISOString();
  const end = monthRange(toMonth).start.getTime() < monthRange(fromMonth).start.getTime() ? start : monthRange(nextMonth(toMonth)).start.toISOString();
  const today = opts.today ?? jstDate(new Date());
  const { rows } = await knex.raw(
    `with c as (
       select to_char(k.received_at at time zone 'Asia/Tokyo', 'YYYY-MM') as month, k.category, coalesce(ps.id, ss.id, gs.id) as supplier_id, sh.carrier
         from calls k
         left join suppliers ps on ps.code = k.supplier_code
         left join shipments sh on sh.id = k.shipment_id left join suppliers ss on ss.id = sh.supplier_id
         left join gifts g on g.code = k.gift_code left join suppliers gs on gs.id = g.supplier_id
        where k.complaint and k.received_at >= ?::timestamptz and k.received_at < ?::timestamptz
     ), r as (
       select to_char(s.created_at at time zone 'Asia/Tokyo', 'YYYY-MM') as month, s.supplier_id, o.carrier
         from shipments s join shipments o on o.id = s.replaces_shipment_id
        where s.attempt > 1 and s.created_at >= ?::timestamptz and s.created_at < ?::timestamptz
     ), q as (
       select to_char(m.demanded_at at time zone 'Asia/Tokyo', 'YYYY-MM') as month, m.party_kind, m.supplier_id, m.carrier, m.status, m.due_on
         from quality_measures m where m.demanded_at >= ?::timestamptz and m.demanded_at < ?::timestamptz
     ), ev as (
       select month, 'supplier' as kind, supplier_id::text as party, 1 as complaints, 0 as reshipments, 0 as demanded, 0 as open, 0 as closed, 0 as overdue from c where supplier_id is not null
       union all select month, 'carrier', carrier, 1, 0, 0, 0, 0, 0 from c where carrier is not null and category = '配送'
       union all select month, 'supplier', supplier_id::text, 0, 1, 0, 0, 0, 0 from r where supplier_id is not null
       union all select month, 'carrier', carrier, 0, 1, 0, 0, 0, 0 from r where carrier is not null
       union all select month, party_kind, coalesce(supplier_id::text, carrier), 0, 0, 1, (status <> 'closed')::int, (status = 'closed')::int,
                        (status <> 'closed' and due_on < ?::date)::int from q
     )
     select ev.month, ev.kind, case when ev.kind = 'supplier' then sp.code else ev.party end as party, sp.name as supplier_name,
            sum(complaints)::int as complaints, sum(reshipments)::int as reshipments, sum(demanded)::int as demanded,
            sum(open)::int as open, sum(closed)::int as closed, sum(overdue)::int as overdue
       from ev left join suppliers sp on ev.kind = 'supplier' and sp.id::text = ev.party
      where (?::text is null or (ev.kind = 'supplier' and sp.code = ?))
      group by ev.month, ev.kind, ev.party, sp.code, sp.name
      order by ev.month, ev.kind desc, 3`,
    [start, end, start, end, start, end, today, opts.supplierCode ?? null, opts.supplierCode ?? null],
  );
  return rows.map((r: any) => ({
    month: r.month,
    partyKind: r.kind,
    party: r.party ?? '',
    partyName: r.kind === 'supplier' ? (r.supplier_name ?? '') : carrierName(r.party),
    complaints: r.complaints,
    reshipments: r.reshipments,
    measuresDemanded: r.demanded,
    measuresOpen: r.open,
    measuresClosed: r.closed,
    measuresOverdue: r.overdue,
  }));
}
