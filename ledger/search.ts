import type { Knex } from '@mikro-orm/postgresql';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { DonationStatus } from '../domain/donation-status';

/**
 * LEDGER-2: search under arbitrary combinations of conditions, with totals for the whole
 * result and offset or keyset paging. Every value reaches SQL as a bound parameter.
 * Order is (applied_at desc, id desc); the keyset cursor is that pair, opaque to callers.
 */
export interface SearchFilters {
  status?: DonationStatus[];
  portal?: string[];
  /** Any of these gift codes on any gift line. */
  gift?: string[];
  /** Any gift line whose gift comes from one of these suppliers (suppliers.code). */
  supplier?: string[];
  prefecture?: string[];
  /** Instants (ISO); `from` inclusive, `to` exclusive. */
  appliedFrom?: string;
  appliedTo?: string;
  paidFrom?: string;
  paidTo?: string;
  amountMin?: number;
  amountMax?: number;
  /** true: at least one review flag; false: none. */
  reviewFlagged?: boolean;
  /** Has any of these review flags. */
  reviewFlag?: string[];
  disasterRelief?: boolean;
  wantsOneStop?: boolean;
  /** One-stop application state; 'none' = no application received. */
  onestopStatus?: string[];
  /** Any shipment of the donation in one of these states. */
  shipmentStatus?: string[];
  /** Substring of the donor's name or kana. */
  donor?: string;
  /** Documents due before this instant and not yet sent (the existing atRisk view). */
  documentsDueBefore?: string;
}

export interface SearchPage {
  limit: number;
  offset?: number;
  /** Keyset cursor from a previous page's `nextCursor`; excludes `offset`. */
  after?: string;
}

export interface SearchRow {
  id: string;
  portal: string;
  portalOrderId: string;
  status: DonationStatus;
  channel: string;
  amountYen: number;
  appliedAt: string;
  paidAt: string | null;
  documentsDueOn: string | null;
  escalated: boolean;
  reviewFlags: string[];
  disasterRelief: boolean;
  wantsOneStop: boolean;
  donorName: string;
  donorNameKana: string;
  prefecture: string;
}

export interface SearchResult {
  total: number;
  totalAmountYen: number;
  rows: SearchRow[];
  nextCursor: string | null;
}

export class CursorError extends Error {}

