import type { Page } from 'puppeteer-core';
import { Gift, Supplier } from '../../ledger/entities';
import { eventually } from '../support/context';
import { consoleHarness, paidByMail, postedDonation, retype, type ConsoleHarness, type TestAccount, type TokenApi } from './harness';
import { expectRefused } from './forms';
import { text, submit, expectAccessible } from './page';

/** Issue 16: an operator finds a held donation, corrects the donor in the form, releases the hold — in Chromium, axe on every page. */
const TOKEN = 'operator-token-console-0001';
let h: ConsoleHarness;
/** Set-up and checks beside the browser, through the JSON API as the suite's machine token. */
let api: TokenApi;
let operator: TestAccount;

beforeAll(async () => {
  // Returned mail is expected for 60 days after posting (the suites' default completes at once).
  h = await consoleHarness('console-donations', { API_TOKENS: `operator:machine:${TOKEN}`, DOCS_RETURN_WINDOW_DAYS: '60' });
  api = h.tokenApi(TOKEN);
  operator = await h.account('operator', { name: '佐藤 次郎' });
  const em = h.ctx.orm.em.fork();
  em.create(Gift, { code: `${h.ctx.prefix}-EEL`, name: 'うなぎのせいろ蒸し 2人前', priceYen: 20_000, costYen: 6_000, shippingCostYen: 1_000, active: true });
  em.create(Supplier, { code: `${h.ctx.prefix}-S`, name: '柳川うなぎ本舗', shippingWeekdays: [1, 4], active: true } as any);
  await em.flush();
});

afterAll(async () => {
  await h?.close();
});

let seq = 0;
async function heldDonation(): Promise<{ id: string; orderId: string }> {
  seq += 1;
  const donor = { name: '柳川 花', nameKana: 'ヤナガワ ハナ', postalCode: '832-0021', prefecture: '福岡県', address: '柳川市本町1', phone: '0944-00-0001' };
  return postedDonation(api, `${h.ctx.prefix}-TEL-${seq}`, { channel: 'phone', donor, amountYen: 20_000, paymentMethod: 'postal_transfer', gifts: [{ code: `${h.ctx.prefix}-EEL` }] }, 'held');
}

/** Reloads the donation page until its status reads `label` (signals are handled by the workflow meanwhile). */
async function statusShown(page: Page, label: string) {
  await eventually(
    async () => {
      await page.reload();
      return text(page, '.fc-dl dd');
    },
    (s) => s.includes(label),
  );
}

test('home shows the work queues and the fiscal year chart; the held donation is counted and linked', async () => {
  await heldDonation();
  const page = await h.open(operator, '/console/');
  const cards = await page.$$eval('.fc-card', (els) => els.map((e) => e.textContent?.replace(/\s+/g, ' ').trim()));
  expect(cards.find((c) => c?.startsWith('審査保留の寄附'))).toMatch(/[1-9][\d,]*件/);
  expect(await page.$eval('a.fc-card[href="/console/donations?status=held"]', (e) => !!e)).toBe(true);
  const chart = await page.$eval('img.fc-chart', (e) => ({ w: (e as unknown as { naturalWidth: number }).naturalWidth, alt: e.getAttribute('alt') }));
  expect(chart.w).toBeGreaterThan(0);
  expect(chart.alt).toContain('棒グラフ');
  await expectAccessible(h, page);
  const svg = await page.goto(`${h.base}/console/charts/progress-by-portal.svg`);
  expect(svg!.headers()['content-type']).toContain('image/svg+xml');
  expect(await svg!.text()).toContain('<svg');
  await page.browserContext().close();
});

