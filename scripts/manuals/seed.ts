import { randomUUID } from 'node:crypto';
import { consolePrincipalHeaders } from '../../api/auth';
import type { Role } from '../../config/env';
import { jstDate } from '../../domain/jst';
import { monthOf, previousMonth } from '../../domain/reports/month';
import { proposeGift } from '../../ledger/gifts';
import { acknowledgeRules, findSupplier, updateSupplier } from '../../ledger/suppliers';
import { registerDonation } from '../../ledger/donations';
import { findShipment, shipmentsOfDonation } from '../../ledger/shipments';
import { ensureDonationWorkflow } from '../../workflows/donation/client';
import { supplierOrderWorkflow } from '../../workflows';
import { startBillingRun } from '../../workflows/billing/client';
import { DEV_SUPPLIER_CODE } from '../dev-accounts';
import type { ConsoleHarness } from '../../test/console/harness';
import { billingSeed } from '../../test/billing/seed';
import { eventually } from '../../test/support/context';
import { newDonation } from '../../test/support/factory';

/**
 * The made-up data the manuals' pages show (`npm run manuals`), written through the JSON API as its
 * roles would (in-process, as the console does) and the ledger's own functions, into the fresh
 * database of the run: so each run shows the same names, amounts and order numbers.
 */
export const OTHER_SUPPLIER = 'YANAGAWA-NORI';
export const EEL = 'MANUAL-EEL';
export const NORI = 'MANUAL-NORI';
export const PROPOSED_GIFT = 'MANUAL-MIKAN';

export interface Answer {
  statusCode: number;
  json(): any;
  body: string;
}

export function apiAs(h: ConsoleHarness) {
  return async (role: Role, method: 'GET' | 'POST' | 'PUT', url: string, payload?: object, supplierCode?: string): Promise<Answer> => {
    const headers = consolePrincipalHeaders({ role, name: supplierCode ?? `manual-${role}`, supplierCode, consoleTerminal: '127.0.0.1' });
    const res = await h.app.inject({ method, url, payload, headers });
    if (res.statusCode >= 400) throw new Error(`${method} ${url} as ${role}: ${res.statusCode} ${res.body}`);
    return res;
  };
}

/** Reads `url` as an operator until `accept` holds for the answer's body (a 404 while it is being made is waited out). */
export async function pollApi(h: ConsoleHarness, url: string, accept: (body: any) => boolean, timeoutMs = 90_000): Promise<any> {
  const headers = consolePrincipalHeaders({ role: 'operator', name: 'manual-operator', consoleTerminal: '127.0.0.1' });
  const res = await eventually(() => h.app.inject({ method: 'GET', url, headers }), (r) => r.statusCode === 200 && accept(r.json()), timeoutMs);
  return res.json();
}

/** Suppliers and gifts: the dev supplier (dev-supplier's) ships every day; a second supplier for the month's billing. */
export async function seedCatalogue(h: ConsoleHarness): Promise<void> {
  const em = () => h.ctx.orm.em.fork();
  await updateSupplier(em(), DEV_SUPPLIER_CODE, { name: '柳川うなぎ本舗', email: 'orders@unagi.example.jp', phone: '0944-00-0000', postalCode: '8320021', address: '福岡県柳川市坂本町1', shippingWeekdays: [1, 2, 3, 4, 5, 6, 7], defaultCarrier: 'yamato_b2' });
  await acknowledgeRules(em(), DEV_SUPPLIER_CODE, { signedBy: '柳川うなぎ本舗 代表', reference: 'MANUAL-ACK-1' });
  const dev = (await findSupplier(em(), DEV_SUPPLIER_CODE))!.id;
  const seed = billingSeed(h.ctx.orm.em.getKnex(), em, 'MANUAL-BILL');
  const nori = await seed.supplier(OTHER_SUPPLIER, '有明のり本舗');
  await seed.gift(EEL, dev, { name: 'うなぎのせいろ蒸し 2人前', priceYen: 20_000, costYen: 6_000, shippingCostYen: 1_000 });
  await seed.gift(NORI, nori, { name: '有明海産 焼のり 3帖', priceYen: 10_000, costYen: 2_900, shippingCostYen: 400 });
  // The file the operator's import shows uses this gift code (test/fixtures/portals/generate); not the dev supplier's, so its order shows only the manual's lines.
  await seed.gift('map-fix-eel', nori, { name: 'うなぎのせいろ蒸し', priceYen: 20_000, costYen: 6_000, shippingCostYen: 1_000 });
  await proposeGift(em(), { code: PROPOSED_GIFT, name: '柳川産 温州みかん 5kg', priceYen: 12_000, costYen: 3_300, shippingCostYen: 300, supplierCode: OTHER_SUPPLIER } as never, 'operator:manual');
}

