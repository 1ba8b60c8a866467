import { randomUUID } from 'node:crypto';
import type { Page } from 'puppeteer-core';
import { billingMonthNow } from '../../api/console/billing';
import { startBillingRun } from '../../workflows/billing/client';
import { billingSeed } from '../billing/seed';
import { eventually } from '../support/context';
import { consoleHarness, retype, type ConsoleHarness, type TestAccount } from './harness';
import { text, value, submit, expectAccessible, tableRows } from './page';

/**
 * Issue 17 (and issue 16's home queue): the billing month in the console — statements by supplier,
 * a supplier's dispute seen and investigated, then resolved — in Chromium, axe on every page. The
 * run is for a month long past, scoped to this suite's suppliers, so it gathers at once.
 */
const run = randomUUID().slice(0, 6);
const A = `cb-a-${run}`;
const B = `cb-b-${run}`;
const TOKEN_B = `tok-${B}-0000000`;
const MONTH = '2019-06';
const LABEL = `console-${run}`;
let h: ConsoleHarness;
let operator: TestAccount;
/** A shipment of B's shipped in the month after the statements were gathered: the one B says is missing. */
let missing: string;

beforeAll(async () => {
  h = await consoleHarness('console-billing', { API_TOKENS: `supplier:${B}:${TOKEN_B},operator:machine:operator-token-console-bill1` });
  operator = await h.account('operator', { name: '請求 担当' });
  const seed = billingSeed(h.ctx.orm.em.getKnex(), () => h.ctx.orm.em.fork(), `cb-${run}`);
  const a = await seed.supplier(A, '柳川うなぎ本舗');
  const b = await seed.supplier(B, 'みずほ農園');
  await seed.gift(`${A}-G`, a, { name: 'うなぎ蒲焼き 2尾', priceYen: 10_000, costYen: 3_000, shippingCostYen: 900 });
  await seed.gift(`${B}-G`, b, { name: 'あまおう 4パック', priceYen: 20_000, costYen: 5_000, shippingCostYen: 1_100 });
  const paid = `${MONTH}-03T03:00:00Z`;
  const dA = await seed.donation({ amountYen: 10_000, paidAt: paid, gifts: [[`${A}-G`, 1]] });
  const dB = await seed.donation({ amountYen: 20_000, paidAt: paid, gifts: [[`${B}-G`, 1]] });
  await seed.shipment(dA, `${A}-G`, { shippedOn: `${MONTH}-05` });
  await seed.shipment(dB, `${B}-G`, { shippedOn: `${MONTH}-10` });
  const { runId } = await startBillingRun(h.ctx.client, h.ctx.config, { month: MONTH, requestedBy: 'operator:test', scope: { label: LABEL, suppliers: [A, B] } });
  const api = (url: string) => h.app.inject({ method: 'GET', url, headers: { authorization: 'Bearer operator-token-console-bill1' } });
  await eventually(() => api(`/billing/runs/${MONTH}?label=${LABEL}`), (r) => r.statusCode === 200 && r.json().workflow?.stage === 'awaiting_confirmation', 60_000);
  const late = await seed.donation({ amountYen: 20_000, paidAt: paid, gifts: [[`${B}-G`, 1]] });
  missing = await seed.shipment(late, `${B}-G`, { shippedOn: `${MONTH}-28` });
  // B disputes: a shipment it says is missing.
  const dispute = await h.app.inject({ method: 'POST', url: `/billing/runs/${MONTH}/statements/${B}/dispute?label=${LABEL}`, headers: { authorization: `Bearer ${TOKEN_B}` }, payload: { revision: 1, reason: '6月28日発送分が明細にありません' } });
  expect(dispute.statusCode).toBe(200);
  expect(runId).toContain(MONTH);
});

afterAll(async () => {
  await h?.close();
});


