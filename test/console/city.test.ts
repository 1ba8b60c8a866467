import { randomUUID } from 'node:crypto';
import type { Page } from 'puppeteer-core';
import { consolePrincipalHeaders } from '../../api/auth';
import { billingRunId } from '../../domain/billing/month';
import { proposeGift } from '../../ledger/gifts';
import { startBillingRun } from '../../workflows/billing/client';
import { billingStatusQuery } from '../../workflows/billing/definitions';
import { billingSeed } from '../billing/seed';
import { eventually } from '../support/context';
import { consoleHarness, press, type ConsoleHarness, type TestAccount } from './harness';
import { fill, type Fields } from './forms';
import { text, value, submitStale } from './page';

/**
 * Issue 17, the city's pages in Chromium: its home shows what waits for it; a gift proposal is read
 * with its 3割 ratios, a rejection without a reason is refused at the field, the approval is recorded
 * with who and when and the gift can then be activated; the fiscal year's progress with its charts;
 * the month's invoice rejected with a reason and the corrected revision that follows. axe on every page.
 */
let h: ConsoleHarness;
let city: TestAccount;
const run = randomUUID().slice(0, 6);
const S = `ccity-s-${run}`;
const GIFT = `ccity-g-${run}`;
// A past month, addressed by a label of its own so that no other suite's shipments join it.
const MONTH = '2026-10';
const LABEL = `cc-${run}`;
const runId = billingRunId(MONTH, LABEL);

const as = (role: 'operator' | 'supplier' | 'city' | 'admin', name: string) => consolePrincipalHeaders({ role, name, consoleTerminal: '127.0.0.1' });
const api = (method: 'GET' | 'POST', url: string, headers: Record<string, string>, payload?: object) => h.app.inject({ method, url, payload, headers });

beforeAll(async () => {
  h = await consoleHarness('console-city', { BILL_REQUIRE_REPORT_INSPECTION: 'false' });
  city = await h.account('city');
  const seed = billingSeed(h.ctx.orm.em.getKnex(), () => h.ctx.orm.em.fork(), `cc-${run}`);
  const s = await seed.supplier(S, '柳川のり本舗');
  await seed.gift(`${S}-nori`, s, { name: '有明海産のり', priceYen: 10_000, costYen: 3_000, shippingCostYen: 800 });
  const d = await seed.donation({ amountYen: 10_000, paidAt: `${MONTH}-03T03:00:00Z`, gifts: [[`${S}-nori`, 1]] });
  await seed.shipment(d, `${S}-nori`, { shippedOn: `${MONTH}-06` });
  await proposeGift(h.ctx.orm.em.fork(), { code: GIFT, name: '柳川うなぎの蒲焼き', priceYen: 20_000, costYen: 5_800, shippingCostYen: 1_000, supplierCode: S } as never, 'operator:test');
}, 60_000);

afterAll(async () => {
  await h?.close();
});

/** Sends the page's decision form: `decision` chosen, then `fields` filled in (a reason, a note). */
async function decide(page: Page, decision: string, fields: Fields = {}) {
  await page.click(`input[name=decision][value=${decision}]`);
  await fill(page, fields);
  await press(page, 'main form button[type=submit]');
}

