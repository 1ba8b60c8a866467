import { randomUUID } from 'node:crypto';
import { apiSuite, type TestApi } from '../support/api';
import { unzip } from '../support/unzip';
import type { SuiteContext } from '../support/context';
import { parseReportCsv, startReportWorker } from './support';
import { Seed } from './seed';

/**
 * REPORT-3: the strategy meeting's pack for a seeded August 2022 (July 2022 and August 2021 beside it; no
 * other suite writes those months), opened by Python's zipfile (an independent reader), its figures
 * checked against what was seeded, the report files byte for byte against the report's own downloads.
 */
const MONTH = '2022-08';
let ctx: SuiteContext;
let api: TestApi;
let worker: { stop(): Promise<void> };
let seed: Seed;

beforeAll(async () => {
  ({ ctx, api } = await apiSuite('meeting-pack', { suppliers: { 'mp-supplier': 'mp-supplier-token-0001' } }));
  worker = await startReportWorker(ctx);
  seed = new Seed(ctx.orm.em.getKnex(), ctx.prefix);
  const a = await seed.donor('会議一郎', '東京都');
  const b = await seed.donor('会議二郎', '大阪府');
  await seed.donation({ donorId: a, portal: 'choice', amountYen: 10_000, appliedAt: '2022-08-03T10:00:00+09:00' });
  await seed.donation({ donorId: b, portal: 'choice', amountYen: 10_000, appliedAt: '2022-08-10T10:00:00+09:00' });
  await seed.donation({ donorId: b, portal: 'rakuten', amountYen: 30_000, appliedAt: '2022-08-31T23:30:00+09:00' });
  await seed.donation({ donorId: a, portal: 'rakuten', amountYen: 99_000, appliedAt: '2022-08-20T10:00:00+09:00', status: 'cancelled' });
  await seed.donation({ donorId: a, portal: 'choice', amountYen: 20_000, appliedAt: '2022-07-15T10:00:00+09:00' });
  await seed.donation({ donorId: b, portal: 'furunavi', amountYen: 5_000, appliedAt: '2021-08-15T10:00:00+09:00' });
}, 60_000);

afterAll(async () => {
  await worker?.stop();
  await api?.close();
});

const download = (who: 'city' | 'operator' = 'city', month = MONTH) => api.app.inject({ method: 'GET', url: `/reports/monthly/${month}/meeting-pack`, headers: api.headers(who) });

