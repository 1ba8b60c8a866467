import { randomUUID } from 'node:crypto';
import { apiSuite, type TestApi } from '../support/api';
import type { SuiteContext } from '../support/context';
import { parseReportCsv } from '../reports/support';

/**
 * GIFT-4: suppliers are proposed to the city and approved or rejected (who/when/reason); an unapproved
 * supplier's gifts are not activated. GIFT-6 (spec 7(9)ウ): recruitment briefings and the report to the city.
 * The report's period is a year nobody else writes briefings in; calls and suppliers are told apart by this run's names.
 */
let ctx: SuiteContext;
let api: TestApi;
const run = randomUUID().slice(0, 6);
const today = new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 10);

beforeAll(async () => {
  ({ ctx, api } = await apiSuite('recruitment'));
});
afterAll(() => api?.close());

describe('the city decides suppliers (GIFT-4)', () => {
  test('a new supplier is proposed; its gift cannot be activated until the city approves it; a rejection needs its reason', async () => {
    const code = `${ctx.prefix}-sup`;
    const created = await api.post('/suppliers', { code, name: '柳川新規農園', shippingWeekdays: [2, 5] });
    expect(created.statusCode).toBe(201);
    expect(created.json().supplier.approval).toMatchObject({ status: 'proposed', proposedBy: 'operator:tanaka', proposedAt: expect.any(String), decidedBy: null });
    expect((await api.post(`/suppliers/${code}/acknowledgement`, { signedBy: '農園 一郎', reference: 'ACK-R1' })).statusCode).toBe(200);
    const gift = `${ctx.prefix}-gift`;
    expect((await api.post('/gifts', { code: gift, name: '柳川いちご', supplierCode: code, priceYen: 10_000, costYen: 3_000, localProductBasis: '市内で生産' })).statusCode).toBe(201);
    expect((await api.post(`/gifts/${gift}/decision`, { decision: 'approve' }, 'city')).statusCode).toBe(200);

    const refused = await api.post(`/gifts/${gift}/activate`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().reasons).toEqual([{ code: 'supplier_not_approved', message: expect.stringContaining(`the city has not approved supplier ${code} (status proposed)`) }]);

    // Operators do not decide; a rejection without a reason is refused at the field.
    expect((await api.post(`/suppliers/${code}/decision`, { decision: 'approve' }, 'operator')).statusCode).toBe(403);
    const noReason = await api.post(`/suppliers/${code}/decision`, { decision: 'reject' }, 'city');
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().fields).toEqual([{ field: 'reason', reason: 'is required to reject a supplier' }]);
    const rejected = await api.post(`/suppliers/${code}/decision`, { decision: 'reject', reason: '地場産品基準の確認書類が不足' }, 'city');
    expect(rejected.json().supplier.approval).toMatchObject({ status: 'rejected', decidedBy: 'city:shiyakusho', reason: '地場産品基準の確認書類が不足', decidedAt: expect.any(String) });
    expect((await api.post(`/suppliers/${code}/decision`, { decision: 'approve' }, 'city')).statusCode).toBe(409);
    expect((await api.post(`/gifts/${gift}/activate`)).json().reasons[0].code).toBe('supplier_not_approved');

    // Proposed again once the papers are in, then approved: the gift goes on sale.
    expect((await api.post(`/suppliers/${code}/proposal`)).json().supplier.approval.status).toBe('proposed');
    expect((await api.post(`/suppliers/${code}/decision`, { decision: 'approve', reason: '書類確認済み' }, 'city')).json().supplier.approval.status).toBe('approved');
    expect((await api.post(`/gifts/${gift}/activate`)).statusCode).toBe(200);
    expect((await api.get(`/suppliers/${code}`, 'city')).json().supplier.approval).toMatchObject({ status: 'approved', reason: '書類確認済み' });
  });
});

