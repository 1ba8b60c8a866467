import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'puppeteer-core';
import { jstDate } from '../../domain/jst';
import { mappedFixture } from '../fixtures/portals/generate';
import { eventually } from '../support/context';
import { consoleHarness, retype, type ConsoleHarness, type TestAccount } from './harness';
import { text } from './page';

/** Issue 16: an operator uploads a portal file, watches it, reads the per-row report and fixes a quarantined row — in Chromium, axe on every page. */
let h: ConsoleHarness;
let operator: TestAccount;
let dir: string;

beforeAll(async () => {
  h = await consoleHarness('console-imports');
  operator = await h.account('operator');
  await h.ctx.orm.em.fork().getKnex()('gifts').insert({ code: 'map-fix-eel', name: 'うなぎのせいろ蒸し', price_yen: 20_000, active: true }).onConflict('code').ignore();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'console-imports-'));
});

afterAll(async () => {
  await h?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});


async function uploadFile(page: Page, portal: string, file: string) {
  await page.goto(`${h.base}/console/imports`);
  await page.select('#f-portal', portal);
  await Promise.all([page.waitForNavigation(), page.click('form[action="/console/imports"] button[type=submit]')]);
  const input = await page.$('#f-file');
  await (input as any).uploadFile(file);
  await Promise.all([page.waitForNavigation(), page.click('form[enctype="multipart/form-data"] button[type=submit]')]);
}

test('upload a チョイス file, see its per-row report, fix the quarantined row and re-submit it: it becomes a donation', async () => {
  const file = path.join(dir, 'choice.csv');
  fs.writeFileSync(file, mappedFixture(`${h.ctx.prefix}-CH`, { bom: true, encoding: 'utf-8', appliedAt: `${jstDate(new Date()).replace(/-/g, '/')} 09:00` }));
  const page = await h.newPage();
  await h.signIn(page, operator);
  await page.goto(`${h.base}/console/imports`);
  expect(await h.axe(page)).toEqual([]);
  await uploadFile(page, 'choice', file);
  expect(new URL(page.url()).pathname).toMatch(/^\/console\/imports\/[0-9a-f-]{36}$/);
  // The page refreshes itself while the import runs; wait for the report.
  await eventually(
    async () => {
      await page.reload();
      return text(page, '#import-status');
    },
    (t) => t === '取込完了',
  );
  expect(await text(page, '.fc-dl')).toContain('登録 3、変更なし 0、隔離 1');
  expect(await text(page, 'tbody')).toContain('ビットコイン');
  expect(await h.axe(page)).toEqual([]);

  // The quarantined row: its cells as a form, the bad one marked.
  await Promise.all([page.waitForNavigation(), page.click('a[href^="/console/quarantine/"]')]);
  expect(await h.axe(page)).toEqual([]);
  const label = await page.$$eval('label', (ls) => ls.map((l) => [l.textContent, l.getAttribute('for')]));
  const payment = label.find(([t]) => t === '決済方法')![1]!;
  expect(await text(page, `#${payment}-error`)).toContain('unknown payment method');

  // Still wrong: the amount made unreadable is refused at its field, the typed values kept.
  const amount = label.find(([t]) => t === '寄附金額')![1]!;
  await retype(page, `#${payment}`, '銀行振込');
  await retype(page, `#${amount}`, '一万');
  await Promise.all([page.waitForNavigation(), page.click('main form button[type=submit]')]);
  expect(await text(page, `#${amount}-error`)).toContain('not an amount in yen');
  expect(await page.$eval(`#${payment}`, (e) => (e as unknown as { value: string }).value)).toBe('銀行振込');
  expect(await h.axe(page)).toEqual([]);

  await retype(page, `#${amount}`, '20000');
  await Promise.all([page.waitForNavigation(), page.click('main form button[type=submit]')]);
  expect(new URL(page.url()).pathname).toMatch(/^\/console\/donations\/[0-9a-f-]{36}$/);
  expect(await text(page, '[role=status]')).toContain('隔離されていた行を直して登録しました');
  expect(await text(page, 'h1')).toBe(`寄附 ${h.ctx.prefix}-CH-0003`);
  expect(h.problems(page)).toEqual([]);
  await page.browserContext().close();
});

test('an upload that is not a portal file is refused with the reason, and nothing is imported', async () => {
  const file = path.join(dir, 'picture.csv');
  fs.writeFileSync(file, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]));
  const page = await h.newPage();
  await h.signIn(page, operator);
  const before = (await h.ctx.orm.em.getKnex().raw('select count(*)::int as n from import_files')).rows[0].n;
  await uploadFile(page, 'choice', file);
  expect(await text(page, '[role=alert]')).toContain('何も登録されていません');
  expect((await h.ctx.orm.em.getKnex().raw('select count(*)::int as n from import_files')).rows[0].n).toBe(before);
  expect(await h.axe(page)).toEqual([]);
  await page.browserContext().close();
});
