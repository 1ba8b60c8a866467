import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import iconv from 'iconv-lite';
import { jstDate } from '../../domain/jst';
import { registerDonation } from '../../ledger/donations';
import { ensureDonationWorkflow } from '../../workflows/donation/client';
import { documentsSentSignal, releaseHoldSignal, statusQuery } from '../../workflows/donation/definitions';
import { supplierOrderWorkflow } from '../../workflows';
import { shipmentStatusQuery } from '../../workflows/shipping/definitions';
import { eventually, type SuiteContext } from '../support/context';
import { apiSuite, type TestApi } from '../support/api';
import { maybeCaptureHistory } from '../support/histories';
import { newDonation } from '../support/factory';

let ctx: SuiteContext;
let api: TestApi;
const run = randomUUID().slice(0, 6);
// Supplier codes are the supplier tokens' names: a supplier principal sees only its own orders.
const FARM = `farm-${run}`;
const OTHER = `other-${run}`;

const EEL = `eel-${run}`;
// Every donation is paid at this one instant and the orders run for its day (JST): a gift waits until the day it
// was paid, so a suite running across midnight in Japan would otherwise order for a day its later gifts have not reached.
const PAID_AT = new Date().toISOString();
const today = jstDate(new Date(PAID_AT));
let farmId: number;
let worker: Awaited<ReturnType<SuiteContext['startWorker']>>;

beforeAll(async () => {
  ({ ctx, api } = await apiSuite('shipping', { env: { SHIP_MAX_RESHIPMENTS: '1' }, suppliers: { [FARM]: 'farm-token-00000001', [OTHER]: 'other-token-0000001' } }));
  worker = await ctx.startWorker();
  const knex = ctx.orm.em.getKnex();
  // Ships every day so that the test's "today" is always one of its shipping days.
  [{ id: farmId }] = await knex('suppliers')
    .insert({ code: FARM, name: '柳川うなぎ本舗', email: `orders@${FARM}.example.jp`, phone: '0944-00-0000', postal_code: '8320021', address: '福岡県柳川市坂本町1', shipping_weekdays: '{1,2,3,4,5,6,7}', rules_acknowledged_at: new Date(), rules_acknowledged_by: 'operator:tanaka', default_carrier: 'yamato_b2' })
    .returning('id');
  await knex('suppliers').insert({ code: OTHER, name: '別の事業者', shipping_weekdays: '{1,4}' });
  await knex('gifts').insert({ code: EEL, name: 'うなぎのせいろ蒸し 2人前', supplier_id: farmId, price_yen: 20_000, cost_yen: 6_000, shipping_cost_yen: 1_200, temperature: 'frozen', active: true });
});

afterAll(() => api?.close());

// Each donation by a different person: the same person on two portals within 48 hours is held as a likely duplicate.
const KANA = 'アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホ';
const someone = () => Array.from({ length: 5 }, () => KANA[Math.floor(Math.random() * KANA.length)]).join('');

async function paidDonation(overrides: Parameters<typeof newDonation>[1] = {}) {
  const base = newDonation(ctx.prefix, { paymentMethod: 'credit_card', paidAt: PAID_AT, amountYen: 20_000, gifts: [{ code: EEL, quantity: 1 }], ...overrides });
  const kana = overrides.donor?.nameKana && overrides.donor.nameKana !== newDonation('x').donor.nameKana ? overrides.donor.nameKana : `ヤマダ ${someone()}`;
  base.donor = { ...base.donor, ...overrides.donor, nameKana: kana };
  const { donation } = await registerDonation(
    ctx.orm.em.fork(),
    base,
    'system:test',
  );
  const handle = await ensureDonationWorkflow(ctx.client, donation, ctx.config);
  return { donation, handle };
}

/** A paid donation whose one shipment the supplier order run has ordered. */
async function orderedShipment() {
  const { donation } = await paidDonation();
  const [shipment] = await awaitShipment(donation.id, (x) => x[0]?.status === 'awaiting_order');
  await orderRun();
  await awaitShipment(donation.id, (x) => x[0].status === 'ordered');
  return { donation, shipment };
}

