import { randomUUID } from 'node:crypto';
import type { Page } from 'puppeteer-core';
import { consolePrincipalHeaders } from '../../api/auth';
import { consoleHarness, retype, type ConsoleHarness, type TestAccount } from './harness';
import { expectRefused, fill } from './forms';
import { text, submit, expectAccessible, tableRows } from './page';

/**
 * Issue 17: gifts and stock in the console — alerts and catalogue, a gift's stock set with a reason, a
 * new gift proposed, activated only after the city approved it, portal allocations and moves — in
 * Chromium, axe on every page.
 */
const run = randomUUID().slice(0, 6);
const GIFT = `cg-nori-${run}`;
let h: ConsoleHarness;
let operator: TestAccount;

beforeAll(async () => {
  h = await consoleHarness('console-gifts', {}, { worker: false });
  operator = await h.account('operator', { name: '在庫 担当' });
  const knex = h.ctx.orm.em.getKnex();
  const [{ id }] = await knex('suppliers').insert({ code: `cg-s-${run}`, name: '有明海苔店', shipping_weekdays: '{1,4}', rules_acknowledged_at: new Date() }).returning('id');
  await knex('gifts').insert({ code: GIFT, name: '有明海苔 詰合せ', supplier_id: id, price_yen: 10_000, cost_yen: 2_000, shipping_cost_yen: 700, active: true });
});

afterAll(async () => {
  await h?.close();
});


test('a gift whose stock falls to its threshold shows the alert on its page and on the gifts page, linked to the gift', async () => {
  const LOW = `cg-low-${run}`;
  const knex = h.ctx.orm.em.getKnex();
  const [{ id }] = await knex('suppliers').insert({ code: `cg-sl-${run}`, name: '大川木工所', shipping_weekdays: '{2,5}', rules_acknowledged_at: new Date() }).returning('id');
  await knex('gifts').insert({ code: LOW, name: '大川組子 コースター', supplier_id: id, price_yen: 12_000, cost_yen: 3_000, shipping_cost_yen: 800, active: true });
  const page = await h.open(operator, `/console/gifts/${LOW}`);
  expect(await page.$$eval('main h2', (hs) => hs.map((e) => e.textContent))).not.toContain('アラート');
  // The total stock set to 3 (the threshold is 10): the gift is low.
  await page.type('#f-stock-totalStock', '3');
  await page.type('#f-stock-reason', '入荷が遅れている');
  await submit(page, `form[action="/console/gifts/${LOW}/stock"]`);
  expect(await page.$$eval('main h2', (hs) => hs.map((e) => e.textContent))).toContain('アラート');
  expect(await text(page, 'main ul')).toMatch(/全体：残りわずか（残り 3、/);
  await expectAccessible(h, page);

  await page.goto(`${h.base}/console/gifts`);
  const row = await page.$eval(`tr[data-alert="true"]:has(a[href="/console/gifts/${LOW}"])`, (tr) => Array.from(tr.children, (c: { textContent: string | null }) => c.textContent!.trim()));
  expect(row).toEqual(['大川組子 コースター', '全体', '残りわずか', '3', expect.stringMatching(/^\d{4}/)]);
  // The alert row is set apart by a red bar at its start (not by colour alone: its kind is written), and axe finds nothing serious in it.
  const bar = await page.$eval(`tr[data-alert="true"]:has(a[href="/console/gifts/${LOW}"]) > td`, (td) => {
    const st = (globalThis as unknown as { getComputedStyle: (e: unknown) => { borderLeftWidth: string; borderLeftStyle: string } }).getComputedStyle(td);
    return { width: st.borderLeftWidth, style: st.borderLeftStyle };
  });
  expect(bar).toEqual({ width: '4px', style: 'solid' });
  expect(await text(page, 'main h2')).toMatch(/在庫のアラート（\d+件）/);
  await expectAccessible(h, page);
  await Promise.all([page.waitForNavigation(), page.click(`tr[data-alert="true"] a[href="/console/gifts/${LOW}"]`)]);
  expect(await text(page, 'h1')).toContain('大川組子 コースター');
  await page.browserContext().close();
});

test('the catalogue links the gift; its total stock is set with a reason (a bad number at the field), recorded as a movement', async () => {
  const page = await h.open(operator, `/console/gifts`);
  expect(await text(page, 'main')).toContain('在庫のアラート');
  await expectAccessible(h, page);
  await Promise.all([page.waitForNavigation(), page.click(`a[href="/console/gifts/${GIFT}"]`)]);
  expect(await text(page, '.fc-dl')).toContain('管理していません');
  await expectAccessible(h, page);

  const form = `form[action="/console/gifts/${GIFT}/stock"]`;
  await expectRefused(h, page, form, { '#f-stock-totalStock': '-5', '#f-stock-reason': '棚卸し' }, { at: '#f-stock-totalStock-error' });

  await retype(page, '#f-stock-totalStock', '120');
  await submit(page, form);
  expect(await text(page, '[role=status]')).toContain('在庫を更新しました');
  expect(await text(page, '.fc-dl')).toContain('総数 120');
  expect(await text(page, 'main')).toContain(`operator:${operator.login}`);
  await page.browserContext().close();
});

