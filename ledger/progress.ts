import type { Knex } from '@mikro-orm/postgresql';

/**
 * LEDGER-3: where the fiscal year stands, for the city at any time — from
 * the ledger alone (the workflows mirror every transition into it), so the
 * answer never waits on Temporal. Donations are counted by the fiscal year
 * (April–March, JST) of their application; the work queues (open
 * quarantine, holds, overdue documents) are as of now.
 */
export interface Progress {
  asOf: string;
  fiscalYear: number;
  from: string;
  to: string;
  donations: { count: number; amountYen: number; byStatus: Record<string, { count: number; amountYen: number }>; byPortal: { portal: string; count: number; amountYen: number }[] };
  intake: { imported: number; late: number };
  documents: { due: number; overdue: number; sent: number };
  shipments: { byStatus: Record<string, number> };
  oneStop: { byStatus: Record<string, number> };
  queues: { reviewHolds: number; quarantineOpen: number };
}

export function fiscalYearOf(date: Date): number {
  const jst = new Date(date.getTime() + 9 * 3600_000);
  return jst.getUTCMonth() >= 3 ? jst.getUTCFullYear() : jst.getUTCFullYear() - 1;
}

const PROGRESS_SQL = `
  with fy as (
    select (?::date::timestamp at time zone 'Asia/Tokyo') as lo, (?::date::timestamp at time zone 'Asia/Tokyo') as hi, now() as at),
  d as (select d.id, d.status, d.amount_yen, d.portal_code, d.documents_due_at from donations d, fy where d.applied_at >= fy.lo and d.applied_at < fy.hi)
  select
    (select coalesce(json_object_agg(status, json_build_object('count', n, 'amountYen', yen)), '{}')
       from (select status, count(*)::int as n, coalesce(sum(amount_yen), 0)::bigint as yen from d group by status) s) as by_status,
    (select coalesce(json_agg(json_build_object('portal', portal_code, 'count', n, 'amountYen', yen) order by yen desc, portal_code), '[]')
       from (select portal_code, count(*)::int as n, coalesce(sum(amount_yen), 0)::bigint as yen from d where status <> 'cancelled' group by portal_code) p) as by_portal,
    (select json_build_object('imported', count(*)::int, 'late', count(*) filter (where i.late)::int)
       from donation_intake i join d on d.id = i.donation_id) as intake,
    (select json_build_object(
        'due', count(*) filter (where d.status = 'documents_due')::int,
        'overdue', count(*) filter (where d.status = 'documents_due' and d.documents_due_at < fy.at)::int,
        'sent', count(*) filter (where d.status in ('documents_sent', 'completed'))::int)
       from d, fy) as documents,
    (select coalesce(json_object_agg(status, n), '{}') from (select s.status, count(*)::int as n from shipments s join d on d.id = s.donation_id group by s.status) x) as shipments,
    (select coalesce(json_object_agg(status, n), '{}') from (select o.status, count(*)::int as n from onestop_applications o join d on d.id = o.donation_id group by o.status) x) as onestop,
    (select count(*)::int from d where status = 'held') as holds,
    (select count(*)::int from import_quarantine where status = 'open') as quarantine_open,
    (select at from fy) as as_of`;

export async function fiscalYearProgress(knex: Knex, fiscalYear: number): Promise<Progress> {
  const from = `${fiscalYear}-04-01`;
  const to = `${fiscalYear + 1}-04-01`;
  const { rows } = await knex.raw(PROGRESS_SQL, [from, to]);
  const r = rows[0];
  const byStatus = Object.fromEntries(Object.entries(r.by_status as Record<string, { count: number; amountYen: string | number }>).map(([k, v]) => [k, { count: v.count, amountYen: Number(v.amountYen) }]));
  const live = Object.entries(byStatus).filter(([k]) => k !== 'cancelled');
  return {
    asOf: new Date(r.as_of).toISOString(),
    fiscalYear,
    from,
    to: `${fiscalYear + 1}-03-31`,
    // Cancelled donations are listed by status but not counted in the year's total.
    donations: {
      count: live.reduce((n, [, v]) => n + v.count, 0),
      amountYen: live.reduce((n, [, v]) => n + v.amountYen, 0),
      byStatus,
      byPortal: (r.by_portal as { portal: string; count: number; amountYen: number | string }[]).map((p) => ({ ...p, amountYen: Number(p.amountYen) })),
    },
    intake: r.intake,
    documents: r.documents,
    shipments: { byStatus: r.shipments },
    oneStop: { byStatus: r.onestop },
    queues: { reviewHolds: r.holds, quarantineOpen: r.quarantine_open },
  };
}