const shipmentsOf = async (donationId: string) => (await api.get(`/shipments?donationId=${donationId}`)).json().shipments as any[];
const awaitShipment = (donationId: string, accept: (s: any[]) => boolean) => eventually(() => shipmentsOf(donationId), accept);
const orderRun = async (shipOn = today) => {
  const workflowId = `orders-${randomUUID()}`;
  const result = await ctx.client.workflow.execute(supplierOrderWorkflow, { taskQueue: ctx.taskQueue, workflowId, args: [{ shipOn, requestedBy: 'operator:tanaka', suppliers: [FARM, OTHER] }] });
  await maybeCaptureHistory(ctx.client, 'supplier-orders-v1', workflowId);
  return result;
};
const mailsTo = (address: string) => ctx.mail.messages().filter((m) => m.to.includes(address));

describe('a paid donation becomes a supplier order, a carrier file, a mail and a delivery (SHIP-1…4)', () => {
  let donationId: string;
  let donationHandle: Awaited<ReturnType<typeof paidDonation>>['handle'];
  let shipment: any;

  test('the donation starts one shipment that waits for the supplier order', async () => {
    const { donation, handle } = await paidDonation({ donor: { ...newDonation('x').donor, name: '髙橋 一郎', nameKana: 'タカハシ イチロウ', email: `ichiro-${run}@example.jp` } });
    donationId = donation.id;
    donationHandle = handle;
    const [s] = await awaitShipment(donationId, (s) => s.length === 1 && s[0].status === 'awaiting_order');
    shipment = s;
    expect(s).toMatchObject({ giftCode: EEL, supplierCode: FARM, attempt: 1, deliveryNo: 1, deliveries: 1 });
    const view = await handle.query(statusQuery);
    expect(view.giftFulfilment).toBe('ship');
    expect(view.shipments).toEqual([expect.objectContaining({ giftCode: EEL, workflowId: s.workflowId })]);
  });

  test("the day's order run orders it, mails the donor and the supplier, and writes the carrier file", async () => {
    const result = await orderRun();
    const mine = result.orders.find((o) => o.supplierCode === FARM)!;
    expect(mine.shipments).toBeGreaterThanOrEqual(1);
    const [s] = await awaitShipment(donationId, (s) => s[0].status === 'ordered');
    expect(s.plannedShipOn).toBe(today);

    // SHIP-4: the donor's pre-shipping mail, once.
    const donorMail = await eventually(async () => mailsTo(`ichiro-${run}@example.jp`), (m) => m.length === 1);
    expect(donorMail[0].subject).toContain('返礼品');
    expect(donorMail[0].text).toContain('うなぎのせいろ蒸し');
    expect(donorMail[0].text).toContain('冷凍');

    // SHIP-1: the supplier's order mail with its lines as CSV.
    const supplierMail = mailsTo(`orders@${FARM}.example.jp`);
    expect(supplierMail).toHaveLength(1);
    const csv = supplierMail[0].attachments[0].content.toString('utf8');
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(csv).toContain(shipment.id);
    expect(csv).toContain('髙橋 一郎');

    // SHIP-3: the ヤマト B2 file of the day holds the row, in CP932, with 髙 substituted and 冷凍 as クール区分 1.
    const file = result.carrierFiles.find((f) => f.carrier === 'yamato_b2')!;
    const content = iconv.decode(fs.readFileSync(path.join(ctx.config.shipping.carrierDir, today, file.fileName)), 'CP932');
    // お客様管理番号 is the shipment's short number (S00012345), whole.
    expect(shipment.reference).toMatch(/^S\d{8,}$/);
    const line = content.split('\r\n').find((l) => l.includes(shipment.reference))!;
    expect(line).toBeDefined();
    const cells = line.split(',').map((c) => c.replace(/^"|"$/g, ''));
    expect(cells[0]).toBe(shipment.reference);
    expect(cells[2]).toBe('1');
    expect(content).toContain('高橋 一郎');
  });

  test('running the order again the same day orders nothing twice and sends no second mail', async () => {
    await orderRun();
    const { rows } = await ctx.orm.em.getKnex().raw(`select count(*)::int as n from supplier_orders where supplier_id = ? and ship_on = ?`, [farmId, today]);
    expect(rows[0].n).toBe(1);
    await new Promise((r) => setTimeout(r, 500));
    expect(mailsTo(`ichiro-${run}@example.jp`)).toHaveLength(1);
  });

  test('suppliers see their own orders only', async () => {
    const own = await api.get('/supplier-orders', FARM);
    expect(own.statusCode).toBe(200);
    const order = own.json().orders.find((o: any) => o.shipOn === today);
    expect(order.supplierCode).toBe(FARM);
    expect((await api.get(`/supplier-orders/${order.id}`, FARM)).json().lines.some((l: any) => l.shipmentId === shipment.id)).toBe(true);
    expect((await api.get(`/supplier-orders/${order.id}`, OTHER)).statusCode).toBe(404);
    expect((await api.get(`/supplier-orders?supplier=${FARM}`, OTHER)).statusCode).toBe(403);
    expect((await api.get('/supplier-orders', OTHER)).json().orders).toEqual([]);
    expect((await api.get(`/shipments/${shipment.id}`, OTHER)).statusCode).toBe(404);
    expect((await api.post(`/shipments/${shipment.id}/shipped`, { shippedOn: today, carrier: 'yamato_b2', trackingNumber: '123456789012' }, OTHER)).statusCode).toBe(404);
    expect((await api.get(`/shipments?donationId=${donationId}`, FARM)).statusCode).toBe(403);
  });

  test('the supplier confirms shipment; a bad confirmation is refused with the reason', async () => {
    const bad = await api.post(`/shipments/${shipment.id}/shipped`, { shippedOn: today, carrier: 'pigeon', trackingNumber: '1' }, FARM);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().fields.map((f: any) => f.field)).toEqual(expect.arrayContaining(['carrier', 'trackingNumber']));
    const ok = await api.post(`/shipments/${shipment.id}/shipped`, { shippedOn: today, carrier: 'yamato_b2', trackingNumber: `4000${run.replace(/\D/g, '1')}0001`.slice(0, 12) }, FARM);
    expect(ok.statusCode).toBe(200);
    expect(ok.json().shipment).toMatchObject({ status: 'shipped', carrier: 'yamato_b2' });
    const again = await api.post(`/shipments/${shipment.id}/shipped`, { shippedOn: today, carrier: 'yamato_b2', trackingNumber: '999999999999' }, FARM);
    expect(again.statusCode).toBe(409);
  });

  test("the carrier's delivery status completes the shipment; unknown tracking numbers are named", async () => {
    const s = (await api.get(`/shipments/${shipment.id}`)).json();
    const res = await api.post('/carrier-status', { rows: [{ trackingNumber: s.trackingNumber, status: 'delivered', at: new Date().toISOString() }, { trackingNumber: 'NOPE-0000', status: 'delivered', at: new Date().toISOString() }] });
    expect(res.statusCode).toBe(200);
    expect(res.json().results).toEqual([
      { row: 1, trackingNumber: s.trackingNumber, outcome: 'delivered' },
      { row: 2, trackingNumber: 'NOPE-0000', outcome: 'unknown tracking number' },
    ]);
    const [done] = await awaitShipment(donationId, (x) => x[0].status === 'delivered');
    expect(done.deliveredAt).not.toBeNull();
    const events = (await api.get(`/shipments/${shipment.id}`)).json().events.map((e: any) => e.to).filter(Boolean);
    expect(events).toEqual(['planned', 'awaiting_order', 'ordered', 'shipped', 'delivered']);
  });

  test('the donation completes only when its documents are sent and its gift is delivered', async () => {
    const handle = donationHandle;
    const before = await handle.query(statusQuery);
    expect(before.status).toBe('documents_due');
    expect(before.shipments).toEqual([expect.objectContaining({ status: 'delivered' })]);
    await handle.signal(documentsSentSignal, { actor: 'operator:tanaka', sentAt: new Date().toISOString() });
    expect((await handle.result()).status).toBe('completed');
    await maybeCaptureHistory(ctx.client, 'donation-v5-gift-delivered', handle.workflowId);
    await maybeCaptureHistory(ctx.client, 'shipment-v1-delivered', shipment.workflowId);
  });
});

