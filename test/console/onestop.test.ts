import type { Page } from 'puppeteer-core';
import { jstDate } from '../../domain/jst';
import { registerDonation } from '../../ledger/donations';
import { eventually } from '../support/context';
import { oneStopDonation, paperApplication } from '../support/factory';
import { consoleHarness, type ConsoleHarness, type TestAccount } from './harness';
import { text, value, submit, expectAccessible } from './page';
import { expectStale } from './forms';

/**
 * Issue 17: the one-stop review in the console — the queue, an application's findings and notices,
 * the resubmission that cures a deficiency, the 変更届出書, and the 個人番号 shown only to an admin
 * (second factor) who gives a reason, through the API's my-number route (MYNUM-1 register) and logged.
 */
const Y = Number(jstDate(new Date()).slice(0, 4));
const PLANTED = '123456789018';
const TOKEN = 'operator-token-console-onestop1';
const ADMIN_TOKEN = 'admin-token-console-onestop01';
let h: ConsoleHarness;
let operator: TestAccount;

beforeAll(async () => {
  h = await consoleHarness('console-onestop', { API_TOKENS: `operator:machine:${TOKEN},admin:root:${ADMIN_TOKEN}` });
  operator = await h.account('operator', { name: '審査 担当' });
});

afterAll(async () => {
  await h?.close();
});

const api = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object, token = TOKEN) => h.app.inject({ method, url, payload, headers: { authorization: `Bearer ${token}` } });

/** A paper application without the identity documents: deficient. */
async function deficientApplication(): Promise<{ id: string; orderId: string }> {
  const { donation } = await registerDonation(h.ctx.orm.em.fork(), oneStopDonation(h.ctx.prefix, Y), 'test:setup');
  const res = await api('POST', '/onestop/applications/paper', paperApplication(donation.id, Y, PLANTED, { attachments: [] }));
  expect([res.statusCode, res.statusCode === 201 ? '' : res.body]).toEqual([201, '']);
  const id = res.json().id as string;
  await eventually(() => api('GET', `/onestop/applications/${id}`), (r) => r.json().status === 'deficient' && r.json().workflow?.state === 'deficient');
  return { id, orderId: donation.portalOrderId };
}

test('the queue lists the deficient application; its page shows the findings and the notice; a resubmission with the documents is accepted; a 変更届出書 is recorded', async () => {
  const { id, orderId } = await deficientApplication();
  const page = await h.newPage();
  await h.signIn(page, operator);
  await page.goto(`${h.base}/console/onestop`);
  await expectAccessible(h, page);
  await Promise.all([page.waitForNavigation(), page.click(`xpath/.//a[text()="${orderId}"]`)]);
  expect(new URL(page.url()).pathname).toBe(`/console/onestop/applications/${id}`);
  expect(await text(page, '.fc-dl')).toContain('不備');
  expect(await text(page, 'main')).toContain('【不備】');
  expect(await text(page, 'main')).not.toContain(PLANTED);
  await eventually(async () => { await page.reload(); return text(page, 'main'); }, (t) => t.includes('不備の通知'));
  // Operators see no 個人番号 form.
  expect(await page.$('form[action$="/my-number"]')).toBeNull();
  await expectAccessible(h, page);

  // A bad arrival date comes back at the field with what was typed.
  const resubmit = `form[action="/console/onestop/applications/${id}/resubmission"]`;
  await page.$eval('#f-resubmit-arrivedOn', (e) => ((e as unknown as { type: string }).type = 'text'));
  await page.click('#f-resubmit-arrivedOn', { count: 3 });
  await page.type('#f-resubmit-arrivedOn', '12月1日');
  await page.select('#f-attachment', 'my_number_card');
  await submit(page, resubmit);
  expect(await text(page, '#f-resubmit-arrivedOn-error')).not.toBe('');
  // The page sends back what was typed (a date field cannot display it, so read the attribute).
  expect(await page.$eval('#f-resubmit-arrivedOn', (e) => e.getAttribute('value'))).toBe('12月1日');
  expect(await value(page, '#f-attachment')).toBe('my_number_card');
  await expectAccessible(h, page);
  await page.$eval('#f-resubmit-arrivedOn', (e, v) => ((e as unknown as { value: string }).value = v as string), `${Y}-12-05`);
  await submit(page, resubmit);
  expect(await text(page, '[role=status]')).toContain('再提出を受け付けました');
  await eventually(() => api('GET', `/onestop/applications/${id}`), (r) => r.json().status === 'accepted');

  await page.reload();
  const change = `form[action="/console/onestop/applications/${id}/change-notice"]`;
  await page.type('#f-change-reason', '転居');
  await page.type('#f-change-address', '福岡県柳川市三橋町1-1');
  await submit(page, change);
  expect(await text(page, '[role=status]')).toContain('変更届出書を記録しました');
  expect(await text(page, '.fc-dl')).toContain('福岡県柳川市三橋町1-1');
  const history = (await api('GET', `/onestop/applications/${id}`)).json().history as { actor: string }[];
  expect(history.some((e) => e.actor === `operator:${operator.login}`)).toBe(true);
  await page.browserContext().close();
});

