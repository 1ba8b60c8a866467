import type { Knex } from '@mikro-orm/postgresql';
import type { Orm } from './orm';
import { monthDays, monthRange } from '../domain/reports/month';
import type { CountAmount, MonthlyReportData } from '../domain/reports/types';
import { jstDate } from '../domain/jst';
import { campaignEffects } from './promotions';
import { qualityRows } from './quality-measures';

/**
 * REPORT-1 / PR-1: the figures of one month's 月次業務報告書, straight from the ledger.
 * Every figure is one set-based aggregate (no per-row loops), all read in one REPEATABLE READ,
 * READ ONLY transaction so the sections agree with each other even while donations arrive.
 * Month = JST calendar month of the application time (donations, SLAs) or of the event.
 */
export async function buildMonthlyReportData(orm: Orm, month: string, now = new Date()): Promise<MonthlyReportData> {
  return orm.em.getKnex().transaction(
    async (trx) => {
      await trx.raw('set transaction isolation level repeatable read, read only');
      return monthlyReportData(trx, month, now);
    },
  );
}

const num = (v: unknown) => Number(v ?? 0);
const ca = (count: unknown, amount: unknown): CountAmount => ({ count: num(count), amountYen: num(amount) });

async function rows(knex: Knex, sql: string, bindings: unknown[]): Promise<any[]> {
  return (await knex.raw(sql, bindings as any[])).rows;
}

/** The donations of the month that count: applied in it (JST), not cancelled. */
const MONTH_DONATIONS = `m as (
  select d.id, d.donor_id, d.portal_code, d.amount_yen, d.applied_at, d.disaster_relief
    from donations d where d.applied_at >= ?::timestamptz and d.applied_at < ?::timestamptz and d.status <> 'cancelled')`;