test('the city reads a gift proposal with its ratios, a rejection without a reason is refused at the field, the approval is recorded with who and when, and the gift can then be activated', async () => {
  const page = await h.newPage();
  await h.signIn(page, city);
  expect(await text(page, 'main')).toContain('市の判断を待っているもの');
  expect(await text(page, 'main')).toContain('返礼品の提案');
  expect(await h.axe(page)).toEqual([]);

  await page.goto(`${h.base}/console/approvals`);
  expect(await text(page, '#gifts + .fc-table-wrap')).toContain('29.0%');
  expect(await h.axe(page)).toEqual([]);
  await press(page, `a[href="/console/approvals/gifts/${GIFT}"]`);
  expect(await text(page, '#binding-ratio')).toContain('29.0%');
  expect(await text(page, '#binding-ratio')).toContain('以内');
  expect(await h.axe(page)).toEqual([]);

  // Reject without a reason: refused at the field; the chosen decision stays chosen.
  await decide(page, 'reject');
  expect(await text(page, '#f-note-error')).toContain('required to reject');
  expect(await page.$eval('input[name=decision][value=reject]', (e) => (e as unknown as { checked: boolean }).checked)).toBe(true);
  expect(await h.axe(page)).toEqual([]);

  await decide(page, 'approve', { '#f-note': '地場産品（柳川市内で加工）として適当' });
  expect(await text(page, '[role=status]')).toContain('判断を記録しました');
  const record = await text(page, '#decision-record');
  expect(record).toContain('承認');
  expect(record).toContain(`city:${city.login}`);
  expect(record).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
  expect(await text(page, '#activation-problems')).toContain('販売を始める条件はそろっています');
  expect(await h.axe(page)).toEqual([]);

  // The operator can now put it on sale through the API's own route.
  const activated = await api('POST', `/gifts/${GIFT}/activate`, as('operator', 'test'));
  expect(activated.statusCode).toBe(200);
  expect(activated.json().gift.active).toBe(true);
  // The queue no longer lists it.
  await page.goto(`${h.base}/console/approvals`);
  expect(await page.$(`a[href="/console/approvals/gifts/${GIFT}"]`)).toBeNull();
  expect(h.problems(page)).toEqual([]);
  await page.browserContext().close();
});

test('two city officials on one gift proposal: the second decision, from a page opened before the first, answers 409 with the first decision shown and the choice and reason typed kept', async () => {
  const code = `${GIFT}-2`;
  await proposeGift(h.ctx.orm.em.fork(), { code, name: '柳川うなぎの白焼き', priceYen: 20_000, costYen: 5_000, shippingCostYen: 1_000, supplierCode: S } as never, 'operator:test');
  const colleague = await h.account('city', { name: '市 同僚' });
  const path = `/console/approvals/gifts/${code}`;
  const [mine, theirs] = [await h.open(city, path), await h.open(colleague, path)];
  await decide(theirs, 'approve', { '#f-note': '地場産品として適当（同僚）' });
  expect(await text(theirs, '[role=status]')).toContain('判断を記録しました');

  await mine.click('input[name=decision][value=reject]');
  await mine.type('#f-note', '調達費の根拠が足りない');
  await submitStale(mine, 'main form');
  expect(await mine.$eval('input[name=decision][value=reject]', (e) => (e as unknown as { checked: boolean }).checked)).toBe(true);
  expect(await value(mine, '#f-note')).toBe('調達費の根拠が足りない');
  // The colleague's decision stands and is shown with who took it.
  expect(await text(mine, '#decision-record')).toContain(`city:${colleague.login}`);
  expect(await h.axe(mine)).toEqual([]);
  const gift = (await api('GET', `/gifts/${code}`, as('city', 'reader'))).json().gift;
  expect(gift.approval.status).toBe('approved');
  await mine.browserContext().close();
  await theirs.browserContext().close();
});

test('the fiscal year’s progress: figures as tables, four SVG charts the page may load, the CSV link', async () => {
  const page = await h.newPage();
  await h.signIn(page, city);
  await page.goto(`${h.base}/console/progress?fiscalYear=2026`);
  expect(await text(page, 'h1')).toContain('2026年度');
  expect(await text(page, '#progress-summary')).toContain('寄附');
  const charts = await page.$$eval('img.fc-chart', (imgs) => imgs.map((i) => [(i as unknown as { src: string }).src, (i as unknown as { naturalWidth: number }).naturalWidth]));
  expect(charts).toHaveLength(4);
  for (const [, width] of charts) expect(width).toBeGreaterThan(0);
  expect(await page.$('a[href^="/console/donations/export?appliedFrom=2026-04-01"]')).not.toBeNull();
  expect(await h.axe(page)).toEqual([]);
  expect(h.problems(page)).toEqual([]);
  await page.browserContext().close();
});

