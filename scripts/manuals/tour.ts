import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import type { Page } from 'puppeteer-core';
import { generateSync } from 'otplib';
import type { Role } from '../../config/env';
import { B2_HEADER } from '../../domain/carriers/yamato-b2';
import { jstDate } from '../../domain/jst';
import { findShipment } from '../../ledger/shipments';
import { DEV_ADMIN_TOTP_SECRET, devPassword } from '../dev-accounts';
import { retype, type ConsoleHarness } from '../../test/console/harness';
import { eventually } from '../../test/support/context';
import { mappedFixture } from '../../test/fixtures/portals/generate';
import type { Camera } from './camera';
import { VIEWPORT } from './camera';
import { apiAs, pollApi, EEL, OTHER_SUPPLIER, PROPOSED_GIFT, seedBillingMonth, seedCityReading, seedHeldDonations, seedOneStop, seedOrder, seedPrintBatch, seedQualityDemand } from './seed';

/**
 * The walk through the console that takes the manuals' pictures, as dev-operator, dev-admin,
 * dev-city and dev-supplier (scripts/dev-accounts.ts), in the order a month's work happens: the
 * operator's day, the supplier's orders and statement, the city's decisions.
 */
const DEV_LOGIN: Record<Role, string> = { operator: 'dev-operator', city: 'dev-city', supplier: 'dev-supplier', admin: 'dev-admin' };

const press = async (page: Page, selector: string) => {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
};

/** Types into each field, in order. */
async function fill(page: Page, fields: Record<string, string>): Promise<void> {
  for (const [selector, text] of Object.entries(fields)) await page.type(selector, text);
}

/** A page in its own browser context, signed in as the role's dev account (no second factor but the admin's). */
async function signedIn(h: ConsoleHarness, role: Role): Promise<Page> {
  const page = await h.newPage();
  await page.setViewport(VIEWPORT);
  await h.signIn(page, { login: DEV_LOGIN[role], password: devPassword(role), role, totpSecret: role === 'admin' ? DEV_ADMIN_TOTP_SECRET : null });
  return page;
}

async function reloadUntil(page: Page, selector: string, accept: (text: string) => boolean): Promise<void> {
  await eventually(
    async () => {
      await page.reload();
      return page.$eval(selector, (e) => e.textContent ?? '').catch(() => '');
    },
    accept,
    90_000,
  );
}

