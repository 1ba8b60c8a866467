import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import { documentsDeadline, isPrintDay } from '../../domain/deadlines';
import { addDays, jstDate } from '../../domain/jst';
import { registerDonation } from '../../ledger/donations';
import { printBatchWorkflow } from '../../workflows';
import { batchPostedSignal, printBatchStatusQuery, type PrintBatchView } from '../../workflows/documents/definitions';
import { eventually } from '../support/context';
import { newDonation } from '../support/factory';
import { timeSkippingContext, type TimeSkippingContext } from '../support/time-skipping';

/**
 * DOCS-1 over the year end on a time-skipping server: a donation paid on each day Dec 14 – 31, the
 * scheduled print run every day (skipping closed days: weekends, holidays, Dec 29 – Jan 3), two payments a
 * day against an envelope limit of 1 so that the backlog is real, and the printer posting each batch the day it runs. Every
 * donation must be posted by its deadline (14 days, or Jan 5 for Dec 29 – 31).
 *
 * The year is the first whose December 14 has not begun in Japan and whose Jan 4 is a Saturday (2030
 * → Jan 4 – 5, 2031 a weekend): the hard case, where a donation paid in the closure has no open day
 * before its Jan 5 deadline. Batches are limited to this suite's donations.
 */
const Y = (() => {
  const today = jstDate(new Date());
  let y = Number(today.slice(0, 4));
  if (today >= `${y}-12-14`) y += 1;
  while (new Date(`${y + 1}-01-04T00:00:00Z`).getUTCDay() !== 6) y += 1;
  return y;
})();
const Y1 = Y + 1;
let ctx: TimeSkippingContext;
let client: Client;
const prefix = `ye-${randomUUID().slice(0, 6)}`;
const paid: { id: string; paidOn: string; dueOn: string; dueAt: string }[] = [];
const runs: { on: string; view: PrintBatchView }[] = [];

beforeAll(async () => {
  ctx = await timeSkippingContext('year-end-print');
  client = ctx.env.client;
});

afterAll(async () => {
  await ctx?.close();
});

async function advanceTo(iso: string): Promise<void> {
  const { time } = await ctx.env.connection.testService!.getCurrentTime({});
  const ms = Date.parse(iso) - (Number(time?.seconds ?? 0) * 1000 + Math.floor((time?.nanos ?? 0) / 1e6));
  if (ms > 0) await ctx.env.sleep(ms);
}

/** A donation paid that day (JST), its documents due as the DonationWorkflow records them. */
async function donationPaidOn(day: string, time: string): Promise<void> {
  const paidAt = new Date(`${day}T${time}+09:00`);
  const { donation } = await registerDonation(
    ctx.orm.em.fork(),
    newDonation(prefix, { paymentMethod: 'credit_card', appliedAt: new Date(paidAt.getTime() - 3_600_000).toISOString(), paidAt: paidAt.toISOString(), wantsOneStop: false }),
    'operator:test',
  );
  const deadline = documentsDeadline(paidAt);
  await ctx.orm.em.getKnex()('donations').where({ id: donation.id }).update({ status: 'documents_due', paid_at: paidAt, documents_due_on: deadline.dueOn, documents_due_at: deadline.dueAt });
  paid.push({ id: donation.id, paidOn: day, dueOn: deadline.dueOn, dueAt: deadline.dueAt });
}

