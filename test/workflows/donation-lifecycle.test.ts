import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { Donation, DonationEvent, Gift } from '../../ledger/entities';
import { registerDonation, type NewDonation } from '../../ledger/donations';
import { donationWorkflow } from '../../workflows';
import { ensureDonationWorkflow } from '../../workflows/donation/client';
import { cancelSignal, correctDonorUpdate, correctShipToUpdate, documentsSentSignal, paymentConfirmedSignal, releaseHoldSignal, statusQuery } from '../../workflows/donation/definitions';
import { eventually, suiteContext, type RunningWorker, type SuiteContext } from '../support/context';
import { newDonation } from '../support/factory';
import { maybeCaptureHistory } from '../support/histories';
import { DonationImportLate, DonationReviewFlags } from '../../domain/search-attributes';
import { documentsDeadline } from '../../domain/deadlines';

let ctx: SuiteContext;
let worker: RunningWorker;

beforeAll(async () => {
  ctx = await suiteContext('lifecycle');
  worker = await ctx.startWorker();
});

afterAll(async () => {
  await ctx?.close();
});

async function registerAndStart(overrides: Partial<NewDonation> = {}) {
  const { donation } = await registerDonation(ctx.orm.em.fork(), newDonation(ctx.prefix, overrides), 'operator:test');
  const handle = await ensureDonationWorkflow(ctx.client, donation, ctx.config);
  return { donation, handle };
}

const statusOf = (handle: { query: (q: typeof statusQuery) => Promise<{ status: string }> }) => handle.query(statusQuery);

async function ledgerRow(id: string) {
  return ctx.orm.em.fork().findOneOrFail(Donation, { id }, { populate: ['donor'] });
}

async function events(id: string) {
  return ctx.orm.em.fork().find(DonationEvent, { donation: id }, { orderBy: { id: 'asc' } });
}

test('a transfer donation goes received → awaiting payment → paid → documents due → sent → completed, and the ledger mirrors every step', async () => {
  const { donation, handle } = await registerAndStart();
  await eventually(() => statusOf(handle), (s) => s.status === 'awaiting_payment');

  const paidAt = new Date(Date.now() - 60_000).toISOString();
  await handle.signal(paymentConfirmedSignal, { actor: 'operator:suzuki', paidAt, reference: 'FURIKOMI-001' });
  const due = await eventually(() => handle.query(statusQuery), (s) => s.status === 'documents_due');
  expect(due.paidAt).toBe(paidAt);
  // Two weeks from the JST day of payment, or Jan 5 for a payment on Dec 29–31 (the rule pinned in deadlines.test.ts).
  const deadline = documentsDeadline(new Date(paidAt));
  expect(due.deadline).toEqual(deadline);
  const expectedDue = deadline.dueOn;

  const row = await ledgerRow(donation.id);
  expect(row.status).toBe('documents_due');
  expect(row.paidAt?.toISOString()).toBe(paidAt);
  expect(row.documentsDueOn).toBe(expectedDue);

  await handle.signal(documentsSentSignal, { actor: 'operator:suzuki', sentAt: new Date().toISOString(), reference: 'BATCH-1' });
  const result = await handle.result();
  expect(result.status).toBe('completed');
  expect(result.alerts).toEqual([]);

  const log = await events(donation.id);
  expect(log.map((e) => [e.kind, e.fromStatus ?? null, e.toStatus ?? null])).toEqual([
    ['created', null, 'received'],
    ['transition', 'received', 'awaiting_payment'],
    ['transition', 'awaiting_payment', 'paid'],
    ['transition', 'paid', 'documents_due'],
    ['transition', 'documents_due', 'documents_sent'],
    ['transition', 'documents_sent', 'completed'],
  ]);
  expect(log[2].actor).toBe('operator:suzuki');
  expect(log[2].reason).toContain('FURIKOMI-001');
  const final = await ledgerRow(donation.id);
  expect(final.status).toBe('completed');
  expect(final.completedAt).toBeInstanceOf(Date);

  // Findable in the Temporal UI by portal, status and dates, and nothing personal is indexed there.
  const description = await handle.describe();
  const byName = Object.fromEntries(description.typedSearchAttributes.getAll().map((pair) => [pair.key.name, pair.value]));
  expect(byName.DonationPortal).toBe('choice');
  expect(byName.DonationStatus).toBe('completed');
  expect(new Date(byName.DonationPaymentDate as Date).toISOString()).toBe(paidAt);
  expect(new Date(byName.DocumentsDeadline as Date).toISOString()).toBe(due.deadline?.dueAt);
  expect(JSON.stringify(byName)).not.toMatch(/山田|ヤマダ|hanako|1234-5678/);
  await maybeCaptureHistory(ctx.client, 'donation-v5-completed', donation.workflowId);
});