test('the pack: before the report is built it says so; then three months side by side, portals, the fiscal year, and the inspected report as filed', async () => {
  const res = await download();
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toBe('application/zip');
  expect(res.headers['content-disposition']).toBe(`attachment; filename="meeting-pack-${MONTH}.zip"`);
  const files = unzip(res.rawPayload);
  expect([...files.keys()]).toEqual([`00_contents-${MONTH}.txt`, `01_meeting-figures-${MONTH}.csv`, '02_fiscal-year-2022.csv']);
  expect(files.get(`00_contents-${MONTH}.txt`)!.toString('utf8')).toContain('月次業務報告書: 未作成');

  const built = await api.app.inject({ method: 'POST', url: `/reports/monthly/${MONTH}?wait=110`, headers: api.headers('city') });
  expect(built.statusCode).toBe(201);
  const revision = built.json().report.revision;
  expect((await api.app.inject({ method: 'POST', url: `/reports/monthly/${MONTH}/inspection`, headers: api.headers('city'), payload: { revision, decision: 'pass' } })).statusCode).toBe(200);

  const pack = await download('operator');
  expect(pack.statusCode).toBe(200);
  const packed = unzip(pack.rawPayload);
  expect([...packed.keys()]).toEqual([`00_contents-${MONTH}.txt`, `01_meeting-figures-${MONTH}.csv`, '02_fiscal-year-2022.csv', `03_monthly-report-${MONTH}-r${revision}.pdf`, `04_monthly-report-${MONTH}-r${revision}.csv`]);

  const contents = packed.get(`00_contents-${MONTH}.txt`)!.toString('utf8');
  expect(contents).toContain('戦略会議資料 2022年8月');
  expect(contents).toContain(`月次業務報告書: 第${revision}版、検査合格`);
  expect(contents).toContain(`03_monthly-report-${MONTH}-r${revision}.pdf`);

  const figures = parseReportCsv(packed.get(`01_meeting-figures-${MONTH}.csv`)!);
  const comparison = figures.get('主要指標 2022年8月・前月・前年同月')!;
  expect(comparison.header).toEqual(['項目', '2022年8月', '2022年7月', '前月比（%）', '2021年8月', '前年同月比（%）']);
  const row = (label: string) => comparison.rows.find((r) => r[0] === label);
  // Cancelled donations are counted apart, as in the report.
  expect(row('寄附件数')).toEqual(['寄附件数', '3', '1', '200.0', '1', '200.0']);
  expect(row('寄附金額（円）')).toEqual(['寄附金額（円）', '50000', '20000', '150.0', '5000', '900.0']);
  expect(row('キャンセル件数')).toEqual(['キャンセル件数', '1', '0', '', '0', '']);
  const portals = figures.get('ポータル別 寄附金額（円）')!;
  expect(portals.rows.map((r) => [r[0], r[2], r[3], r[4], r[5]])).toEqual([
    ['choice', '20000', '20000', '0', '2'],
    ['furunavi', '0', '0', '5000', '0'],
    ['rakuten', '30000', '0', '0', '1'],
  ]);
  expect(figures.has('プロモーション 費用対効果（実施中の承認済み施策）')).toBe(true);

  const fy = parseReportCsv(packed.get('02_fiscal-year-2022.csv')!);
  const [fyTitle] = [...fy.keys()];
  expect(fyTitle).toMatch(/^2022年度 累計/);
  const progress = (await api.app.inject({ method: 'GET', url: '/progress?fiscalYear=2022', headers: api.headers('city') })).json();
  expect(fy.get(fyTitle)!.rows.find((r) => r[0] === '寄附金額（円）')).toEqual(['寄附金額（円）', String(progress.donations.amountYen)]);

  // The report as filed: the same bytes as its own downloads.
  const pdf = await api.app.inject({ method: 'GET', url: `/reports/monthly/${MONTH}/report.pdf`, headers: api.headers('city') });
  const csv = await api.app.inject({ method: 'GET', url: `/reports/monthly/${MONTH}/report.csv`, headers: api.headers('city') });
  expect(packed.get(`03_monthly-report-${MONTH}-r${revision}.pdf`)!.equals(pdf.rawPayload)).toBe(true);
  expect(packed.get(`04_monthly-report-${MONTH}-r${revision}.csv`)!.equals(csv.rawPayload)).toBe(true);
}, 150_000);

test('a month not ended or malformed is refused at the field; suppliers get 403', async () => {
  const bad = await api.app.inject({ method: 'GET', url: '/reports/monthly/2022-13/meeting-pack', headers: api.headers('city') });
  expect(bad.statusCode).toBe(400);
  expect(bad.json().fields[0].field).toBe('params.month');
  const future = await api.app.inject({ method: 'GET', url: '/reports/monthly/2099-01/meeting-pack', headers: api.headers('city') });
  expect(future.statusCode).toBe(400);
  expect((await api.app.inject({ method: 'GET', url: `/reports/monthly/${MONTH}/meeting-pack`, headers: api.headers('mp-supplier') })).statusCode).toBe(403);
});

test('the system’s first month has no month before it nor a year before: its columns stay empty instead of failing (fuzz seed 31877 found a 500)', async () => {
  const res = await api.app.inject({ method: 'GET', url: '/reports/monthly/2019-01/meeting-pack', headers: api.headers('city') });
  expect(res.statusCode).toBe(200);
  const figures = parseReportCsv(unzip(res.rawPayload).get('01_meeting-figures-2019-01.csv')!);
  const comparison = [...figures].find(([title]) => title.startsWith('主要指標'))![1];
  expect(comparison.header).toEqual(['項目', '2019年1月', '2018年12月', '前月比（%）', '2018年1月', '前年同月比（%）']);
  for (const row of comparison.rows) expect(row.slice(2)).toEqual(['', '', '', '']);
});