test('find by order number, correct the donor in the form (errors at the field, typed values kept), release the hold: the workflow goes on', async () => {
  const { id, orderId } = await heldDonation();
  // The held list, then ?q= with the order number goes straight to the donation.
  const page = await h.open(operator, '/console/donations?status=held');
  expect(await page.$$eval('tbody a', (as) => as.map((a) => a.textContent))).toContain(orderId);
  await expectAccessible(h, page);
  await page.goto(`${h.base}/console/donations?q=${encodeURIComponent(orderId)}`);
  expect(new URL(page.url()).pathname).toBe(`/console/donations/${id}`);
  expect(await text(page, 'h1')).toBe(`寄附 ${orderId}`);
  expect(await text(page, '.fc-dl dd')).toContain('審査保留');
  expect(await page.$eval('a[href*="/namespaces/default/workflows/"]', (a) => a.getAttribute('href'))).toContain(encodeURIComponent(`donation/direct/${orderId}`));
  await expectAccessible(h, page);

  // A bad kana: the message is at the field, what was typed stays.
  const correction = { '#f-donor-nameKana': 'やながわ はな', '#f-donor-postalCode': '812-0011', '#f-donor-address': '福岡市博多区博多駅前1-1', '#f-donor-reason': '電話で住所変更の申し出' };
  await expectRefused(h, page, `form[action="/console/donations/${id}/donor"]`, correction, { at: '#f-donor-nameKana-error', says: 'katakana' });

  await retype(page, '#f-donor-nameKana', 'ヤナガワ ハナ');
  await submit(page, `form[action="/console/donations/${id}/donor"]`);
  expect(await text(page, '[role=status]')).toContain('寄附者の情報を訂正しました');
  expect(await text(page, '.fc-dl:nth-of-type(2)')).toContain('福岡市博多区博多駅前1-1');
  const events = (await api('GET', `/donations/${id}/events`)).json().events as { kind: string; actor: string }[];
  expect(events.find((e) => e.kind === 'donor_correction')?.actor).toBe(`operator:${operator.login}`);

  // Release the hold: the workflow moves on and the page says so.
  await page.type('#f-release-reason', '市外へ転居済みを確認');
  await submit(page, `form[action="/console/donations/${id}/release"]`);
  expect(await text(page, '[role=status]')).toContain('審査保留を解除しました');
  await statusShown(page, '入金待ち');
  await expectAccessible(h, page);
  await page.browserContext().close();
});

test('a stale form says so and changes nothing', async () => {
  const { id } = await heldDonation();
  const page = await h.open(operator, `/console/donations/${id}`);
  // Meanwhile someone else corrects the phone number.
  expect((await api('POST', `/donations/${id}/corrections`, { reason: 'other desk', changes: { phone: '0944-99-9999' } })).statusCode).toBe(200);
  const stale = { '#f-donor-address': '柳川市本町2', '#f-donor-reason': '番地の訂正' };
  await expectRefused(h, page, `form[action="/console/donations/${id}/donor"]`, stale, { at: '[role=alert]', says: '画面を開いた後に別の操作で変更されました' });
  const donor = (await api('GET', `/donations/${id}`)).json().donation.donor;
  expect(donor).toMatchObject({ address: '柳川市本町1', phone: '0944-99-9999' });
  await page.browserContext().close();
});

test('the city reads a donation without action forms; a supplier gets 403; CSV export answers a CSV', async () => {
  const { id } = await heldDonation();
  const city = await h.account('city');
  const page = await h.open(city, `/console/donations/${id}`);
  expect(await page.$$eval('form[action*="/donations/"]', (f) => f.length)).toBe(0);
  await expectAccessible(h, page);
  const csv = await page.evaluate(async () => {
    const res = await fetch('/console/donations/export?status=held');
    return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
  });
  expect(csv.status).toBe(200);
  expect(csv.type).toContain('text/csv');
  expect(csv.text.split('\n').length).toBeGreaterThan(1);
  // The city may not act, even by hand-made POST with a valid CSRF token.
  const token = await page.$eval('form[action="/console/logout"] input[name=_csrf]', (e) => (e as unknown as { value: string }).value);
  const status = await page.evaluate(async (url: string, t: string) => (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `_csrf=${encodeURIComponent(t)}&reason=x` })).status, `/console/donations/${id}/cancel`, token);
  expect(status).toBe(403);
  await page.browserContext().close();

  const supplier = await h.account('supplier', { supplierCode: `${h.ctx.prefix}-S` });
  const sp = await h.newPage();
  await h.signIn(sp, supplier);
  expect((await sp.goto(`${h.base}/console/donations/${id}`))!.status()).toBe(403);
  expect((await sp.goto(`${h.base}/console/donations?status=held`))!.status()).toBe(403);
  await sp.browserContext().close();
});

test('送付先, payment and cancel from the page, each through the API and the workflow', async () => {
  const { id } = await heldDonation();
  const page = await h.open(operator, `/console/donations/${id}`);
  const form = `form[action="/console/donations/${id}/ship-to"]`;
  const shipTo = { '#f-shipTo_name': '柳川 太郎', '#f-shipTo_postalCode': '81', '#f-shipTo_prefecture': '東京都', '#f-shipTo_address': '千代田区千代田1-1', '#f-shipto-reason': '実家へ送る' };
  await expectRefused(h, page, form, shipTo, { at: '#f-shipTo_postalCode-error', says: 'postal code' });
  await retype(page, '#f-shipTo_postalCode', '100-0001');
  await submit(page, form);
  expect(await text(page, '[role=status]')).toContain('送付先を変更しました');
  expect(await text(page, 'main')).toContain('柳川 太郎');

  await page.type('#f-payment-paidOn', '');
  await page.$eval('#f-payment-paidOn', (e, v) => ((e as unknown as { value: string }).value = v as string), new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 10));
  await submit(page, `form[action="/console/donations/${id}/payment"]`);
  expect(await text(page, '[role=status]')).toContain('入金確認を受け付けました');

  await page.type('#f-cancel-reason', '寄附者の申し出');
  await submit(page, `form[action="/console/donations/${id}/cancel"]`);
  expect(await text(page, '[role=status]')).toContain('取消を受け付けました');
  await eventually(() => api('GET', `/donations/${id}`), (r) => r.json().workflow?.status === 'cancelled' || r.json().donation.status === 'cancelled');
  const kinds = ((await api('GET', `/donations/${id}/events`)).json().events as { kind: string; actor: string }[]).filter((e) => e.actor === `operator:${operator.login}`).map((e) => e.kind);
  expect(kinds).toEqual(expect.arrayContaining(['ship_to_corrected']));
  await page.browserContext().close();
});

