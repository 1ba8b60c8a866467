import { randomUUID } from 'node:crypto';
import { billingRunId } from '../../domain/billing/month';
import { billingSchedule } from '../../workflows/billing/schedule';
import { billingPolicy } from '../../workflows/billing/client';
import { billingStatusQuery } from '../../workflows/billing/definitions';
import { scheduledBillingWorkflow } from '../../workflows';
import { apiSuite, type TestApi } from '../support/api';
import { eventually, type SuiteContext } from '../support/context';
import { maybeCaptureHistory } from '../support/histories';
import { ensureAndDescribe, expectJapanTimeStart, inOwnNamespace } from '../support/schedules';
import { billingSeed } from './seed';

let ctx: SuiteContext;
let api: TestApi;
const run = randomUUID().slice(0, 6);
const S = `bs-s-${run}`;

beforeAll(async () => {
  // These runs are about the schedule, not the report inspection (REPORT-1) the invoice would otherwise wait for.
  ({ ctx, api } = await apiSuite('billing-schedule', { suppliers: { [S]: `tok-${S}-000000` }, worker: true, env: { BILL_REQUIRE_REPORT_INSPECTION: 'false' } }));
  const knex = ctx.orm.em.getKnex();
  const seed = billingSeed(knex, () => ctx.orm.em.fork(), `bs-${run}`);
  const s = await seed.supplier(S, '柳川さげもん工房');
  await seed.gift(`bs-g-${run}`, s, { name: 'さげもん', priceYen: 20_000, costYen: 6_000, shippingCostYen: 1_000 });
  const d = await seed.donation({ amountYen: 20_000, paidAt: '2026-10-03T03:00:00Z', gifts: [[`bs-g-${run}`, 1]] });
  await seed.shipment(d, `bs-g-${run}`, { shippedOn: '2026-10-08' });
});

afterAll(async () => {
  await api?.close();
});

test('billing runs on the 1st at the configured time in Japan for the previous month (BILL-3); a changed time updates the schedule', async () => {
  // Its own namespace, so the schedule can never bill other suites' rows.
  await inOwnNamespace('billing-schedule', async (client) => {
    let d = await ensureAndDescribe(client, billingSchedule);
    expectJapanTimeStart(d, 'scheduledBillingWorkflow');
    expect(d.spec.calendars?.[0]).toMatchObject({ dayOfMonth: [{ start: 1, end: 1, step: 1 }], hour: [{ start: 6, end: 6, step: 1 }], minute: [{ start: 0, end: 0, step: 1 }] });
    d = await ensureAndDescribe(client, billingSchedule, { BILL_RUN_TIME: '07:30' });
    expect(d.spec.calendars?.[0]).toMatchObject({ hour: [{ start: 7, end: 7, step: 1 }], minute: [{ start: 30, end: 30, step: 1 }] });
    await client.schedule.getHandle(billingSchedule.id).delete();
  });
});

test("the schedule's launcher starts the previous month under its month's id, once; a month past the 10th escalates at once", async () => {
  const scope = { label: `bs-${run}`, suppliers: [S] };
  // The schedule fired on 2026-11-01 06:00 in Japan: the previous month is October, whose 10th (Nov 10) is past.
  const args = [{ requestedBy: 'system:schedule', policy: billingPolicy(ctx.config), scope, at: '2026-10-31T21:00:00Z' }] as const;
  const first = await ctx.client.workflow.execute(scheduledBillingWorkflow, { taskQueue: ctx.taskQueue, workflowId: `billing-scheduled-${run}`, args: [...args] });
  expect(first).toEqual({ month: '2026-10', workflowId: billingRunId('2026-10', scope.label), started: true });
  const again = await ctx.client.workflow.execute(scheduledBillingWorkflow, { taskQueue: ctx.taskQueue, workflowId: `billing-scheduled-${run}-2`, args: [...args] });
  expect(again.started).toBe(false);
  const view = await eventually(() => ctx.client.workflow.getHandle(first.workflowId).query(billingStatusQuery), (v) => v.stage === 'awaiting_confirmation' && v.escalatedAt !== undefined);
  expect(view.statements).toEqual([{ supplierCode: S, revision: 1, status: 'sent' }]);
  await maybeCaptureHistory(ctx.client, 'billing-v1-scheduled-launcher', `billing-scheduled-${run}`);
  await ctx.client.workflow.getHandle(first.workflowId).terminate('test done');
});

test('on demand through the API: operators start a month (suppliers may not); label and suppliers go together', async () => {
  expect((await api.post('/billing/runs', { month: '2026-09' }, S)).statusCode).toBe(403);
  expect((await api.post('/billing/runs', { month: '2026-13' })).statusCode).toBe(400);
  expect((await api.post('/billing/runs', { month: '2026-09', label: `bs2-${run}` })).statusCode).toBe(400);
  const started = await api.post('/billing/runs', { month: '2026-09', label: `bs2-${run}`, suppliers: [S] });
  expect(started.statusCode).toBe(201);
  expect(started.json()).toEqual({ runId: billingRunId('2026-09', `bs2-${run}`), started: true });
  expect((await api.post('/billing/runs', { month: '2026-09', label: `bs2-${run}`, suppliers: [S] })).statusCode).toBe(200);
  // September had no shipments of this supplier: no statement, the invoice goes out at once (fees only).
  const view = await eventually(
    async () => (await api.get(`/billing/runs/2026-09?label=bs2-${run}`, 'city')).json(),
    (v) => v.workflow?.stage === 'invoice_issued',
    60_000,
  );
  expect(view.statements).toEqual([]);
  expect(view.invoices[0]).toMatchObject({ revision: 1, status: 'issued' });
  await ctx.client.workflow.getHandle(started.json().runId).terminate('test done');
});