test('home counts the billing month’s disputes and links the month; the month shows each statement; the dispute is investigated and resolved from its page', async () => {
  const page = await h.newPage();
  await h.signIn(page, operator);
  const card = await page.$eval('a.fc-card[href^="/console/billing?month="]', (a) => ({ href: a.getAttribute('href'), text: a.textContent!.replace(/\s+/g, ' ') }));
  expect(card.text).toContain('請求明細への異議');
  expect(card.text).toMatch(/\d+件|—/);

  await page.goto(`${h.base}/console/billing?month=${MONTH}&label=${LABEL}`);
  expect(await text(page, 'h1')).toBe('請求 2019年6月分');
  const rows = await page.$$eval('tbody tr', (trs) => trs.map((tr) => tr.textContent!.replace(/\s+/g, ' ')));
  expect(rows.find((r) => r.includes(A))).toContain('事業者の確認待ち');
  expect(rows.find((r) => r.includes(B))).toContain('異議あり');
  expect(rows.find((r) => r.includes(B))).toContain('¥6,100');
  expect(await text(page, '.fc-dl')).toContain('事業者の確認待ち');
  await expectAccessible(h, page);

  await Promise.all([page.waitForNavigation(), page.click(`a[href^="/console/billing/${MONTH}/statements/${B}"]`)]);
  expect(await text(page, 'main')).toContain('6月28日発送分が明細にありません');
  expect(await text(page, 'main')).toContain(`supplier:${B}`);
  await expectAccessible(h, page);

  // Findings left empty: said at the field; then recorded.
  const findings = 'form[action*="/findings"]';
  await submit(page, findings);
  expect(await text(page, '#f-findings-findings-error')).not.toBe('');
  await retype(page, '#f-findings-findings', 'ヤマトの記録で6/28発送を確認');
  await submit(page, findings);
  expect(await text(page, '[role=status]')).toContain('調査結果を記録しました');
  expect(await text(page, 'main')).toContain(`ヤマトの記録で6/28発送を確認（operator:${operator.login}`);

  // A correction: a quantity the schema refuses comes back at its field with everything typed; then the missing shipment is added.
  const correction = 'form[action*="/corrections"]';
  await page.select('#f-kind', 'amend');
  await page.select('#f-lineId', await page.$eval('#f-lineId option:nth-child(2)', (o) => (o as unknown as { value: string }).value));
  await page.type('#f-correction-quantity', '0');
  await page.type('#f-correction-reason', '数量の誤り');
  await submit(page, correction);
  expect(await text(page, '#f-correction-quantity-error')).not.toBe('');
  expect(await value(page, '#f-correction-quantity')).toBe('0');
  expect(await value(page, '#f-correction-reason')).toBe('数量の誤り');
  expect(await value(page, '#f-kind')).toBe('amend');
  await expectAccessible(h, page);
  await page.select('#f-kind', 'add_shipment');
  await retype(page, '#f-correction-shipmentId', missing);
  await retype(page, '#f-correction-reason', '6/28発送分の漏れ');
  await submit(page, correction);
  expect(await text(page, '[role=status]')).toContain('明細を訂正しました');
  expect(await text(page, 'main')).toContain('訂正で追加');

  await page.type('#f-resolve-resolution', '6/28発送分を追加');
  await submit(page, 'form[action*="/resolve"]');
  expect(await text(page, '[role=status]')).toContain('異議を解決済みにしました');
  expect(await text(page, 'main')).toContain('解決済み');
  await expectAccessible(h, page);
  await page.browserContext().close();
});

