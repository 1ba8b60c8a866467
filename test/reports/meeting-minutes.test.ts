import { randomUUID } from 'node:crypto';
import { apiSuite, type TestApi } from '../support/api';
import type { SuiteContext } from '../support/context';

/** REPORT-3 (spec 10(2) 戦略会議): the meeting's minutes recorded against the month of its meeting pack — who, when, the text. */
let ctx: SuiteContext;
let api: TestApi;
const run = randomUUID().slice(0, 6);
// Minutes are kept per month in the shared database: a month of this run's own (2040–2099).
const n = Number.parseInt(run, 16) % 720;
const MONTH = `${2040 + Math.floor(n / 12)}-${String((n % 12) + 1).padStart(2, '0')}`;
const OTHER = MONTH.endsWith('-12') ? `${MONTH.slice(0, 4)}-11` : `${MONTH.slice(0, 5)}12`;
const url = (m = MONTH) => `/reports/monthly/${m}/meeting-minutes`;

beforeAll(async () => {
  ({ ctx, api } = await apiSuite('meeting-minutes'));
});

afterAll(() => api?.close());

test('the minutes are recorded against the month with who and when; a correction names the entry it corrects; the list keeps both', async () => {
  const first = await api.post(url(), { heldOn: `${MONTH}-15`, attendees: '市 企画課 2名、受託者 3名', body: '寄附額は前年同月比 +12%。楽天の在庫切れ対策を次回までに報告する。' });
  expect(first.statusCode).toBe(201);
  const m1 = first.json().minutes;
  expect(m1).toMatchObject({ month: MONTH, heldOn: `${MONTH}-15`, attendees: '市 企画課 2名、受託者 3名', corrects: null, recordedBy: expect.stringMatching(/^operator:/) });
  expect(Date.parse(m1.recordedAt)).not.toBeNaN();

  const fix = await api.post(url(), { heldOn: `${MONTH}-15`, attendees: '市 企画課 2名、受託者 3名', body: '寄附額は前年同月比 +11%（訂正）。', corrects: m1.id }, 'admin');
  expect(fix.statusCode).toBe(201);
  expect(fix.json().minutes).toMatchObject({ corrects: m1.id, recordedBy: expect.stringMatching(/^admin:/) });

  // The city reads them; the list is the month's only, oldest first, the first entry as it was.
  const list = await api.get(url(), 'city');
  expect(list.statusCode).toBe(200);
  expect(list.json().minutes.map((m: { id: string; body: string }) => [m.id, m.body])).toEqual([
    [m1.id, '寄附額は前年同月比 +12%。楽天の在庫切れ対策を次回までに報告する。'],
    [fix.json().minutes.id, '寄附額は前年同月比 +11%（訂正）。'],
  ]);
  expect((await api.get(url(OTHER), 'city')).json().minutes.map((m: { id: string }) => m.id)).not.toContain(m1.id);

  // Never edited: the ledger refuses an update.
  await expect(ctx.orm.em.getKnex()('meeting_minutes').where({ id: m1.id }).update({ body: 'x' })).rejects.toThrow(/append-only/);
});

test('bad input answers 400 naming the field; a correction of another month’s entry is refused; the city records nothing, suppliers see nothing', async () => {
  const blank = await api.post(url(), { heldOn: `${MONTH}-15`, attendees: '市', body: '   ' });
  expect(blank.statusCode).toBe(400);
  expect(JSON.stringify(blank.json().fields)).toContain('body');
  const date = await api.post(url(), { heldOn: '2026-02-30x', attendees: '市', body: '議事' });
  expect(date.statusCode).toBe(400);
  expect(JSON.stringify(date.json().fields)).toContain('heldOn');
  expect((await api.post(url('2026-13'), { heldOn: '2026-12-01', attendees: '市', body: '議事' })).statusCode).toBe(400);

  const other = await api.post(url(OTHER), { heldOn: `${OTHER}-10`, attendees: '市', body: '別の月の議事' });
  const wrong = await api.post(url(), { heldOn: `${MONTH}-15`, attendees: '市', body: '訂正', corrects: other.json().minutes.id });
  expect(wrong.statusCode).toBe(400);
  expect(wrong.json().fields).toEqual([{ field: 'body.corrects', reason: `must be an entry of the minutes of ${MONTH}` }]);

  expect((await api.post(url(), { heldOn: `${MONTH}-15`, attendees: '市', body: '議事' }, 'city')).statusCode).toBe(403);
  expect((await api.get(url(), 'supplier')).statusCode).toBe(403);
});
