import fs from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { Knex } from '@mikro-orm/postgresql';
import { apiSuite, type TestApi } from '../support/api';
import type { SuiteContext } from '../support/context';
import { pdfPageTexts } from '../support/pdf';
import { maybeCaptureHistory } from '../support/histories';
import type { MonthlyReportData } from '../../domain/reports/types';
import { buildMonthlyReportData } from '../../ledger/reports';
import { parseReportCsv, q, startReportWorker } from './support';
import { Seed } from './seed';

/**
 * REPORT-1/2, PR-1, CALL-3 in the report: a seeded May 2021 (no other suite's data is in that month),
 * its 月次業務報告書 built through the API and workflow, each figure checked against the ledger by
 * queries written here, the PDF read back as text, the CSV parsed, and a second request making
 * revision 2 while revision 1 stays.
 */
const MONTH = '2021-05';
const SUPPLIER_TOKEN = 'reports-supplier-token-0001';
const SUPPLIERS = { 'some-supplier': SUPPLIER_TOKEN };
const START = '2021-04-30T15:00:00.000Z';
const END = '2021-05-31T15:00:00.000Z';

let ctx: SuiteContext;
let app: FastifyInstance;
let api: TestApi;
let knex: Knex;
let worker: { stop(): Promise<void>; settings: { dir: string } };
let seed: Seed;
let giftA: string;
let supplierA: string;
const campaigns: Record<string, string> = {};