/** The scheduled run of that day (10:00 JST), for this suite's donations; the printer posts what it prints at 17:00. */
async function scheduledRun(day: string): Promise<PrintBatchView> {
  const handle = await client.workflow.start(printBatchWorkflow, {
    taskQueue: ctx.taskQueue,
    workflowId: `print-batch/${prefix}-${day}`,
    args: [{ kind: 'scheduled', requestedBy: 'system:schedule', donationIds: paid.map((p) => p.id), maxEnvelopes: 1, runOnClosedDays: false, on: day, confirmReminderAfter: '10 days' }],
  });
  // Polled, not awaited: awaiting the result would let the server skip past the printer's confirmation.
  const view = await eventually(() => handle.query(printBatchStatusQuery), (v) => ['skipped_closed_day', 'empty', 'handed_off'].includes(v.status), 60_000);
  if (view.status !== 'handed_off') return handle.result();
  await advanceTo(`${day}T17:00:00+09:00`);
  await handle.signal(batchPostedSignal, { actor: 'printer:test', postedAt: new Date(`${day}T17:00:00+09:00`).toISOString() });
  return handle.result();
}

test(`payments on each day Dec 14 – 31, ${Y} are all posted by their DOCS-1 deadline, the year-end closure and a Jan 5 weekend notwithstanding`, async () => {
  for (let day = `${Y}-12-14`; day <= `${Y1}-01-14`; day = addDays(day, 1)) {
    await advanceTo(`${day}T09:00:00+09:00`);
    // Two a day against a limit of one envelope a run: the backlog grows until the closure.
    if (day <= `${Y}-12-31`) for (const time of ['09:00:00', '09:30:00']) await donationPaidOn(day, time);
    await advanceTo(`${day}T10:00:00+09:00`);
    runs.push({ on: day, view: await scheduledRun(day) });
  }
  expect(paid).toHaveLength(36);

  const { rows } = await ctx.orm.em.getKnex().raw(
    `select i.donation_id, b.posted_at from print_batch_items i join print_batches b on b.id = i.batch_id where i.donation_id = any (?::uuid[]) and i.reason = 'initial'`,
    [`{${paid.map((p) => p.id).join(',')}}`],
  );
  const postedAt = new Map<string, string>(rows.map((r: any) => [r.donation_id, new Date(r.posted_at).toISOString()]));
  const outcome = paid.map((p) => ({ paidOn: p.paidOn, dueOn: p.dueOn, postedOn: postedAt.has(p.id) ? jstDate(new Date(postedAt.get(p.id)!)) : null, met: postedAt.has(p.id) && postedAt.get(p.id)! <= p.dueAt }));
  expect(outcome.filter((o) => !o.met)).toEqual([]);

  // Dec 29 – 31: closed, but their Jan 5 comes before the next print day (Jan 6): those runs happen anyway, and only those.
  const closedDayRuns = runs.filter((r) => r.view.closedDayRun).map((r) => r.on);
  expect(closedDayRuns).toEqual([`${Y}-12-29`, `${Y}-12-30`, `${Y}-12-31`]);
  for (const r of runs.filter((x) => !isPrintDay(x.on) && !x.view.closedDayRun)) expect(r.view.status).toBe('skipped_closed_day');
  expect([...new Set(outcome.filter((o) => o.paidOn >= `${Y}-12-29`).map((o) => o.postedOn))]).toEqual([`${Y}-12-29`, `${Y}-12-30`, `${Y}-12-31`]);

  // The last run before the closure (Dec 27, a Friday) takes everything due by Jan 5, beyond its limit of one envelope.
  const lastBefore = runs.find((r) => r.on === `${Y}-12-27`)!.view;
  expect(lastBefore.envelopes).toBeGreaterThan(1);
  expect(outcome.filter((o) => o.postedOn === `${Y}-12-27`).map((o) => o.dueOn <= `${Y1}-01-05`)).toEqual(Array(lastBefore.envelopes).fill(true));
  expect(outcome.filter((o) => o.dueOn >= `${Y}-12-28` && o.dueOn <= `${Y1}-01-05` && o.paidOn <= `${Y}-12-27`).every((o) => o.postedOn! <= `${Y}-12-27`)).toBe(true);
  // After it, the open days take each document by its own deadline.
  expect(outcome.filter((o) => o.postedOn! >= `${Y1}-01-06`).every((o) => o.dueOn >= `${Y1}-01-06`)).toBe(true);
});