test('a second start of the same donation reuses the one workflow, even after it finished', async () => {
  const { donation, handle } = await registerAndStart({ paidAt: '2026-11-20T01:00:00.000Z', paymentMethod: 'credit_card' });
  const again = await ensureDonationWorkflow(ctx.client, donation, ctx.config);
  const first = await handle.describe();
  expect((await again.describe()).runId).toBe(first.runId);

  await expect(
    ctx.client.workflow.start(donationWorkflow, {
      taskQueue: ctx.taskQueue,
      workflowId: donation.workflowId,
      args: [{ donationId: donation.id, portal: 'choice', portalOrderId: donation.portalOrderId, amountYen: 1, paymentMethod: 'credit_card', reviewFlags: [], policy: { reminderLeadDays: 3 } }],
      workflowIdConflictPolicy: 'FAIL',
    }),
  ).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);

  await eventually(() => statusOf(handle), (s) => s.status === 'documents_due');
  await handle.signal(documentsSentSignal, { actor: 'operator:test', sentAt: new Date().toISOString() });
  await handle.result();
  const afterFinish = await ensureDonationWorkflow(ctx.client, donation, ctx.config);
  expect((await afterFinish.describe()).runId).toBe(first.runId);
  const runIds = async () => {
    const ids: string[] = [];
    for await (const run of ctx.client.workflow.list({ query: `WorkflowId = '${donation.workflowId}'` })) ids.push(run.runId);
    return ids;
  };
  // Visibility is eventually consistent: wait until the run shows, then there must be exactly that one.
  expect(await eventually(runIds, (ids) => ids.length > 0)).toEqual([first.runId]);
});

test('an invalid donor correction is rejected before it reaches history; a valid one is applied with who, when, before/after and why', async () => {
  const { donation, handle } = await registerAndStart();
  await eventually(() => statusOf(handle), (s) => s.status === 'awaiting_payment');

  const rejected = handle.executeUpdate(correctDonorUpdate, {
    args: [{ actor: 'operator:sato', reason: 'donor phoned', changes: { postalCode: '12-34', nameKana: 'yamada' } }],
  });
  await expect(rejected).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
  await expect(rejected).rejects.toMatchObject({ cause: { message: expect.stringMatching(/changes\.postalCode.*changes\.nameKana/) } });
  const before = await handle.fetchHistory();
  const updateEvents = (before.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes || e.workflowExecutionUpdateCompletedEventAttributes);
  expect(updateEvents).toHaveLength(0);
  expect((await ledgerRow(donation.id)).donor.postalCode).toBe('100-0001');

  const result = await handle.executeUpdate(correctDonorUpdate, {
    args: [{ actor: 'operator:sato', reason: 'moved house (phone call 11/25)', changes: { postalCode: '8328601', address: '千代田区丸の内2-2' } }],
  });
  expect(result.changed.sort()).toEqual(['address', 'postalCode']);
  const row = await ledgerRow(donation.id);
  expect(row.donor.postalCode).toBe('832-8601');
  expect(row.donor.address).toBe('千代田区丸の内2-2');
  const correction = (await events(donation.id)).find((e) => e.kind === 'donor_correction');
  expect(correction).toMatchObject({
    actor: 'operator:sato',
    reason: 'moved house (phone call 11/25)',
    before: { postalCode: '100-0001', address: '千代田区千代田1-1' },
    after: { postalCode: '832-8601', address: '千代田区丸の内2-2' },
  });
  expect((await handle.query(statusQuery)).corrections).toBe(1);
  await handle.signal(cancelSignal, { actor: 'operator:sato', reason: 'test cleanup' });
  await handle.result();
  await maybeCaptureHistory(ctx.client, 'donation-v5-corrected-cancelled', donation.workflowId);
});