describe('supplier recruitment (GIFT-6)', () => {
  test('briefings are recorded with date, place and attendees; the report to the city counts them with would-be suppliers’ inquiries and decisions', async () => {
    const current = `${ctx.prefix}-cur`;
    expect((await api.post('/suppliers', { code: current, name: '既存の柳川商店', shippingWeekdays: [1, 4] })).statusCode).toBe(201);
    const heldOn = '2019-06-15';
    const res = await api.post('/supplier-recruitment/briefings', {
      heldOn,
      place: `柳川市役所 3階会議室 ${run}`,
      title: '返礼品事業者 募集説明会',
      notes: '地場産品基準と3割ルールを説明',
      attendees: [
        { name: `有明水産 ${run}`, contactPerson: '有明 太郎', contact: '0944-00-1111', interested: true },
        { name: `三柱食品 ${run}`, interested: false },
        { name: '既存の柳川商店', supplierCode: current, interested: true },
      ],
    });
    expect(res.statusCode).toBe(201);
    const briefing = res.json().briefing;
    expect(briefing).toMatchObject({ heldOn, title: '返礼品事業者 募集説明会', recordedBy: 'operator:tanaka' });
    expect(briefing.attendees.map((a: any) => [a.name.split(' ')[0], a.wouldBe, a.interested])).toEqual([
      ['有明水産', true, true],
      ['三柱食品', true, false],
      ['既存の柳川商店', false, true],
    ]);
    expect((await api.get(`/supplier-recruitment/briefings/${briefing.id}`, 'city')).json().briefing.id).toBe(briefing.id);

    const list = (await api.get(`/supplier-recruitment/briefings?from=${heldOn}&to=${heldOn}`, 'city')).json().briefings;
    expect(list.map((b: any) => b.id)).toContain(briefing.id);

    // A would-be supplier's inquiry (CALL-4) and the suppliers decided today are in today's report.
    const call = await api.post('/calls', { channel: 'phone', category: '事業者からの問合せ', subject: `出品したい ${run}`, body: '登録方法', caller: { name: `有明水産 ${run}` } });
    expect(call.statusCode).toBe(201);
    const todays = (await api.get(`/supplier-recruitment/report?from=${today}&to=${today}`, 'city')).json().report;
    expect(todays.inquiries.map((c: any) => c.subject)).toContain(`出品したい ${run}`);
    expect(todays.suppliers.find((s: any) => s.code === current)).toMatchObject({ status: 'proposed', proposedOn: today });

    const report = (await api.get(`/supplier-recruitment/report?from=2019-06-01&to=2019-06-30`, 'city')).json().report;
    const mine = report.briefings.find((b: any) => b.place.endsWith(run));
    expect(mine).toMatchObject({ heldOn, attendees: 3, wouldBe: 2, interested: 2 });
    expect(report.totals.briefings).toBeGreaterThanOrEqual(1);

    const csv = await api.get(`/supplier-recruitment/report.csv?from=2019-06-01&to=2019-06-30`, 'city');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    const sections = parseReportCsv(csv.rawPayload);
    expect(sections.get('事業者募集状況報告 2019-06-01〜2019-06-30')!.rows[0]).toEqual(['説明会 開催回数', String(report.totals.briefings)]);
    expect(sections.get('説明会')!.rows.find((r) => r[1].endsWith(run))).toEqual([heldOn, `柳川市役所 3階会議室 ${run}`, '返礼品事業者 募集説明会', '3', '2', '2']);
  });

  test('success-case meetings and quality trainings (GIFT-3) are briefings of their kind: listed in the quality report for their period, not counted as recruitment', async () => {
    const presenter = `${ctx.prefix}-sc`;
    expect((await api.post('/suppliers', { code: presenter, name: '成功事例の柳川農園', shippingWeekdays: [1, 4] })).statusCode).toBe(201);
    const meeting = (kind: string, heldOn: string, extra: object = {}) =>
      api.post('/supplier-recruitment/briefings', {
        kind,
        heldOn,
        place: `柳川市民会館 ${run}`,
        title: kind === 'success_cases' ? '返礼品 成功事例報告会' : '梱包と温度管理の研修',
        attendees: [{ name: '成功事例の柳川農園', supplierCode: presenter }, { name: `未登録の農家 ${run}` }],
        ...extra,
      });
    const cases = [{ supplierCode: presenter, title: '梱包を見直し苦情ゼロに' }];
    const success = await meeting('success_cases', '2019-07-10', { cases });
    expect(success.statusCode).toBe(201);
    expect(success.json().briefing).toMatchObject({ kind: 'success_cases', heldOn: '2019-07-10', cases, recordedBy: 'operator:tanaka' });
    const training = (await meeting('quality_training', '2019-07-31')).json().briefing;
    const outside = (await meeting('success_cases', '2019-08-01')).json().briefing;
    expect(training.kind).toBe('quality_training');

    // Bad kinds and cases are refused at the field.
    const badKind = await meeting('seminar', '2019-07-10');
    expect(badKind.statusCode).toBe(400);
    expect(badKind.json().fields.map((f: any) => f.field)).toEqual(['kind']);
    expect((await meeting('quality_training', '2019-07-10', { cases })).json().fields).toEqual([{ field: 'cases', reason: 'only a success_cases meeting presents cases' }]);
    expect((await meeting('success_cases', '2019-07-10', { cases: [{ supplierCode: `${ctx.prefix}-none`, title: 'x' }] })).json().fields.map((f: any) => f.field)).toEqual(['cases[0].supplierCode']);
    expect((await api.get('/supplier-recruitment/briefings?kind=seminar', 'city')).json().fields.map((f: any) => f.field)).toEqual(['querystring.kind']);

    const listed = (await api.get('/supplier-recruitment/briefings?from=2019-07-01&to=2019-08-31&kind=success_cases', 'city')).json().briefings.map((b: any) => b.id);
    expect(listed).toEqual(expect.arrayContaining([success.json().briefing.id, outside.id]));
    expect(listed).not.toContain(training.id);

    // The recruitment report counts recruitment briefings only.
    const recruitment = (await api.get('/supplier-recruitment/report?from=2019-07-01&to=2019-08-31', 'city')).json().report;
    expect(recruitment.briefings.filter((b: any) => b.place.endsWith(run))).toEqual([]);

    // The quality report for July lists the month's meeting and training with who came, not August's meeting.
    const quality = await api.get(`/quality/report?from=2019-07&to=2019-07&supplierCode=${presenter}`, 'city');
    expect(quality.statusCode).toBe(200);
    const attendees = [{ name: '成功事例の柳川農園', supplierCode: presenter }, { name: `未登録の農家 ${run}`, supplierCode: null }];
    expect(quality.json().meetings).toEqual([
      { id: success.json().briefing.id, kind: 'success_cases', heldOn: '2019-07-10', place: `柳川市民会館 ${run}`, title: '返礼品 成功事例報告会', attendees, cases },
      { id: training.id, kind: 'quality_training', heldOn: '2019-07-31', place: `柳川市民会館 ${run}`, title: '梱包と温度管理の研修', attendees, cases: [] },
    ]);
    expect(quality.json().rows).toEqual([]);
    const all = (await api.get('/quality/report?from=2019-07&to=2019-07', 'city')).json().meetings.map((m: any) => m.id);
    expect(all).toEqual(expect.arrayContaining([success.json().briefing.id, training.id]));
    expect(all).not.toContain(outside.id);
  });

  test('bad input is refused at the field; suppliers cannot read or record', async () => {
    const future = await api.post('/supplier-recruitment/briefings', { heldOn: '2099-01-01', place: 'x', title: 'x', attendees: [] });
    expect(future.statusCode).toBe(400);
    expect(future.json().fields[0].field).toBe('heldOn');
    expect((await api.post('/supplier-recruitment/briefings', { heldOn: '2019-06-01', title: 'x', attendees: [] })).json().fields[0].field).toBe('place');
    expect((await api.get('/supplier-recruitment/report?from=2019-06-30&to=2019-06-01')).json().fields[0].field).toBe('querystring.to');
    expect((await api.get('/supplier-recruitment/report?from=2019-06-01')).statusCode).toBe(400);
    expect((await api.get(`/supplier-recruitment/briefings/${randomUUID()}`)).statusCode).toBe(404);
    expect((await api.get('/supplier-recruitment/report?from=2019-06-01&to=2019-06-30', 'supplier')).statusCode).toBe(403);
    expect((await api.post('/supplier-recruitment/briefings', { heldOn: '2019-06-01', place: 'x', title: 'x', attendees: [] }, 'city')).statusCode).toBe(403);
  });
});
