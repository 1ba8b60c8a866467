import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Orm } from '../../ledger/orm';
import { timeSkippingContext, type TimeSkippingContext } from '../support/time-skipping';
import { Donation, DonationEvent } from '../../ledger/entities';
import { registerDonation } from '../../ledger/donations';
import { donationWorkflow } from '../../workflows';
import { donationWorkflowInput } from '../../workflows/donation/client';
import { cancelSignal, documentsSentSignal, releaseHoldSignal, statusQuery } from '../../workflows/donation/definitions';
import { newDonation } from '../support/factory';
import { maybeCaptureHistory } from '../support/histories';
import { documentsDeadline } from '../../domain/deadlines';
import { jstDate, jstStartOfDay } from '../../domain/jst';

/**
 * DOCS-1 deadlines against the time-skipping test server: two weeks and the
 * year-end rule, with the reminder and the escalation firing on their own.
 */
let ctx: TimeSkippingContext;
let env: TestWorkflowEnvironment;
let orm: Orm;
let taskQueue: string;
const prefix = `deadlines-${Date.now()}`;
const config = { donation: { reminderLeadDays: 3, atRiskDays: 3, returnWindowDays: 0, reviewReminderHours: 24, reviewEscalationHours: 72 } };

beforeAll(async () => {
  ctx = await timeSkippingContext('deadlines');
  ({ env, orm, taskQueue } = ctx);
});

afterAll(async () => {
  await ctx?.close();
});

async function start(paidAt: Date) {
  const { donation } = await registerDonation(orm.em.fork(), newDonation(prefix, { paymentMethod: 'credit_card', paidAt: paidAt.toISOString() }), 'operator:test');
  const handle = await env.client.workflow.start(donationWorkflow, {
    taskQueue,
    workflowId: donation.workflowId,
    args: [donationWorkflowInput(donation, config)],
  });
  return { donation, handle };
}

/** Moves the server's clock on by `duration` (timers due meanwhile fire) and answers the workflow's status then. */
async function viewAfter(handle: Awaited<ReturnType<typeof start>>['handle'], duration: Parameters<TestWorkflowEnvironment['sleep']>[0]) {
  await env.sleep(duration);
  return handle.query(statusQuery);
}

const alertsInLedger = async (id: string) =>
  (await orm.em.fork().find(DonationEvent, { donation: id, kind: { $in: ['deadline_reminder', 'deadline_escalation'] } }, { orderBy: { id: 'asc' } })).map((e) => e.kind);

/**
 * An instant on the server's clock from which the two-week rule applies: the server starts at the
 * real time, and a payment on Dec 29–31 (JST) falls under the year-end rule instead, so on those
 * days the clock is first moved to 10:00 on Jan 1 in Japan.
 */
async function ordinaryPaymentTime(): Promise<Date> {
  const now = new Date(await env.currentTimeMs());
  if (documentsDeadline(now).rule === 'two-weeks') return now;
  const jan1 = new Date(jstStartOfDay(`${Number(jstDate(now).slice(0, 4)) + 1}-01-01`).getTime() + 10 * 3_600_000);
  await env.sleep(jan1.getTime() - now.getTime());
  return new Date(await env.currentTimeMs());
}

/**
 * A timer fires at its time or shortly after it, never before. "Shortly": the test server's clock runs
 * in real time between skips, so on a loaded machine the workflow task that records the alert may
 * start seconds late (1.9 s seen with the suite beside other work); a day or an hour off still fails.
 */
function expectAround(actual: string, expectedMs: number) {
  expect(Date.parse(actual)).toBeGreaterThanOrEqual(expectedMs);
  expect(Date.parse(actual)).toBeLessThan(expectedMs + 10_000);
}

test('documents not sent within two weeks: a reminder 3 days before, an escalation when the deadline passes, both in the ledger', async () => {
  const paidAt = await ordinaryPaymentTime();
  const { donation, handle } = await start(paidAt);

  let view = await viewAfter(handle, '10 days');
  expect(view.status).toBe('documents_due');
  expect(view.alerts).toEqual([]);

  view = await viewAfter(handle, '2 days');
  expect(view.alerts.map((a) => a.kind)).toEqual(['reminder']);
  // Due on day 14 (JST); the reminder fires 3 days before the end of that day.
  expectAround(view.alerts[0].at, Date.parse(view.deadline!.dueAt) - 3 * 86_400_000);
  expect(await alertsInLedger(donation.id)).toEqual(['deadline_reminder']);

  view = await viewAfter(handle, '3 days');
  expect(view.alerts.map((a) => a.kind)).toEqual(['reminder', 'escalation']);
  expectAround(view.alerts[1].at, Date.parse(view.deadline!.dueAt));
  const row = await orm.em.fork().findOneOrFail(Donation, { id: donation.id });
  expect(row.escalatedAt?.toISOString()).toBe(view.alerts[1].at);
  expect(await alertsInLedger(donation.id)).toEqual(['deadline_reminder', 'deadline_escalation']);

  // Late documents still complete the donation; the escalation stays on record.
  await handle.signal(documentsSentSignal, { actor: 'operator:late', sentAt: new Date(await env.currentTimeMs()).toISOString() });
  expect((await handle.result()).status).toBe('completed');
  await maybeCaptureHistory(env.client, 'donation-v5-escalated', donation.workflowId);
});