beforeAll(async () => {
  ({ ctx, api } = await apiSuite('reports', { suppliers: SUPPLIERS }));
  worker = await startReportWorker(ctx);
  app = api.app;
  knex = ctx.orm.em.getKnex();
  seed = new Seed(knex, ctx.prefix);
  const p = ctx.prefix;
  supplierA = `${p}-A`;
  const supA = await seed.supplier(supplierA);
  const supB = await seed.supplier(`${p}-B`, { weekdays: [3], exception: true });
  giftA = `${p}-GA`;
  const giftB = `${p}-GB`;
  await seed.gift(giftA, supA, 10_000);
  await seed.gift(giftB, supB, 20_000);

  const d1 = await seed.donor('一郎', '東京都');
  const d2 = await seed.donor('二郎', '大阪府');
  const d3 = await seed.donor('三郎', '福岡県');
  const d4 = await seed.donor('四郎', '北海道');
  await seed.donation({ donorId: d1, portal: 'choice', amountYen: 8_000, appliedAt: '2021-03-15T10:00:00+09:00', status: 'completed' });
  const n1 = await seed.donation({ donorId: d1, portal: 'choice', amountYen: 10_000, appliedAt: '2021-05-03T10:00:00+09:00', status: 'documents_sent', gift: { code: giftA, unitPriceYen: 10_000 }, documents: { dueOn: '2021-05-17', sentAt: '2021-05-10T10:00:00+09:00' }, intakeLate: false });
  const n2 = await seed.donation({ donorId: d2, portal: 'rakuten', amountYen: 20_000, appliedAt: '2021-05-10T12:00:00+09:00', status: 'documents_sent', gift: { code: giftB, unitPriceYen: 20_000 }, documents: { dueOn: '2021-05-24', sentAt: '2021-05-26T10:00:00+09:00' }, intakeLate: true });
  await seed.donation({ donorId: d2, portal: 'rakuten', amountYen: 30_000, appliedAt: '2021-05-20T09:00:00+09:00', status: 'documents_due', disasterRelief: true, documents: { dueOn: '2021-05-31' }, intakeLate: false });
  // 23:30 on May 31 in Japan is still May; ten past midnight on June 1 is not.
  const n4 = await seed.donation({ donorId: d3, portal: 'furunavi', amountYen: 15_000, appliedAt: '2021-05-31T23:30:00+09:00', gift: { code: giftA, unitPriceYen: 15_000 } });
  await seed.donation({ donorId: d3, portal: 'furunavi', amountYen: 12_000, appliedAt: '2021-06-01T00:10:00+09:00', gift: { code: giftA, unitPriceYen: 12_000 } });
  await seed.donation({ donorId: d4, portal: 'choice', amountYen: 5_000, appliedAt: '2021-05-05T10:00:00+09:00', status: 'cancelled' });
  await seed.onestop(n4.id, 'accepted', '2021-06-03', '1980-06-15');
  await seed.onestop(n2.id, 'deficient', '2021-05-20');

  // A damaged delivery re-shipped (late), and an order not shipped at all.
  const s1 = await seed.shipment({ donationId: n1.id, lineId: n1.lineId!, giftCode: giftA, supplierId: supA, status: 'trouble', createdAt: '2021-05-04T09:00:00+09:00', plannedShipOn: '2021-05-06', shippedOn: '2021-05-06', deliveredAt: '2021-05-08T15:00:00+09:00', carrier: 'yamato_b2', troubleKind: 'damage' });
  const s2 = await seed.shipment({ donationId: n1.id, lineId: n1.lineId!, giftCode: giftA, supplierId: supA, attempt: 2, replaces: s1, status: 'shipped', createdAt: '2021-05-12T09:00:00+09:00', plannedShipOn: '2021-05-13', shippedOn: '2021-05-15', carrier: 'sagawa_ehiden' });
  await seed.shipment({ donationId: n2.id, lineId: n2.lineId!, giftCode: giftB, supplierId: supB, status: 'ordered', createdAt: '2021-05-11T09:00:00+09:00', plannedShipOn: '2021-05-14' });

  const c1 = await seed.call({ channel: 'phone', category: '返礼品', complaint: true, receivedAt: '2021-05-09T10:00:00+09:00', status: '対応済み', outcome: '再発送し謝罪した', shipmentId: s1, reshipped: true, subject: `${ctx.prefix} 箱が潰れていた` });
  await seed.call({ channel: 'email', category: '寄附手続き', complaint: false, receivedAt: '2021-05-12T10:00:00+09:00' });
  const c3 = await seed.call({ channel: 'fax', category: '配送', complaint: true, receivedAt: '2021-05-16T10:00:00+09:00', status: '対応中', shipmentId: s2 });
  await seed.measure({ callId: c1, supplierId: supA, demandedAt: '2021-05-10T10:00:00+09:00', dueOn: '2021-05-20', closed: true });
  await seed.measure({ callId: c3, carrier: 'sagawa_ehiden', demandedAt: '2021-05-17T10:00:00+09:00', dueOn: '2021-05-25' });

  // PR-1 campaigns through the API: proposed by an operator, decided by the city.
  const propose = async (code: string, body: object, decision?: 'approved' | 'rejected') => {
    campaigns[code] = `${ctx.prefix}-${code}`;
    const res = await app.inject({ method: 'POST', url: '/promotions', headers: api.headers('operator'), payload: { code: campaigns[code], name: `${code} キャンペーン`, billedMonth: '2021-06', ...body } });
    expect(res.statusCode).toBe(201);
    if (decision) {
      const d = await app.inject({ method: 'POST', url: `/promotions/${campaigns[code]}/decision`, headers: api.headers('city'), payload: { decision, note: 'test' } });
      expect(d.statusCode).toBe(200);
    }
  };
  await propose('rakuten-may', { medium: 'ポータル内広告', portalCodes: ['rakuten'], startsOn: '2021-05-01', endsOn: '2021-05-15', costYen: 10_000 }, 'approved');
  await propose('gift-a', { medium: 'SNS', giftCodes: [giftA], startsOn: '2021-04-20', endsOn: '2021-06-10', costYen: 50_000 }, 'approved');
  await propose('proposed-only', { portalCodes: ['choice'], startsOn: '2021-05-01', endsOn: '2021-05-31', costYen: 1_000 });
  await propose('rejected', { startsOn: '2021-05-01', endsOn: '2021-05-31', costYen: 1_000 }, 'rejected');
});

afterAll(async () => {
  await worker?.stop();
  await api?.close();
});

async function requestReport(): Promise<{ revision: number; id: string }> {
  const res = await app.inject({ method: 'POST', url: `/reports/monthly/${MONTH}?wait=110`, headers: api.headers('city') });
  expect(res.statusCode).toBe(201);
  const body = res.json();
  expect(body.run.workflowId).toBe(`report-${MONTH}`);
  return { revision: body.report.revision, id: body.report.id };
}