const DONORS = [
  { name: '柳川 花子', nameKana: 'ヤナガワ ハナコ', postalCode: '832-0021', prefecture: '福岡県', address: '柳川市本町1-1', phone: '0944-00-0001' },
  { name: '柳川 太郎', nameKana: 'ヤナガワ タロウ', postalCode: '100-0001', prefecture: '東京都', address: '千代田区千代田1-1', phone: '03-0000-0001' },
  { name: '柳川 次郎', nameKana: 'ヤナガワ ジロウ', postalCode: '530-0001', prefecture: '大阪府', address: '大阪市北区梅田1-1', phone: '06-0000-0001' },
];

/** Paid donations by mail whose documents are due, then an on-demand print batch of them, handed to the printer. */
export async function seedPrintBatch(h: ConsoleHarness): Promise<string> {
  const api = apiAs(h);
  const ids: string[] = [];
  for (const [i, donor] of DONORS.entries()) {
    const res = await api('operator', 'POST', '/donations', { channel: 'mail', portalOrderId: `YUSO-${String(i + 1).padStart(4, '0')}`, donor, amountYen: 15_000 + i * 5_000, paymentMethod: 'bank_transfer', paidAt: new Date().toISOString() });
    ids.push(res.json().donation.id);
  }
  for (const id of ids) await pollApi(h, `/donations/${id}`, (b) => b.workflow?.status === 'documents_due');
  const { batchId } = (await api('operator', 'POST', '/print-batches', { donationIds: ids })).json();
  await pollApi(h, `/print-batches/${batchId}`, (b) => b.batch?.status === 'handed_off');
  return batchId;
}

/** Phone donations paid by postal transfer: held for review until the operator releases them. */
export async function seedHeldDonations(h: ConsoleHarness): Promise<string[]> {
  const api = apiAs(h);
  const ids: string[] = [];
  for (const [i, donor] of DONORS.entries()) {
    const res = await api('operator', 'POST', '/donations', { channel: 'phone', portalOrderId: `TEL-${String(i + 1).padStart(4, '0')}`, donor: { ...donor, address: `${donor.address} コーポ${i + 1}01` }, amountYen: 20_000, paymentMethod: 'postal_transfer', gifts: [{ code: EEL }] });
    ids.push(res.json().donation.id);
  }
  // The first donor lives in 柳川市 and chose a gift (SHIP-6): held for the operator; the others await payment.
  for (const id of ids) await pollApi(h, `/donations/${id}`, (b) => ['held', 'awaiting_payment'].includes(b.workflow?.status));
  return ids;
}

/** A paper one-stop application without its identity documents: 不備. */
export async function seedOneStop(h: ConsoleHarness): Promise<string> {
  const api = apiAs(h);
  const year = Number(jstDate(new Date()).slice(0, 4));
  const donor = { name: '大川 一郎', nameKana: 'オオカワ イチロウ', postalCode: '832-0045', prefecture: '福岡県', address: '柳川市本町87-1', phone: '0944-00-0002' };
  const { donation } = await registerDonation(h.ctx.orm.em.fork(), newDonation('MANUAL-OS', { portalOrderId: 'CH-2026-0001', donor, amountYen: 30_000, appliedAt: `${year}-11-20T01:00:00.000Z` }), 'operator:manual');
  const res = await api('operator', 'POST', '/onestop/applications/paper', {
    donationId: donation.id,
    arrivedOn: `${year}-12-01`,
    scanRef: `scan://onestop/${donation.id}.pdf`,
    formVersion: 'current',
    applicant: { name: donor.name, nameKana: donor.nameKana, postalCode: donor.postalCode, address: `${donor.prefecture}${donor.address}`, birthDate: '1980-04-01' },
    myNumber: '123456789018',
    donationDate: `${year}-11-20`,
    amountYen: 30_000,
    checkboxes: { first: true, second: true },
    attachments: [],
  });
  const id = res.json().id as string;
  await pollApi(h, `/onestop/applications/${id}`, (b) => b.status === 'deficient');
  return id;
}

/** Donors outside the city (a resident choosing a gift is held, SHIP-6). */
const GIFT_DONORS = [
  DONORS[1],
  DONORS[2],
  { name: '筑後 三郎', nameKana: 'チクゴ サブロウ', postalCode: '810-0001', prefecture: '福岡県', address: '福岡市中央区天神1-1', phone: '092-000-0001' },
];