test('the city rejects the month’s invoice with a reason (refused without one), an operator issues the correction and revision 2 waits for the city with its reason and difference', async () => {
  expect((await startBillingRun(h.ctx.client, h.ctx.config, { month: MONTH, requestedBy: 'operator:test', scope: { label: LABEL, suppliers: [S] } })).started).toBe(true);
  const status = () => h.ctx.client.workflow.getHandle(runId).query(billingStatusQuery);
  await eventually(status, (v) => v.stage === 'awaiting_confirmation', 60_000);
  expect((await api('POST', `/billing/runs/${MONTH}/statements/${S}/confirm?label=${LABEL}`, as('supplier', S), { revision: 1 })).statusCode).toBe(200);
  await eventually(status, (v) => v.stage === 'invoice_issued', 60_000);

  const page = await h.newPage();
  await h.signIn(page, city);
  await page.goto(`${h.base}/console/approvals/invoices/${MONTH}?label=${LABEL}`);
  expect(await text(page, '#invoice-status')).toBe('受理待ち');
  expect(await h.axe(page)).toEqual([]);
  await decide(page, 'reject');
  expect(await text(page, '#f-reason-error')).toContain('is required to reject');
  expect(await h.axe(page)).toEqual([]);
  await decide(page, 'reject', { '#f-reason': '送料の単価が契約と違います' });
  expect(await text(page, '#invoice-status')).toContain('差戻し');
  expect(await text(page, '#decision-record')).toContain('送料の単価が契約と違います');
  expect(await text(page, '#decision-record')).toContain(`city:${city.login}`);

  // The correction is the operators' (POST …/invoice/revisions); the city then sees revision 2 waiting.
  expect((await api('POST', `/billing/runs/${MONTH}/invoice/revisions?label=${LABEL}`, as('operator', 'test'), { reason: '送料単価の訂正' })).statusCode).toBe(200);
  await eventually(status, (v) => v.stage === 'invoice_issued' && v.invoice?.revision === 2, 60_000);
  await page.goto(`${h.base}/console/approvals/invoices/${MONTH}?label=${LABEL}`);
  expect(await text(page, 'main')).toContain('第2版');
  expect(await text(page, 'main')).toContain('送料単価の訂正');
  expect(await text(page, '#invoice-status')).toBe('受理待ち');
  expect(await h.axe(page)).toEqual([]);
  expect(h.problems(page)).toEqual([]);
  await page.browserContext().close();
}, 180_000);

test('the month’s report waits for the city’s inspection: a return without a reason is refused at the field, the pass is recorded; the reports page lists the revision and the incidents', async () => {
  const REPORT_MONTH = '2026-07';
  const knex = h.ctx.orm.em.getKnex();
  const { rows: [{ next }] } = await knex.raw(`select coalesce(max(revision), 0) + 1 as next from monthly_reports where month = ?::date`, [`${REPORT_MONTH}-01`]);
  await knex('monthly_reports').insert({ id: randomUUID(), month: `${REPORT_MONTH}-01`, revision: next, status: 'built', kind: 'on_demand', requested_by: 'operator:test', workflow_id: `report-${REPORT_MONTH}-${run}`, build_key: `cc-${run}`, due_on: '2026-08-10', built_at: new Date() });

  const page = await h.newPage();
  await h.signIn(page, city);
  await page.goto(`${h.base}/console/approvals`);
  await press(page, `a[href="/console/approvals/reports/${REPORT_MONTH}"]`);
  expect(await text(page, 'main')).toContain(`第${next}版`);
  expect(await h.axe(page)).toEqual([]);
  await decide(page, 'return');
  expect(await text(page, '#f-reason-error')).toContain('required to return');
  expect(await h.axe(page)).toEqual([]);
  await decide(page, 'pass');
  expect(await text(page, '#decision-record')).toContain(`第${next}版 合格`);
  expect(await text(page, '#decision-record')).toContain(`city:${city.login}`);

  await page.goto(`${h.base}/console/reports`);
  expect(await text(page, '#reports')).toContain(REPORT_MONTH);
  expect(await page.$('#incidents')).not.toBeNull();
  expect(await h.axe(page)).toEqual([]);
  expect(h.problems(page)).toEqual([]);
  await page.browserContext().close();
});