test('an operator issues without every confirmation (with a reason), records the postage and pays part of what a supplier is owed', async () => {
  const page = await h.open(operator, `/console/billing?month=${MONTH}&label=${LABEL}`);
  await expectAccessible(h, page);
  // The last six months' runs for every supplier are listed by month, the month being billed first.
  const recent = await page.$$eval('[data-list=recent-runs] tbody tr a[href^="/console/billing?month="]', (as) => as.map((a) => a.getAttribute('href')));
  expect(recent).toHaveLength(6);
  expect(recent[0]).toBe(`/console/billing?month=${billingMonthNow()}`);

  // The override needs its reason, said at the field.
  await submit(page, 'form[action*="/override"]');
  expect(await text(page, '#f-override-reason-error')).not.toBe('');
  await page.type('#f-override-reason', '月末の締めに間に合わせるため');
  await submit(page, 'form[action*="/override"]');
  expect(await text(page, '[role=status]')).toContain('確認を待たずに請求書を発行します');
  expect(await text(page, 'main')).toContain(`月末の締めに間に合わせるため（operator:${operator.login}`);

  await page.type('#f-postage-amountYen', '1,240');
  await page.type('#f-postage-reference', '郵便局 請求 R-2019-06');
  await submit(page, 'form[action*="/receipt-postage"]');
  expect(await text(page, 'main')).toContain('実費 ¥1,240（郵便局 請求 R-2019-06）');

  // A bad amount at its field with what was typed; then part of A's ¥3,000; more than is left is refused with the API's words.
  const payment = 'form[action*="/payments"]';
  await page.select('#f-payee', `supplier:${A}`);
  await page.type('#f-payment-amountYen', '千円');
  await page.type('#f-payment-paidOn', '2019-07-31');
  await page.type('#f-payment-reference', `FB-${run}-1`);
  await submit(page, payment);
  expect(await text(page, '#f-payment-amountYen-error')).not.toBe('');
  expect(await value(page, '#f-payment-amountYen')).toBe('千円');
  expect(await value(page, '#f-payee')).toBe(`supplier:${A}`);
  await expectAccessible(h, page);
  await retype(page, '#f-payment-amountYen', '1000');
  await submit(page, payment);
  expect(await text(page, '[role=status]')).toContain('支払を記録しました');
  const owed = await tableRows(page);
  expect(owed.find((r) => r[0] === '柳川うなぎ本舗' && r[1] === '事業者（調達費）')?.slice(3)).toEqual(['¥3,000', '¥1,000', '¥2,000']);
  await page.select('#f-payee', `supplier:${A}`);
  await page.type('#f-payment-amountYen', '5000');
  await page.type('#f-payment-paidOn', '2019-08-01');
  await page.type('#f-payment-reference', `FB-${run}-2`);
  await submit(page, payment);
  expect(await text(page, '[role=alert]')).toContain('outstanding');
  expect(await value(page, '#f-payment-amountYen')).toBe('5000');
  await expectAccessible(h, page);
  await page.browserContext().close();
});

test('the month lists its runs limited to some suppliers (GET /billing/runs); one opens by its link', async () => {
  const page = await h.open(operator, `/console/billing?month=${MONTH}`);
  const labelled = await tableRows(page, '[data-list=labelled-runs] tbody tr');
  const mine = labelled.find((r) => r[1] === LABEL);
  expect(mine?.[0]).toBe('2019年6月分');
  expect(mine?.[2]).toBe(`${A}、${B}`);
  expect(mine?.[4]).toMatch(/^\d \/ 2$/);
  await expectAccessible(h, page);
  await Promise.all([page.waitForNavigation(), page.click(`[data-list=labelled-runs] a[href="/console/billing?month=${MONTH}&label=${LABEL}"]`)]);
  expect(await text(page, '.fc-dl')).toContain(LABEL);
  expect((await tableRows(page)).some((r) => r[0].includes(A))).toBe(true);
  await page.browserContext().close();
});