let first: { revision: number; id: string };
let data: MonthlyReportData;

test('POST /reports/monthly/{month} builds the month (workflow report-YYYY-MM), stores it and mails the city', async () => {
  first = await requestReport();
  const got = await app.inject({ method: 'GET', url: `/reports/monthly/${MONTH}/revisions/${first.revision}`, headers: api.headers('city') });
  expect(got.statusCode).toBe(200);
  data = got.json().data;
  expect(data.month).toBe(MONTH);
  expect(got.json().report).toMatchObject({ month: MONTH, revision: first.revision, kind: 'on_demand', requestedBy: 'city:shiyakusho', status: 'built' });
  const mail = ctx.mail.messages().find((m) => m.subject.includes('月次業務報告書 2021年5月分'));
  expect(mail?.to).toEqual(['gyoumu-houkoku@city.yanagawa.example']);
  expect(mail?.attachments.map((a) => a.contentType)).toEqual(['application/pdf']);
  // The files are in the data folder too.
  expect(fs.existsSync(`${worker.settings.dir}/${MONTH}/monthly-report-${MONTH}-r${first.revision}.pdf`)).toBe(true);
  expect(fs.existsSync(`${worker.settings.dir}/${MONTH}/monthly-report-${MONTH}-r${first.revision}.csv`)).toBe(true);
  await maybeCaptureHistory(ctx.client, 'report-v1-on-demand', `report-${MONTH}`);
});

test('donation figures equal independent ledger queries: totals, portal, gift, prefecture, new/repeat, age band', async () => {
  // Every donation applied in the month, with the donor, computed here row by row.
  const all = await q(knex, `select d.id, d.donor_id, d.portal_code, d.amount_yen, d.applied_at, d.status, d.disaster_relief, o.prefecture from donations d join donors o on o.id = d.donor_id where d.applied_at >= ? and d.applied_at < ?`, [START, END]);
  const live = all.filter((r) => r.status !== 'cancelled');
  const sum = (rs: any[]) => rs.reduce((n, r) => n + r.amount_yen, 0);
  expect(data.totals).toEqual({
    count: live.length,
    amountYen: sum(live),
    donors: new Set(live.map((r) => r.donor_id)).size,
    cancelled: all.length - live.length,
    disasterRelief: { count: live.filter((r) => r.disaster_relief).length, amountYen: sum(live.filter((r) => r.disaster_relief)) },
  });
  // What was seeded, as a check on the check.
  expect(data.totals).toMatchObject({ count: 4, amountYen: 75_000, donors: 3, cancelled: 1 });

  const groupBy = (key: string) => {
    const m = new Map<string, { count: number; amountYen: number }>();
    for (const r of live) m.set(r[key], { count: (m.get(r[key])?.count ?? 0) + 1, amountYen: (m.get(r[key])?.amountYen ?? 0) + r.amount_yen });
    return m;
  };
  const portals = groupBy('portal_code');
  expect(data.byPortal.map((p) => [p.portalCode, p.count, p.amountYen]).sort()).toEqual([...portals].map(([k, v]) => [k, v.count, v.amountYen]).sort());
  expect(data.byPortal[0]).toMatchObject({ portalCode: 'rakuten', portalName: '楽天ふるさと納税', count: 2, amountYen: 50_000 });
  const prefectures = groupBy('prefecture');
  expect(data.byPrefecture.map((p) => [p.prefecture, p.count, p.amountYen]).sort()).toEqual([...prefectures].map(([k, v]) => [k, v.count, v.amountYen]).sort());

  const lines = await q(knex, `select l.donation_id, l.gift_code, l.quantity, l.unit_price_yen from donation_gift_lines l where l.donation_id = any (?::uuid[])`, [`{${live.map((r) => r.id).join(',')}}`]);
  const gifts = new Map<string, { donations: Set<string>; quantity: number; amountYen: number }>();
  for (const l of lines) {
    const g = gifts.get(l.gift_code) ?? { donations: new Set(), quantity: 0, amountYen: 0 };
    g.donations.add(l.donation_id);
    g.quantity += l.quantity;
    g.amountYen += l.quantity * l.unit_price_yen;
    gifts.set(l.gift_code, g);
  }
  const noGift = live.filter((r) => !lines.some((l) => l.donation_id === r.id));
  expect(data.byGift.map((g) => [g.giftCode, g.donations, g.quantity, g.amountYen])).toEqual(
    expect.arrayContaining([...[...gifts].map(([code, g]) => [code, g.donations.size, g.quantity, g.amountYen]), [null, noGift.length, 0, sum(noGift)]]),
  );
  expect(data.byGift.find((g) => g.giftCode === giftA)).toMatchObject({ donations: 2, quantity: 2, amountYen: 25_000, supplierCode: supplierA });

  // Repeat = the same donor gave earlier (any time, not cancelled).
  const history = await q(knex, `select donor_id, applied_at from donations where donor_id = any (?::uuid[]) and status <> 'cancelled'`, [`{${[...new Set(live.map((r) => r.donor_id))].join(',')}}`]);
  const isRepeat = (r: any) => history.some((h) => h.donor_id === r.donor_id && new Date(h.applied_at) < new Date(r.applied_at));
  const repeat = live.filter(isRepeat);
  const fresh = live.filter((r) => !isRepeat(r));
  expect(data.byDonorType).toEqual({
    repeat: { count: repeat.length, amountYen: sum(repeat), donors: new Set(repeat.map((r) => r.donor_id)).size },
    new: { count: fresh.length, amountYen: sum(fresh), donors: new Set(fresh.map((r) => r.donor_id)).size },
  });
  expect(data.byDonorType.repeat).toEqual({ count: 2, amountYen: 40_000, donors: 2 });
  expect(data.donorAttributes).toEqual({ donors: 3, repeatDonors: 2, repeatRatePercent: 66.7, withBirthDate: 1 });
  // Born 1980-06-15, gave on 2021-05-31: 40, not yet 41.
  expect(data.byAgeBand).toEqual([
    { band: '40代', count: 1, amountYen: 15_000 },
    { band: '不明', count: 3, amountYen: 60_000 },
  ]);
});