test('the city grants a supplier’s once-a-week shipping exception with its new day, and decides a proposed promotion from the queue (a rejection without a note refused at the field)', async () => {
  const ONCE = `ccity-w-${run}`;
  const PROMO = `cc-pr-${run}`;
  await h.ctx.orm.em.getKnex()('suppliers').insert({ code: ONCE, name: '柳川の小さな醸造所', shipping_weekdays: '{1,3}' });
  const proposed = await api('POST', '/promotions', as('operator', 'test'), { code: PROMO, name: '年末のうなぎ特集', medium: 'ポータル内広告', startsOn: '2026-12-10', endsOn: '2026-12-31', costYen: 50_000, billedMonth: '2026-12' });
  expect(proposed.statusCode).toBe(201);

  const page = await h.newPage();
  await h.signIn(page, city);
  // The ledger refuses fewer than two days without the exception: the city grants it with the new days.
  await page.goto(`${h.base}/console/approvals/suppliers/${ONCE}`);
  expect(await text(page, 'main')).toContain('月・水');
  expect(await h.axe(page)).toEqual([]);
  await page.click('#f-weekday-1');
  // Sent without its reason: refused at the field, and the days as ticked (Monday off, Wednesday on) stay ticked.
  await press(page, 'main form button[type=submit]');
  expect(await text(page, '#f-reason-error')).not.toBe('');
  const ticked = await page.$$eval('input[name=weekdays]:checked', (boxes) => boxes.map((b) => b.getAttribute('value')));
  expect(ticked).toEqual(['3']);
  await page.type('#f-reason', '少量生産のため水曜のみの出荷とする');
  await press(page, 'main form button[type=submit]');
  expect(await text(page, '#decision-record')).toContain('少量生産のため水曜のみの出荷とする');
  expect(await text(page, '#decision-record')).toContain(`city:${city.login}`);
  expect(await text(page, 'main dl')).toContain('水（原則は週2回以上）');
  await page.goto(`${h.base}/console/approvals`);
  expect(await page.$(`#suppliers + p + .fc-table-wrap a[href="/console/approvals/suppliers/${ONCE}"]`)).not.toBeNull();

  await page.goto(`${h.base}/console/approvals`);
  await press(page, `a[href="/console/approvals/promotions/${PROMO}"]`);
  expect(await h.axe(page)).toEqual([]);
  await decide(page, 'rejected');
  expect(await text(page, '#f-note-error')).toContain('required to reject');
  await decide(page, 'approved');
  expect(await text(page, '#decision-record')).toContain('承認');
  expect((await api('GET', `/promotions/${PROMO}`, as('operator', 'test'))).json().campaign).toMatchObject({ status: 'approved', decidedBy: `city:${city.login}` });
  expect(h.problems(page)).toEqual([]);
  await page.browserContext().close();
});

test('a proposal to destroy 個人番号 past their retention waits in the city’s queue; the city approves it with its reason (refused without one) and who and when are recorded', async () => {
  const proposed = await api('POST', '/onestop/retention/destructions', as('admin', 'kanri'), {});
  expect(proposed.statusCode).toBe(201);
  const id = proposed.json().id;
  const page = await h.newPage();
  await h.signIn(page, city);
  await page.goto(`${h.base}/console/approvals`);
  await press(page, `a[href="/console/approvals/destructions/${id}"]`);
  expect(await text(page, 'main dl')).toContain('保存期間');
  expect(await h.axe(page)).toEqual([]);
  await press(page, 'main form button[type=submit]');
  expect(await text(page, '#f-reason-error')).toContain('fewer than 1');
  await page.type('#f-reason', '保存期間の満了を確認した');
  await press(page, 'main form button[type=submit]');
  expect(await text(page, '#decision-record')).toContain('保存期間の満了を確認した');
  expect(await text(page, '#decision-record')).toContain(`city:${city.login}`);
  expect((await api('GET', `/onestop/retention/destructions/${id}`, as('city', city.login))).json()).toMatchObject({ decidedBy: `city:${city.login}` });
  expect(h.problems(page)).toEqual([]);
  await page.browserContext().close();
});