test('every run across months on one page (/console/billing/runs), linked from the billing page: newest month first, filtered by supplier, each opening its month; bad filters at their fields (400); supplier 403', async () => {
  // A second run of B's, a month earlier, so that the list spans months.
  const EARLIER = '2019-05';
  const LABEL2 = `console2-${run}`;
  await startBillingRun(h.ctx.client, h.ctx.config, { month: EARLIER, requestedBy: 'operator:test', scope: { label: LABEL2, suppliers: [B] } });
  const api = (url: string) => h.app.inject({ method: 'GET', url, headers: { authorization: 'Bearer operator-token-console-bill1' } });
  await eventually(() => api(`/billing/runs?label=${LABEL2}`), (r) => r.statusCode === 200 && r.json().total === 1);

  const page = await h.open(operator, `/console/billing?month=${MONTH}`);
  await Promise.all([page.waitForNavigation(), page.click('a[href="/console/billing/runs"]')]);
  expect(await text(page, 'h1')).toBe('請求の一覧（全期間）');
  // Newest month first across every run on the page.
  const months = (await tableRows(page, '[data-list=all-runs] tbody tr')).map((r) => r[0].replace(/^(\d+)年(\d+)月分$/, (_, y, m) => `${y}-${m.padStart(2, '0')}`));
  expect(months.length).toBeGreaterThanOrEqual(2);
  expect([...months].sort().reverse()).toEqual(months);
  await expectAccessible(h, page);

  await page.type('#f-supplier', B);
  await submit(page, 'form[action="/console/billing/runs"]');
  const rows = await tableRows(page, '[data-list=all-runs] tbody tr');
  expect(rows.map((r) => r.slice(0, 3))).toEqual([
    ['2019年6月分', LABEL, `${A}、${B}`],
    ['2019年5月分', LABEL2, B],
  ]);
  expect(rows[0][4]).toMatch(/^\d \/ 2$/);
  expect(rows[1][7]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
  expect(await text(page, '#runs-range')).toContain('1〜2件 / 2件');
  expect(await value(page, '#f-supplier')).toBe(B);
  await expectAccessible(h, page);
  await Promise.all([page.waitForNavigation(), page.click(`[data-list=all-runs] a[href="/console/billing?month=${EARLIER}&label=${LABEL2}"]`)]);
  expect(await text(page, 'h1')).toContain('2019年5月分');
  expect(new URL(page.url()).searchParams.get('label')).toBe(LABEL2);

  // Bad filters: at their fields, the page answers 400 (never an error page).
  const bad = await page.goto(`${h.base}/console/billing/runs?status=done&scope=x&offset=-1&supplier=${encodeURIComponent('<b>')}`);
  expect(bad!.status()).toBe(400);
  expect(await text(page, '#f-status-error')).toContain('選んで');
  expect(await text(page, '#f-scope-error')).toContain('選んで');
  expect(await text(page, '#f-offset-error')).not.toBe('');
  await expectAccessible(h, page);
  const badSupplier = await page.goto(`${h.base}/console/billing/runs?supplier=${encodeURIComponent('<b>'.repeat(30))}`);
  expect(badSupplier!.status()).toBe(400);
  expect(await text(page, '#f-supplier-error')).not.toBe('');
  await page.browserContext().close();

  const supplier = await h.account('supplier', { supplierCode: A });
  const sp = await h.newPage();
  await h.signIn(sp, supplier);
  expect((await sp.goto(`${h.base}/console/billing/runs`))!.status()).toBe(403);
  await sp.browserContext().close();
});

test('a statement correction from a page opened before the statement changed answers 409 with what was typed', async () => {
  const page = await h.open(operator, `/console/billing/${MONTH}/statements/${A}?label=${LABEL}`);
  const before = (await tableRows(page)).length;
  // The page as it was before a change: the statement's version it carries is an older one.
  await page.$eval('form[action*="/corrections"] input[name=seen]', (i) => ((i as unknown as { value: string }).value = '1/sent/0'));
  await page.select('#f-kind', 'void');
  await page.select('#f-lineId', await page.$eval('#f-lineId option:nth-child(2)', (o) => (o as unknown as { value: string }).value));
  await page.type('#f-correction-reason', '二重計上');
  await submit(page, 'form[action*="/corrections"]');
  expect(await text(page, '[role=alert]')).toContain('ほかの人がこの記録を変更しました');
  expect(await value(page, '#f-correction-reason')).toBe('二重計上');
  expect(await value(page, '#f-kind')).toBe('void');
  expect((await tableRows(page)).length).toBe(before);
  expect(await text(page, 'main')).not.toContain('取消');
  await expectAccessible(h, page);
  await page.browserContext().close();
});

test('GET /billing/runs lists runs by month, label, scope, supplier and status, paged; bad filters 400 naming the field; suppliers 403', async () => {
  const get = (q: string, token = 'operator-token-console-bill1') => h.app.inject({ method: 'GET', url: `/billing/runs${q}`, headers: { authorization: `Bearer ${token}` } });
  const byLabel = await get(`?label=${LABEL}`);
  expect(byLabel.statusCode).toBe(200);
  expect(byLabel.json().total).toBe(1);
  const row = byLabel.json().runs[0];
  expect(row).toMatchObject({ id: `billing-${MONTH}/${LABEL}`, month: MONTH, scopeLabel: LABEL, scopeSuppliers: [A, B], requestedBy: 'operator:test' });
  expect(row.statements.total).toBe(2);
  expect(row.statements.confirmed + row.statements.disputed).toBeLessThanOrEqual(2);
  expect(['awaiting_confirmation', 'invoicing', 'invoice_issued']).toContain(row.status);

  // By supplier: B's runs include this one; a made-up supplier has none.
  expect((await get(`?supplier=${B}&month=${MONTH}`)).json().runs.map((r: { id: string }) => r.id)).toContain(row.id);
  expect((await get(`?supplier=nobody-${run}`)).json()).toEqual({ runs: [], total: 0 });
  // Scope and status filter: the run is scoped, never among the runs for every supplier; a status it is not in excludes it.
  expect((await get(`?month=${MONTH}&scope=all`)).json().runs.map((r: { id: string }) => r.id)).not.toContain(row.id);
  expect((await get(`?month=${MONTH}&scope=scoped&status=${row.status}`)).json().runs.map((r: { id: string }) => r.id)).toContain(row.id);
  expect((await get(`?label=${LABEL}&status=paid`)).json()).toEqual({ runs: [], total: 0 });
  // Paged: one at a time, the total the same on every page and past the end.
  const all = (await get(`?month=${MONTH}&limit=200`)).json();
  const first = (await get(`?month=${MONTH}&limit=1`)).json();
  expect(first.runs).toHaveLength(1);
  expect(first.total).toBe(all.total);
  expect(first.runs[0].id).toBe(all.runs[0].id);
  const past = (await get(`?month=${MONTH}&limit=1&offset=${all.total}`)).json();
  expect(past).toEqual({ runs: [], total: all.total });

  const bad = await get('?status=done&month=2019-13');
  expect(bad.statusCode).toBe(400);
  expect(JSON.stringify(bad.json())).toMatch(/querystring\.(status|month)/);
  expect((await get('?limit=0')).statusCode).toBe(400);
  expect((await get('', TOKEN_B)).statusCode).toBe(403);
});

test('the city reads the month without forms; a supplier gets 403', async () => {
  const city = await h.account('city');
  const page = await h.open(city, `/console/billing/${MONTH}/statements/${B}?label=${LABEL}`);
  expect(await page.$$eval('main form', (f) => f.length)).toBe(0);
  await page.goto(`${h.base}/console/billing?month=${MONTH}&label=${LABEL}`);
  expect(await page.$$eval('main form[method=post]', (f) => f.length)).toBe(0);
  await page.browserContext().close();

  const supplier = await h.account('supplier', { supplierCode: A });
  const sp = await h.newPage();
  await h.signIn(sp, supplier);
  expect((await sp.goto(`${h.base}/console/billing?month=${MONTH}&label=${LABEL}`))!.status()).toBe(403);
  expect((await sp.goto(`${h.base}/console/billing/${MONTH}/statements/${B}?label=${LABEL}`))!.status()).toBe(403);
  // A form posted by hand is refused before it reaches the API (the CSRF token is the supplier's own).
  const posted = await sp.evaluate(async (url) => (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'reason=x' })).status, `${h.base}/console/billing/${MONTH}/override?label=${LABEL}`);
  expect(posted).toBe(403);
  await sp.browserContext().close();
});