/** Paid portal donations of the dev supplier's gift, then today's order to it: its shipments are ordered. */
export async function seedOrder(h: ConsoleHarness): Promise<{ orderId: string; shipments: string[] }> {
  const knex = h.ctx.orm.em.getKnex();
  const shipments: string[] = [];
  for (const [i, donor] of GIFT_DONORS.entries()) {
    const { donation } = await registerDonation(h.ctx.orm.em.fork(), newDonation('MANUAL-SHIP', { portalOrderId: `RK-2026-${String(101 + i)}`, portal: 'rakuten', donor, paymentMethod: 'credit_card', paidAt: new Date().toISOString(), amountYen: 20_000, gifts: [{ code: EEL, quantity: 1 }] }), 'system:manual');
    await ensureDonationWorkflow(h.ctx.client, donation, h.ctx.config);
    const [s] = await eventually(() => shipmentsOfDonation(knex, donation.id), (s) => s.length === 1 && s[0].status === 'awaiting_order', 60_000);
    shipments.push(s.id);
  }
  const result = await h.ctx.client.workflow.execute(supplierOrderWorkflow, { taskQueue: h.ctx.taskQueue, workflowId: `manual-orders-${randomUUID()}`, args: [{ shipOn: jstDate(new Date()), requestedBy: 'operator:manual', suppliers: [DEV_SUPPLIER_CODE] }] });
  const orderId = String(result.orders.find((o) => o.supplierCode === DEV_SUPPLIER_CODE)!.orderId);
  await eventually(() => Promise.all(shipments.map((id) => findShipment(knex, id))), (all) => all.every((s) => s?.status === 'ordered'), 60_000);
  return { orderId, shipments };
}

/** Last month's shipped gifts of both suppliers, and the month's billing run (no label: the month the console shows). */
export async function seedBillingMonth(h: ConsoleHarness): Promise<string> {
  const month = previousMonth(monthOf(jstDate(new Date())));
  const seed = billingSeed(h.ctx.orm.em.getKnex(), () => h.ctx.orm.em.fork(), 'MANUAL-BILL');
  for (const [gift, amountYen, day] of [[EEL, 20_000, '05'], [EEL, 20_000, '12'], [NORI, 10_000, '08'], [NORI, 10_000, '19']] as const) {
    const d = await seed.donation({ amountYen, paidAt: `${month}-02T03:00:00Z`, gifts: [[gift, 1]] });
    await seed.shipment(d, gift, { shippedOn: `${month}-${day}` });
  }
  await startBillingRun(h.ctx.client, h.ctx.config, { month, requestedBy: 'operator:manual' });
  await pollApi(h, `/billing/runs/${month}`, (b) => b.workflow?.stage === 'awaiting_confirmation');
  return month;
}

/** A complaint about a gift, and the quality demand (CALL-3) to the dev supplier that follows it. */
export async function seedQualityDemand(h: ConsoleHarness): Promise<string> {
  const api = apiAs(h);
  const call = await api('operator', 'POST', '/calls', { channel: 'phone', subject: 'うなぎが解けた状態で届いた', body: '到着時に保冷剤が溶けていたとのこと', category: '返礼品', complaint: true, links: { supplierCode: DEV_SUPPLIER_CODE } });
  const demand = await api('operator', 'POST', `/calls/${call.json().call.id}/measures`, { party: { kind: 'supplier', supplierCode: DEV_SUPPLIER_CODE }, demand: '冷凍品の梱包（保冷剤の量と箱）を見直してください', dueOn: jstDate(new Date(Date.now() + 7 * 86_400_000)) });
  return demand.json().measure.id;
}

/** An incident reported to the city (SEC-3), and last month's report built on demand (REPORT-2). */
export async function seedCityReading(h: ConsoleHarness): Promise<void> {
  const api = apiAs(h);
  await api('operator', 'POST', '/incidents', { content: '受領証明書1通の誤封入（別の寄附者あて）', affectedPeople: 2, place: '印刷会社 封入工程', circumstances: '寄附者からの電話で判明。封入機の設定誤り。該当の2名に連絡し回収済み。', discoveredAt: new Date(Date.now() - 3_600_000).toISOString(), reportedBy: '運営事業者 品質管理責任者' });
  const month = previousMonth(monthOf(jstDate(new Date())));
  await api('operator', 'POST', `/reports/monthly/${month}`, {});
  await pollApi(h, `/reports/monthly/${month}`, (b) => b.latest != null, 120_000);
}