export async function monthlyReportData(knex: Knex, month: string, now = new Date()): Promise<MonthlyReportData> {
  const { start, end } = monthRange(month);
  const period = monthDays(month);
  const range = [start.toISOString(), end.toISOString()];
  const today = jstDate(now);

  const [totals] = await rows(
    knex,
    `with ${MONTH_DONATIONS}
     select count(*) as n, coalesce(sum(amount_yen), 0) as amount, count(distinct donor_id) as donors,
            count(*) filter (where disaster_relief) as relief_n, coalesce(sum(amount_yen) filter (where disaster_relief), 0) as relief_amount,
            (select count(*) from donations c where c.applied_at >= ?::timestamptz and c.applied_at < ?::timestamptz and c.status = 'cancelled') as cancelled
       from m`,
    [...range, ...range],
  );

  const byPortal = await rows(
    knex,
    `with ${MONTH_DONATIONS}
     select m.portal_code, p.name, count(*) as n, sum(m.amount_yen) as amount from m join portals p on p.code = m.portal_code
      group by m.portal_code, p.name order by sum(m.amount_yen) desc, m.portal_code`,
    range,
  );

  const byGift = await rows(
    knex,
    `with ${MONTH_DONATIONS}
     select * from (
       select l.gift_code, g.name, s.code as supplier_code, count(distinct l.donation_id) as donations, sum(l.quantity) as quantity,
              sum(l.quantity::bigint * l.unit_price_yen) as amount
         from m join donation_gift_lines l on l.donation_id = m.id join gifts g on g.code = l.gift_code left join suppliers s on s.id = g.supplier_id
        group by l.gift_code, g.name, s.code
       union all
       select null, '返礼品なし', null, count(*), 0, coalesce(sum(m.amount_yen), 0)
         from m where not exists (select 1 from donation_gift_lines l where l.donation_id = m.id)
     ) x where x.donations > 0 order by x.gift_code is null, x.amount desc, x.gift_code`,
    range,
  );

  const byPrefecture = await rows(
    knex,
    `with ${MONTH_DONATIONS}
     select o.prefecture, count(*) as n, sum(m.amount_yen) as amount from m join donors o on o.id = m.donor_id
      group by o.prefecture order by sum(m.amount_yen) desc, o.prefecture`,
    range,
  );

  // Repeat: the donor gave before this donation (any portal); two gifts in one month make the second a repeat.
  // Age: from a birth date a one-stop application of the donor gave, compared as text so a malformed one cannot stop the report.
  const donorRows = await rows(
    knex,
    `with ${MONTH_DONATIONS},
     flagged as (
       select m.*, exists (select 1 from donations e where e.donor_id = m.donor_id and e.applied_at < m.applied_at and e.status <> 'cancelled') as repeat
         from m),
     birth as (
       select d2.donor_id, max(oa.current_content->>'birthDate') as birth_date
         from onestop_applications oa join donations d2 on d2.id = oa.donation_id
        where d2.donor_id in (select donor_id from m) and oa.current_content->>'birthDate' ~ '^\\d{4}-\\d{2}-\\d{2}$'
        group by d2.donor_id),
     aged as (
       select f.*, b.birth_date,
              case when b.birth_date is null then null else
                extract(year from f.applied_at at time zone 'Asia/Tokyo')::int - substr(b.birth_date, 1, 4)::int
                  - case when to_char(f.applied_at at time zone 'Asia/Tokyo', 'MM-DD') < substr(b.birth_date, 6, 5) then 1 else 0 end
              end as age
         from flagged f left join birth b on b.donor_id = f.donor_id)
     select repeat, band, grouping(repeat, band) = 3 as total_row, count(*) as n, coalesce(sum(amount_yen), 0) as amount,
            count(distinct donor_id) filter (where repeat) as repeat_donors,
            count(distinct donor_id) filter (where not repeat) as new_donors,
            count(distinct donor_id) filter (where birth_date is not null) as with_birth
       from (select a.*, case when age is null then '不明' when age < 20 then '19歳以下' when age >= 70 then '70歳以上' else (age / 10 * 10)::text || '代' end as band
               from aged a) x
      group by grouping sets ((repeat, band), ())`,
    range,
  );
  // The grand-total row carries the distinct donor counts: a donor can be new and repeat in the same month.
  const donorTotals = donorRows.find((r) => r.total_row) ?? {};
  const groups = donorRows.filter((r) => !r.total_row);
  const repeatDonors = num(donorTotals.repeat_donors);
  const allDonors = num(totals.donors);
  const sumOf = (pred: (r: any) => boolean) => groups.filter(pred).reduce((acc, r) => ({ count: acc.count + num(r.n), amountYen: acc.amountYen + num(r.amount) }), ca(0, 0));
  const bands = new Map<string, CountAmount>();
  for (const r of groups) {
    const b = bands.get(r.band) ?? ca(0, 0);
    b.count += num(r.n);
    b.amountYen += num(r.amount);
    bands.set(r.band, b);
  }
  const BAND_ORDER = ['19歳以下', '20代', '30代', '40代', '50代', '60代', '70歳以上', '不明'];

  const intake = await rows(
    knex,
    `select d.portal_code, count(*) as total, count(*) filter (where not i.late) as met, count(*) filter (where i.late) as missed
       from donations d join donation_intake i on i.donation_id = d.id
      where d.applied_at >= ?::timestamptz and d.applied_at < ?::timestamptz
      group by d.portal_code order by d.portal_code`,
    range,
  );

  const [documents] = await rows(
    knex,
    `select count(*) as due,
            count(*) filter (where documents_sent_at is not null and documents_sent_at <= documents_due_at) as met,
            count(*) filter (where documents_sent_at > documents_due_at) as late,
            count(*) filter (where documents_sent_at is null) as unsent
       from donations where documents_due_on between ?::date and ?::date and status <> 'cancelled'`,
    [period.from, period.to],
  );

  const shipping = await rows(
    knex,
    `with planned as (
       select s.supplier_id, count(*) as planned,
              count(*) filter (where s.shipped_on is not null and s.shipped_on <= s.planned_ship_on) as on_time,
              count(*) filter (where s.shipped_on > s.planned_ship_on) as late,
              count(*) filter (where s.shipped_on is null) as unshipped
         from shipments s where s.planned_ship_on between ?::date and ?::date and s.status <> 'cancelled' group by s.supplier_id),
     orders as (select supplier_id, count(distinct ship_on) as order_days from supplier_orders where ship_on between ?::date and ?::date group by supplier_id)
     select p.code, p.name, cardinality(p.shipping_weekdays) as weekdays, p.shipping_exception_approved_at is not null as exception,
            coalesce(o.order_days, 0) as order_days, coalesce(pl.planned, 0) as planned, coalesce(pl.on_time, 0) as on_time,
            coalesce(pl.late, 0) as late, coalesce(pl.unshipped, 0) as unshipped
       from suppliers p left join planned pl on pl.supplier_id = p.id left join orders o on o.supplier_id = p.id
      where pl.supplier_id is not null or o.supplier_id is not null
      order by p.code`,
    [period.from, period.to, period.from, period.to],
  );

  const [shipments] = await rows(
    knex,
    `select (select count(*) from shipments s where s.created_at >= ?::timestamptz and s.created_at < ?::timestamptz and s.attempt = 1) as created,
            (select count(*) from shipments s where s.shipped_on between ?::date and ?::date) as shipped,
            (select count(*) from shipments s where s.delivered_at >= ?::timestamptz and s.delivered_at < ?::timestamptz) as delivered`,
    [...range, period.from, period.to, ...range],
  );
  const reshipments = await rows(
    knex,
    `select coalesce(o.trouble_kind, 'unknown') as kind, count(*) as n
       from shipments s left join shipments o on o.id = s.replaces_shipment_id
      where s.created_at >= ?::timestamptz and s.created_at < ?::timestamptz and s.attempt > 1 group by 1`,
    range,
  );
  const reshipmentsByKind = { delay: 0, damage: 0, loss: 0 };
  for (const r of reshipments) if (r.kind in reshipmentsByKind) reshipmentsByKind[r.kind as keyof typeof reshipmentsByKind] = num(r.n);

  const onestop = await rows(knex, `select status, count(*) as n from onestop_applications where arrived_on between ?::date and ?::date group by status order by status`, [period.from, period.to]);

  const calls = await rows(
    knex,
    `select channel, category, status, complaint, out_of_hours, outcome is not null as with_outcome, reshipment_requested_at is not null as reshipped,
            exists (select 1 from quality_measures q where q.call_id = k.id) as with_measures, count(*) as n
       from calls k where k.received_at >= ?::timestamptz and k.received_at < ?::timestamptz
      group by 1, 2, 3, 4, 5, 6, 7, 8`,
    range,
  );
  const group = (key: string, order: string[] = []) => {
    const out = new Map<string, { count: number; complaints: number }>();
    for (const r of calls) {
      const g = out.get(r[key]) ?? { count: 0, complaints: 0 };
      g.count += num(r.n);
      if (r.complaint) g.complaints += num(r.n);
      out.set(r[key], g);
    }
    return [...out].sort(([a], [b]) => (order.indexOf(a) - order.indexOf(b)) || a.localeCompare(b));
  };
  const complaintCalls = calls.filter((r) => r.complaint);
  const complaintCount = (pred: (r: any) => boolean) => complaintCalls.filter(pred).reduce((n, r) => n + num(r.n), 0);
  const statusCounts = new Map<string, number>();
  for (const r of complaintCalls) statusCounts.set(r.status, (statusCounts.get(r.status) ?? 0) + num(r.n));

  const complaintList = await rows(
    knex,
    `select to_char(k.received_at at time zone 'Asia/Tokyo', 'YYYY-MM-DD') as received_on, k.category, k.subject, k.status, k.outcome,
            k.reshipment_requested_at is not null as reshipped, (select count(*) from quality_measures q where q.call_id = k.id) as measures
       from calls k where k.complaint and k.received_at >= ?::timestamptz and k.received_at < ?::timestamptz
      order by k.received_at, k.id limit 500`,
    range,
  );

  const campaigns = await campaignEffects(knex, { approvedActiveIn: period }, { start, end });
  const quality = await qualityRows(knex, month, month, { today });

  const CALL_CHANNEL_ORDER = ['phone', 'fax', 'email', 'letter', 'counter', 'web'];
  const CALL_CATEGORY_ORDER = ['寄附手続き', '返礼品', '配送', '証明書', 'ワンストップ', '事業者からの問合せ', 'その他'];
  return {
    month,
    period,
    generatedAt: now.toISOString(),
    totals: { ...ca(totals.n, totals.amount), donors: allDonors, cancelled: num(totals.cancelled), disasterRelief: ca(totals.relief_n, totals.relief_amount) },
    byPortal: byPortal.map((r) => ({ portalCode: r.portal_code, portalName: r.name, ...ca(r.n, r.amount) })),
    byGift: byGift.map((r) => ({ giftCode: r.gift_code, giftName: r.name, supplierCode: r.supplier_code, donations: num(r.donations), quantity: num(r.quantity), amountYen: num(r.amount) })),
    byPrefecture: byPrefecture.map((r) => ({ prefecture: r.prefecture, ...ca(r.n, r.amount) })),
    byDonorType: {
      repeat: { ...sumOf((r) => r.repeat), donors: repeatDonors },
      new: { ...sumOf((r) => !r.repeat), donors: num(donorTotals.new_donors) },
    },
    byAgeBand: BAND_ORDER.filter((b) => bands.has(b)).map((band) => ({ band, ...bands.get(band)! })),
    donorAttributes: {
      donors: allDonors,
      repeatDonors,
      repeatRatePercent: allDonors ? Math.round((repeatDonors / allDonors) * 1000) / 10 : 0,
      withBirthDate: num(donorTotals.with_birth),
    },
    sla: {
      intake: {
        total: intake.reduce((n, r) => n + num(r.total), 0),
        met: intake.reduce((n, r) => n + num(r.met), 0),
        missed: intake.reduce((n, r) => n + num(r.missed), 0),
        byPortal: intake.map((r) => ({ portalCode: r.portal_code, total: num(r.total), met: num(r.met), missed: num(r.missed) })),
      },
      documents: { due: num(documents.due), met: num(documents.met), late: num(documents.late), unsent: num(documents.unsent) },
      shipping: {
        planned: shipping.reduce((n, r) => n + num(r.planned), 0),
        onTime: shipping.reduce((n, r) => n + num(r.on_time), 0),
        late: shipping.reduce((n, r) => n + num(r.late), 0),
        unshipped: shipping.reduce((n, r) => n + num(r.unshipped), 0),
        suppliers: shipping.map((r) => ({
          supplierCode: r.code,
          supplierName: r.name,
          weekdaysPerWeek: num(r.weekdays),
          exception: r.exception,
          orderDays: num(r.order_days),
          planned: num(r.planned),
          onTime: num(r.on_time),
          late: num(r.late),
          unshipped: num(r.unshipped),
          met: (num(r.weekdays) >= 2 || r.exception) && num(r.late) === 0 && num(r.unshipped) === 0,
        })),
      },
    },
    shipments: { created: num(shipments.created), reshipments: reshipments.reduce((n, r) => n + num(r.n), 0), shipped: num(shipments.shipped), delivered: num(shipments.delivered), reshipmentsByKind },
    onestop: { arrived: onestop.reduce((n, r) => n + num(r.n), 0), byStatus: onestop.map((r) => ({ status: r.status, count: num(r.n) })) },
    callCentre: {
      total: calls.reduce((n, r) => n + num(r.n), 0),
      complaints: complaintCount(() => true),
      outOfHours: calls.filter((r) => r.out_of_hours).reduce((n, r) => n + num(r.n), 0),
      byChannel: group('channel', CALL_CHANNEL_ORDER).map(([channel, v]) => ({ channel, ...v })),
      byCategory: group('category', CALL_CATEGORY_ORDER).map(([category, v]) => ({ category, ...v })),
      complaintOutcomes: {
        byStatus: ['未対応', '対応中', '対応済み', '完了'].filter((s) => statusCounts.has(s)).map((status) => ({ status, count: statusCounts.get(status)! })),
        withOutcome: complaintCount((r) => r.with_outcome),
        reshipped: complaintCount((r) => r.reshipped),
        withMeasures: complaintCount((r) => r.with_measures),
      },
      complaintList: complaintList.map((r) => ({ receivedOn: r.received_on, category: r.category, subject: r.subject, status: r.status, outcome: r.outcome, reshipped: r.reshipped, measures: num(r.measures) })),
    },
    campaigns,
    quality,
  };
}