test('SLA figures: next-business-day import, documents within 2 weeks, shipping twice a week', async () => {
  const intake = await q(knex, `select i.late from donation_intake i join donations d on d.id = i.donation_id where d.applied_at >= ? and d.applied_at < ?`, [START, END]);
  expect(data.sla.intake).toMatchObject({ total: intake.length, met: intake.filter((r) => !r.late).length, missed: intake.filter((r) => r.late).length });
  expect(data.sla.intake).toMatchObject({ total: 3, met: 2, missed: 1 });

  const docs = await q(knex, `select documents_due_at, documents_sent_at from donations where documents_due_on >= '2021-05-01' and documents_due_on <= '2021-05-31' and status <> 'cancelled'`);
  expect(data.sla.documents).toEqual({
    due: docs.length,
    met: docs.filter((r) => r.documents_sent_at && new Date(r.documents_sent_at) <= new Date(r.documents_due_at)).length,
    late: docs.filter((r) => r.documents_sent_at && new Date(r.documents_sent_at) > new Date(r.documents_due_at)).length,
    unsent: docs.filter((r) => !r.documents_sent_at).length,
  });
  expect(data.sla.documents).toEqual({ due: 3, met: 1, late: 1, unsent: 1 });

  const planned = await q(knex, `select p.code, to_char(s.planned_ship_on, 'YYYY-MM-DD') as planned, to_char(s.shipped_on, 'YYYY-MM-DD') as shipped from shipments s join suppliers p on p.id = s.supplier_id where s.planned_ship_on between '2021-05-01' and '2021-05-31' and s.status <> 'cancelled'`);
  for (const s of data.sla.shipping.suppliers) {
    const mine = planned.filter((r) => r.code === s.supplierCode);
    expect([s.planned, s.onTime, s.late, s.unshipped]).toEqual([mine.length, mine.filter((r) => r.shipped && r.shipped <= r.planned).length, mine.filter((r) => r.shipped && r.shipped > r.planned).length, mine.filter((r) => !r.shipped).length]);
  }
  expect(data.sla.shipping.suppliers).toEqual([
    expect.objectContaining({ supplierCode: supplierA, weekdaysPerWeek: 2, exception: false, orderDays: 2, planned: 2, onTime: 1, late: 1, unshipped: 0, met: false }),
    expect.objectContaining({ supplierCode: `${ctx.prefix}-B`, weekdaysPerWeek: 1, exception: true, orderDays: 1, planned: 1, onTime: 0, late: 0, unshipped: 1, met: false }),
  ]);
});

