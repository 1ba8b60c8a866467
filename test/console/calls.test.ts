import type { Page } from 'puppeteer-core';
import { registerDonation } from '../../ledger/donations';
import { newDonation } from '../support/factory';
import { eventually } from '../support/context';
import { ensureDonationWorkflow } from '../../workflows/donation/client';
import { consoleHarness, retype, type ConsoleHarness, type TestAccount } from './harness';
import { expectRefused } from './forms';
import { text, submit, expectAccessible } from './page';

/** Issue 17: the call-centre log in the console — a new call linked to a donation, follow-ups, outcome, closed — in Chromium, axe on every page. */
const TOKEN = 'operator-token-console-calls01';
let h: ConsoleHarness;
let operator: TestAccount;

beforeAll(async () => {
  // A worker: the cancellation form (CALL-5) goes through the donation's workflow.
  h = await consoleHarness('console-calls', { API_TOKENS: `operator:machine:${TOKEN}` });
  operator = await h.account('operator', { name: '電話 担当' });
});

afterAll(async () => {
  await h?.close();
});


test('a call linked to a donation by its order number, then follow-ups, the outcome and the status up to 完了', async () => {
  const { donation } = await registerDonation(h.ctx.orm.em.fork(), newDonation(h.ctx.prefix), 'test:setup');
  const page = await h.open(operator, `/console/calls`);
  await expectAccessible(h, page);
  // An order number that names nothing: at its field, everything typed kept.
  const call = { '#f-channel': 'phone', '#f-category': '証明書', '#f-call-subject': '受領証明書が届かない', '#f-call-body': '12月に寄附したが証明書がまだ届かないとのこと', '#f-call-orderId': 'NO-SUCH-ORDER' };
  await expectRefused(h, page, 'form[action="/console/calls"]', call, { at: '#f-call-orderId-error', says: 'この受付番号の寄附はありません' });
  await retype(page, '#f-call-orderId', donation.portalOrderId);
  await submit(page, 'form[action="/console/calls"]');
  expect(await text(page, '[role=status]')).toContain('問い合わせを記録しました');
  expect(await page.$eval(`a[href="/console/donations/${donation.id}"]`, (a) => !!a)).toBe(true);
  expect(await text(page, '.fc-dl')).toContain('未対応');
  await expectAccessible(h, page);

  await page.type('#f-followup-note', '印刷バッチを確認、12/5投函済み');
  await submit(page, 'form[action$="/follow-ups"]');
  expect(await text(page, '[role=status]')).toContain('対応の経過を記録しました');
  await page.type('#f-outcome-outcome', '再発行を案内し了承');
  await submit(page, 'form[action$="/outcome"]');
  for (const next of ['対応中', '対応済み', '完了']) {
    await submit(page, 'form[action$="/status"]');
    expect(await text(page, '.fc-dl')).toContain(next);
  }
  expect(await page.$('form[action$="/status"]')).toBeNull();
  expect(await text(page, '.fc-timeline')).toContain(`operator:${operator.login}`);
  expect(await text(page, '.fc-timeline')).toContain('印刷バッチを確認、12/5投函済み');
  await expectAccessible(h, page);

  // Reopened: the reason is required at its field; with it the call is 対応中 again and the reason in its history.
  await submit(page, 'form[action$="/reopen"]');
  expect(await text(page, '#f-reopen-reason-error')).toContain('reopen');
  await page.type('#f-reopen-reason', '再発行分も届かないと再度連絡');
  await submit(page, 'form[action$="/reopen"]');
  expect(await text(page, '[role=status]')).toContain('対応中に戻しました');
  expect(await text(page, '.fc-dl')).toContain('対応中');
  expect(await text(page, '.fc-timeline')).toContain('再発行分も届かないと再度連絡');
  await expectAccessible(h, page);

  await page.goto(`${h.base}/console/calls?status=対応中`);
  expect(await text(page, 'tbody')).toContain('受領証明書が届かない');
  await page.browserContext().close();
});

test('a gift complaint with no shipment linked cannot re-ship: the route says why and the kind chosen is kept', async () => {
  const created = await h.tokenApi(TOKEN)('POST', '/calls', { channel: 'phone', category: '返礼品', complaint: true, subject: 'うなぎが解けて届いた', body: '箱が濡れていた' });
  expect(created.statusCode).toBe(201);
  const page = await h.open(operator, `/console/calls/${created.json().call.id}`);
  await expectRefused(h, page, 'form[action$="/reshipment"]', { '#f-kind': 'damage', '#f-reshipment-note': '写真あり' }, { at: '[role=alert]', says: 'shipmentId' });
  await page.browserContext().close();
});