test('a proposed gift goes on sale only after the city approved it; its stock is allocated to portals and moved between them', async () => {
  const code = `cg-new-${run}`;
  const page = await h.open(operator, `/console/gifts`);
  await Promise.all([page.waitForNavigation(), page.click('a[href="/console/gifts/new"]')]);
  await expectAccessible(h, page);
  const proposal = { '#f-proposal-code': code, '#f-proposal-name': '柳川の川下り招待券', '#f-proposal-supplierCode': `cg-s-${run}`, '#f-proposal-priceYen': '一万円', '#f-proposal-costYen': '2500', '#f-proposal-totalStock': '30' };
  await expectRefused(h, page, 'form[action="/console/gifts/new"]', proposal, { at: '#f-proposal-priceYen-error' });
  await retype(page, '#f-proposal-priceYen', '10000');
  await submit(page, 'form[action="/console/gifts/new"]');
  expect(await text(page, '[role=status]')).toContain('返礼品を提案しました');
  expect(await text(page, '.fc-dl')).toContain('市の承認待ち');
  expect(await text(page, 'main')).toContain('市の承認がまだです');

  // Not approved: the route refuses the activation, and the page says so.
  const activate = `form[action="/console/gifts/${code}/activate"]`;
  await submit(page, activate);
  expect(await text(page, '[role=alert]')).toContain('not approved');
  const city = consolePrincipalHeaders({ role: 'city', name: 'test-city', consoleTerminal: '127.0.0.1' });
  expect((await h.app.inject({ method: 'POST', url: `/gifts/${code}/decision`, headers: city, payload: { decision: 'approve' } })).statusCode).toBe(200);
  await page.goto(`${h.base}/console/gifts/${code}`);
  await submit(page, activate);
  expect(await text(page, '[role=status]')).toContain('販売を始めました');
  expect(await text(page, '.fc-dl')).toContain('受付中（市が承認：city:test-city');
  await expectAccessible(h, page);

  // A portal's allocation: a negative number at its field with the reason kept; then 10.
  const allocate = `form[action="/console/gifts/${code}/allocations"]`;
  await expectRefused(h, page, allocate, { '#f-portal': 'choice', '#f-allocation-allocated': '-1', '#f-allocation-reason': '初回の割当' }, { at: '#f-allocation-allocated-error' });
  await retype(page, '#f-allocation-allocated', '10');
  await submit(page, allocate);
  expect(await text(page, '[role=status]')).toContain('ポータルの割当を更新しました');

  // A move to a portal the gift is not listed on is refused at that field, the quantity kept; from the unallocated pool it moves.
  const move = `form[action="/console/gifts/${code}/moves"]:not(.fc-form--row)`;
  await expectRefused(h, page, move, { '#f-from': 'choice', '#f-to': 'rakuten', '#f-move-quantity': '3', '#f-move-reason': '売れ行きがよい' }, { at: '#f-to-error', says: 'rakuten' });
  await page.select('#f-from', 'pool');
  await page.select('#f-to', 'choice');
  await submit(page, move);
  expect(await text(page, '[role=status]')).toContain('在庫を移しました');
  const portals = await tableRows(page);
  expect(portals).toContainEqual(['ふるさとチョイス', '13', '0', '13']);

  // Listed on rakuten with nothing allocated: the recommendation moves some there from the pool, with one press.
  await fill(page, { '#f-portal': 'rakuten', '#f-allocation-allocated': '0', '#f-allocation-reason': '楽天に掲載' });
  await submit(page, allocate);
  expect(await text(page, 'main')).toContain('在庫の再配分のおすすめ');
  const recommended = 'form.fc-form--row[action$="/moves"]';
  expect(await text(page, recommended)).toContain('未割当の在庫 → 楽天ふるさと納税');
  await submit(page, recommended);
  expect(await text(page, '[role=status]')).toContain('在庫を移しました');
  const after = await tableRows(page);
  expect(Number(after.find((r) => r[0] === '楽天ふるさと納税')?.[1])).toBeGreaterThan(0);
  expect(await text(page, 'main')).toContain('再配分のおすすめ: ');
  await expectAccessible(h, page);
  await page.browserContext().close();

  // The city reads the gift without the operators' forms.
  const reader = await h.account('city');
  const cp = await h.open(reader, `/console/gifts/${code}`);
  expect(await cp.$$eval('main form', (f) => f.length)).toBe(0);
  expect((await cp.goto(`${h.base}/console/gifts/new`))!.status()).toBe(403);
  await cp.browserContext().close();
});

test('a supplier gets 403 on the operator pages', async () => {
  const supplier = await h.account('supplier', { supplierCode: `cg-s-${run}` });
  const sp = await h.newPage();
  await h.signIn(sp, supplier);
  expect((await sp.goto(`${h.base}/console/gifts`))!.status()).toBe(403);
  expect((await sp.goto(`${h.base}/console/gifts/${GIFT}`))!.status()).toBe(403);
  expect((await sp.goto(`${h.base}/console/gifts/new`))!.status()).toBe(403);
  await sp.browserContext().close();
});
