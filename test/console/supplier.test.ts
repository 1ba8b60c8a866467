import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import iconv from 'iconv-lite';
import { consolePrincipalHeaders } from '../../api/auth';
import { B2_HEADER } from '../../domain/carriers/yamato-b2';
import { jstDate } from '../../domain/jst';
import { registerDonation } from '../../ledger/donations';
import { findShipment, shipmentsOfDonation } from '../../ledger/shipments';
import { ensureDonationWorkflow } from '../../workflows/donation/client';
import { supplierOrderWorkflow } from '../../workflows';
import { billingRunId } from '../../domain/billing/month';
import { startBillingRun } from '../../workflows/billing/client';
import { billingStatusQuery } from '../../workflows/billing/definitions';
import { billingSeed } from '../billing/seed';
import { eventually } from '../support/context';
import { newDonation } from '../support/factory';
import { consoleHarness, press, retype, type ConsoleHarness, type TestAccount } from './harness';
import { text, value } from './page';

/**
 * Issue 17, SHIP-1 for suppliers in Chromium: a supplier sees its order, enters a shipment's tracking
 * number (a bad one refused at its field, the typed values kept) and the shipment's workflow moves on;
 * the carrier's issued-label export confirms the rest (good rows applied, the bad row listed with its
 * reason); another supplier's order is not found; the city's pages are refused. axe on every page.
 */
let h: ConsoleHarness;
let farm: TestAccount;
let other: TestAccount;
let dir: string;
const run = randomUUID().slice(0, 6);
const FARM = `cfarm-${run}`;
const OTHER = `cother-${run}`;
const PAID_AT = new Date().toISOString();
const today = jstDate(new Date(PAID_AT));
const shipments: string[] = [];
let orderId: string;
let otherOrderId: string;

const KANA = 'アイウエオカキクケコサシスセソタチツテト';
const someone = () => Array.from({ length: 5 }, () => KANA[Math.floor(Math.random() * KANA.length)]).join('');

async function paidShipment(gift: string): Promise<string> {
  const base = newDonation(h.ctx.prefix, { paymentMethod: 'credit_card', paidAt: PAID_AT, amountYen: 20_000, gifts: [{ code: gift, quantity: 1 }] });
  base.donor = { ...base.donor, nameKana: `ヤマダ ${someone()}` };
  const { donation } = await registerDonation(h.ctx.orm.em.fork(), base, 'system:test');
  await ensureDonationWorkflow(h.ctx.client, donation, h.ctx.config);
  const [s] = await eventually(() => shipmentsOfDonation(h.ctx.orm.em.getKnex(), donation.id), (s) => s.length === 1 && s[0].status === 'awaiting_order', 30_000);
  return s.id;
}

beforeAll(async () => {
  h = await consoleHarness('console-supplier');
  const knex = h.ctx.orm.em.getKnex();
  for (const [code, name] of [[FARM, '柳川うなぎ本舗'], [OTHER, '別の事業者']]) {
    const [{ id }] = await knex('suppliers')
      .insert({ code, name, email: `orders@${code}.example.jp`, shipping_weekdays: '{1,2,3,4,5,6,7}', rules_acknowledged_at: new Date(), rules_acknowledged_by: 'operator:test', default_carrier: 'yamato_b2' })
      .returning('id');
    await knex('gifts').insert({ code: `${code}-g`, name: `${name}の返礼品`, supplier_id: id, price_yen: 20_000, cost_yen: 6_000, shipping_cost_yen: 1_000, temperature: 'ambient', active: true });
  }
  farm = await h.account('supplier', { supplierCode: FARM });
  other = await h.account('supplier', { supplierCode: OTHER });
  shipments.push(await paidShipment(`${FARM}-g`), await paidShipment(`${FARM}-g`), await paidShipment(`${OTHER}-g`));
  const result = await h.ctx.client.workflow.execute(supplierOrderWorkflow, { taskQueue: h.ctx.taskQueue, workflowId: `orders-${run}`, args: [{ shipOn: today, requestedBy: 'operator:test', suppliers: [FARM, OTHER] }] });
  orderId = String(result.orders.find((o) => o.supplierCode === FARM)!.orderId);
  otherOrderId = String(result.orders.find((o) => o.supplierCode === OTHER)!.orderId);
  await eventually(async () => Promise.all(shipments.map((id) => findShipment(knex, id))), (all) => all.every((s) => s?.status === 'ordered'));
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'console-supplier-'));
}, 120_000);