test('two operators on one application: a 変更届出書 typed on a page opened before the colleague’s answers 409 with the application as it is now and what was typed; nothing is recorded', async () => {
  const { id } = await deficientApplication();
  const colleague = await h.account('operator', { name: '審査 同僚' });
  const path = `/console/onestop/applications/${id}`;
  const [mine, theirs] = [await h.open(operator, path), await h.open(colleague, path)];
  const change = `form[action="${path}/change-notice"]`;
  await theirs.type('#f-change-reason', '転居');
  await theirs.type('#f-change-address', '福岡県柳川市三橋町2-2');
  await submit(theirs, change);
  expect(await text(theirs, '[role=status]')).toContain('変更届出書を記録しました');
  const before = (await api('GET', `/onestop/applications/${id}`)).json();

  await expectStale(mine, change, { '#f-change-reason': '婚姻', '#f-change-name': '柳川 花子' });
  // The application as it is now: the colleague's address; nothing of the stale form was recorded.
  expect(await text(mine, '.fc-dl')).toContain('福岡県柳川市三橋町2-2');
  await expectAccessible(h, mine);
  const after = (await api('GET', `/onestop/applications/${id}`)).json();
  expect(after.history).toHaveLength(before.history.length);
  expect(after.changedParticulars).toEqual(before.changedParticulars);
  // Sent again from the page as it is now, it is recorded.
  await submit(mine, change);
  expect(await text(mine, '[role=status]')).toContain('変更届出書を記録しました');
  await mine.browserContext().close();
  await theirs.browserContext().close();
});

test('the 個人番号: only an admin with the second factor and a typed reason sees it, through the register check; each view is in the access log', async () => {
  const { id } = await deficientApplication();
  const admin = await h.account('admin', { canReadMyNumber: true, name: '番号 管理者' });
  const page = await h.newPage();
  await h.signIn(page, admin);
  await page.goto(`${h.base}/console/onestop/applications/${id}`);
  const form = `form[action="/console/onestop/applications/${id}/my-number"]`;

  // Not on the MYNUM-1 register yet: refused, saying why, and no number on the page.
  await page.type('#f-mynumber-reason', '通知書の照合');
  await submit(page, form);
  expect(page.url()).toContain(`/onestop/applications/${id}`);
  expect(await text(page, '[role=alert]')).toContain('取扱者名簿に登録されていません');
  expect(await text(page, 'main')).not.toContain(PLANTED);
  expect(await value(page, '#f-mynumber-reason')).toBe('通知書の照合');

  const today = jstDate(new Date());
  const registered = await api('PUT', `/mynumber/handlers/admin:${admin.login}`, { name: '番号 管理者', kind: 'handler', cityNotifiedOn: today, pledgeSignedOn: today, trainedOn: today, validUntil: `${Number(today.slice(0, 4)) + 1}${today.slice(4)}` }, ADMIN_TOKEN);
  expect(registered.statusCode).toBe(200);

  // A reason too short: at the field.
  await page.click('#f-mynumber-reason', { count: 3 });
  await page.keyboard.press('Backspace');
  await page.type('#f-mynumber-reason', '確認');
  await submit(page, form);
  expect(await text(page, '#f-mynumber-reason-error')).toContain('4文字以上');
  expect(await text(page, 'main')).not.toContain(PLANTED);

  await page.click('#f-mynumber-reason', { count: 3 });
  await page.keyboard.press('Backspace');
  await page.type('#f-mynumber-reason', '申告特例通知書の照合');
  const res = await Promise.all([page.waitForNavigation(), page.click(`${form} button[type=submit]`)]);
  expect(res[0]!.headers()['cache-control']).toBe('no-store');
  expect(await text(page, '#my-number')).toBe(PLANTED);
  const logRow = await page.$$eval('table', (ts) => ts.map((t) => t.textContent ?? '').find((t) => t.includes('申告特例通知書の照合')) ?? '');
  expect(logRow).toContain(`admin:${admin.login}`);
  await expectAccessible(h, page);
  const log = (await api('GET', `/onestop/applications/${id}/my-number/access-log`, undefined, ADMIN_TOKEN)).json().reads as { actor: string; reason: string; source: string }[];
  expect(log).toEqual([expect.objectContaining({ actor: `admin:${admin.login}`, reason: '申告特例通知書の照合', source: 'console' })]);
  // Opening the page again shows no number: each view is a new, logged request.
  await page.goto(`${h.base}/console/onestop/applications/${id}`);
  expect(await text(page, 'main')).not.toContain(PLANTED);
  await page.browserContext().close();
});

test('a supplier gets 403; an operator cannot post the 個人番号 form', async () => {
  const { id } = await deficientApplication();
  const page = await h.newPage();
  await h.signIn(page, operator);
  await page.goto(`${h.base}/console/onestop/applications/${id}`);
  const token = await page.$eval('form[action="/console/logout"] input[name=_csrf]', (e) => (e as unknown as { value: string }).value);
  const status = await page.evaluate(async (url: string, t: string) => (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `_csrf=${encodeURIComponent(t)}&reason=${encodeURIComponent('見たいだけ')}` })).status, `/console/onestop/applications/${id}/my-number`, token);
  expect(status).toBe(403);
  await page.browserContext().close();

  const em = h.ctx.orm.em.fork();
  await em.getKnex().raw(`insert into suppliers (code, name, shipping_weekdays) values (?, '柳川のり店', '{1,4}') on conflict do nothing`, [`${h.ctx.prefix}-S`]);
  const supplier = await h.account('supplier', { supplierCode: `${h.ctx.prefix}-S` });
  const sp = await h.newPage();
  await h.signIn(sp, supplier);
  expect((await sp.goto(`${h.base}/console/onestop`))!.status()).toBe(403);
  expect((await sp.goto(`${h.base}/console/onestop/applications/${id}`))!.status()).toBe(403);
  await sp.browserContext().close();
});