test('a payment on Dec 30 is due on Jan 5, not two weeks later', async () => {
  const now = new Date(await env.currentTimeMs());
  let year = now.getUTCFullYear();
  if (now.getTime() >= Date.UTC(year, 11, 29, 0)) year += 1;
  // 12:00 JST on Dec 30.
  const paidAt = new Date(Date.UTC(year, 11, 30, 3));
  await env.sleep(paidAt.getTime() - now.getTime());

  const { donation, handle } = await start(paidAt);
  const view = await viewAfter(handle, '1 day');
  expect(view.deadline).toEqual({ dueOn: `${year + 1}-01-05`, dueAt: new Date(Date.UTC(year + 1, 0, 5, 15)).toISOString(), rule: 'year-end' });
  const row = await orm.em.fork().findOneOrFail(Donation, { id: donation.id });
  expect(row.documentsDueOn).toBe(`${year + 1}-01-05`);

  // Sent on Jan 4: the reminder (Jan 3, end of day minus 3 days) fired, the escalation never does.
  await env.sleep('5 days');
  await handle.signal(documentsSentSignal, { actor: 'operator:yearend', sentAt: new Date(await env.currentTimeMs()).toISOString() });
  const result = await handle.result();
  expect(result.status).toBe('completed');
  expect(result.alerts.map((a) => a.kind)).toEqual(['reminder']);
  expect(await alertsInLedger(donation.id)).toEqual(['deadline_reminder']);
  await maybeCaptureHistory(env.client, 'donation-v5-year-end', donation.workflowId);
});

test('documents sent in time raise no alert at all', async () => {
  const { donation, handle } = await start(await ordinaryPaymentTime());
  await env.sleep('3 days');
  await handle.signal(documentsSentSignal, { actor: 'operator:ontime', sentAt: new Date(await env.currentTimeMs()).toISOString() });
  const result = await handle.result();
  expect(result.alerts).toEqual([]);
  expect(await alertsInLedger(donation.id)).toEqual([]);
});

test('a review hold left undecided reminds after 24 h and escalates after 72 h, then waits for the operator', async () => {
  // Missing phone is an INTAKE-4 finding: the donation is held before anything is sent.
  const { donation } = await registerDonation(
    orm.em.fork(),
    newDonation(prefix, { paymentMethod: 'credit_card', paidAt: new Date(await env.currentTimeMs()).toISOString(), donor: { ...newDonation(prefix).donor, phone: '' } }),
    'operator:test',
  );
  expect(donation.reviewFlags).toEqual(['missing_phone']);
  const heldAt = await env.currentTimeMs();
  const handle = await env.client.workflow.start(donationWorkflow, { taskQueue, workflowId: donation.workflowId, args: [donationWorkflowInput(donation, config)] });

  let view = await viewAfter(handle, '23 hours');
  expect(view.status).toBe('held');
  expect(view.alerts).toEqual([]);

  view = await viewAfter(handle, '2 hours');
  expect(view.alerts.map((a) => a.kind)).toEqual(['review_reminder']);
  expectAround(view.alerts[0].at, heldAt + 24 * 3_600_000);

  view = await viewAfter(handle, '48 hours');
  expect(view.alerts.map((a) => a.kind)).toEqual(['review_reminder', 'review_escalation']);
  expectAround(view.alerts[1].at, heldAt + 72 * 3_600_000);
  const logged = await orm.em.fork().find(DonationEvent, { donation: donation.id, kind: { $in: ['review_reminder', 'review_escalation'] } }, { orderBy: { id: 'asc' } });
  expect(logged.map((e) => [e.kind, e.actor])).toEqual([
    ['review_reminder', 'system:review'],
    ['review_escalation', 'system:review'],
  ]);
  expect(logged[0].reason).toBe('held for review 24 h without a decision (missing_phone)');
  expect(logged[1].reason).toBe('held for review 72 h without a decision: escalated (missing_phone)');

  // Nothing more fires while it waits; the operator's release continues the lifecycle.
  view = await viewAfter(handle, '30 days');
  expect(view.status).toBe('held');
  expect(view.alerts).toHaveLength(2);
  await handle.signal(releaseHoldSignal, { actor: 'operator:mori', reason: '電話番号を確認' });
  await env.sleep('1 hour');
  expect((await handle.query(statusQuery)).status).toBe('documents_due');
  await handle.signal(cancelSignal, { actor: 'operator:mori', reason: 'test cleanup' });
  expect((await handle.result()).status).toBe('cancelled');
  await maybeCaptureHistory(env.client, 'donation-v5-review-escalated', donation.workflowId);
});

test('a hold decided within a day raises no review alert', async () => {
  const { donation } = await registerDonation(orm.em.fork(), newDonation(prefix, { donor: { ...newDonation(prefix).donor, phone: '' } }), 'operator:test');
  const handle = await env.client.workflow.start(donationWorkflow, { taskQueue, workflowId: donation.workflowId, args: [donationWorkflowInput(donation, config)] });
  await env.sleep('20 hours');
  await handle.signal(cancelSignal, { actor: 'operator:mori', reason: '寄附者から取消' });
  const result = await handle.result();
  expect(result.status).toBe('cancelled');
  expect(result.alerts).toEqual([]);
  expect(await orm.em.fork().count(DonationEvent, { donation: donation.id, kind: { $in: ['review_reminder', 'review_escalation'] } })).toBe(0);
});