test('shipments, one-stop, call centre, campaigns and supplier quality equal independent queries', async () => {
  const ships = await q(knex, `select s.attempt, s.created_at, s.shipped_on, s.delivered_at, o.trouble_kind as replaced_kind from shipments s left join shipments o on o.id = s.replaces_shipment_id`);
  const inMonth = (t: any) => t && new Date(t) >= new Date(START) && new Date(t) < new Date(END);
  // shipped_on is a Japanese calendar day: compared as text.
  const [shippedDays] = await q(knex, `select count(*)::int as n from shipments where to_char(shipped_on, 'YYYY-MM') = ?`, [MONTH]);
  expect(data.shipments).toEqual({
    created: ships.filter((s) => s.attempt === 1 && inMonth(s.created_at)).length,
    reshipments: ships.filter((s) => s.attempt > 1 && inMonth(s.created_at)).length,
    shipped: shippedDays.n,
    delivered: ships.filter((s) => inMonth(s.delivered_at)).length,
    reshipmentsByKind: { delay: 0, damage: ships.filter((s) => s.attempt > 1 && inMonth(s.created_at) && s.replaced_kind === 'damage').length, loss: 0 },
  });
  expect(data.shipments).toMatchObject({ created: 2, reshipments: 1, shipped: 2, delivered: 1, reshipmentsByKind: { damage: 1 } });

  const apps = await q(knex, `select status from onestop_applications where to_char(arrived_on, 'YYYY-MM') = ?`, [MONTH]);
  expect(data.onestop).toEqual({ arrived: apps.length, byStatus: [...new Set(apps.map((a) => a.status))].sort().map((status) => ({ status, count: apps.filter((a) => a.status === status).length })) });

  const calls = await q(knex, `select k.id, k.channel, k.category, k.complaint, k.status, k.outcome, k.reshipment_requested_at from calls k where k.received_at >= ? and k.received_at < ?`, [START, END]);
  expect(data.callCentre.total).toBe(calls.length);
  expect(data.callCentre.complaints).toBe(calls.filter((c) => c.complaint).length);
  for (const ch of data.callCentre.byChannel) expect([ch.count, ch.complaints]).toEqual([calls.filter((c) => c.channel === ch.channel).length, calls.filter((c) => c.channel === ch.channel && c.complaint).length]);
  const complaints = calls.filter((c) => c.complaint);
  const measured = await q(knex, `select distinct call_id from quality_measures where call_id = any (?::uuid[])`, [`{${complaints.map((c) => c.id).join(',')}}`]);
  expect(data.callCentre.complaintOutcomes).toEqual({
    byStatus: ['未対応', '対応中', '対応済み', '完了'].filter((s) => complaints.some((c) => c.status === s)).map((status) => ({ status, count: complaints.filter((c) => c.status === status).length })),
    withOutcome: complaints.filter((c) => c.outcome).length,
    reshipped: complaints.filter((c) => c.reshipment_requested_at).length,
    withMeasures: measured.length,
  });
  expect(data.callCentre.complaintList.find((c) => c.subject.includes('箱が潰れていた'))).toMatchObject({ receivedOn: '2021-05-09', status: '対応済み', outcome: '再発送し謝罪した', reshipped: true, measures: 1 });

  // PR-1: only approved campaigns; attributed = applied in the period on its portals for its gifts.
  expect(data.campaigns.map((c) => c.code).sort()).toEqual([campaigns['gift-a'], campaigns['rakuten-may']].sort());
  for (const c of data.campaigns) {
    const [row] = await q(knex, `select * from promotion_campaigns where code = ?`, [c.code]);
    const from = Date.parse(`${row.starts_on.toISOString?.().slice(0, 10) ?? row.starts_on}T00:00:00+09:00`);
    const rows = await q(
      knex,
      `select d.id, d.amount_yen, d.applied_at, d.portal_code, array(select l.gift_code from donation_gift_lines l where l.donation_id = d.id) as gifts
         from donations d where d.status <> 'cancelled' and d.applied_at >= ? and d.applied_at < (?::date + 1)::timestamp at time zone 'Asia/Tokyo'`,
      [new Date(from).toISOString(), c.endsOn],
    );
    const attributed = rows.filter((r) => (row.portal_codes.length === 0 || row.portal_codes.includes(r.portal_code)) && (row.gift_codes.length === 0 || r.gifts.some((g: string) => row.gift_codes.includes(g))));
    const month = attributed.filter((r) => inMonth(r.applied_at));
    const total = attributed.reduce((n, r) => n + r.amount_yen, 0);
    expect(c.period).toEqual({ count: attributed.length, amountYen: total });
    expect(c.inMonth).toEqual({ count: month.length, amountYen: month.reduce((n, r) => n + r.amount_yen, 0) });
    expect(c.yenPerCostYen).toBeCloseTo(total / row.cost_yen, 2);
  }
  expect(data.campaigns.find((c) => c.code === campaigns['gift-a'])).toMatchObject({ period: { count: 3, amountYen: 37_000 }, inMonth: { count: 2, amountYen: 25_000 }, yenPerCostYen: 0.74 });
  expect(data.campaigns.find((c) => c.code === campaigns['rakuten-may'])).toMatchObject({ period: { count: 1, amountYen: 20_000 }, yenPerCostYen: 2 });

  // CALL-3: the supplier named through the complaint's shipment; carriers for 配送 complaints and re-shipments.
  expect(data.quality).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ month: MONTH, partyKind: 'supplier', party: supplierA, complaints: 2, reshipments: 1, measuresDemanded: 1, measuresOpen: 0, measuresClosed: 1 }),
      expect.objectContaining({ partyKind: 'carrier', party: 'sagawa_ehiden', complaints: 1, reshipments: 0, measuresDemanded: 1, measuresOpen: 1, measuresClosed: 0 }),
      expect.objectContaining({ partyKind: 'carrier', party: 'yamato_b2', complaints: 0, reshipments: 1 }),
    ]),
  );
  const [supplierComplaints] = await q(
    knex,
    `select count(*)::int as n from calls k join shipments s on s.id = k.shipment_id join suppliers p on p.id = s.supplier_id where k.complaint and p.code = ? and k.received_at >= ? and k.received_at < ?`,
    [supplierA, START, END],
  );
  expect(data.quality.find((r) => r.party === supplierA)!.complaints).toBe(supplierComplaints.n);
});

