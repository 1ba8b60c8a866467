import type { Page } from 'puppeteer-core';
import { Supplier } from '../../ledger/entities';
import { eventually } from '../support/context';
import { consoleHarness, paidByMail, postedDonation, type ConsoleHarness, type TestAccount } from './harness';
import { text, value, submit, submitStale, expectAccessible } from './page';

/** Issue 17: print batches in the console — list, manifest, merged PDF, confirm posted, returned mail — in Chromium, axe on every page. */
let h: ConsoleHarness;
let operator: TestAccount;
const TOKEN = 'operator-token-console-print1';

beforeAll(async () => {
  // Returned mail is expected for 60 days after posting (the suites' default completes at once).
  h = await consoleHarness('console-print', { API_TOKENS: `operator:machine:${TOKEN}`, DOCS_RETURN_WINDOW_DAYS: '60' });
  operator = await h.account('operator', { name: '印刷 担当' });
  const em = h.ctx.orm.em.fork();
  em.create(Supplier, { code: `${h.ctx.prefix}-S`, name: '柳川のり店', shippingWeekdays: [2, 5], active: true } as any);
  await em.flush();
});

afterAll(async () => {
  await h?.close();
});

const api = (method: 'GET' | 'POST', url: string, payload?: object) => h.app.inject({ method, url, payload, headers: { authorization: `Bearer ${TOKEN}` } });
const setValue = (page: Page, selector: string, v: string) => page.$eval(selector, (e, x) => ((e as unknown as { value: string }).value = x as string), v);

let seq = 0;
/** A paid mail donation whose documents are due. */
async function dueDonation(): Promise<{ id: string; orderId: string }> {
  seq += 1;
  const donor = { name: '印刷 花子', nameKana: 'インサツ ハナコ', postalCode: '832-0021', prefecture: '福岡県', address: '柳川市本町1', phone: '0944-00-0002' };
  return postedDonation(api, `${h.ctx.prefix}-PB-${seq}`, paidByMail(donor, 15_000), 'documents_due');
}

