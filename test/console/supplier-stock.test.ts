import { randomUUID } from 'node:crypto';
import { consolePrincipalHeaders } from '../../api/auth';
import { consoleHarness, retype, type ConsoleHarness, type TestAccount } from './harness';
import { text, value, submit, expectAccessible } from './page';
import { expectStale } from './forms';

/**
 * Issue 17, GIFT-2 for suppliers in Chromium: a supplier opens its gift from its desk and sets the
 * total stock with a reason through POST /gifts/:code/stock (a bad number at the field, typed values
 * kept); another supplier's gift is not found on the page and refused by the route; a supplier may not
 * set portal allocations. axe on every page.
 */
const run = randomUUID().slice(0, 6);
const FARM = `css-farm-${run}`;
const OTHER = `css-other-${run}`;
let h: ConsoleHarness;
let farm: TestAccount;

beforeAll(async () => {
  h = await consoleHarness('console-supplier-stock', {}, { worker: false });
  const knex = h.ctx.orm.em.getKnex();
  for (const [code, name] of [[FARM, '柳川うなぎ本舗'], [OTHER, '別の事業者']]) {
    const [{ id }] = await knex('suppliers').insert({ code, name, shipping_weekdays: '{1,4}' }).returning('id');
    await knex('gifts').insert({ code: `${code}-g`, name: `${name}の返礼品`, supplier_id: id, price_yen: 10_000, cost_yen: 3_000, shipping_cost_yen: 700, active: true, total_stock: 40 });
  }
  farm = await h.account('supplier', { supplierCode: FARM, name: '本舗 一郎' });
});

afterAll(async () => {
  await h?.close();
});

test('a supplier sets its gift’s total stock with a reason; a bad number comes back at the field with what was typed', async () => {
  const page = await h.newPage();
  await h.signIn(page, farm);
  await page.goto(`${h.base}/console/supplier/statements`);
  await Promise.all([page.waitForNavigation(), page.click(`a[href="/console/supplier/gifts/${FARM}-g"]`)]);
  expect(await text(page, '.fc-dl')).toContain('総数 40');
  expect(await text(page, 'main')).toContain('明細・品質・在庫へ戻る');
  await expectAccessible(h, page);

  const form = `form[action="/console/supplier/gifts/${FARM}-g/stock"]`;
  await retype(page, '#f-stock-totalStock', '四十');
  await page.type('#f-stock-reason', '追加で仕込みました');
  await submit(page, form);
  expect(await text(page, '#f-stock-totalStock-error')).not.toBe('');
  expect(await value(page, '#f-stock-totalStock')).toBe('四十');
  expect(await value(page, '#f-stock-reason')).toBe('追加で仕込みました');
  await expectAccessible(h, page);

  await retype(page, '#f-stock-totalStock', '65');
  await submit(page, form);
  expect(await text(page, '[role=status]')).toContain('在庫を更新しました');
  expect(await text(page, '.fc-dl')).toContain('総数 65');
  expect(await text(page, 'main')).toContain('追加で仕込みました');
  const [gift] = await h.ctx.orm.em.getKnex()('gifts').where({ code: `${FARM}-g` }).select('total_stock');
  expect(gift.total_stock).toBe(65);
  await expectAccessible(h, page);
  await page.browserContext().close();
});

test('the supplier’s stock form opened before an operator changed the gift’s stock answers 409 with the gift as it is now and what was typed; nothing is set', async () => {
  const operator = await h.account('operator', { name: '在庫 担当' });
  const code = `${FARM}-g`;
  const mine = await h.open(farm, `/console/supplier/gifts/${code}`);
  const theirs = await h.open(operator, `/console/gifts/${code}`);
  await retype(theirs, '#f-stock-totalStock', '30');
  await theirs.type('#f-stock-reason', '棚卸しで数え直し');
  await submit(theirs, `form[action="/console/gifts/${code}/stock"]`);
  expect(await text(theirs, '[role=status]')).toContain('在庫を更新しました');

  const form = `form[action="/console/supplier/gifts/${code}/stock"]`;
  await expectStale(mine, form, { '#f-stock-totalStock': '80', '#f-stock-reason': '追加で80個仕込みました' });
  // The gift as it is now: the operator's count and reason.
  expect(await text(mine, '.fc-dl')).toContain('総数 30');
  expect(await text(mine, 'main')).toContain('棚卸しで数え直し');
  await expectAccessible(h, mine);
  const [gift] = await h.ctx.orm.em.getKnex()('gifts').where({ code }).select('total_stock');
  expect(gift.total_stock).toBe(30);
  // Sent again from the page as it is now, it is set.
  await submit(mine, form);
  expect(await text(mine, '[role=status]')).toContain('在庫を更新しました');
  expect(await text(mine, '.fc-dl')).toContain('総数 80');
  await mine.browserContext().close();
  await theirs.browserContext().close();
});

test('another supplier’s gift is not found on the page and refused by the route; allocations stay the operators’', async () => {
  const page = await h.newPage();
  await h.signIn(page, farm);
  expect((await page.goto(`${h.base}/console/supplier/gifts/${OTHER}-g`))!.status()).toBe(404);
  expect((await page.goto(`${h.base}/console/gifts/${FARM}-g`))!.status()).toBe(403);
  await page.browserContext().close();

  const asFarm = consolePrincipalHeaders({ role: 'supplier', name: farm.login, supplierCode: FARM, consoleTerminal: '127.0.0.1' });
  const other = await h.app.inject({ method: 'POST', url: `/gifts/${OTHER}-g/stock`, headers: asFarm, payload: { totalStock: 0, reason: '横取り' } });
  expect(other.statusCode).toBe(403);
  const unknown = await h.app.inject({ method: 'POST', url: `/gifts/${FARM}-none/stock`, headers: asFarm, payload: { totalStock: 1, reason: '在庫' } });
  expect(unknown.statusCode).toBe(404);
  const allocations = await h.app.inject({ method: 'POST', url: `/gifts/${FARM}-g/stock`, headers: asFarm, payload: { allocations: [{ portal: 'choice', allocated: 5 }], reason: '割当' } });
  expect(allocations.statusCode).toBe(403);
  const [gift] = await h.ctx.orm.em.getKnex()('gifts').where({ code: `${OTHER}-g` }).select('total_stock');
  expect(gift.total_stock).toBe(40);
});
