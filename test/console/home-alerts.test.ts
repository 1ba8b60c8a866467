import { randomUUID } from 'node:crypto';
import { recordAlert } from '../../ledger/onestop';
import { consoleHarness, type ConsoleHarness } from './harness';
import { text, expectAccessible } from './page';

/**
 * Issue 16/17 home: the one-stop and stock alert counts link to their lists; a one-stop alert is listed
 * and marked as seen through POST /onestop/alerts/:id/acknowledge as the person. Chromium, axe.
 */
const run = randomUUID().slice(0, 6);
const MESSAGE = `受理通知の期限が近い申請があります（${run}）`;
let h: ConsoleHarness;

beforeAll(async () => {
  h = await consoleHarness('console-home-alerts', {}, { worker: false });
  await recordAlert(h.ctx.orm.em.getKnex(), { kind: 'notification_due', donationYear: 2026, message: MESSAGE, key: `home-alerts-${run}` });
});

afterAll(async () => {
  await h?.close();
});

test('home links the alert counts to their lists; an operator marks a one-stop alert as seen', async () => {
  const operator = await h.account('operator');
  const page = await h.newPage();
  await h.signIn(page, operator);
  const cards = await page.$$eval('a.fc-card', (as) => as.map((a) => [a.textContent!.replace(/\s+/g, ' ').trim(), a.getAttribute('href')]));
  expect(cards.find(([t]) => t!.includes('ワンストップの未対応アラート'))?.[1]).toBe('/console/onestop/alerts');
  expect(cards.find(([t]) => t!.includes('在庫アラート'))?.[1]).toBe('/console/gifts');

  await Promise.all([page.waitForNavigation(), page.click('a.fc-card[href="/console/onestop/alerts"]')]);
  expect(await text(page, 'tbody')).toContain(MESSAGE);
  expect(await text(page, 'tbody')).toContain('通知の期限が近い');
  await expectAccessible(h, page);
  const row = await page.$$eval('tbody tr', (trs, m) => trs.findIndex((tr) => tr.textContent!.includes(m as string)), MESSAGE);
  await Promise.all([page.waitForNavigation(), page.click(`tbody tr:nth-child(${row + 1}) button[type=submit]`)]);
  expect(await text(page, '[role=status]')).toContain('確認済みにしました');
  expect(await text(page, 'main')).not.toContain(MESSAGE);
  const [seen] = await h.ctx.orm.em.getKnex()('onestop_alerts').where({ idempotency_key: `home-alerts-${run}` }).select('acknowledged_by');
  expect(seen.acknowledged_by).toBe(`operator:${operator.login}`);
  await expectAccessible(h, page);
  await page.browserContext().close();
});

test('a supplier gets 403 on the alerts list', async () => {
  await h.ctx.orm.em.getKnex().raw(`insert into suppliers (code, name, shipping_weekdays) values (?, '柳川のり店', '{1,4}') on conflict do nothing`, [`ha-${run}`]);
  const supplier = await h.account('supplier', { supplierCode: `ha-${run}` });
  const page = await h.newPage();
  await h.signIn(page, supplier);
  expect((await page.goto(`${h.base}/console/onestop/alerts`))!.status()).toBe(403);
  await page.browserContext().close();
});
