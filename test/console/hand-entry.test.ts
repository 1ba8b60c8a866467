import type { Page } from 'puppeteer-core';
import { Gift } from '../../ledger/entities';
import { eventually } from '../support/context';
import { completeAddress } from '../../api/console/hand-entry';
import { consoleHarness, press, retype, type ConsoleHarness, type TestAccount } from './harness';
import { text, value } from './page';

/** Issue 16, INTAKE-1: an operator enters a phone donation in the form — postal completion, review findings before saving, errors at the field. */
let h: ConsoleHarness;
let operator: TestAccount;

beforeAll(async () => {
  h = await consoleHarness('console-hand-entry');
  operator = await h.account('operator');
  const em = h.ctx.orm.em.fork();
  em.create(Gift, { code: `${h.ctx.prefix}-EEL`, name: 'うなぎのせいろ蒸し 2人前', priceYen: 20_000, costYen: 6_000, shippingCostYen: 1_000, active: true });
  await em.flush();
});

afterAll(async () => {
  await h?.close();
});

test('postal completion from the project’s own data', () => {
  expect(completeAddress({ postalCode: '8320021' }).form).toMatchObject({ postalCode: '832-0021', prefecture: '福岡県' });
  expect(completeAddress({ postalCode: '832-0021' }).form.address).toMatch(/^柳川市/);
  expect(completeAddress({ postalCode: '100-0001' }).form.prefecture).toBe('東京都');
  expect(completeAddress({ postalCode: '12' }).notice).toContain('補完できませんでした');
});

test('a phone donation: postal code completes the address, findings are shown before saving, a bad field is said at the field, then it is saved and its workflow starts', async () => {
  const page = await h.newPage();
  await h.signIn(page, operator);
  await page.goto(`${h.base}/console/donations/new`);
  expect(await text(page, 'h1')).toBe('寄附の手入力');
  expect(await h.axe(page)).toEqual([]);

  await page.select('#f-channel', 'phone');
  await page.type('#f-name', '鈴木 一郎');
  await page.type('#f-nameKana', 'すずき いちろう');
  await page.type('#f-postalCode', '1000001');
  await press(page, 'button[name=step][value=postal]');
  expect(await value(page, '#f-prefecture')).toBe('東京都');
  expect(await value(page, '#f-postalCode')).toBe('100-0001');
  expect(await value(page, '#f-name')).toBe('鈴木 一郎');
  await page.type('#f-address', '千代田区千代田1-1');
  await page.type('#f-phone', '03-0000-0000');
  await page.type('#f-amountYen', '10,000');
  await page.type('#f-giftCode', `${h.ctx.prefix}-EEL`);

  // Confirm: the amount is below the gift's price — a finding, shown before anything is saved.
  await press(page, 'button[name=step][value=confirm]');
  expect(await text(page, '[role=status]')).toContain('amount_below_gift_price');
  expect(await h.axe(page)).toEqual([]);

  // Save with the hiragana kana: refused at the field, everything typed kept.
  await retype(page, '#f-amountYen', '20000');
  await press(page, 'button[name=step][value=save]');
  expect(await text(page, '#f-nameKana-error')).toContain('katakana');
  expect(await value(page, '#f-address')).toBe('千代田区千代田1-1');
  expect(await h.axe(page)).toEqual([]);

  await retype(page, '#f-nameKana', 'スズキ イチロウ');
  await press(page, 'button[name=step][value=save]');
  expect(new URL(page.url()).pathname).toMatch(/^\/console\/donations\/[0-9a-f-]{36}$/);
  expect(await text(page, '[role=status]')).toContain('寄附を登録しました');
  const id = new URL(page.url()).pathname.split('/').pop()!;
  const row = await eventually(
    async () => (await h.ctx.orm.em.getKnex().raw('select d.channel, d.amount_yen, d.status, (select actor from donation_events e where e.donation_id = d.id order by e.id limit 1) as actor from donations d where d.id = ?', [id])).rows[0],
    (r: any) => r && r.status === 'awaiting_payment',
  );
  expect(row).toMatchObject({ channel: 'phone', amount_yen: 20000, actor: `operator:${operator.login}` });
  expect(h.problems(page)).toEqual([]);
  await page.browserContext().close();
});
