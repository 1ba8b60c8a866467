import { randomUUID } from 'node:crypto';
import type { Page } from 'puppeteer-core';
import { jstDate } from '../../domain/jst';
import { registerDonation } from '../../ledger/donations';
import { supplierOrderWorkflow } from '../../workflows';
import { ensureDonationWorkflow } from '../../workflows/donation/client';
import { eventually } from '../support/context';
import { newDonation } from '../support/factory';
import { consoleHarness, type ConsoleHarness, type TestAccount } from './harness';
import { text, value, submit, expectAccessible } from './page';
import { expectStale } from './forms';

/** Issue 17: shipments with problems in the console — a loss recorded (re-shipment), the next one escalated and decided — in Chromium, axe on every page. */
const run = randomUUID().slice(0, 6);
const FARM = `cs-farm-${run}`;
const GIFT = `cs-eel-${run}`;
const TOKEN = 'operator-token-console-ship001';
let h: ConsoleHarness;
let operator: TestAccount;

beforeAll(async () => {
  h = await consoleHarness('console-ship', { API_TOKENS: `operator:machine:${TOKEN}`, SHIP_MAX_RESHIPMENTS: '1' });
  operator = await h.account('operator', { name: '配送 担当' });
  const knex = h.ctx.orm.em.getKnex();
  // Ships every day, so that today is always one of its shipping days.
  const [{ id }] = await knex('suppliers')
    .insert({ code: FARM, name: '柳川うなぎ本舗', email: `orders@${FARM}.example.jp`, phone: '0944-00-0000', postal_code: '8320021', address: '福岡県柳川市坂本町1', shipping_weekdays: '{1,2,3,4,5,6,7}', rules_acknowledged_at: new Date(), rules_acknowledged_by: 'operator:test', default_carrier: 'yamato_b2' })
    .returning('id');
  await knex('gifts').insert({ code: GIFT, name: 'うなぎのせいろ蒸し 2人前', supplier_id: id, price_yen: 20_000, cost_yen: 6_000, shipping_cost_yen: 1_200, temperature: 'frozen', active: true });
});

afterAll(async () => {
  await h?.close();
});

const api = (method: 'GET' | 'POST', url: string, payload?: object) => h.app.inject({ method, url, payload, headers: { authorization: `Bearer ${TOKEN}` } });
const shipmentsOf = async (donationId: string) => (await api('GET', `/shipments?donationId=${donationId}`)).json().shipments as { id: string; status: string }[];

/** A paid donation of the farm's gift whose shipment has been ordered from the farm today. */
async function orderedShipment() {
  const base = newDonation(h.ctx.prefix, { paymentMethod: 'credit_card', paidAt: new Date(Date.now() - 86_400_000).toISOString(), amountYen: 20_000, gifts: [{ code: GIFT, quantity: 1 }] });
  const { donation } = await registerDonation(h.ctx.orm.em.fork(), base, 'system:test');
  await ensureDonationWorkflow(h.ctx.client, donation, h.ctx.config);
  const [first] = await eventually(() => shipmentsOf(donation.id), (s) => s[0]?.status === 'awaiting_order');
  await h.ctx.client.workflow.execute(supplierOrderWorkflow, { taskQueue: h.ctx.taskQueue, workflowId: `orders-${randomUUID()}`, args: [{ shipOn: jstDate(new Date()), requestedBy: 'operator:test', suppliers: [FARM] }] });
  await eventually(() => shipmentsOf(donation.id), (s) => s[0].status === 'ordered');
  return { donation, first };
}