test('the 送付先 correction is the workflow\'s: an invalid one is rejected before history, a valid one written by its activity; none once the workflow has finished', async () => {
  const { donation, handle } = await registerAndStart();
  await eventually(() => statusOf(handle), (s) => s.status === 'awaiting_payment');
  const rejected = handle.executeUpdate(correctShipToUpdate, { args: [{ actor: 'operator:sato', reason: '電話', shipTo: { name: '柳川 花子', postalCode: '81200', address: '柳川市本町2' } }] });
  await expect(rejected).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
  await expect(rejected).rejects.toMatchObject({ cause: { message: expect.stringContaining('shipTo.postalCode') } });
  const history = await handle.fetchHistory();
  expect((history.events ?? []).filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes)).toHaveLength(0);

  const result = await handle.executeUpdate(correctShipToUpdate, { args: [{ actor: 'operator:sato', reason: '実家宛', shipTo: { name: '柳川 花子', postalCode: '８３２００６５', prefecture: '福岡県', address: '柳川市本町2' } }] });
  expect(result).toEqual({ before: null, after: { name: '柳川 花子', nameKana: '', postalCode: '832-0065', prefecture: '福岡県', address: '柳川市本町2' } });
  const event = (await events(donation.id)).find((e) => e.kind === 'ship_to_corrected');
  expect(event).toMatchObject({ actor: 'operator:sato', reason: '実家宛', before: { shipTo: null }, after: { shipTo: { postalCode: '832-0065' } } });
  // Written by the workflow's activity, under the workflow's idempotency key.
  expect(event!.idempotencyKey).toMatch(new RegExp(`^${donation.workflowId}#\\d+$`));

  await handle.signal(cancelSignal, { actor: 'operator:sato', reason: 'test cleanup' });
  await handle.result();
  await expect(handle.executeUpdate(correctShipToUpdate, { args: [{ actor: 'operator:sato', reason: '遅い', shipTo: null }] })).rejects.toBeInstanceOf(WorkflowNotFoundError);
});

test('cancel stops an unpaid donation and is recorded with its reason', async () => {
  const { donation, handle } = await registerAndStart();
  await eventually(() => statusOf(handle), (s) => s.status === 'awaiting_payment');
  await handle.signal(cancelSignal, { actor: 'operator:kimura', reason: '寄附者から取消の連絡' });
  const result = await handle.result();
  expect(result.status).toBe('cancelled');
  expect(result.cancelReason).toBe('寄附者から取消の連絡');
  const row = await ledgerRow(donation.id);
  expect(row.status).toBe('cancelled');
  expect(row.cancelledAt).toBeInstanceOf(Date);
  const last = (await events(donation.id)).at(-1);
  expect(last).toMatchObject({ kind: 'transition', fromStatus: 'awaiting_payment', toStatus: 'cancelled', actor: 'operator:kimura', reason: '寄附者から取消の連絡' });
});