test('the PDF says it in words and the CSV carries one section per table', async () => {
  const pdf = await app.inject({ method: 'GET', url: `/reports/monthly/${MONTH}/revisions/${first.revision}/report.pdf`, headers: api.headers('operator') });
  expect(pdf.statusCode).toBe(200);
  expect(pdf.headers['content-type']).toBe('application/pdf');
  const text = (await pdfPageTexts(pdf.rawPayload)).join('\n');
  for (const words of ['月次業務報告書', `2021年5月分（第${first.revision}版）`, '寄附 ポータル別', '楽天ふるさと納税', '75,000', 'SLA 書類発送', '苦情一覧', '箱が潰れていた', 'gift-a キャンペーン', '0.74', '配送業者の品質', '佐川急便']) {
    expect(text).toContain(words);
  }
  expect(text).not.toContain('proposed-only キャンペーン');

  const csv = await app.inject({ method: 'GET', url: `/reports/monthly/${MONTH}/report.csv`, headers: api.headers('city') });
  expect(csv.statusCode).toBe(200);
  const sections = parseReportCsv(csv.rawPayload);
  expect(sections.get('概要')!.rows).toEqual(expect.arrayContaining([['寄附件数', '4'], ['寄附金額（円）', '75000'], ['キャンセル件数', '1']]));
  expect(sections.get('寄附 ポータル別')).toEqual({ header: ['ポータルコード', 'ポータル', '件数', '金額（円）'], rows: data.byPortal.map((p) => [p.portalCode, p.portalName, String(p.count), String(p.amountYen)]) });
  expect(sections.get('寄附 新規・リピート別')!.rows).toEqual([['新規', '2', '35000', '2'], ['リピート', '2', '40000', '2']]);
  expect(sections.get('SLA 書類発送（入金から2週間以内）')!.rows).toEqual([['3', '1', '1', '1']]);
  expect(sections.get('プロモーション 費用対効果（市承認済み、当月実施分）')!.rows.map((r) => r[0]).sort()).toEqual([campaigns['gift-a'], campaigns['rakuten-may']].sort());
  expect([...sections.keys()]).toHaveLength(18);
});