export async function operatorTour(h: ConsoleHarness, camera: Camera, work: string): Promise<void> {
  // Sign-in, and the second factor as an admin (事務取扱担当者) sees it.
  const first = await h.newPage();
  await first.setViewport(VIEWPORT);
  await first.goto(`${h.base}/console/login`);
  await first.type('#f-login', 'dev-admin');
  await first.type('#f-password', devPassword('admin'));
  await camera.shoot(first, 'operator-01-login.png');
  await press(first, 'button[type=submit]');
  await first.type('#f-code', generateSync({ secret: DEV_ADMIN_TOTP_SECRET }));
  await camera.shoot(first, 'operator-02-second-factor.png');
  await first.browserContext().close();

  const held = await seedHeldDonations(h);
  const batchId = await seedPrintBatch(h);
  const applicationId = await seedOneStop(h);
  const page = await signedIn(h, 'operator');
  await camera.shoot(page, 'operator-03-home.png');

  // Find a donation, open it, correct it.
  await page.goto(`${h.base}/console/donations?q=${encodeURIComponent('ヤナガワ')}`);
  await camera.shoot(page, 'operator-04-donation-search.png');
  await page.goto(`${h.base}/console/donations/${held[0]}`);
  await camera.shoot(page, 'operator-05-donation.png');
  await page.type('#f-release-reason', '寄附者に電話で確認済み（市外の勤務先へ送付と了承）');
  await camera.shoot(page, 'operator-05b-donation-correct.png', { from: 'form[action$="/release"]', height: 1100 });

  // A phone donation by hand: the postal code completes the address, the findings before saving.
  await page.goto(`${h.base}/console/donations/new`);
  await page.select('#f-channel', 'phone');
  await fill(page, { '#f-name': '鈴木 一郎', '#f-nameKana': 'スズキ イチロウ', '#f-postalCode': '8320021' });
  await press(page, 'button[name=step][value=postal]');
  await fill(page, { '#f-address': '本町2-3', '#f-phone': '0944-00-1234', '#f-amountYen': '10,000', '#f-giftCode': 'MANUAL-EEL' });
  await press(page, 'button[name=step][value=confirm]');
  await camera.shoot(page, 'operator-06-hand-entry.png');

  // A portal file with a bad row, and the quarantined row fixed.
  const file = path.join(work, 'choice.csv');
  fs.writeFileSync(file, mappedFixture('CH-2026', { bom: true, encoding: 'utf-8', appliedAt: `${jstDate(new Date()).replace(/-/g, '/')} 09:00` }));
  await page.goto(`${h.base}/console/imports`);
  await page.select('#f-portal', 'choice');
  await press(page, 'form[action="/console/imports"] button[type=submit]');
  await (await page.$('#f-file'))!.uploadFile(file);
  await press(page, 'form[enctype="multipart/form-data"] button[type=submit]');
  await reloadUntil(page, '#import-status', (t) => t === '取込完了');
  await camera.shoot(page, 'operator-07-import.png');
  await press(page, 'a[href^="/console/quarantine/"]');
  const payment = await page.$$eval('label', (ls) => ls.find((l) => l.textContent === '決済方法')?.getAttribute('for'));
  if (payment) await retype(page, `#${payment}`, '銀行振込');
  await camera.shoot(page, 'operator-08-quarantine.png');

  // Print batches.
  await page.goto(`${h.base}/console/print-batches`);
  await camera.shoot(page, 'operator-09-print-batches.png');
  await page.goto(`${h.base}/console/print-batches/${batchId}`);
  await camera.shoot(page, 'operator-10-print-batch.png');

  // One-stop review.
  await page.goto(`${h.base}/console/onestop`);
  await camera.shoot(page, 'operator-11-onestop-queue.png');
  await page.goto(`${h.base}/console/onestop/applications/${applicationId}`);
  await reloadUntil(page, 'main', (t) => t.includes('不備の通知'));
  await camera.shoot(page, 'operator-12-onestop-application.png');
  await page.browserContext().close();
}