describe('trouble and re-shipment (SHIP-5)', () => {
  test('damage after delivery re-ships once with a new linked shipment; the next trouble escalates to an operator', async () => {
    const { donation, shipment: first } = await orderedShipment();
    expect((await api.post(`/shipments/${first.id}/shipped`, { shippedOn: today, carrier: 'yamato_b2', trackingNumber: `5${Date.now()}`.slice(0, 12) }, FARM)).statusCode).toBe(200);
    expect((await api.post(`/shipments/${first.id}/delivered`, {})).statusCode).toBe(202);
    await awaitShipment(donation.id, (s) => s[0].status === 'delivered');

    // A call-centre complaint a few days later (CALL-3): the box arrived crushed.
    const complaint = await api.post(`/shipments/${first.id}/trouble`, { kind: 'damage', note: '箱が潰れて中身が破損', source: 'call_centre' });
    expect(complaint.statusCode).toBe(202);
    const [, second] = await awaitShipment(donation.id, (s) => s.length === 2 && s[1].status === 'awaiting_order');
    expect(second).toMatchObject({ attempt: 2, replacesShipmentId: first.id, supplierCode: FARM });
    expect((await shipmentsOf(donation.id))[0]).toMatchObject({ status: 'trouble', troubleKind: 'damage' });

    await orderRun();
    await awaitShipment(donation.id, (s) => s[1].status === 'ordered');
    // The re-shipment is a new shipment: it gets its own pre-shipping mail.
    const { rows } = await ctx.orm.em.getKnex().raw(`select shipment_id, status from mail_log where template = 'pre-shipping' and shipment_id = any (?::uuid[])`, [`{${first.id},${second.id}}`]);
    expect(rows.map((r: any) => r.shipment_id).sort()).toEqual([first.id, second.id].sort());

    // SHIP_MAX_RESHIPMENTS=1: the next loss is an operator's decision.
    const loss = await api.post(`/shipments/${second.id}/trouble`, { kind: 'loss', note: '配送中に紛失' });
    expect(loss.statusCode).toBe(200);
    expect(loss.json()).toEqual({ reshipment: false, escalated: true });
    await awaitShipment(donation.id, (s) => s[1].status === 'escalated');
    expect((await api.post(`/shipments/${second.id}/resolve`, { action: 'close', reason: '寄附者と相談の上、代替品なしで了承' })).statusCode).toBe(202);
    await awaitShipment(donation.id, (s) => s[1].status === 'closed');
    await ctx.client.workflow.getHandle(first.workflowId).result();
    await maybeCaptureHistory(ctx.client, 'shipment-v1-reopened-escalated-closed', first.workflowId);
  });
});