test('a form opened before someone else changed the call is told so (409), keeps what was typed and changes nothing; sent again it is done', async () => {
  const api = h.tokenApi(TOKEN);
  const created = await api('POST', '/calls', { channel: 'phone', category: '証明書', subject: '証明書の宛名違い', body: '宛名の漢字が違う' });
  const id = created.json().call.id;
  const page = await h.open(operator, `/console/calls/${id}`);
  // Meanwhile a colleague records an outcome through the API.
  expect((await api('POST', `/calls/${id}/outcome`, { outcome: '再発行で対応（同僚）' })).statusCode).toBe(200);
  await expectRefused(h, page, 'form[action$="/outcome"]', { '#f-outcome-outcome': '宛名を直して再発行' }, { at: '[role=alert]', says: 'ほかの人がこの記録を変更しました' });
  // The page shows the call as it is now: the colleague's outcome stands.
  expect(await text(page, '.fc-dl')).toContain('再発行で対応（同僚）');
  expect((await api('GET', `/calls/${id}`)).json().call.outcome).toBe('再発行で対応（同僚）');
  // The same form sent again from the page as it is now is done.
  await submit(page, 'form[action$="/outcome"]');
  expect(await text(page, '[role=status]')).toContain('対応の結果を記録しました');
  expect((await api('GET', `/calls/${id}`)).json().call.outcome).toBe('宛名を直して再発行');
  // A status change is checked the same way.
  await api('POST', `/calls/${id}/follow-ups`, { note: '同僚が電話で確認' });
  await submit(page, 'form[action$="/status"]');
  expect(await text(page, '[role=alert]')).toContain('ほかの人がこの記録を変更しました');
  expect((await api('GET', `/calls/${id}`)).json().call.status).toBe('未対応');
  await page.browserContext().close();
});

test('a donor’s cancellation taken on the call page goes through the same route: the reason at its field, then cancelled; asked again, refused with the reason and the typed reason kept', async () => {
  const api = h.tokenApi(TOKEN);
  const { donation } = await registerDonation(h.ctx.orm.em.fork(), newDonation(h.ctx.prefix, { paymentMethod: 'bank_transfer' }), 'test:setup');
  await ensureDonationWorkflow(h.ctx.client, donation, h.ctx.config);
  const statusOf = async () => (await api('GET', `/donations/${donation.id}`)).json().donation.status as string;
  await eventually(statusOf, (st) => st === 'awaiting_payment');
  const created = await api('POST', '/calls', { channel: 'phone', category: '寄附手続き', subject: '寄附を取り消したい', body: '二重に申し込んだとのこと', links: { donationId: donation.id } });
  const id = created.json().call.id;
  const page = await h.open(operator, `/console/calls/${id}`);
  const form = 'form[action$="/cancellation"]';
  await submit(page, form);
  expect(await text(page, '#f-cancellation-reason-error')).not.toBe('');
  await expectAccessible(h, page);
  await page.type('#f-cancellation-reason', '二重に申し込んだ');
  await submit(page, form);
  expect(await text(page, '[role=status]')).toContain('寄附の取消を受け付けました');
  expect(await text(page, 'main')).toContain('受付（入金前）：二重に申し込んだ');
  await eventually(statusOf, (st) => st === 'cancelled');
  // Asked again: nothing is left to cancel — the route's 409 in its words, the reason typed kept, the refusal on the call.
  await page.reload();
  await expectRefused(h, page, form, { '#f-cancellation-reason': 'もう一度' }, { at: '[role=alert]', says: 'cancelled already' });
  const history = (await api('GET', `/calls/${id}`)).json().history as { kind: string; detail: { accepted: boolean } }[];
  expect(history.filter((e) => e.kind === 'cancellation').map((e) => e.detail.accepted)).toEqual([true, false]);
  await page.browserContext().close();
});

test('the city reads the log without forms; a supplier gets 403', async () => {
  const city = await h.account('city');
  const page = await h.open(city, `/console/calls`);
  expect(await page.$$eval('main form[method=post]', (f) => f.length)).toBe(0);
  await expectAccessible(h, page);
  await page.browserContext().close();

  await h.ctx.orm.em.getKnex().raw(`insert into suppliers (code, name, shipping_weekdays) values (?, '柳川のり店', '{1,4}') on conflict do nothing`, [`${h.ctx.prefix}-S`]);
  const supplier = await h.account('supplier', { supplierCode: `${h.ctx.prefix}-S` });
  const sp = await h.newPage();
  await h.signIn(sp, supplier);
  expect((await sp.goto(`${h.base}/console/calls`))!.status()).toBe(403);
  await sp.browserContext().close();
});