test('a batch from the list to its manifest and merged PDF; posted confirmed in the form (a bad time at the field); returned mail from the batch', async () => {
  const a = await dueDonation();
  const b = await dueDonation();
  const started = await api('POST', '/print-batches', { donationIds: [a.id, b.id] });
  expect(started.statusCode).toBe(202);
  const { batchId } = started.json();
  await eventually(() => api('GET', `/print-batches/${batchId}`), (r) => r.json().batch?.status === 'handed_off', 60_000);

  const page = await h.newPage();
  await h.signIn(page, operator);
  expect(await page.$$eval('nav.fc-nav a', (as) => as.map((x) => x.textContent))).toContain('印刷バッチ');
  await page.goto(`${h.base}/console/print-batches`);
  const row = await page.$eval(`a[href="/console/print-batches/${batchId}"]`, (x) => x.closest('tr')!.textContent!.replace(/\s+/g, ' '));
  expect(row).toContain('臨時');
  expect(row).toContain('印刷会社へ引渡し済み');
  await expectAccessible(h, page);

  await Promise.all([page.waitForNavigation(), page.click(`a[href="/console/print-batches/${batchId}"]`)]);
  const manifest = await page.$$eval('tbody tr', (trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td') as unknown as ArrayLike<{ textContent: string }>).map((td) => td.textContent.trim())));
  expect(manifest.map((r) => r[1]).sort()).toEqual([a.orderId, b.orderId].sort());
  expect(manifest[0][2]).toBe('初回送付');
  expect(manifest[0][3]).toContain('寄附金受領証明書');
  expect(manifest[0][4]).toMatch(/^R\d{4}/);
  await expectAccessible(h, page);

  // The merged PDF and the manifest as the printer received them.
  const pdf = await page.evaluate(async (url: string) => {
    const res = await fetch(url);
    const bytes = new Uint8Array(await res.arrayBuffer());
    return { status: res.status, type: res.headers.get('content-type'), head: String.fromCharCode(...bytes.slice(0, 5)) };
  }, `/console/print-batches/${batchId}/batch.pdf`);
  expect(pdf).toEqual({ status: 200, type: 'application/pdf', head: '%PDF-' });
  const csv = await page.evaluate(async (url: string) => (await fetch(url)).text(), `/console/print-batches/${batchId}/manifest.csv`);
  expect(csv).toContain(a.orderId);

  // A time in the future: said at the field, the typed time kept; nothing posted.
  const form = `form[action="/console/print-batches/${batchId}/posted"]`;
  await setValue(page, '#f-posted-postedAt', '2099-01-01T10:00');
  await submit(page, form);
  expect(await text(page, '#f-posted-postedAt-error')).toContain('future');
  expect(await value(page, '#f-posted-postedAt')).toBe('2099-01-01T10:00');
  await expectAccessible(h, page);
  expect((await api('GET', `/print-batches/${batchId}`)).json().batch.status).toBe('handed_off');

  const now = new Date(Date.now() + 9 * 3_600_000 - 60_000).toISOString().slice(0, 16);
  await setValue(page, '#f-posted-postedAt', now);
  await submit(page, form);
  expect(await text(page, '[role=status]')).toContain('投函を確認しました');
  await eventually(() => api('GET', `/donations/${a.id}`), (r) => r.json().workflow?.status === 'documents_sent');
  await eventually(() => api('GET', `/print-batches/${batchId}`), (r) => r.json().batch.status === 'posted');
  await page.reload();
  expect(await text(page, '.fc-dl')).toContain('投函済み');
  expect(await text(page, '.fc-dl')).toContain(`operator:${operator.login}`);

  // Returned mail: without choosing the envelope the page says so and keeps the reason.
  const returned = `form[action="/console/print-batches/${batchId}/returned-mail"]`;
  await page.type('#f-returned-reason', 'あて所に尋ねあたりません');
  await submit(page, returned);
  expect(await text(page, '#f-donationId-error')).toContain('選んでください');
  expect(await value(page, '#f-returned-reason')).toBe('あて所に尋ねあたりません');
  await page.select('#f-donationId', a.id);
  await submit(page, returned);
  expect(await text(page, '[role=status]')).toContain('郵便物の返戻を記録しました');
  await eventually(() => api('GET', `/donations/${a.id}`), (r) => r.json().workflow?.status === 'mail_returned');
  const events = (await api('GET', `/donations/${a.id}/events`)).json().events as { actor: string }[];
  expect(events.some((e) => e.actor === `operator:${operator.login}`)).toBe(true);
  await expectAccessible(h, page);
  await page.browserContext().close();
});

test('two operators on one batch: the second confirmation of posting, from a page opened before the first, answers 409 with the batch as it is now and the typed time kept', async () => {
  const a = await dueDonation();
  const started = await api('POST', '/print-batches', { donationIds: [a.id] });
  const { batchId } = started.json();
  await eventually(() => api('GET', `/print-batches/${batchId}`), (r) => r.json().batch?.status === 'handed_off', 60_000);
  const colleague = await h.account('operator', { name: '印刷 同僚' });
  const path = `/console/print-batches/${batchId}`;
  const [mine, theirs] = [await h.open(operator, path), await h.open(colleague, path)];
  const form = `form[action="${path}/posted"]`;
  await submit(theirs, form);
  expect(await text(theirs, '[role=status]')).toContain('投函を確認しました');
  await eventually(() => api('GET', `/print-batches/${batchId}`), (r) => r.json().batch.status === 'posted');

  const typed = new Date(Date.now() + 9 * 3_600_000 - 120_000).toISOString().slice(0, 16);
  await setValue(mine, '#f-posted-postedAt', typed);
  await submitStale(mine, form);
  expect(await value(mine, '#f-posted-postedAt')).toBe(typed);
  // The batch as it is now: posted by the colleague.
  expect(await text(mine, '.fc-dl')).toContain('投函済み');
  expect(await text(mine, '.fc-dl')).toContain(`operator:${colleague.login}`);
  await expectAccessible(h, mine);
  await mine.browserContext().close();
  await theirs.browserContext().close();
});

test('the city reads batches without forms; a supplier gets 403; an unknown batch is 404', async () => {
  const city = await h.account('city');
  const page = await h.newPage();
  await h.signIn(page, city);
  await page.goto(`${h.base}/console/print-batches`);
  expect(await page.$$eval('main form', (f) => f.length)).toBe(0);
  await expectAccessible(h, page);
  expect((await page.goto(`${h.base}/console/print-batches/00000000-0000-4000-8000-000000000000`))!.status()).toBe(404);
  await page.browserContext().close();

  const supplier = await h.account('supplier', { supplierCode: `${h.ctx.prefix}-S` });
  const sp = await h.newPage();
  await h.signIn(sp, supplier);
  expect((await sp.goto(`${h.base}/console/print-batches`))!.status()).toBe(403);
  await sp.browserContext().close();
});
