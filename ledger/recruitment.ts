import { randomUUID } from 'node:crypto';
import type { Knex } from '@mikro-orm/postgresql';
import { QUALITY_BRIEFING_KINDS, type BriefingKind, type RecruitmentReport } from '../domain/gifts/recruitment';
import type { QualityMeeting } from '../domain/reports/types';

/**
 * GIFT-6 (spec 7(9)ウ): supplier briefings (説明会) and the recruitment report to the city; GIFT-3: the same
 * briefings as success-case meetings (成功事例報告会) and quality trainings, listed in the quality report.
 */

export interface BriefingAttendee {
  name: string;
  contactPerson?: string | null;
  contact?: string | null;
  /** A current supplier's code; none for a would-be supplier. */
  supplierCode?: string | null;
  /** Wants to become a supplier (or to list more gifts). */
  interested?: boolean;
}

/** A success case presented at a success-case meeting: the supplier's code and a short title. */
export interface BriefingCase {
  supplierCode: string;
  title: string;
}

export interface NewBriefing {
  /** recruitment when not given. */
  kind?: BriefingKind;
  heldOn: string;
  place: string;
  title: string;
  notes?: string | null;
  attendees: BriefingAttendee[];
  /** success_cases only. */
  cases?: BriefingCase[];
}

export interface Briefing {
  id: string;
  kind: BriefingKind;
  heldOn: string;
  place: string;
  title: string;
  notes: string | null;
  recordedBy: string;
  recordedAt: string;
  attendees: (Required<Omit<BriefingAttendee, 'supplierCode'>> & { supplierCode: string | null; wouldBe: boolean })[];
  cases: BriefingCase[];
}

/** The codes among `codes` that name no supplier in the ledger. */
export async function unknownSupplierCodes(knex: Knex, codes: string[]): Promise<Set<string>> {
  if (!codes.length) return new Set();
  const known = new Set((await knex('suppliers').whereIn('code', codes).select('code')).map((r: any) => r.code));
  return new Set(codes.filter((c) => !known.has(c)));
}

export async function recordBriefing(knex: Knex, b: NewBriefing, actor: string): Promise<Briefing> {
  const id = randomUUID();
  await knex.transaction(async (trx) => {
    await trx('supplier_briefings').insert({
      id,
      kind: b.kind ?? 'recruitment',
      held_on: b.heldOn,
      place: b.place,
      title: b.title,
      notes: b.notes ?? null,
      cases: JSON.stringify(b.cases ?? []),
      recorded_by: actor,
    });
    if (b.attendees.length) {
      await trx('supplier_briefing_attendees').insert(
        b.attendees.map((a, i) => ({ briefing_id: id, seq: i + 1, name: a.name, contact_person: a.contactPerson ?? null, contact: a.contact ?? null, supplier_code: a.supplierCode ?? null, interested: a.interested ?? false })),
      );
    }
  });
  return (await briefings(knex, { id }))[0];
}

/** Briefings held between from and to (JST dates, inclusive), oldest first, each with its attendees. */
export async function briefings(knex: Knex, f: { id?: string; from?: string; to?: string; kinds?: readonly BriefingKind[] }): Promise<Briefing[]> {
  const q = knex('supplier_briefings').select('id', 'kind', knex.raw(`to_char(held_on, 'YYYY-MM-DD') as held_on`), 'place', 'title', 'notes', 'cases', 'recorded_by', 'recorded_at');
  if (f.id) q.where({ id: f.id });
  if (f.kinds) q.whereIn('kind', [...f.kinds]);
  if (f.from) q.where('held_on', '>=', f.from);
  if (f.to) q.where('held_on', '<=', f.to);
  const rows = await q.orderBy('held_on').orderBy('recorded_at');
  if (!rows.length) return [];
  // A would-be supplier: no supplier code, or one the ledger does not know.
  const attendees = await knex('supplier_briefing_attendees as a')
    .leftJoin('suppliers as s', 's.code', 'a.supplier_code')
    .whereIn('a.briefing_id', rows.map((r: any) => r.id))
    .orderBy(['a.briefing_id', 'a.seq'])
    .select('a.briefing_id', 'a.name', 'a.contact_person', 'a.contact', 'a.supplier_code', 'a.interested', knex.raw('s.id is null as would_be'));
  return rows.map((r: any) => ({
    id: r.id,
    kind: r.kind,
    heldOn: r.held_on,
    place: r.place,
    title: r.title,
    notes: r.notes,
    recordedBy: r.recorded_by,
    recordedAt: new Date(r.recorded_at).toISOString(),
    attendees: attendees
      .filter((a: any) => a.briefing_id === r.id)
      .map((a: any) => ({ name: a.name, contactPerson: a.contact_person, contact: a.contact, supplierCode: a.supplier_code, interested: a.interested, wouldBe: a.would_be })),
    cases: r.cases,
  }));
}

