import { randomUUID } from 'node:crypto';
import { consolePrincipalHeaders } from '../../api/auth';
import { unzip } from '../support/unzip';
import { consoleHarness, type ConsoleHarness, type TestAccount } from './harness';
import { expectAccessible, submit, text } from './page';

/**
 * REPORT-3 in Chromium: a month's strategy meeting page (/console/reports/:month/meeting, linked from the
 * monthly reports) shows the minutes recorded against the month, oldest first with the correction naming
 * its entry, and offers the meeting pack, whose ZIP holds the same minutes. axe on every page.
 */
let h: ConsoleHarness;
let city: TestAccount;
let operator: TestAccount;
// Minutes are kept per month in the shared database: a past month of this run's own (2021, no other suite's minutes month).
const n = Number.parseInt(randomUUID().slice(0, 6), 16) % 12;
const MONTH = `2021-${String(n + 1).padStart(2, '0')}`;
const LABEL = `2021年${n + 1}月`;

const record = (role: 'operator' | 'admin', payload: object) =>
  h.app.inject({ method: 'POST', url: `/reports/monthly/${MONTH}/meeting-minutes`, payload, headers: consolePrincipalHeaders({ role, name: 'meeting-test', consoleTerminal: '127.0.0.1' }) });

beforeAll(async () => {
  h = await consoleHarness('console-meeting', {}, { worker: false });
  city = await h.account('city');
  operator = await h.account('operator');
}, 60_000);

afterAll(async () => {
  await h?.close();
});

test('the city reads the month’s minutes on its meeting page, oldest first with the correction naming its entry, and downloads the pack holding them', async () => {
  const first = (await record('operator', { heldOn: `${MONTH}-20`, attendees: '市 企画課 2名、受託者 3名', body: '寄附額は前年同月比 +12%。\n楽天の在庫切れ対策を次回までに報告する。' })).json().minutes;
  const fix = (await record('admin', { heldOn: `${MONTH}-20`, attendees: '市 企画課 2名、受託者 3名', body: '寄附額は前年同月比 +11%（訂正）。', corrects: first.id })).json().minutes;

  const page = await h.open(city, `/console/reports/${MONTH}/meeting`);
  expect(await text(page, 'h1')).toContain(`戦略会議 ${LABEL}`);
  const entry = (id: string) => text(page, `section[aria-labelledby="minutes-${id}"]`);
  expect(await entry(first.id)).toContain(`記録 ${first.id}（${MONTH}-20 開催）`);
  expect(await entry(first.id)).toContain('市 企画課 2名、受託者 3名');
  expect(await entry(first.id)).toContain('operator:meeting-test');
  // The text line by line, as written.
  expect(await page.$$eval(`section[aria-labelledby="minutes-${first.id}"] dd p`, (ps) => ps.map((p) => p.textContent))).toEqual(['寄附額は前年同月比 +12%。', '楽天の在庫切れ対策を次回までに報告する。']);
  expect(await entry(fix.id)).toContain(`記録 ${first.id} の訂正`);
  expect(await entry(fix.id)).toContain('admin:meeting-test');
  const order = await page.$$eval('#minutes section', (ss) => ss.map((s) => s.getAttribute('aria-labelledby')));
  expect(order.indexOf(`minutes-${first.id}`)).toBeLessThan(order.indexOf(`minutes-${fix.id}`));
  await expectAccessible(h, page);

  // The pack offered on the page: the ZIP with the minutes' sheet.
  const href = await page.$eval('#meeting-pack', (a) => a.getAttribute('href'));
  expect(href).toBe(`/console/reports/${MONTH}/meeting-pack.zip`);
  const [status, type, bytes] = await page.evaluate(async (url: string) => {
    const res = await fetch(url);
    const data = new Uint8Array(await res.arrayBuffer());
    return [res.status, res.headers.get('content-type'), Array.from(data)] as const;
  }, href!);
  expect([status, type]).toEqual([200, 'application/zip']);
  const sheet = unzip(Buffer.from(bytes)).get(`05_meeting-minutes-${MONTH}.txt`)!.toString('utf8');
  expect(sheet).toContain(`■ 記録 ${first.id}`);
  expect(sheet).toContain(`■ 記録 ${fix.id}（記録 ${first.id} の訂正）`);
  await page.browserContext().close();
}, 120_000);

test('an operator opens the page too; a month not ended has no pack yet and says so; a malformed month is not found', async () => {
  const page = await h.open(operator, '/console/reports/2099-01/meeting');
  expect(await text(page, '#meeting-pack')).toContain('まだ終わっていません');
  expect(await text(page, '#minutes')).toContain('まだ記録されていません');
  await expectAccessible(h, page);
  const bad = await page.goto(`${h.base}/console/reports/2021-13/meeting`);
  expect(bad?.status()).toBe(404);
  await page.browserContext().close();
});

test('an operator records the minutes on the page: an empty form refused at each field with the API’s reasons, then recorded and shown; a correction chosen from the entries', async () => {
  const month = `2023-${String(n + 1).padStart(2, '0')}`;
  const page = await h.open(operator, `/console/reports/${month}/meeting`);
  await submit(page, '#minutes-form');
  for (const field of ['heldOn', 'attendees', 'body']) expect(await page.$(`#f-minutes-${field}-error`)).not.toBeNull();
  expect(await page.$eval('#f-minutes-body', (e) => e.getAttribute('aria-invalid'))).toBe('true');
  await expectAccessible(h, page);

  const record = async (body: string, corrects?: string) => {
    await page.$eval('#f-minutes-heldOn', (e, v) => ((e as unknown as { value: string }).value = v), `${month}-18`);
    await page.type('#f-minutes-attendees', '市 企画課 1名、受託者 2名');
    await page.type('#f-minutes-body', body);
    if (corrects) await page.select('#f-corrects', corrects);
    await submit(page, '#minutes-form');
    return [await text(page, '[role=status]'), await text(page, '#minutes')];
  };
  const [done, shown] = await record('年末の申込増に備え、問い合わせ窓口を延長する。');
  expect(done).toContain('議事録を記録しました');
  for (const part of ['年末の申込増に備え、問い合わせ窓口を延長する。', `operator:${operator.login}`]) expect(shown).toContain(part);
  const [id] = await page.$$eval('#minutes section', (ss) => ss.map((s) => s.getAttribute('aria-labelledby')!.replace('minutes-', '')));
  // The correction names the entry it corrects (chosen from the month's entries).
  expect((await record('窓口の延長は12月28日まで（訂正）。', id))[1]).toContain(`記録 ${id} の訂正`);
  await expectAccessible(h, page);
  await page.browserContext().close();
}, 120_000);