export async function supplierAndShipmentsTour(h: ConsoleHarness, camera: Camera, work: string): Promise<void> {
  const { orderId, shipments } = await seedOrder(h);
  const knex = h.ctx.orm.em.getKnex();
  const page = await signedIn(h, 'supplier');
  await camera.shoot(page, 'supplier-01-home.png');
  await page.goto(`${h.base}/console/supplier/orders`);
  await camera.shoot(page, 'supplier-02-orders.png');
  await press(page, `a[href="/console/supplier/orders/${orderId}"]`);
  // The first line by hand.
  const line = `#line-${shipments[0]}`;
  const input = await page.$eval(`${line} input[name=trackingNumber]`, (e) => e.id);
  await page.type(`#${input}`, '412345678901');
  await camera.shoot(page, 'supplier-03-order.png', { from: 'main h1', height: 1600 });
  await press(page, `${line} button[type=submit]`);
  await eventually(() => findShipment(knex, shipments[0]), (s) => s?.status === 'shipped', 60_000);
  // The second from B2クラウド's issued-label file (one row with a mistyped number is listed, not applied).
  const b2 = (ref: string, tracking: string) => {
    const cells = new Array(B2_HEADER.length).fill('');
    cells[0] = ref;
    cells[3] = tracking;
    return cells.map((c) => `"${c}"`).join(',');
  };
  const ref1 = (await findShipment(knex, shipments[1]))!.reference;
  const ref2 = (await findShipment(knex, shipments[2]))!.reference;
  const file = path.join(work, 'b2-issued.csv');
  fs.writeFileSync(file, iconv.encode([B2_HEADER.join(','), b2(ref1, '4123-4567-8902'), b2(ref2, '41234')].join('\r\n') + '\r\n', 'cp932'));
  await page.select('#f-carrier', 'yamato_b2');
  await press(page, 'main form[method=get] button[type=submit]');
  await (await page.$('#f-file'))!.uploadFile(file);
  await press(page, 'form[enctype="multipart/form-data"] button[type=submit]');
  await camera.shoot(page, 'supplier-04-carrier-file.png');
  await eventually(() => findShipment(knex, shipments[1]), (s) => s?.status === 'shipped', 60_000);
  await page.browserContext().close();

  // The operator records the damage the donor reported on the first shipment.
  const op = await signedIn(h, 'operator');
  await op.goto(`${h.base}/console/shipments/${shipments[0]}`);
  await op.select('#f-kind', 'damage');
  await op.select('#f-source', 'call_centre');
  await op.type('#f-trouble-note', '寄附者から「箱が潰れて中身が破損」と電話');
  await camera.shoot(op, 'operator-13-shipment.png', { from: 'form[action$="/trouble"]' });
  await press(op, `form[action="/console/shipments/${shipments[0]}/trouble"] button[type=submit]`);
  await op.goto(`${h.base}/console/shipments`);
  await camera.shoot(op, 'operator-14-shipments.png');

  // A call about it, with a follow-up.
  await op.goto(`${h.base}/console/calls`);
  await op.select('#f-channel', 'phone');
  await op.select('#f-category', '証明書');
  await fill(op, { '#f-call-subject': '受領証明書が届かない', '#f-call-body': '11月に寄附したが証明書がまだ届かないとのこと', '#f-call-orderId': 'YUSO-0001' });
  await press(op, 'form[action="/console/calls"] button[type=submit]');
  await op.type('#f-followup-note', '印刷バッチを確認、本日投函予定と案内');
  await press(op, 'form[action$="/follow-ups"] button[type=submit]');
  await camera.shoot(op, 'operator-15-call.png');
  // The donor asks to cancel the linked donation (CALL-5): the form with the reason typed (not sent here).
  await op.type('#f-cancellation-reason', '二重に申し込んだため取り消したいとのこと');
  await camera.shoot(op, 'operator-15b-call-cancellation.png', { from: 'form[action$="/cancellation"]', height: 600 });
  // A colleague records the outcome while this page is open: the page's own outcome is refused (409), what was typed kept.
  const callId = new URL(op.url()).pathname.split('/').at(-1)!;
  await op.type('#f-outcome-outcome', '再発行を案内し了承を得た');
  await apiAs(h)('operator', 'POST', `/calls/${callId}/outcome`, { outcome: '本日投函予定と案内（同僚が記録）' });
  await press(op, 'form[action$="/outcome"] button[type=submit]');
  await camera.shoot(op, 'operator-15c-stale-form.png', { height: 1300 });
  await op.browserContext().close();
}