export function likePattern(s: string): string {
  return `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Applies the filters to a query over `donations as d join donors as p`. */
export function applyFilters(knex: Knex, q: Knex.QueryBuilder, f: SearchFilters): Knex.QueryBuilder {
  if (f.status?.length) q.whereIn('d.status', f.status);
  if (f.portal?.length) q.whereIn('d.portal_code', f.portal);
  if (f.prefecture?.length) q.whereIn('p.prefecture', f.prefecture);
  if (f.appliedFrom) q.where('d.applied_at', '>=', f.appliedFrom);
  if (f.appliedTo) q.where('d.applied_at', '<', f.appliedTo);
  if (f.paidFrom) q.where('d.paid_at', '>=', f.paidFrom);
  if (f.paidTo) q.where('d.paid_at', '<', f.paidTo);
  if (f.amountMin !== undefined) q.where('d.amount_yen', '>=', f.amountMin);
  if (f.amountMax !== undefined) q.where('d.amount_yen', '<=', f.amountMax);
  if (f.disasterRelief !== undefined) q.where('d.disaster_relief', f.disasterRelief);
  if (f.wantsOneStop !== undefined) q.where('d.wants_one_stop', f.wantsOneStop);
  if (f.reviewFlagged !== undefined) q.whereRaw(f.reviewFlagged ? `d.review_flags <> '[]'::jsonb` : `d.review_flags = '[]'::jsonb`);
  if (f.reviewFlag?.length) {
    const flags = f.reviewFlag;
    q.where((w) => { for (const flag of flags) w.orWhereRaw('d.review_flags @> ?::jsonb', [JSON.stringify([flag])]); });
  }
  if (f.gift?.length) {
    const gifts = f.gift;
    q.whereExists((s) => s.select(knex.raw('1')).from('donation_gift_lines as gl').whereRaw('gl.donation_id = d.id').whereIn('gl.gift_code', gifts));
  }
  if (f.supplier?.length) {
    const suppliers = f.supplier;
    q.whereExists((s) => s.select(knex.raw('1')).from('donation_gift_lines as sl')
      .join('gifts as sg', 'sg.code', 'sl.gift_code').join('suppliers as ss', 'ss.id', 'sg.supplier_id')
      .whereRaw('sl.donation_id = d.id').whereIn('ss.code', suppliers));
  }
  if (f.shipmentStatus?.length) {
    const statuses = f.shipmentStatus;
    q.whereExists((s) => s.select(knex.raw('1')).from('shipments as sh').whereRaw('sh.donation_id = d.id').whereIn('sh.status', statuses));
  }
  if (f.onestopStatus?.length) {
    const wantsNone = f.onestopStatus.includes('none');
    const states = f.onestopStatus.filter((x) => x !== 'none');
    q.where((w) => {
      if (states.length) w.orWhereExists((s) => s.select(knex.raw('1')).from('onestop_applications as oa').whereRaw('oa.donation_id = d.id').whereIn('oa.status', states));
      if (wantsNone) w.orWhereNotExists((s) => s.select(knex.raw('1')).from('onestop_applications as ob').whereRaw('ob.donation_id = d.id'));
    });
  }
  if (f.donor) {
    const like = likePattern(f.donor);
    q.where((w) => w.where('p.name', 'like', like).orWhere('p.name_kana', 'like', like));
  }
  if (f.documentsDueBefore) q.where('d.status', 'documents_due').where('d.documents_due_at', '<=', f.documentsDueBefore);
  return q;
}

/** Timestamps keep their microseconds in the cursor: a millisecond Date would skip or repeat rows. */
export const APPLIED_AT_KEY = `to_char(d.applied_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

export function encodeCursor(appliedAtKey: string, id: string): string {
  return Buffer.from(`${appliedAtKey}|${id}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): { appliedAt: string; id: string } {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z)\|([0-9a-f-]{36})$/i.exec(text);
  if (!m) throw new CursorError('is not a cursor from this search');
  return { appliedAt: m[1]!, id: m[2]! };
}

export function applyKeyset(q: Knex.QueryBuilder, after: string | undefined): Knex.QueryBuilder {
  if (!after) return q;
  const c = decodeCursor(after);
  return q.whereRaw('(d.applied_at, d.id) < (?::timestamptz, ?::uuid)', [c.appliedAt, c.id]);
}

export async function searchLedger(em: EntityManager, f: SearchFilters, page: SearchPage): Promise<SearchResult> {
  const knex = em.getKnex();
  const base = applyFilters(knex, knex('donations as d').join('donors as p', 'p.id', 'd.donor_id'), f);
  const totalsQ = base.clone().select(knex.raw('count(*)::bigint as total'), knex.raw('coalesce(sum(d.amount_yen), 0)::bigint as amount'));
  const rowsQ = applyKeyset(base.clone(), page.after)
    .select(
      'd.id', 'd.portal_code', 'd.portal_order_id', 'd.status', 'd.channel', 'd.amount_yen', 'd.applied_at', 'd.paid_at',
      knex.raw(`to_char(d.documents_due_on, 'YYYY-MM-DD') as documents_due_on`), 'd.escalated_at', 'd.review_flags',
      'd.disaster_relief', 'd.wants_one_stop', 'p.name', 'p.name_kana', 'p.prefecture', knex.raw(`${APPLIED_AT_KEY} as applied_key`),
    )
    .limit(page.limit + 1);
  // The at-risk view reads soonest-due first and pages by offset; everything else is newest first, keyset-able.
  const dueOrder = f.documentsDueBefore !== undefined;
  if (dueOrder) rowsQ.orderBy([{ column: 'd.documents_due_at', order: 'asc' }, { column: 'd.id', order: 'asc' }]);
  else rowsQ.orderBy([{ column: 'd.applied_at', order: 'desc' }, { column: 'd.id', order: 'desc' }]);
  if (dueOrder && page.after) throw new CursorError('is not available with atRisk (page with offset)');
  if (!page.after && page.offset) rowsQ.offset(page.offset);
  const [[totals], rows] = await Promise.all([totalsQ, rowsQ]);
  const more = rows.length > page.limit;
  const shown = (more ? rows.slice(0, page.limit) : rows) as Record<string, any>[];
  const last = shown[shown.length - 1];
  return {
    total: Number(totals.total),
    totalAmountYen: Number(totals.amount),
    nextCursor: more && last && !dueOrder ? encodeCursor(last.applied_key, last.id) : null,
    rows: shown.map((r) => ({
      id: r.id,
      portal: r.portal_code,
      portalOrderId: r.portal_order_id,
      status: r.status,
      channel: r.channel,
      amountYen: r.amount_yen,
      appliedAt: new Date(r.applied_at).toISOString(),
      paidAt: r.paid_at ? new Date(r.paid_at).toISOString() : null,
      documentsDueOn: r.documents_due_on,
      escalated: r.escalated_at !== null,
      reviewFlags: r.review_flags,
      disasterRelief: r.disaster_relief,
      wantsOneStop: r.wants_one_stop,
      donorName: r.name,
      donorNameKana: r.name_kana,
      prefecture: r.prefecture,
    })),
  };
}