test('a loss recorded from the shipment page re-ships; the next trouble escalates and the operator decides; each through the workflow', async () => {
  const base = newDonation(h.ctx.prefix, { paymentMethod: 'credit_card', paidAt: new Date(Date.now() - 86_400_000).toISOString(), amountYen: 20_000, gifts: [{ code: GIFT, quantity: 1 }] });
  base.donor = { ...base.donor, nameKana: `ハイソウ ${run.replace(/\d/g, '').slice(0, 3)}` };
  const { donation } = await registerDonation(h.ctx.orm.em.fork(), base, 'system:test');
  await ensureDonationWorkflow(h.ctx.client, donation, h.ctx.config);
  const [first] = await eventually(() => shipmentsOf(donation.id), (s) => s[0]?.status === 'awaiting_order');
  await h.ctx.client.workflow.execute(supplierOrderWorkflow, { taskQueue: h.ctx.taskQueue, workflowId: `orders-${randomUUID()}`, args: [{ shipOn: jstDate(new Date()), requestedBy: 'operator:test', suppliers: [FARM] }] });
  await eventually(() => shipmentsOf(donation.id), (s) => s[0].status === 'ordered');

  const page = await h.newPage();
  await h.signIn(page, operator);
  await page.goto(`${h.base}/console/shipments/${first.id}`);
  await expectAccessible(h, page);
  // The kind not chosen: at the field, the note typed kept.
  await page.type('#f-trouble-note', '配送業者から紛失の連絡');
  await submit(page, `form[action="/console/shipments/${first.id}/trouble"]`);
  expect(await text(page, '#f-kind-error')).not.toBe('');
  expect(await value(page, '#f-trouble-note')).toBe('配送業者から紛失の連絡');
  await page.select('#f-kind', 'loss');
  await page.select('#f-source', 'carrier');
  await submit(page, `form[action="/console/shipments/${first.id}/trouble"]`);
  expect(await text(page, '[role=status]')).toContain('再発送を手配します');
  const [, second] = await eventually(() => shipmentsOf(donation.id), (s) => s.length === 2);
  await page.reload();
  expect(await text(page, '.fc-dl')).toContain('紛失');
  await expectAccessible(h, page);

  // The queue lists the donation; its shipments link both.
  await page.goto(`${h.base}/console/shipments`);
  await expectAccessible(h, page);
  await Promise.all([page.waitForNavigation(), page.click(`a[href="/console/shipments/of-donation/${donation.id}"]`)]);
  await expectAccessible(h, page);
  await eventually(() => shipmentsOf(donation.id), (s) => s[1].status === 'awaiting_order');
  await h.ctx.client.workflow.execute(supplierOrderWorkflow, { taskQueue: h.ctx.taskQueue, workflowId: `orders-${randomUUID()}`, args: [{ shipOn: jstDate(new Date()), requestedBy: 'operator:test', suppliers: [FARM] }] });
  await eventually(() => shipmentsOf(donation.id), (s) => s[1].status === 'ordered');

  // SHIP_MAX_RESHIPMENTS=1: the next damage is the operator's decision.
  await page.goto(`${h.base}/console/shipments/${second.id}`);
  await page.select('#f-kind', 'damage');
  await page.type('#f-trouble-note', '箱が潰れて届いた');
  await submit(page, `form[action="/console/shipments/${second.id}/trouble"]`);
  expect(await text(page, '[role=status]')).toContain('判断待ち');
  await eventually(async () => { await page.reload(); return text(page, '.fc-dl'); }, (t) => t.includes('再発送判断待ち'));
  await page.select('#f-action', 'close');
  await page.type('#f-resolve-reason', '寄附者と相談の上、代替品なしで了承');
  await submit(page, `form[action="/console/shipments/${second.id}/resolve"]`);
  expect(await text(page, '[role=status]')).toContain('発送せずに終える');
  await eventually(() => shipmentsOf(donation.id), (s) => s[1].status === 'closed');
  await expectAccessible(h, page);
  await page.browserContext().close();
});

test('a gift complaint linked to its shipment re-ships it from the call page (CALL-3), through the shipment workflow', async () => {
  const { donation, first } = await orderedShipment();
  const call = await api('POST', '/calls', { channel: 'phone', category: '返礼品', complaint: true, subject: 'せいろ蒸しが潰れて届いた', body: '箱が潰れていた', links: { donationId: donation.id, shipmentId: first.id } });
  expect(call.statusCode).toBe(201);

  const page = await h.newPage();
  await h.signIn(page, operator);
  await page.goto(`${h.base}/console/calls/${call.json().call.id}`);
  await expectAccessible(h, page);
  await page.select('#f-kind', 'damage');
  await page.type('#f-reshipment-note', '写真で確認');
  await submit(page, 'form[action$="/reshipment"]');
  expect(await text(page, '[role=status]')).toContain('再発送を手配しました');
  expect(await text(page, 'main')).toContain('再発送を手配済み');
  expect(await page.$('form[action$="/reshipment"]')).toBeNull();
  await eventually(() => shipmentsOf(donation.id), (s) => s.length === 2);
  await expectAccessible(h, page);
  await page.browserContext().close();
});

test('two operators on one shipment: the second one’s trouble report, opened before the first one’s, answers 409 with the page as it is now and what was typed; nothing is re-shipped twice', async () => {
  const { donation, first } = await orderedShipment();
  const colleague = await h.account('operator', { name: '配送 同僚' });
  const [mine, theirs] = [await h.open(operator, `/console/shipments/${first.id}`), await h.open(colleague, `/console/shipments/${first.id}`)];
  const form = `form[action="/console/shipments/${first.id}/trouble"]`;
  // The colleague records the loss first: a re-shipment follows.
  await theirs.select('#f-kind', 'loss');
  await theirs.type('#f-trouble-note', '配送業者から紛失の連絡（同僚）');
  await submit(theirs, form);
  expect(await text(theirs, '[role=status]')).toContain('再発送を手配します');
  await eventually(() => shipmentsOf(donation.id), (s) => s.length === 2);
  // The page opened before it: refused (409), the shipment as it is now, the kind and note typed kept, nothing sent.
  await expectStale(mine, form, { '#f-kind': 'damage', '#f-trouble-note': '寄附者から箱が潰れていたと電話' });
  expect(await text(mine, '.fc-dl')).toContain('紛失');
  await expectAccessible(h, mine);
  expect(await shipmentsOf(donation.id)).toHaveLength(2);
  await mine.browserContext().close();
  await theirs.browserContext().close();
});

test('a supplier gets 403 on the operator pages', async () => {
  const supplier = await h.account('supplier', { supplierCode: FARM });
  const sp = await h.newPage();
  await h.signIn(sp, supplier);
  expect((await sp.goto(`${h.base}/console/shipments`))!.status()).toBe(403);
  await sp.browserContext().close();
});