test('a flagged donation is held for review until an operator releases it', async () => {
  const em = ctx.orm.em.fork();
  const code = `${ctx.prefix}-G1`;
  em.create(Gift, { code, name: 'あまおう 1kg', priceYen: 12_000, costYen: 3_000, shippingCostYen: 900, active: true });
  await em.flush();
  const { donation, handle } = await registerAndStart({
    donor: { name: '柳川 太郎', nameKana: 'ヤナガワ タロウ', postalCode: '832-0021', prefecture: '福岡県', address: '柳川市本町1', phone: '0944-00-0000' },
    amountYen: 12_000,
    gifts: [{ code, quantity: 1 }],
  });
  expect(donation.reviewFlags).toEqual(['yanagawa_resident_with_gift']);
  await eventually(() => statusOf(handle), (s) => s.status === 'held');
  expect((await ledgerRow(donation.id)).status).toBe('held');
  // The finding code (not the address that raised it) is what the Temporal UI filters on.
  expect((await handle.describe()).typedSearchAttributes.get(DonationReviewFlags)).toEqual(['yanagawa_resident_with_gift']);
  const listed = await eventually(
    async () => {
      const ids: string[] = [];
      for await (const w of ctx.client.workflow.list({ query: `WorkflowId = '${donation.workflowId}' AND DonationReviewFlags = 'yanagawa_resident_with_gift' AND DonationStatus = 'held'` })) ids.push(w.workflowId);
      return ids;
    },
    (ids) => ids.length === 1,
  );
  expect(listed).toEqual([donation.workflowId]);

  await handle.signal(releaseHoldSignal, { actor: 'operator:mori', reason: '返礼品なしに変更することを寄附者と確認' });
  const after = await eventually(() => handle.query(statusQuery), (s) => s.status === 'awaiting_payment');
  expect(after.reviewFlags).toEqual([]);
  const release = (await events(donation.id)).find((e) => e.fromStatus === 'held');
  expect(release).toMatchObject({ toStatus: 'awaiting_payment', actor: 'operator:mori', reason: 'review cleared: 返礼品なしに変更することを寄附者と確認' });
  expect((await handle.describe()).typedSearchAttributes.get(DonationReviewFlags)).toBeUndefined();
  await handle.signal(cancelSignal, { actor: 'operator:mori', reason: 'test cleanup' });
  await handle.result();
  await maybeCaptureHistory(ctx.client, 'donation-v5-held-released', donation.workflowId);
});

test('a portal import that missed the next-business-day SLA is findable as late in the Temporal UI; hand entry carries no SLA', async () => {
  const { donation: late } = await registerDonation(ctx.orm.em.fork(), newDonation(ctx.prefix), 'system:portal-import');
  const lateHandle = await ensureDonationWorkflow(ctx.client, late, ctx.config, { importLate: true });
  const { donation: onTime } = await registerDonation(ctx.orm.em.fork(), newDonation(ctx.prefix), 'system:portal-import');
  const onTimeHandle = await ensureDonationWorkflow(ctx.client, onTime, ctx.config, { importLate: false });
  const { handle: byHand } = await registerAndStart();
  for (const h of [lateHandle, onTimeHandle, byHand]) await eventually(() => statusOf(h), (s) => s.status === 'awaiting_payment');
  expect((await lateHandle.describe()).typedSearchAttributes.get(DonationImportLate)).toBe(true);
  expect((await onTimeHandle.describe()).typedSearchAttributes.get(DonationImportLate)).toBe(false);
  expect((await byHand.describe()).typedSearchAttributes.get(DonationImportLate)).toBeUndefined();
  const ids = [late, onTime].map((d) => `'${d.workflowId}'`).join(', ');
  const found = await eventually(
    async () => {
      const out: string[] = [];
      for await (const w of ctx.client.workflow.list({ query: `WorkflowId IN (${ids}) AND DonationImportLate = true` })) out.push(w.workflowId);
      return out;
    },
    (out) => out.length === 1,
  );
  expect(found).toEqual([late.workflowId]);
  for (const h of [lateHandle, onTimeHandle, byHand]) await h.signal(cancelSignal, { actor: 'operator:test', reason: 'test cleanup' });
});

test('a worker restart mid-lifecycle loses nothing: signals sent while it is down are processed by the next worker', async () => {
  const { donation, handle } = await registerAndStart();
  await eventually(() => statusOf(handle), (s) => s.status === 'awaiting_payment');
  await worker.stop();

  const paidAt = new Date().toISOString();
  await handle.signal(paymentConfirmedSignal, { actor: 'operator:restart', paidAt });
  await new Promise((r) => setTimeout(r, 500));
  expect((await ledgerRow(donation.id)).status).toBe('awaiting_payment');

  worker = await ctx.startWorker();
  await eventually(() => ledgerRow(donation.id), (row) => row.status === 'documents_due');
  await handle.signal(documentsSentSignal, { actor: 'operator:restart', sentAt: new Date().toISOString() });
  expect((await handle.result()).status).toBe('completed');
  const transitions = (await events(donation.id)).filter((e) => e.kind === 'transition').map((e) => e.toStatus);
  expect(transitions).toEqual(['awaiting_payment', 'paid', 'documents_due', 'documents_sent', 'completed']);
});
