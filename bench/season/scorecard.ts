import type { Client } from '@temporalio/client';
import type { Knex } from 'knex';
import type { AppConfig } from '../../config/env';
import { invoiceDueOn } from '../../domain/billing/month';
import { addDays, jstDate, jstStartOfDay } from '../../domain/jst';
import { deadlineEndsAt } from '../../domain/onestop/deadline';
import { notificationDueOn } from '../../domain/onestop/notification';
import { reportDueAt } from '../../domain/reports/month';
import { oneStopStatusQuery } from '../../workflows/onestop/definitions';
import type { SeasonPlan } from './plan';
import type { SeasonRun } from './run';

/**
 * The season's scorecard, read from the ledger (and, for one-stop decisions, from each
 * application's workflow, which knows when it decided) once the season has run. Every deadline
 * is the product's own rule from domain/ or the ledger's own record of it (documents_due_at is
 * what DonationWorkflow wrote from domain/deadlines.ts); the scorecard only compares.
 */
export interface DeadlineScore {
  kind: string;
  rule: string;
  count: number;
  met: number;
  missed: number;
  /** The smallest margin in hours (negative for a miss); null when there was nothing to measure. */
  tightestMarginHours: number | null;
  tightestId: string | null;
  missedIds: string[];
}

export interface PortalIntake {
  portal: string;
  files: number;
  encodings: string;
  rows: number;
  created: number;
  unchanged: number;
  quarantined: number;
  held: number;
  badRowsPlanned: number;
}

export interface Scorecard {
  deadlines: DeadlineScore[];
  donations: { planned: number; registered: number; byStatus: Record<string, number>; final: number; notFinal: string[] };
  badRows: { planned: Record<string, number>; quarantinedRows: number; held: Record<string, number>; repeatedRowsUnchanged: number; lost: string[] };
  /** Per portal: its files as the inbox collection imported them (encoding as detected), its orders (import_rows) created, unchanged, quarantined, held for review. */
  portals: PortalIntake[];
  /** How the held and quarantined rows ended: quarantine entries by status, holds released, withdrawn (cancelled) or still held. */
  cleared: { quarantine: Record<string, number>; holdsReleased: number; holdsWithdrawn: number; stillHeld: number; stillHeldDonations: string[]; operator: SeasonRun['operator'] };
  duplicates: { documents: number; mails: number; shipments: number; carrierRows: number };
  residentsWithShipments: number;
  documents: { envelopesPosted: number; reissuesAfterReturn: number };
  shipping: { shipments: number; delivered: number; reshipments: number; byStatus: Record<string, number> };
  onestop: { applications: number; byChannel: Record<string, number>; byStatus: Record<string, number>; resubmissionsRefused: number; arrivedLate: number };
  months: SeasonRun['city']['months'];
  notifications: SeasonRun['city']['notifications'];
}

function score(kind: string, rule: string, items: { id: string; dueAt: Date; doneAt: Date | null }[], endOfSeason: Date): DeadlineScore {
  const s: DeadlineScore = { kind, rule, count: 0, met: 0, missed: 0, tightestMarginHours: null, tightestId: null, missedIds: [] };
  for (const it of items) {
    // Not done and not yet due when the season ended: not a deadline of this season.
    if (!it.doneAt && it.dueAt > endOfSeason) continue;
    s.count += 1;
    const margin = ((it.dueAt.getTime() - (it.doneAt ?? endOfSeason).getTime()) / 3_600_000);
    if (it.doneAt && margin >= 0) s.met += 1;
    else {
      s.missed += 1;
      if (s.missedIds.length < 20) s.missedIds.push(it.id);
    }
    if (s.tightestMarginHours === null || margin < s.tightestMarginHours) {
      s.tightestMarginHours = Math.round(margin * 10) / 10;
      s.tightestId = it.id;
    }
  }
  return s;
}

const counts = (rows: { k: string; n: number }[]) => Object.fromEntries(rows.map((r) => [r.k, Number(r.n)]));