/**
 * GIFT-3: the success-case meetings and quality trainings held between from and to (JST dates, inclusive),
 * oldest first; with a supplier code, only those it attended or presented a case at.
 */
export async function qualityMeetings(knex: Knex, from: string, to: string, supplierCode?: string): Promise<QualityMeeting[]> {
  const held = await briefings(knex, { from, to, kinds: QUALITY_BRIEFING_KINDS });
  return held
    .filter((b) => supplierCode === undefined || b.attendees.some((a) => a.supplierCode === supplierCode) || b.cases.some((c) => c.supplierCode === supplierCode))
    .map((b) => ({
      id: b.id,
      kind: b.kind as QualityMeeting['kind'],
      heldOn: b.heldOn,
      place: b.place,
      title: b.title,
      attendees: b.attendees.map((a) => ({ name: a.name, supplierCode: a.wouldBe ? null : a.supplierCode })),
      cases: b.cases,
    }));
}

/** The recruitment report for the city (GIFT-6) over JST dates from..to, inclusive. */
export async function recruitmentReport(knex: Knex, from: string, to: string): Promise<RecruitmentReport> {
  const held = await briefings(knex, { from, to, kinds: ['recruitment'] });
  const range = [from, to];
  const { rows: calls } = await knex.raw(
    `select to_char(c.received_at at time zone 'Asia/Tokyo', 'YYYY-MM-DD') as received_on, c.subject, c.caller_name, c.status
       from calls c left join suppliers s on s.code = c.supplier_code
      where c.category = '事業者からの問合せ' and s.id is null
        and (c.received_at at time zone 'Asia/Tokyo')::date between ?::date and ?::date
      order by c.received_at, c.id`,
    range,
  );
  const { rows: suppliers } = await knex.raw(
    `select code, name, approval_status,
            to_char(proposed_at at time zone 'Asia/Tokyo', 'YYYY-MM-DD') as proposed_on,
            to_char(decided_at at time zone 'Asia/Tokyo', 'YYYY-MM-DD') as decided_on, decided_by, decision_reason
       from suppliers
      where (proposed_at at time zone 'Asia/Tokyo')::date between ?::date and ?::date
         or (decided_at at time zone 'Asia/Tokyo')::date between ?::date and ?::date
      order by coalesce(decided_at, proposed_at), code`,
    [...range, ...range],
  );
  const [{ n }] = (await knex.raw(`select count(*)::int as n from suppliers where approval_status = 'approved' and active`)).rows;
  const rows = held.map((b) => ({
    heldOn: b.heldOn,
    place: b.place,
    title: b.title,
    attendees: b.attendees.length,
    wouldBe: b.attendees.filter((a) => a.wouldBe).length,
    interested: b.attendees.filter((a) => a.interested).length,
  }));
  const sum = (k: 'attendees' | 'wouldBe' | 'interested') => rows.reduce((t, r) => t + r[k], 0);
  const within = (d: string | null) => d !== null && d >= from && d <= to;
  return {
    from,
    to,
    briefings: rows,
    totals: {
      briefings: rows.length,
      attendees: sum('attendees'),
      wouldBe: sum('wouldBe'),
      interested: sum('interested'),
      inquiries: calls.length,
      proposed: suppliers.filter((s: any) => within(s.proposed_on)).length,
      approved: suppliers.filter((s: any) => s.approval_status === 'approved' && within(s.decided_on)).length,
      rejected: suppliers.filter((s: any) => s.approval_status === 'rejected' && within(s.decided_on)).length,
      approvedSuppliers: n,
    },
    inquiries: calls.map((c: any) => ({ receivedOn: c.received_on, subject: c.subject, callerName: c.caller_name, status: c.status })),
    suppliers: suppliers.map((s: any) => ({ code: s.code, name: s.name, status: s.approval_status, proposedOn: s.proposed_on, decidedOn: s.decided_on, decidedBy: s.decided_by, reason: s.decision_reason })),
  };
}