test('regeneration makes the next revision and keeps the earlier one (REPORT-2)', async () => {
  const firstPdf = (await app.inject({ method: 'GET', url: `/reports/monthly/${MONTH}/revisions/${first.revision}/report.pdf`, headers: api.headers('city') })).rawPayload;
  const second = await requestReport();
  expect(second.revision).toBe(first.revision + 1);
  expect(second.id).not.toBe(first.id);
  const listing = await app.inject({ method: 'GET', url: `/reports/monthly/${MONTH}`, headers: api.headers('city') });
  expect(listing.json().latest.revision).toBe(second.revision);
  expect(listing.json().revisions.map((r: any) => r.revision)).toEqual([second.revision, first.revision]);
  const again = await app.inject({ method: 'GET', url: `/reports/monthly/${MONTH}/revisions/${first.revision}/report.pdf`, headers: api.headers('city') });
  expect(Buffer.compare(again.rawPayload, firstPdf)).toBe(0);
  const text = (await pdfPageTexts((await app.inject({ method: 'GET', url: `/reports/monthly/${MONTH}/report.pdf`, headers: api.headers('city') })).rawPayload)).join('\n');
  expect(text).toContain(`（第${second.revision}版）`);
  expect(fs.existsSync(`${worker.settings.dir}/${MONTH}/monthly-report-${MONTH}-r${first.revision}.pdf`)).toBe(true);
});

test('the report builder is callable on its own (the ledger benchmark times it) and agrees with the stored revision', async () => {
  const direct = await buildMonthlyReportData(ctx.orm, MONTH);
  expect({ ...direct, generatedAt: '' }).toEqual({ ...data, generatedAt: '' });
});

test('roles and validation: 401 without a token, 403 for suppliers, 400 naming params.month', async () => {
  expect((await app.inject({ method: 'POST', url: `/reports/monthly/${MONTH}` })).statusCode).toBe(401);
  expect((await app.inject({ method: 'GET', url: '/reports/monthly', headers: { authorization: 'Bearer no-such-token-000000000' } })).statusCode).toBe(401);
  expect((await app.inject({ method: 'POST', url: `/reports/monthly/${MONTH}`, headers: api.headers('some-supplier') })).statusCode).toBe(403);
  expect((await app.inject({ method: 'GET', url: `/reports/monthly/${MONTH}/report.csv`, headers: api.headers('some-supplier') })).statusCode).toBe(403);
  const future = await app.inject({ method: 'POST', url: '/reports/monthly/2099-01', headers: api.headers('operator') });
  expect(future.statusCode).toBe(400);
  expect(future.json().fields).toEqual([expect.objectContaining({ field: 'params.month' })]);
  const bad = await app.inject({ method: 'POST', url: '/reports/monthly/2021-13', headers: api.headers('operator') });
  expect(bad.statusCode).toBe(400);
  expect(bad.json().fields[0].field).toContain('month');
  expect((await app.inject({ method: 'GET', url: '/reports/monthly/2021-04/report.pdf', headers: api.headers('city') })).statusCode).toBe(404);
});