afterAll(async () => {
  await h?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test("a supplier enters one shipment's tracking number by hand (a bad one refused at its field), then the rest from the carrier's issued-label file; the shipments' workflows move on", async () => {
  const page = await h.newPage();
  await h.signIn(page, farm);
  // The supplier's home: its own open orders, not the operator's queues.
  expect(await text(page, 'main')).toContain('発送の登録が残っている注文');
  expect(await page.$(`main a[href="/console/supplier/orders/${orderId}"]`)).not.toBeNull();
  expect(await page.$(`main a[href="/console/supplier/orders/${otherOrderId}"]`)).toBeNull();
  expect(await h.axe(page)).toEqual([]);

  await page.goto(`${h.base}/console/supplier/orders`);
  expect(await text(page, 'h1')).toBe('注文と発送');
  expect(await h.axe(page)).toEqual([]);
  await press(page, `a[href="/console/supplier/orders/${orderId}"]`);
  expect(await text(page, 'h1')).toBe(`注文 ${orderId}`);
  expect(await h.axe(page)).toEqual([]);

  // The order CSV (as the order mail's attachment), fetched with the session.
  const csv = await page.evaluate(async (u) => (await fetch(u)).text(), `/console/supplier/orders/${orderId}/order.csv`);
  expect(csv).toContain(shipments[0]);
  expect(csv).toContain(shipments[1]);
  expect(csv).not.toContain(shipments[2]);

  // Line 1: a tracking number with letters the carrier never prints → refused at the field, typed values kept.
  const line = `#line-${shipments[0]}`;
  const lineNo = await page.$eval(`${line} input[name=trackingNumber]`, (e) => e.id);
  await page.type(`#${lineNo}`, '12#4');
  await press(page, `${line} button[type=submit]`);
  expect(await text(page, `#${lineNo}-error`)).toContain('pattern');
  expect(await value(page, `#${lineNo}`)).toBe('12#4');
  expect(await h.axe(page)).toEqual([]);
  await retype(page, `#${lineNo}`, '412345678901');
  await press(page, `${line} button[type=submit]`);
  expect(await text(page, '[role=status]')).toContain('発送を登録しました');
  const shipped = await eventually(() => findShipment(h.ctx.orm.em.getKnex(), shipments[0]), (s) => s?.status === 'shipped');
  expect(shipped).toMatchObject({ carrier: 'yamato_b2', trackingNumber: '412345678901', shippedOn: today });
  const actor = (await h.ctx.orm.em.getKnex().raw(`select actor from shipment_events where shipment_id = ? and to_status = 'shipped'`, [shipments[0]])).rows[0]?.actor;
  // The person who entered it, not only their supplier.
  expect(actor).toBe(`supplier:${farm.login}`);

  // The rest from B2クラウド's 発行済みデータ: line 2 applied; the other supplier's shipment and a bad number listed with reasons.
  const b2 = (ref: string, tracking: string) => {
    const cells = new Array(B2_HEADER.length).fill('');
    cells[0] = ref;
    cells[3] = tracking;
    return cells.map((c) => `"${c}"`).join(',');
  };
  const file = path.join(dir, 'b2-issued.csv');
  // B2 hands back the お客様管理番号 we wrote: the shipment's short number (the other row carries an id, as files written before the numbers did).
  const ref1 = (await findShipment(h.ctx.orm.em.getKnex(), shipments[1]))!.reference;
  fs.writeFileSync(file, iconv.encode([B2_HEADER.join(','), b2(ref1, '4123-4567-8902'), b2(shipments[2], '412345678903'), b2(ref1, '41234')].join('\r\n') + '\r\n', 'cp932'));
  await page.select('#f-carrier', 'yamato_b2');
  await press(page, 'main form[method=get] button[type=submit]');
  expect(await h.axe(page)).toEqual([]);
  const input = await page.$('#f-file');
  await (input as any).uploadFile(file);
  await press(page, 'form[enctype="multipart/form-data"] button[type=submit]');
  expect(await text(page, '[role=status]')).toContain('1件の発送を登録しました');
  const errors = await text(page, '#upload-errors tbody');
  expect(errors).toContain(`shipment ${shipments[2]} is not in order ${orderId}`);
  expect(errors).toContain('"41234" is not a 12-digit tracking number');
  expect(await h.axe(page)).toEqual([]);
  expect(await eventually(() => findShipment(h.ctx.orm.em.getKnex(), shipments[1]), (s) => s?.status === 'shipped')).toMatchObject({ trackingNumber: '412345678902' });
  // The other supplier's shipment was not touched.
  expect((await findShipment(h.ctx.orm.em.getKnex(), shipments[2]))?.status).toBe('ordered');
  expect(h.problems(page)).toEqual([]);
  await page.browserContext().close();
});

test("a supplier editing the URL to another supplier's order gets not found; the city's pages and the donation pages are refused", async () => {
  const page = await h.newPage();
  await h.signIn(page, other);
  let res = await page.goto(`${h.base}/console/supplier/orders/${orderId}`);
  expect(res?.status()).toBe(404);
  expect(await h.axe(page)).toEqual([]);
  res = await page.goto(`${h.base}/console/supplier/orders/${orderId}/order.csv`);
  expect(res?.status()).toBe(404);
  for (const url of ['/console/approvals', '/console/progress', '/console/donations']) {
    res = await page.goto(`${h.base}${url}`);
    expect(res?.status()).toBe(403);
  }
  // Its own order opens.
  res = await page.goto(`${h.base}/console/supplier/orders/${otherOrderId}`);
  expect(res?.status()).toBe(200);
  await page.browserContext().close();
});

test('a supplier reads its monthly statement and disputes it with a reason (refused without one); the billing run records the dispute', async () => {
  const SB = `cbill-${run}`;
  const MONTH = '2026-10';
  const label = `cs-${run}`;
  const seed = billingSeed(h.ctx.orm.em.getKnex(), () => h.ctx.orm.em.fork(), `cs-${run}`);
  const sid = await seed.supplier(SB, '柳川みかん園');
  await seed.gift(`${SB}-g`, sid, { name: 'みかん 5kg', priceYen: 10_000, costYen: 3_000, shippingCostYen: 900 });
  const d = await seed.donation({ amountYen: 10_000, paidAt: `${MONTH}-02T03:00:00Z`, gifts: [[`${SB}-g`, 1]] });
  await seed.shipment(d, `${SB}-g`, { shippedOn: `${MONTH}-05` });
  const bill = await h.account('supplier', { supplierCode: SB });
  await startBillingRun(h.ctx.client, h.ctx.config, { month: MONTH, requestedBy: 'operator:test', scope: { label, suppliers: [SB] } });
  const status = () => h.ctx.client.workflow.getHandle(billingRunId(MONTH, label)).query(billingStatusQuery);
  await eventually(status, (v) => v.stage === 'awaiting_confirmation', 60_000);

  const page = await h.newPage();
  await h.signIn(page, bill);
  await page.goto(`${h.base}/console/supplier/statements`);
  expect(await h.axe(page)).toEqual([]);
  await page.goto(`${h.base}/console/supplier/statements/${MONTH}?label=${label}`);
  expect(await text(page, '#statement-status')).toBe('確認待ち');
  expect(await text(page, 'main table')).toContain('みかん 5kg');
  expect(await h.axe(page)).toEqual([]);
  await press(page, 'form[action*="/dispute"] button[type=submit]');
  expect(await text(page, '#f-reason-error')).toContain('fewer than 1');
  expect(await h.axe(page)).toEqual([]);
  await page.type('#f-reason', '10月5日の送料は800円の契約です');
  await press(page, 'form[action*="/dispute"] button[type=submit]');
  expect(await text(page, '[role=status]')).toContain('異議を送りました');
  expect(await text(page, '#statement-status')).toContain('異議あり');
  await eventually(status, (v) => v.disputed === 1);
  // Another supplier opening the same month and label finds no statement of its own (the API scopes by its code).
  const otherPage = await h.newPage();
  await h.signIn(otherPage, farm);
  expect((await otherPage.goto(`${h.base}/console/supplier/statements/${MONTH}?label=${label}`))?.status()).toBe(404);
  expect(h.problems(page)).toEqual([]);
  await page.browserContext().close();
  await otherPage.browserContext().close();
}, 120_000);

test('a supplier answers a quality demand (CALL-3) with its reply and the measure taken; empty answers are refused at their fields', async () => {
  const operatorHeaders = consolePrincipalHeaders({ role: 'operator', name: 'test', consoleTerminal: '127.0.0.1' });
  const call = await h.app.inject({ method: 'POST', url: '/calls', headers: operatorHeaders, payload: { channel: 'phone', subject: `${h.ctx.prefix} うなぎが解けていた`, body: '到着時に解けていた', category: '返礼品', complaint: true, links: { supplierCode: FARM } } });
  expect(call.statusCode).toBe(201);
  const demand = await h.app.inject({ method: 'POST', url: `/calls/${call.json().call.id}/measures`, headers: operatorHeaders, payload: { party: { kind: 'supplier', supplierCode: FARM }, demand: '冷凍の梱包を見直してください', dueOn: jstDate(new Date()) } });
  expect(demand.statusCode).toBe(201);
  const id = demand.json().measure.id;

  const page = await h.newPage();
  await h.signIn(page, farm);
  await page.goto(`${h.base}/console/supplier/statements`);
  await press(page, `a[href="/console/supplier/quality/${id}"]`);
  expect(await text(page, '#measure-status')).toBe('回答待ち');
  expect(await h.axe(page)).toEqual([]);
  await press(page, 'main form button[type=submit]');
  expect(await text(page, '#f-reply-error')).toContain('fewer than 1');
  expect(await text(page, '#f-measureTaken-error')).toContain('fewer than 1');
  expect(await h.axe(page)).toEqual([]);
  await page.type('#f-reply', '梱包材を変更しました');
  await page.type('#f-measureTaken', '保冷剤を2個に増やし、発泡スチロール箱に変更');
  await press(page, 'main form button[type=submit]');
  expect(await text(page, '[role=status]')).toContain('回答を記録しました');
  expect(await text(page, '#measure-status')).toBe('回答済み');
  expect(await text(page, 'main dl')).toContain(`supplier:${farm.login}`);
  // Another supplier does not see it.
  const otherPage = await h.newPage();
  await h.signIn(otherPage, other);
  expect((await otherPage.goto(`${h.base}/console/supplier/quality/${id}`))?.status()).toBe(404);
  expect(h.problems(page)).toEqual([]);
  await page.browserContext().close();
  await otherPage.browserContext().close();
});
