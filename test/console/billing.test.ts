import { randomUUID } from 'node:crypto';
import type { Page } from 'puppeteer-core';
import { startBillingRun } from '../../workflows/billing/client';
import { billingSeed } from '../billing/seed';
import { eventually } from '../support/context';
import { consoleHarness, retype, type ConsoleHarness, type TestAccount } from './harness';
import { text, value, submit, expectAccessible } from './page';

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

  await page.type('#f-resolve-resolution', '6/28発送分を追加');
  await submit(page, 'form[action*="/resolve"]');
  expect(await text(page, '[role=status]')).toContain('異議を解決済みにしました');
  expect(await text(page, 'main')).toContain('解決済み');
  await expectAccessible(h, page);
  await page.browserContext().close();
});

test('the city reads the month without forms; a supplier gets 403', async () => {
  const city = await h.account('city');
  const page = await h.newPage();
  await h.signIn(page, city);
  await page.goto(`${h.base}/console/billing/${MONTH}/statements/${B}?label=${LABEL}`);
  expect(await page.$$eval('main form', (f) => f.length)).toBe(0);
  await page.browserContext().close();

  const supplier = await h.account('supplier', { supplierCode: A });
  const sp = await h.newPage();
  await h.signIn(sp, supplier);
  expect((await sp.goto(`${h.base}/console/billing?month=${MONTH}&label=${LABEL}`))!.status()).toBe(403);
  expect((await sp.goto(`${h.base}/console/billing/${MONTH}/statements/${B}?label=${LABEL}`))!.status()).toBe(403);
  await sp.browserContext().close();
});