describe('who gets no shipment (SHIP-6, PORTAL-1)', () => {
  test('a donor living in Yanagawa gets no gift and a mail telling why', async () => {
    const email = `resident-${run}@example.jp`;
    const { donation, handle } = await paidDonation({ donor: { ...newDonation('x').donor, postalCode: '832-0021', prefecture: '福岡県', address: '柳川市坂本町1-1', email } });
    // A resident choosing a gift is held for review first (INTAKE-4); the operator releases it.
    await handle.signal(releaseHoldSignal, { actor: 'operator:tanaka', reason: '市内在住: 返礼品なしで受付' });
    const view = await eventually(() => handle.query(statusQuery), (v) => v.giftFulfilment !== undefined);
    expect(view.giftFulfilment).toBe('no_gift_resident');
    expect(view.shipments).toEqual([]);
    expect(await shipmentsOf(donation.id)).toEqual([]);
    const { rows } = await ctx.orm.em.getKnex().raw(`select fulfilment from donation_gift_lines where donation_id = ?`, [donation.id]);
    expect(rows).toEqual([{ fulfilment: 'no_gift_resident' }]);
    const mail = await eventually(async () => mailsTo(email), (m) => m.length === 1);
    expect(mail[0].text).toContain('柳川市');
  });

  test('a さとふる donation is recorded only: the portal ships', async () => {
    const { handle, donation } = await paidDonation({ portal: 'satofull' });
    const view = await eventually(() => handle.query(statusQuery), (v) => v.giftFulfilment !== undefined);
    expect(view.giftFulfilment).toBe('portal_ships');
    expect(await shipmentsOf(donation.id)).toEqual([]);
  });
});