export async function buildScorecard(knex: Knex, client: Client, config: AppConfig, plan: SeasonPlan, run: SeasonRun): Promise<Scorecard> {
  const endOfSeason = jstStartOfDay(addDays(run.lastDay, 1));
  const q = async <T = any>(sql: string, b: unknown[] = []): Promise<T[]> => (await knex.raw(sql, b as any)).rows;

  // DOCS-1: the first posting of each donation's documents against the deadline its workflow recorded.
  const docs = await q(
    `select d.id, d.documents_due_at, min(b.posted_at) as posted_at
       from donations d left join print_batch_items i on i.donation_id = d.id and i.reason = 'initial'
       left join print_batches b on b.id = i.batch_id and b.posted_at is not null
      where d.documents_due_at is not null group by d.id, d.documents_due_at`,
  );
  const docsScore = score('DOCS-1 receipt posted', '14 days after payment; paid Dec 29–31 → Jan 5 (domain/deadlines.ts)', docs.map((r) => ({ id: r.id, dueAt: new Date(r.documents_due_at), doneAt: r.posted_at ? new Date(r.posted_at) : null })), endOfSeason);

  // ONESTOP: every application decided (accepted, closed as deficient, rejected as late) by the end of its deadline day.
  const apps = await q(`select a.id, a.donation_id, a.workflow_id, a.status, a.deadline_on::text as deadline_on from onestop_applications a`);
  const decisions: { id: string; dueAt: Date; doneAt: Date | null }[] = [];
  // An application that arrived after the deadline is rejected as late on arrival (the donor files a tax return): counted, not a deadline of ours.
  for (const a of apps.filter((x) => x.status !== 'rejected_late')) {
    const view = await client.workflow.getHandle(a.workflow_id).query(oneStopStatusQuery).catch(() => undefined);
    const decided = view?.notices.filter((n) => ['accepted', 'closed_deficient', 'late_rejection'].includes(n.kind)).at(-1);
    // A deficient application is closed by the workflow's timer at the very end of the deadline day: its notice is
    // written moments after that instant, which is still the decision at the deadline (a minute's grace, no more).
    const grace = a.status === 'closed_deficient' ? 60_000 : 0;
    decisions.push({ id: a.id, dueAt: new Date(deadlineEndsAt(a.deadline_on).getTime() + grace), doneAt: decided ? new Date(decided.at) : null });
  }
  const onestopScore = score('ONESTOP-2 application decided', 'by the end of Jan 10 of the next year, moved past closed days (domain/onestop/deadline.ts); arrived in time', decisions, endOfSeason);

  // SHIP-2: a shipment waiting for its order is ordered on its supplier's next shipping day (the day's run at SHIP_ORDER_TIME).
  const waiting = await q(
    `select s.id, s.planned_ship_on::text as planned_ship_on, p.shipping_weekdays, min(e.occurred_at) as waiting_since
       from shipments s join suppliers p on p.id = s.supplier_id join shipment_events e on e.shipment_id = s.id and e.to_status = 'awaiting_order'
      group by s.id, s.planned_ship_on, p.shipping_weekdays`,
  );
  const { hour, minute } = config.shipping.orderTime;
  const orderAt = (day: string) => new Date(`${day}T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00+09:00`);
  const isoDow = (day: string) => ((new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7) + 1;
  const shipScore = score(
    'SHIP-2 ordered on the supplier\'s next shipping day',
    'the first run on a shipping weekday of the supplier at or after the shipment became ready (suppliers.shipping_weekdays, SHIP_ORDER_TIME)',
    waiting.map((r) => {
      const since = new Date(r.waiting_since);
      let day = jstDate(since);
      if (orderAt(day) < since) day = addDays(day, 1);
      for (let k = 0; k < 14 && !(r.shipping_weekdays as number[]).includes(isoDow(day)); k++) day = addDays(day, 1);
      return { id: r.id, dueAt: orderAt(day), doneAt: r.planned_ship_on ? orderAt(r.planned_ship_on) : null };
    }),
    endOfSeason,
  );

  // BILL-3 and REPORT-1: the previous month's invoice and report by the 10th (as the rehearsal saw them).
  const months = run.city.months;
  const billScore = score(
    'BILL-3 invoice issued',
    `by BILL_INVOICE_DAY (${config.billing.invoiceDay}) of the next month (domain/billing/month.ts)`,
    months.map((m) => ({ id: `billing-${m.month}`, dueAt: jstStartOfDay(addDays(invoiceDueOn(m.month, config.billing.invoiceDay), 1)), doneAt: m.invoiceIssuedAt ? new Date(m.invoiceIssuedAt) : null })),
    endOfSeason,
  );
  const reportScore = score(
    'REPORT-1 monthly report built',
    `by REPORT_DUE_DAY (${config.reports.dueDay}) of the next month (domain/reports/month.ts)`,
    months.map((m) => ({ id: `report-${m.month}`, dueAt: reportDueAt(m.month, config.reports.dueDay), doneAt: m.reportBuiltAt && !m.reportLate ? new Date(m.reportBuiltAt) : null })),
    endOfSeason,
  );
  const notificationScore = score(
    'ONESTOP-4 申告特例通知書 files',
    `on ONESTOP_NOTIFICATION_DATE (${String(config.onestop.notificationDate.month).padStart(2, '0')}-${String(config.onestop.notificationDate.day).padStart(2, '0')}) (domain/onestop/notification.ts)`,
    run.city.notifications.map((n) => ({ id: `notification-${n.donationYear}`, dueAt: jstStartOfDay(addDays(notificationDueOn(n.donationYear, config.onestop.notificationDate), 1)), doneAt: new Date(n.ranAt) })),
    endOfSeason,
  );

  // Every donation at an end; bad rows quarantined or held, never lost.
  const byStatus = counts(await q(`select status as k, count(*)::int as n from donations group by status`));
  const notFinal = (await q(`select id, status from donations where status not in ('completed', 'cancelled', 'held') order by id limit 20`)).map((r) => `${r.id} (${r.status})`);
  const registered = Object.values(byStatus).reduce((a, b) => a + b, 0);
  const final = (byStatus.completed ?? 0) + (byStatus.cancelled ?? 0) + (byStatus.held ?? 0);
  const quarantinedRows = Number((await q(`select count(*)::int as n from import_quarantine`))[0].n);
  // Donations held for review at intake (released, withdrawn or still held by now), by the finding that held them.
  const heldFlags = counts(
    await q(
      `select f->>'flag' as k, count(*)::int as n from donation_intake i, jsonb_array_elements(i.review_findings) f
        where exists (select 1 from donation_events e where e.donation_id = i.donation_id and e.to_status = 'held') group by 1`,
    ),
  );
  const repeatedRowsUnchanged = Number((await q(`select count(*)::int as n from import_rows where outcome = 'unchanged'`))[0].n);
  const known = new Set((await q<{ id: string }>(`select portal_order_id as id from donations union select portal_order_id from import_quarantine where portal_order_id is not null`)).map((r) => r.id));
  const lost = plan.donations.filter((d) => !known.has(d.orderId)).slice(0, 20).map((d) => d.orderId);
  const plannedBad: Record<string, number> = { ...run.badRows };

  // Per portal: what its files brought in, and where its bad rows went.
  const heldByPortal = counts(await q(`select d.portal_code as k, count(distinct d.id)::int as n from donation_events e join donations d on d.id = e.donation_id where e.to_status = 'held' group by 1`));
  const portals: PortalIntake[] = (
    await q(
      `select f.portal_code as portal, count(*)::int as files, string_agg(distinct f.encoding, ',') as encodings,
              sum((select count(*) from import_rows r where r.file_id = f.id))::int as rows,
              sum(f.created_count)::int as created, sum(f.unchanged_count)::int as unchanged, sum(f.quarantined_count)::int as quarantined
         from import_files f group by f.portal_code order by count(*) desc, f.portal_code`,
    )
  ).map((r) => ({ ...r, held: heldByPortal[r.portal] ?? 0, badRowsPlanned: run.badRowsByPortal[r.portal] ?? 0 }));
  const afterHold = counts(await q(`select to_status as k, count(*)::int as n from donation_events where from_status = 'held' and to_status is not null group by 1`));
  const cleared = {
    quarantine: counts(await q(`select status as k, count(*)::int as n from import_quarantine group by 1`)),
    holdsReleased: Object.entries(afterHold).reduce((n, [k, v]) => n + (k === 'cancelled' ? 0 : v), 0),
    holdsWithdrawn: afterHold.cancelled ?? 0,
    stillHeld: byStatus.held ?? 0,
    // Which ones, with the portal's order id and the findings that hold them, so a miss can be followed up.
    stillHeldDonations: (
      await q(
        `select d.id, d.portal_code, d.portal_order_id, coalesce((select string_agg(f->>'flag', ',') from jsonb_array_elements(i.review_findings) f), '') as flags
           from donations d left join donation_intake i on i.donation_id = d.id where d.status = 'held' order by d.id limit 20`,
      )
    ).map((r) => `${r.id} (${r.portal_code ?? 'hand'} ${r.portal_order_id ?? ''}: ${r.flags || 'no finding'})`),
    operator: run.operator,
  };

  // Nothing done twice.
  const dupDocs = Number((await q(`select count(*)::int as n from (select donation_id from print_batch_items where reason = 'initial' group by donation_id having count(*) > 1) x`))[0].n);
  const dupMails = Number((await q(`select count(*)::int as n from (select template, donation_id, shipment_id from mail_log where status = 'sent' and template in ('pre-shipping', 'thank-you', 'no-gift-notice') group by 1, 2, 3 having count(*) > 1) x`))[0].n);
  const dupShipments = Number((await q(`select count(*)::int as n from (select shipment_id from shipment_events where to_status = 'ordered' group by shipment_id having count(*) > 1) x`))[0].n)
    + Number((await q(`select count(*)::int as n from (select gift_line_id, delivery_no from shipments where attempt = 1 group by 1, 2 having count(*) > 1) x`))[0].n);
  const dupCarrier = Number((await q(`select count(*)::int as n from (select carrier, tracking_number from shipments where tracking_number is not null group by 1, 2 having count(*) > 1) x`))[0].n);
  const residents = plan.donations.filter((d) => d.donor.resident).map((d) => d.orderId);
  const residentsWithShipments = Number((await q(`select count(*)::int as n from shipments s join donations d on d.id = s.donation_id where d.portal_order_id = any (?::text[])`, [residents]))[0].n);

  const posted = Number((await q(`select count(*)::int as n from print_batch_items i join print_batches b on b.id = i.batch_id where b.posted_at is not null`))[0].n);
  const reissues = Number((await q(`select count(*)::int as n from print_batch_items where reason = 'returned_mail'`))[0].n);
  const shipByStatus = counts(await q(`select status as k, count(*)::int as n from shipments group by status`));
  const reshipments = Number((await q(`select count(*)::int as n from shipments where attempt > 1`))[0].n);
  const appsByStatus = counts(await q(`select status as k, count(*)::int as n from onestop_applications group by status`));

  return {
    deadlines: [docsScore, onestopScore, shipScore, billScore, reportScore, notificationScore],
    donations: { planned: plan.donations.length, registered, byStatus, final, notFinal },
    badRows: { planned: plannedBad, quarantinedRows, held: heldFlags, repeatedRowsUnchanged, lost },
    portals,
    cleared,
    duplicates: { documents: dupDocs, mails: dupMails, shipments: dupShipments, carrierRows: dupCarrier },
    residentsWithShipments,
    documents: { envelopesPosted: posted, reissuesAfterReturn: reissues },
    shipping: { shipments: Object.values(shipByStatus).reduce((a, b) => a + b, 0), delivered: shipByStatus.delivered ?? 0, reshipments, byStatus: shipByStatus },
    onestop: { applications: apps.length, byChannel: counts(await q(`select channel as k, count(*)::int as n from onestop_applications group by 1`)), byStatus: appsByStatus, resubmissionsRefused: run.resubmissionsRefused, arrivedLate: appsByStatus.rejected_late ?? 0 },
    months,
    notifications: run.city.notifications,
  };
}
