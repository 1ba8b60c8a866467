import { randomUUID } from 'node:crypto';
import { billingRunId } from '../../domain/billing/month';
import { ensureBillingRun } from '../../ledger/billing';
import { apiSuite, type TestApi } from '../support/api';
import type { SuiteContext } from '../support/context';

/**
 * REPORT-1 (spec 10(1), 13): the city inspects the monthly report — passes it, or returns it with the
 * reason; the returned report is rebuilt as the next revision and inspected in its turn; decisions are
 * never rewritten; the month's billing run shows whether its report has passed. July 2019 is this
 * suite's month (no other suite uses it); its built revisions are written as the report workflow
 * leaves them (the build itself is test/reports/monthly-report.test.ts's).
 */
const MONTH = '2019-07';
let ctx: SuiteContext;
let api: TestApi;

beforeAll(async () => {
  ({ ctx, api } = await apiSuite('report-inspection'));
});

afterAll(async () => {
  await api?.close();
});

async function builtRevision(revision: number): Promise<void> {
  await ctx.orm.em.getKnex()('monthly_reports').insert({
    id: randomUUID(),
    month: `${MONTH}-01`,
    revision,
    status: 'built',
    kind: 'on_demand',
    requested_by: 'operator:test',
    workflow_id: `report-${MONTH}`,
    build_key: `inspection-test-${randomUUID()}`,
    due_on: '2019-08-10',
    built_at: new Date(),
  });
}

const inspect = (body: object, as: 'city' | 'operator' | 'admin' = 'city') => api.post(`/reports/monthly/${MONTH}/inspection`, body, as);
const state = async () => (await api.get(`/reports/monthly/${MONTH}/inspection`, 'city')).json();

test('a report is inspected once built: before that there is nothing to decide', async () => {
  expect(await state()).toEqual({ month: MONTH, status: 'not_built', revision: null, inspections: [] });
  expect((await inspect({ revision: 1, decision: 'pass' })).statusCode).toBe(404);
  await builtRevision(1);
  expect(await state()).toMatchObject({ status: 'awaiting_inspection', revision: 1 });
});

test('a return needs a reason (400 naming it); only the city (or an admin) decides; only the latest revision', async () => {
  for (const body of [{ revision: 1, decision: 'return' }, { revision: 1, decision: 'return', reason: '   ' }]) {
    const res = await inspect(body);
    expect(res.statusCode).toBe(400);
    expect(res.json().fields).toEqual([expect.objectContaining({ field: 'reason' })]);
  }
  expect((await inspect({ revision: 1, decision: 'pass' }, 'operator')).statusCode).toBe(403);
  expect((await inspect({ revision: 2, decision: 'pass' })).statusCode).toBe(409);
  expect((await inspect({ revision: 1, decision: 'approve' })).statusCode).toBe(400);
  expect((await state()).inspections).toEqual([]);
});

test('the city returns the report with its reason; the rebuilt revision is inspected and passes; both decisions stay (REPORT-1)', async () => {
  const returned = await inspect({ revision: 1, decision: 'return', reason: 'コールセンター応対件数の内訳が記載されていない' });
  expect(returned.statusCode).toBe(200);
  expect(returned.json()).toMatchObject({ status: 'returned', revision: 1, inspections: [{ revision: 1, decision: 'returned', reason: 'コールセンター応対件数の内訳が記載されていない', decidedBy: expect.stringMatching(/^city:/) }] });
  // Decided once.
  expect((await inspect({ revision: 1, decision: 'pass' })).statusCode).toBe(409);

  await builtRevision(2);
  expect(await state()).toMatchObject({ status: 'awaiting_inspection', revision: 2 });
  expect((await api.get(`/reports/monthly/${MONTH}`, 'city')).json().inspection).toMatchObject({ status: 'awaiting_inspection', revision: 2 });
  expect((await inspect({ revision: 1, decision: 'pass' })).statusCode).toBe(409);
  const passed = await inspect({ revision: 2, decision: 'pass' });
  expect(passed.json()).toMatchObject({ status: 'passed', revision: 2 });
  expect(passed.json().inspections.map((i: any) => [i.revision, i.decision])).toEqual([
    [1, 'returned'],
    [2, 'passed'],
  ]);
  await expect(ctx.orm.em.getKnex().raw(`update monthly_report_inspections set reason = 'x' where month = ?::date`, [`${MONTH}-01`])).rejects.toThrow(/append-only/);
});

test("the month's billing run shows its report's inspection (13: fees are paid for an inspected report)", async () => {
  const label = `ri-${randomUUID().slice(0, 6)}`;
  await ensureBillingRun(ctx.orm.em.getKnex(), { runId: billingRunId(MONTH, label), month: MONTH, scope: { label, suppliers: [] }, requestedBy: 'operator:test', at: new Date().toISOString() });
  const run = await api.get(`/billing/runs/${MONTH}?label=${label}`, 'city');
  expect(run.statusCode).toBe(200);
  expect(run.json().reportInspection).toMatchObject({ status: 'passed', revision: 2 });
});