export async function billingAndCityTour(h: ConsoleHarness, camera: Camera): Promise<void> {
  const api = apiAs(h);
  const month = await seedBillingMonth(h);
  const measure = await seedQualityDemand(h);
  await seedCityReading(h);
  // The other supplier disputes its statement; the operator investigates and resolves it.
  await api('supplier', 'POST', `/billing/runs/${month}/statements/${OTHER_SUPPLIER}/dispute`, { revision: 1, reason: '19日発送分の送料が契約（400円）と違います' }, OTHER_SUPPLIER);
  const op = await signedIn(h, 'operator');
  await op.goto(`${h.base}/console/billing?month=${month}`);
  await camera.shoot(op, 'operator-16-billing.png');
  // Every run across months, from the billing page's link.
  await press(op, 'a[href="/console/billing/runs"]');
  await camera.shoot(op, 'operator-16b-billing-runs.png');
  await op.goto(`${h.base}/console/billing?month=${month}`);
  await press(op, `a[href^="/console/billing/${month}/statements/${OTHER_SUPPLIER}"]`);
  await op.type('#f-findings-findings', '契約書を確認、送料400円で正しい。明細の表示を確認');
  await camera.shoot(op, 'operator-17-billing-statement.png');
  await press(op, 'form[action*="/findings"] button[type=submit]');
  await op.type('#f-resolve-resolution', '送料400円で訂正した明細を再送');
  await press(op, 'form[action*="/resolve"] button[type=submit]');
  await op.browserContext().close();

  // The supplier reads its statement and confirms it; answers the quality demand.
  const sp = await signedIn(h, 'supplier');
  await sp.goto(`${h.base}/console/supplier/statements`);
  await camera.shoot(sp, 'supplier-05-statements.png');
  await press(sp, `a[href="/console/supplier/statements/${month}"]`);
  await camera.shoot(sp, 'supplier-06-statement.png');
  await press(sp, 'form[action*="/confirm"] button[type=submit]');
  await sp.goto(`${h.base}/console/supplier/statements`);
  await press(sp, `a[href="/console/supplier/quality/${measure}"]`);
  await sp.type('#f-reply', '梱包材を変更しました');
  await sp.type('#f-measureTaken', '保冷剤を2個に増やし、発泡スチロール箱に変更');
  await camera.shoot(sp, 'supplier-07-quality.png');
  await press(sp, 'main form button[type=submit]');
  // Its gift's stock, with a reason.
  await sp.goto(`${h.base}/console/supplier/statements`);
  await press(sp, `a[href="/console/supplier/gifts/${EEL}"]`);
  await fill(sp, { '#f-stock-totalStock': '120', '#f-stock-reason': '12月出荷分として120食を確保' });
  await camera.shoot(sp, 'supplier-08-stock.png');
  await press(sp, `form[action$="/stock"] button[type=submit]`);
  await sp.browserContext().close();
  const revision = (await api('operator', 'GET', `/billing/runs/${month}`)).json().statements.find((s: { supplierCode: string }) => s.supplierCode === OTHER_SUPPLIER)?.revision ?? 2;
  await api('supplier', 'POST', `/billing/runs/${month}/statements/${OTHER_SUPPLIER}/confirm`, { revision }, OTHER_SUPPLIER);
  await pollApi(h, `/billing/runs/${month}`, (b) => b.workflow?.stage === 'invoice_issued');

  // The city: home, progress, the queue, a gift proposal, the invoice rejected with a reason, reports.
  const city = await signedIn(h, 'city');
  await camera.shoot(city, 'city-01-home.png');
  await city.goto(`${h.base}/console/progress`);
  await camera.shoot(city, 'city-02-progress.png');
  await city.goto(`${h.base}/console/approvals`);
  await camera.shoot(city, 'city-03-approvals.png');
  await press(city, `a[href="/console/approvals/gifts/${PROPOSED_GIFT}"]`);
  await city.click('input[name=decision][value=approve]');
  await city.type('#f-note', '地場産品（柳川市内で生産）として適当');
  await camera.shoot(city, 'city-04-gift-approval.png');
  await press(city, 'main form button[type=submit]');
  await city.goto(`${h.base}/console/approvals/invoices/${month}`);
  await city.click('input[name=decision][value=reject]');
  await city.type('#f-reason', '有明のり本舗の送料が契約単価と違います');
  await camera.shoot(city, 'city-05-invoice.png');
  await press(city, 'main form button[type=submit]');
  await camera.shoot(city, 'city-06-invoice-rejected.png', { from: 'main h1', height: 700 });
  // Last month's report, built on demand by the seed: inspected and passed.
  await city.goto(`${h.base}/console/approvals`);
  await press(city, `a[href="/console/approvals/reports/${month}"]`);
  await city.click('input[name=decision][value=pass]');
  await camera.shoot(city, 'city-07-report-inspection.png');
  await press(city, 'main form button[type=submit]');
  await city.goto(`${h.base}/console/reports`);
  await camera.shoot(city, 'city-08-reports.png');
  await city.browserContext().close();
}

/** A scratch folder for the files the tour uploads. */
export function scratch(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'manuals-'));
}