describe('送付先: the gift goes to the recipient the portal named, the documents to the donor', () => {
  test("order lines and the carrier file carry the 送付先, not the donor's address", async () => {
    const shipTo = { name: '柳川 花子', nameKana: 'ヤナガワ ハナコ', postalCode: '812-0011', prefecture: '福岡県', address: '福岡市博多区博多駅前3-3-3', phone: '092-000-1111' };
    const { donation } = await paidDonation({ shipTo });
    const [s] = await awaitShipment(donation.id, (x) => x[0]?.status === 'awaiting_order');
    await orderRun();
    await awaitShipment(donation.id, (x) => x[0].status === 'ordered');
    const order = (await api.get('/supplier-orders', FARM)).json().orders.find((o: any) => o.shipOn === today);
    const line = (await api.get(`/supplier-orders/${order.id}`, FARM)).json().lines.find((l: any) => l.shipmentId === s.id);
    expect(line.recipient).toEqual({ name: '柳川 花子', nameKana: 'ヤナガワ ハナコ', postalCode: '812-0011', prefecture: '福岡県', address: '福岡市博多区博多駅前3-3-3', phone: '092-000-1111' });
    const file = await api.get(`/supplier-orders/${order.id}/carrier-file?carrier=yamato_b2`, FARM);
    expect(file.statusCode).toBe(200);
    const row = iconv.decode(file.rawPayload, 'CP932').split('\r\n').find((l) => l.includes(s.reference))!;
    expect(row).toContain('柳川 花子');
    expect(row).toContain('博多駅前3-3-3');
    expect(row).not.toContain(donation.donor.address);
    // The donor is still the donor (receipts and one-stop go to the donor's address); operators see both.
    const view = (await api.get(`/donations/${donation.id}`)).json().donation;
    expect(view.donor.address).toBe(donation.donor.address);
    expect(view.shipTo).toMatchObject({ name: '柳川 花子', postalCode: '812-0011', address: '福岡市博多区博多駅前3-3-3' });
  });

  test('an operator corrects the 送付先 until the gift is ordered; then it is the supplier\'s (409); every change is in the event log', async () => {
    const put = (id: string, payload: object) => api.put(`/donations/${id}/ship-to`, payload);
    const { donation } = await paidDonation({ shipTo: { name: '柳川 花子', nameKana: '', postalCode: '812-0011', prefecture: '福岡県', address: '福岡市博多区博多駅前3-3-3' } });
    const [s] = await awaitShipment(donation.id, (x) => x[0]?.status === 'awaiting_order');
    const bad = await put(donation.id, { reason: '電話で訂正', shipTo: { name: '柳川 花子', postalCode: '81200', address: '福岡市博多区博多駅前4-4' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().fields.map((f: any) => f.field)).toContain('shipTo.postalCode');
    const ok = await put(donation.id, { reason: '電話で訂正（転居）', shipTo: { name: '柳川 花子', postalCode: '８１２－００１２', prefecture: '福岡県', address: '福岡市博多区博多駅中央街1-1' } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ before: { postalCode: '812-0011' }, after: { postalCode: '812-0012', address: '福岡市博多区博多駅中央街1-1' } });
    // Back to the donor, then to the corrected 送付先 again: each change is an event.
    expect((await put(donation.id, { reason: '本人宛に変更', shipTo: null })).json().after).toBeNull();
    expect((await api.get(`/donations/${donation.id}`)).json().donation.shipTo).toBeNull();
    expect((await put(donation.id, { reason: 'やはり実家宛', shipTo: { name: '柳川 花子', postalCode: '812-0012', prefecture: '福岡県', address: '福岡市博多区博多駅中央街1-1' } })).statusCode).toBe(200);
    const events = (await api.get(`/donations/${donation.id}/events`)).json().events.filter((e: any) => e.kind === 'ship_to_corrected');
    expect(events.map((e: any) => [e.actor, e.reason])).toEqual([
      ['operator:tanaka', '電話で訂正（転居）'],
      ['operator:tanaka', '本人宛に変更'],
      ['operator:tanaka', 'やはり実家宛'],
    ]);
    await orderRun();
    await awaitShipment(donation.id, (x) => x[0].status === 'ordered');
    const order = (await api.get('/supplier-orders', FARM)).json().orders.find((o: any) => o.shipOn === today);
    const line = (await api.get(`/supplier-orders/${order.id}`, FARM)).json().lines.find((l: any) => l.shipmentId === s.id);
    expect(line.recipient).toMatchObject({ postalCode: '812-0012', address: '福岡市博多区博多駅中央街1-1' });
    const late = await put(donation.id, { reason: '遅い訂正', shipTo: null });
    expect(late.statusCode).toBe(409);
    expect(late.json().message).toContain(`shipment ${s.id} is already ordered`);
    expect((await put('00000000-0000-4000-8000-000000000000', { reason: 'x', shipTo: null })).statusCode).toBe(404);
  });
});

describe('durability', () => {
  test('a worker stopped mid-shipment resumes without a second order or mail', async () => {
    const email = `restart-${run}@example.jp`;
    const { donation } = await paidDonation({ donor: { ...newDonation('x').donor, email } });
    const [s] = await awaitShipment(donation.id, (x) => x[0]?.status === 'awaiting_order');
    const runPromise = orderRun();
    await awaitShipment(donation.id, (x) => x[0].status === 'ordered');
    // The worker goes away while the order's signals and mails are in flight, then comes back.
    await worker.stop();
    worker = await ctx.startWorker();
    await runPromise;
    await orderRun();
    const handle = ctx.client.workflow.getHandle(s.workflowId);
    const view = await eventually(() => handle.query(shipmentStatusQuery), (v) => v.preShippingMail !== undefined);
    expect(view.preShippingMail).toBe('sent');
    const { rows } = await ctx.orm.em.getKnex().raw(`select count(*)::int as n from shipment_events where shipment_id = ? and to_status = 'ordered'`, [s.id]);
    expect(rows[0].n).toBe(1);
    await new Promise((r) => setTimeout(r, 500));
    expect(mailsTo(email)).toHaveLength(1);
  });
});

describe('carrier status files (delivery tracking)', () => {
  test('a CP932 status file delivers shipped parcels; bad rows are named with row, column and reason', async () => {
    const { donation, shipment: s } = await orderedShipment();
    const tracking = `6${Date.now()}`.slice(0, 12);
    expect((await api.post(`/shipments/${s.id}/shipped`, { shippedOn: today, carrier: 'yamato_b2', trackingNumber: tracking }, FARM)).statusCode).toBe(200);
    const csv = ['伝票番号,お客様管理番号,配達状況,日時', `${tracking},${s.id},配達完了,2026/11/27 10:15`, '999999999999,,空を飛んだ,2026/11/27 10:15'].join('\r\n');
    const res = await api.app.inject({ method: 'POST', url: '/carrier-status/file', payload: iconv.encode(csv, 'CP932'), headers: { ...api.headers('operator'), 'content-type': 'text/csv' } });
    expect(res.statusCode).toBe(200);
    expect(res.json().applied).toBe(1);
    expect(res.json().errors).toEqual([expect.objectContaining({ row: 3, reason: expect.stringContaining('空を飛んだ') })]);
    const [done] = await awaitShipment(donation.id, (x) => x[0].status === 'delivered');
    expect(done.deliveredAt).toBe('2026-11-27T01:15:00.000Z');
  });
});
