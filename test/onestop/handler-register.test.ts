import { jstDate } from '../../domain/jst';
import { apiSuite, type TestApi } from '../support/api';
import type { SuiteContext } from '../support/context';
import { pdfPageTexts } from '../support/pdf';

/**
 * MYNUM-1 to the city: every change of the 取扱者名簿 leaves a dated notice (in the same transaction,
 * append-only), and the register prints as a Japanese PDF with each person's clearance.
 */
let ctx: SuiteContext;
let api: TestApi;
const actor = `admin:reg-${Date.now().toString(36)}`;
const today = jstDate(new Date());
const base = { name: '柳川 花子', kind: 'handler', dispatched: true, cityNotifiedOn: today, pledgeSignedOn: today, pledgeFile: '誓約書/2026/001.pdf' };

beforeAll(async () => {
  ({ ctx, api } = await apiSuite('handler-register', { worker: true }));
});
afterAll(() => api?.close());

const mine = async () => (await api.get('/mynumber/handlers/notices', 'city')).json().notices.filter((n: { actor: string }) => n.actor === actor);

test('each change of the register leaves one dated notice saying what changed; an unchanged save leaves none', async () => {
  expect((await api.put(`/mynumber/handlers/${actor}`, base, 'admin')).statusCode).toBe(200);
  await api.put(`/mynumber/handlers/${actor}`, base, 'admin');
  await api.put(`/mynumber/handlers/${actor}`, { ...base, trainedOn: today }, 'admin');
  await api.put(`/mynumber/handlers/${actor}`, { ...base, trainedOn: today, kind: 'responsible' }, 'admin');
  await api.post(`/mynumber/handlers/${actor}/approval`, {}, 'city');
  await api.put(`/mynumber/handlers/${actor}`, { ...base, trainedOn: today, kind: 'responsible', removedOn: today }, 'admin');

  const notices = await mine();
  expect(notices.map((n: { kind: string }) => n.kind)).toEqual(['registered', 'changed', 'changed', 'approved', 'removed']);
  expect(notices.every((n: { noticedOn: string }) => n.noticedOn === today)).toBe(true);
  expect(notices[0].notice).toBe(`作業従事者 柳川 花子 (${actor}) (派遣労働者) を特定個人情報の取扱者名簿に登録しました。`);
  expect(notices[1].notice).toContain(`研修の受講日: 未記録 → ${today}`);
  expect(notices[2].notice).toContain('区分: 作業従事者 → 作業責任者');
  expect(notices[3]).toMatchObject({ recordedBy: 'city:shiyakusho', notice: expect.stringContaining('市の承認 (city:shiyakusho) を記録しました') });
  expect(notices[4].notice).toBe(`作業責任者 柳川 花子 (${actor}) を ${today} に取扱者名簿から外します。`);

  expect((await api.get('/mynumber/handlers/notices', 'operator')).statusCode).toBe(403);
  expect((await api.get(`/mynumber/handlers/notices?from=${today}&to=2019-01-01`, 'city')).json().fields).toEqual([{ field: 'querystring.to', reason: 'must not be before from' }]);
  await expect(ctx.orm.em.getKnex()('mynumber_handler_notices').where({ actor }).update({ notice: '書き換え' })).rejects.toThrow(/append-only/);
});

test('the register prints for the city as a Japanese PDF with each person and their state today', async () => {
  const printed = await api.post('/mynumber/handlers/register-report', {}, 'city');
  expect(printed.statusCode).toBe(201);
  const { reportId, handlers, sha256, pdf } = printed.json();
  expect(handlers).toBeGreaterThanOrEqual(1);
  expect(sha256).toMatch(/^[0-9a-f]{64}$/);
  const file = await api.get(pdf, 'admin');
  expect(file.statusCode).toBe(200);
  expect(file.headers['content-type']).toBe('application/pdf');
  const text = (await pdfPageTexts(file.rawPayload)).join('\n').replace(/\s+/g, '');
  expect(text).toContain('特定個人情報の取扱者名簿');
  expect(text).toContain('柳川花子');
  expect(text).toContain('取扱不可');
  expect((await api.get('/mynumber/handlers/register-reports', 'city')).json().reports.map((r: { id: string }) => r.id)).toContain(reportId);
  expect((await api.get('/mynumber/handlers/register-reports/00000000-0000-4000-8000-000000000000/report.pdf', 'city')).statusCode).toBe(404);
  expect((await api.post('/mynumber/handlers/register-report', {}, 'supplier')).statusCode).toBe(403);
});
