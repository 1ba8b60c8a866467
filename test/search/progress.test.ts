// LEDGER-3: the city sees where the fiscal year stands, from the ledger, at any time.
import { registerDonation } from '../../ledger/donations';
import { fiscalYearOf } from '../../ledger/progress';
import type { SuiteContext } from '../support/context';
import { apiSuite, type Caller, type TestApi } from '../support/api';
import { newDonation } from '../support/factory';

let ctx: SuiteContext;
let api: TestApi;

beforeAll(async () => {
  ({ ctx, api } = await apiSuite('progress'));
});

afterAll(() => api?.close());

// A fiscal year no other suite writes to; figures are compared before and after this suite's donations.
const YEAR = 2016;
const progress = async (as: Caller = 'city', year: number | string = YEAR) => api.get(`/progress?fiscalYear=${year}`, as);

test('fiscal year (JST) boundaries', () => {
  expect(fiscalYearOf(new Date('2027-03-31T14:59:59Z'))).toBe(2026); // 23:59:59 on 31 March in Japan
  expect(fiscalYearOf(new Date('2027-03-31T15:00:00Z'))).toBe(2027); // 00:00 on 1 April in Japan
});

test("the year's donations by status and portal, documents overdue, intake lateness and holds; cancelled ones are not in the total", async () => {
  const before = (await progress()).json();
  const knex = ctx.orm.em.fork().getKnex();
  const reg = async (portal: string, amountYen: number, appliedAt: string) =>
    (await registerDonation(ctx.orm.em.fork(), newDonation(ctx.prefix, { portal, amountYen, appliedAt, donor: { ...newDonation('x').donor, nameKana: `シンチョク ${Math.random().toString(36).slice(2, 6)}` } }), 'system:test')).donation;
  // 1 April 2016 00:30 JST is in FY2016; 31 March 2016 23:30 JST is not.
  const a = await reg('choice', 10_000, '2016-03-31T15:30:00.000Z');
  const b = await reg('rakuten', 30_000, '2016-07-01T01:00:00.000Z');
  const c = await reg('rakuten', 5_000, '2016-12-01T01:00:00.000Z');
  const outside = await reg('choice', 99_000, '2016-03-31T14:30:00.000Z');
  // Where their workflows would have moved them (this suite runs none).
  // As the workflow writes it (other suites' at-risk lists read documents_due_on of every documents_due row).
  await knex('donations').where({ id: a.id }).update({ status: 'documents_due', documents_due_on: '2016-04-15', documents_due_at: new Date('2016-04-15T15:00:00Z') });
  await knex('donations').where({ id: b.id }).update({ status: 'held' });
  await knex('donations').where({ id: c.id }).update({ status: 'cancelled' });
  await knex('donation_intake').insert([
    { donation_id: a.id, applied_at: new Date('2016-03-31T15:30:00Z'), imported_at: new Date('2016-04-05T00:00:00Z'), due_on: '2016-04-01', late: true, review_findings: '[]' },
    { donation_id: b.id, applied_at: new Date('2016-07-01T01:00:00Z'), imported_at: new Date('2016-07-01T02:00:00Z'), due_on: '2016-07-04', late: false, review_findings: '[]' },
  ]);

  const res = await progress();
  expect(res.statusCode).toBe(200);
  const after = res.json();
  expect(after).toMatchObject({ fiscalYear: 2016, from: '2016-04-01', to: '2017-03-31' });
  expect(after.donations.count - before.donations.count).toBe(2);
  expect(after.donations.amountYen - before.donations.amountYen).toBe(40_000);
  const delta = (status: string) => (after.donations.byStatus[status]?.count ?? 0) - (before.donations.byStatus[status]?.count ?? 0);
  expect([delta('documents_due'), delta('held'), delta('cancelled')]).toEqual([1, 1, 1]);
  const portal = (p: any, code: string) => p.donations.byPortal.find((x: any) => x.portal === code)?.amountYen ?? 0;
  expect(portal(after, 'rakuten') - portal(before, 'rakuten')).toBe(30_000);
  expect(portal(after, 'choice') - portal(before, 'choice')).toBe(10_000);
  expect(after.documents.overdue - before.documents.overdue).toBe(1);
  expect(after.intake.imported - before.intake.imported).toBe(2);
  expect(after.intake.late - before.intake.late).toBe(1);
  expect(after.queues.reviewHolds - before.queues.reviewHolds).toBe(1);
  expect(outside.appliedAt.getTime()).toBeLessThan(Date.parse('2016-03-31T15:00:00Z'));
});

test('the city and operators read it; suppliers do not; a year that is not a year is refused', async () => {
  expect((await progress('operator')).statusCode).toBe(200);
  expect((await progress('supplier')).statusCode).toBe(403);
  const bad = await progress('city', 'last');
  expect(bad.statusCode).toBe(400);
  expect(bad.json().fields[0].field).toBe('querystring.fiscalYear');
  // Without a year: the one the request falls in (Japan time). The API reads the clock itself, so the
  // expectation is taken on both sides of the request: on 1 April at midnight JST the year may turn in between.
  const yearBefore = fiscalYearOf(new Date());
  const current = await api.get('/progress', 'city');
  expect([yearBefore, fiscalYearOf(new Date())]).toContain(current.json().fiscalYear);
});
