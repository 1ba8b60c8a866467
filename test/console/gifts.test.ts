import { randomUUID } from 'node:crypto';
import type { Page } from 'puppeteer-core';
import { consoleHarness, type ConsoleHarness, type TestAccount } from './harness';
import { text, value, submit, expectAccessible } from './page';

/** Issue 17: gifts and stock in the console — alerts and catalogue, a gift's stock set with a reason — in Chromium, axe on every page. */
const run = randomUUID().slice(0, 6);
const GIFT = `cg-nori-${run}`;
let h: ConsoleHarness;
let operator: TestAccount;

beforeAll(async () => {
  h = await consoleHarness('console-gifts', {}, { worker: false });
  operator = await h.account('operator', { name: '在庫 担当' });
  const knex = h.ctx.orm.em.getKnex();
  const [{ id }] = await knex('suppliers').insert({ code: `cg-s-${run}`, name: '有明海苔店', shipping_weekdays: '{1,4}' }).returning('id');
  await knex('gifts').insert({ code: GIFT, name: '有明海苔 詰合せ', supplier_id: id, price_yen: 10_000, cost_yen: 2_000, shipping_cost_yen: 700, active: true });
});

afterAll(async () => {
  await h?.close();
});


test('the catalogue links the gift; its total stock is set with a reason (a bad number at the field), recorded as a movement', async () => {
  const page = await h.newPage();
  await h.signIn(page, operator);
  await page.goto(`${h.base}/console/gifts`);
  expect(await text(page, 'main')).toContain('在庫のアラート');
  await expectAccessible(h, page);
  await Promise.all([page.waitForNavigation(), page.click(`a[href="/console/gifts/${GIFT}"]`)]);
  expect(await text(page, '.fc-dl')).toContain('管理していません');
  await expectAccessible(h, page);

  const form = `form[action="/console/gifts/${GIFT}/stock"]`;
  await page.type('#f-stock-totalStock', '-5');
  await page.type('#f-stock-reason', '棚卸し');
  await submit(page, form);
  expect(await text(page, '#f-stock-totalStock-error')).not.toBe('');
  expect(await value(page, '#f-stock-totalStock')).toBe('-5');
  expect(await value(page, '#f-stock-reason')).toBe('棚卸し');
  await expectAccessible(h, page);

  await page.click('#f-stock-totalStock', { count: 3 });
  await page.keyboard.press('Backspace');
  await page.type('#f-stock-totalStock', '120');
  await submit(page, form);
  expect(await text(page, '[role=status]')).toContain('在庫を更新しました');
  expect(await text(page, '.fc-dl')).toContain('総数 120');
  expect(await text(page, 'main')).toContain(`operator:${operator.login}`);
  await page.browserContext().close();
});

test('a supplier gets 403 on the operator pages', async () => {
  const supplier = await h.account('supplier', { supplierCode: `cg-s-${run}` });
  const sp = await h.newPage();
  await h.signIn(sp, supplier);
  expect((await sp.goto(`${h.base}/console/gifts`))!.status()).toBe(403);
  expect((await sp.goto(`${h.base}/console/gifts/${GIFT}`))!.status()).toBe(403);
  await sp.browserContext().close();
});