test('returned mail (DOCS-4): recorded from the page, then the address confirmed and corrected; the documents go out again', async () => {
  seq += 1;
  const donor = { name: '高橋 三郎', nameKana: 'タカハシ サブロウ', postalCode: '100-0001', prefecture: '東京都', address: '千代田区千代田3-3', phone: '03-3333-3333' };
  const { id } = await postedDonation(api, `${h.ctx.prefix}-MAIL-${seq}`, paidByMail(donor, 10_000), 'documents_due');
  expect((await api('POST', `/donations/${id}/documents-sent`, { sentAt: new Date().toISOString() })).statusCode).toBe(202);
  await eventually(() => api('GET', `/donations/${id}`), (r) => r.json().workflow?.status === 'documents_sent');

  const page = await h.open(operator, `/console/donations/${id}`);
  await page.type('#f-returned-reason', '宛所に尋ねあたりません');
  await submit(page, `form[action="/console/donations/${id}/returned-mail"]`);
  expect(await text(page, '[role=status]')).toContain('郵便物の返戻を記録しました');
  await statusShown(page, '郵便物返戻');
  await expectAccessible(h, page);
  await retype(page, '#f-address-address', '千代田区千代田3-4');
  await page.type('#f-address-reason', '電話で番地を確認');
  await submit(page, `form[action="/console/donations/${id}/address"]`);
  expect(await text(page, '[role=status]')).toContain('住所を確認しました');
  const d = (await api('GET', `/donations/${id}`)).json();
  expect(d.donation.donor.address).toBe('千代田区千代田3-4');
  await eventually(() => api('GET', `/donations/${id}`), (r) => r.json().workflow?.status === 'documents_due');
  await page.browserContext().close();
});

test('receipt reissue (DOCS-1) from the page once a receipt was posted: the next issue waits for the next batch; a second request is refused plainly', async () => {
  seq += 1;
  const donor = { name: '再発 四郎', nameKana: 'サイハツ シロウ', postalCode: '100-0001', prefecture: '東京都', address: '千代田区千代田4-4', phone: '03-4444-4444' };
  const { id } = await postedDonation(api, `${h.ctx.prefix}-REISSUE-${seq}`, paidByMail(donor, 12_000), 'documents_due');
  // The first receipt goes out in a batch and is posted.
  const { batchId } = (await api('POST', '/print-batches', { donationIds: [id] })).json();
  await eventually(() => api('GET', `/print-batches/${batchId}`), (r) => r.json().batch?.status === 'handed_off', 60_000);
  expect((await api('POST', `/print-batches/${batchId}/posted`, { postedAt: new Date().toISOString() })).statusCode).toBe(202);
  await eventually(() => api('GET', `/donations/${id}/receipts`), (r) => r.json().receipts[0]?.postedAt);

  const page = await h.open(operator, `/console/donations/${id}`);
  await statusShown(page, '書類発送済み');
  const form = `form[action="/console/donations/${id}/reissue"]`;
  await page.type('#f-reissue-reason', '寄附者が紛失（電話で依頼）');
  await submit(page, form);
  expect(await text(page, '[role=status]')).toContain('受領証明書の再発行を受け付けました');
  const receipts = (await api('GET', `/donations/${id}/receipts`)).json().receipts as { issue: number; reissue: boolean; requestedBy: string; note: string; postedAt: string | null }[];
  expect(receipts.map((r) => r.issue)).toEqual([1, 2]);
  expect(receipts[1]).toMatchObject({ reissue: true, requestedBy: `operator:${operator.login}`, note: '寄附者が紛失（電話で依頼）', postedAt: null });
  expect(await text(page, 'main')).toContain('寄附者が紛失（電話で依頼）');
  await expectAccessible(h, page);

  // The reissue waits for the next batch: asking again says so, and the reason typed stays.
  await expectRefused(h, page, form, { '#f-reissue-reason': 'もう一度' }, { at: '[role=alert]', says: 'already waiting to be printed' });
  expect(((await api('GET', `/donations/${id}/receipts`)).json().receipts as unknown[]).length).toBe(2);
  await page.browserContext().close();
});