test('the minutes recorded against the month are in the pack: a sheet of their own, oldest first, the correction naming its entry, and a line in the contents', async () => {
  // Minutes are kept per month in the shared database: a past month of this run's own (2019-02 … 2020-12, no other suite's pack month).
  const n = Number.parseInt(randomUUID().slice(0, 6), 16) % 23;
  const month = `${2019 + Math.floor((n + 1) / 12)}-${String(((n + 1) % 12) + 1).padStart(2, '0')}`;
  const url = `/reports/monthly/${month}/meeting-minutes`;
  const before = (await api.get(url, 'city')).json().minutes.length as number;
  const first = (await api.post(url, { heldOn: `${month}-20`, attendees: '市 企画課 2名、受託者 3名', body: '寄附額は前年同月比 +12%。\n楽天の在庫切れ対策を次回までに報告する。' })).json().minutes;
  const fix = (await api.post(url, { heldOn: `${month}-20`, attendees: '市 企画課 2名、受託者 3名', body: '寄附額は前年同月比 +11%（訂正）。', corrects: first.id }, 'admin')).json().minutes;

  const res = await download('city', month);
  expect(res.statusCode).toBe(200);
  const files = unzip(res.rawPayload);
  expect([...files.keys()]).toContain(`05_meeting-minutes-${month}.txt`);
  const sheet = files.get(`05_meeting-minutes-${month}.txt`)!;
  expect([...sheet.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const lines = sheet.toString('utf8').slice(1).split('\r\n');
  expect(lines[0]).toBe(`柳川市ふるさと納税 戦略会議 議事録 ${Number(month.slice(0, 4))}年${Number(month.slice(5))}月`);
  const at = (line: string) => lines.indexOf(line);
  // Each entry as recorded: number, held on, attendees, who recorded it, its text line by line; the correction after it, naming it.
  expect(at(`■ 記録 ${first.id}`)).toBeGreaterThan(0);
  expect(lines.slice(at(`■ 記録 ${first.id}`) + 1, at(`■ 記録 ${first.id}`) + 7)).toEqual([
    `開催日: ${month}-20`,
    '出席者: 市 企画課 2名、受託者 3名',
    expect.stringMatching(/^記録: operator:tanaka（\d{4}-\d{2}-\d{2} \d{2}:\d{2} 日本時間）$/),
    '',
    '寄附額は前年同月比 +12%。',
    '楽天の在庫切れ対策を次回までに報告する。',
  ]);
  expect(at(`■ 記録 ${fix.id}（記録 ${first.id} の訂正）`)).toBeGreaterThan(at(`■ 記録 ${first.id}`));
  expect(lines).toContain('寄附額は前年同月比 +11%（訂正）。');
  expect(lines.filter((l) => /^記録: admin:root（\d{4}-\d{2}-\d{2} \d{2}:\d{2} 日本時間）$/.test(l))).toHaveLength(1);
  const contents = files.get(`00_contents-${month}.txt`)!.toString('utf8');
  expect(contents).toContain(`議事録: ${before + 2}件の記録（最新 ${month}-20 開催）`);
  expect(contents).toContain(`05_meeting-minutes-${month}.txt  戦略会議 議事録（${before + 2}件の記録）`);
}, 120_000);

test('a month without minutes says so in the contents and has no minutes sheet', async () => {
  const files = unzip((await download('city', '2019-01')).rawPayload);
  expect([...files.keys()].some((name) => name.startsWith('05_meeting-minutes'))).toBe(false);
  expect(files.get('00_contents-2019-01.txt')!.toString('utf8')).toContain('議事録: 未記録');
});
