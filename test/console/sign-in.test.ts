import { generateSync } from 'otplib';
import type { Page } from 'puppeteer-core';
import { Supplier } from '../../ledger/entities';
import { consoleHarness, type ConsoleHarness, type TestAccount } from './harness';
import { expectAccessible } from './page';

/** Issue 16 (SEC-2): sign-in, second factor, lockout, throttling, idle timeout, CSRF, roles, headers — in real Chromium, axe on every page. */
let h: ConsoleHarness;
let operator: TestAccount;
let supplierCode: string;

beforeAll(async () => {
  h = await consoleHarness('console-signin', { CONSOLE_LOCKOUT_ATTEMPTS: '3', CONSOLE_LOCKOUT_MINUTES: '15' }, { worker: false });
  operator = await h.account('operator', { name: '田中 花子' });
  const em = h.ctx.orm.em.fork();
  supplierCode = `${h.ctx.prefix}-S1`;
  em.create(Supplier, { code: supplierCode, name: '柳川うなぎ本舗', shippingWeekdays: [1, 4], active: true } as any);
  await em.flush();
});

afterAll(async () => {
  await h?.close();
});


const signInHistory = async (login: string) =>
  (await h.ctx.orm.em.getKnex().raw('select outcome from console_sign_ins where login = ? order by id', [login])).rows.map((r: { outcome: string }) => r.outcome);

test('/ leads a signed-out person to the sign-in page; sign-in with the keyboard only reaches home; sign-out is a POST', async () => {
  const page = await h.newPage();
  await page.goto(`${h.base}/`);
  expect(new URL(page.url()).pathname).toBe('/console/login');
  expect(await page.$eval('h1', (e) => e.textContent)).toBe('サインイン');
  await expectAccessible(h, page);

  // Keyboard only: the login field has the focus; Tab to the password; Enter submits.
  expect(await page.evaluate('document.activeElement && document.activeElement.id')).toBe('f-login');
  await page.keyboard.type(operator.login);
  await page.keyboard.press('Tab');
  expect(await page.evaluate('document.activeElement && document.activeElement.id')).toBe('f-password');
  await page.keyboard.type(operator.password);
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  expect(new URL(page.url()).pathname).toBe('/console/');
  expect(await page.$eval('.fc-header__user', (e) => e.textContent)).toContain('田中 花子（オペレーター）');
  await expectAccessible(h, page);

  const cookies = await page.browserContext().cookies();
  const session = cookies.find((c) => c.name === 'furusato_console')!;
  expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/console', secure: false });

  await Promise.all([page.waitForNavigation(), page.click('form[action="/console/logout"] button')]);
  expect(new URL(page.url()).pathname).toBe('/console/login');
  expect(await page.$eval('[role=status]', (e) => e.textContent)).toContain('サインアウトしました');
  await page.goto(`${h.base}/console/`);
  expect(new URL(page.url()).pathname).toBe('/console/login');
  expect(await signInHistory(operator.login)).toEqual(['signed_in', 'signed_out']);
  await page.browserContext().close();
});

test('a wrong password says so and keeps the login; repeated failures lock the account and the page says ロック and until when', async () => {
  const victim = await h.account('operator');
  const page = await h.newPage();
  for (let i = 1; i <= 3; i++) {
    await page.goto(`${h.base}/console/login`);
    await page.type('#f-login', victim.login);
    await page.type('#f-password', 'not-the-password');
    await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);
    if (i < 3) {
      expect(await page.$eval('[role=alert]', (e) => e.textContent)).toContain('ログインIDまたはパスワードが違います');
      expect(await page.$eval('#f-login', (e) => (e as unknown as { value: string }).value)).toBe(victim.login);
      expect(await page.$eval('#f-password', (e) => (e as unknown as { value: string }).value)).toBe('');
    }
  }
  const alert = await page.$eval('[role=alert]', (e) => e.textContent);
  expect(alert).toContain('ロックされています');
  expect(alert).toMatch(/あと約1[45]分/);
  await expectAccessible(h, page);

  // Even the right password is refused while locked.
  await page.goto(`${h.base}/console/login`);
  await page.type('#f-login', victim.login);
  await page.type('#f-password', victim.password);
  await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);
  expect(await page.$eval('[role=alert]', (e) => e.textContent)).toContain('ロックされています');
  expect(new URL(page.url()).pathname).toBe('/console/login');
  expect(await signInHistory(victim.login)).toEqual(['bad_password', 'bad_password', 'bad_password', 'locked_out', 'locked']);
  await page.browserContext().close();
});

test('an admin needs the second factor (TOTP); a wrong code is refused', async () => {
  const admin = await h.account('admin');
  expect(admin.totpSecret).toMatch(/^[A-Z2-7]{16,}$/);
  const page = await h.newPage();
  await page.goto(`${h.base}/console/login`);
  await page.type('#f-login', admin.login);
  await page.type('#f-password', admin.password);
  await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);
  expect(new URL(page.url()).pathname).toBe('/console/login/second-factor');
  await expectAccessible(h, page);
  // Not signed in yet: the home page sends back to sign-in.
  const direct = await page.goto(`${h.base}/console/`);
  expect(new URL(direct!.url()).pathname).toBe('/console/login');

  await page.goto(`${h.base}/console/login/second-factor`);
  const wrong = generateSync({ secret: admin.totpSecret! }) === '000000' ? '111111' : '000000';
  await page.type('#f-code', wrong);
  await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);
  expect(await page.$eval('[role=alert]', (e) => e.textContent)).toContain('確認コードが違います');
  await page.type('#f-code', generateSync({ secret: admin.totpSecret! }));
  await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);
  expect(new URL(page.url()).pathname).toBe('/console/');
  expect(await signInHistory(admin.login)).toEqual(['bad_second_factor', 'signed_in']);

  // Admins manage accounts in the console: a bad form keeps what was typed and says why at the field.
  await page.goto(`${h.base}/console/accounts`);
  await expectAccessible(h, page);
  const login = `${h.ctx.prefix}-new-operator`.toLowerCase();
  await page.type('#f-login', login);
  await page.type('#f-password', 'short');
  await Promise.all([page.waitForNavigation(), page.click('form[action="/console/accounts"] button[type=submit]')]);
  expect(await page.$eval('#f-password-error', (e) => e.textContent)).toContain('12文字以上');
  expect(await page.$eval('#f-displayName-error', (e) => e.textContent)).toContain('表示名');
  expect(await page.$eval('#f-login', (e) => (e as unknown as { value: string }).value)).toBe(login);
  await expectAccessible(h, page);
  await page.type('#f-displayName', '新人 オペレーター');
  await page.type('#f-password', 'a-long-enough-password');
  await Promise.all([page.waitForNavigation(), page.click('form[action="/console/accounts"] button[type=submit]')]);
  expect(await page.$eval('[role=status]', (e) => e.textContent)).toContain(`アカウント ${login} を作成しました`);
  const events = (await h.ctx.orm.em.getKnex().raw('select e.action, e.actor from console_account_events e join console_accounts a on a.id = e.account_id where a.login = ?', [login])).rows;
  expect(events).toEqual([{ action: 'created', actor: `admin:${admin.login}` }]);
  await page.browserContext().close();
});

test('an idle session is signed out and the sign-in page says why', async () => {
  const page = await h.newPage();
  await h.signIn(page, operator);
  const knex = h.ctx.orm.em.getKnex();
  const sid = (await page.browserContext().cookies()).find((c) => c.name === 'furusato_console')!.value.split('.')[0];
  // The session was last used 31 minutes ago (the default idle timeout is 30).
  const moved = await knex.raw(`update console_sessions set data = jsonb_set(data, '{lastSeenAt}', to_jsonb(?::bigint)) where sid = ?`, [Date.now() - 31 * 60_000, decodeURIComponent(sid)]);
  expect(moved.rowCount).toBe(1);
  await page.goto(`${h.base}/console/`);
  expect(new URL(page.url()).pathname).toBe('/console/login');
  expect(await page.$eval('[role=status]', (e) => e.textContent)).toContain('一定時間操作がなかったため');
  expect((await signInHistory(operator.login)).slice(-1)).toEqual(['timed_out']);
  await page.browserContext().close();
});

test('a POST without the CSRF token is refused with 403, signed in or not', async () => {
  const page = await h.newPage();
  await h.signIn(page, operator);
  const status = await page.evaluate(async () => (await fetch('/console/logout', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' })).status);
  expect(status).toBe(403);
  const forged = await page.evaluate(async () => (await fetch('/console/logout', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '_csrf=forged' })).status);
  expect(forged).toBe(403);
  // Still signed in: the refused sign-out did nothing.
  await page.goto(`${h.base}/console/`);
  expect(new URL(page.url()).pathname).toBe('/console/');
  const login = await h.app.inject({ method: 'POST', url: '/console/login', payload: { login: operator.login, password: operator.password } });
  expect(login.statusCode).toBe(403);
  expect(login.body).toContain('送信を受け付けられませんでした');
  await page.browserContext().close();
});

test('a supplier (or an operator) opening an admin page gets 403, in Japanese', async () => {
  const supplier = await h.account('supplier', { supplierCode });
  const page = await h.newPage();
  await h.signIn(page, supplier);
  expect(new URL(page.url()).pathname).toBe('/console/');
  await expectAccessible(h, page);
  const res = await page.goto(`${h.base}/console/accounts`);
  expect(res!.status()).toBe(403);
  expect(await page.$eval('h1', (e) => e.textContent)).toBe('このページを開く権限がありません');
  await expectAccessible(h, page);
  await page.browserContext().close();
});

test('security headers: a CSP of the project’s own assets only; the JSON API is unchanged', async () => {
  const res = await h.app.inject({ url: '/console/login' });
  const csp = String(res.headers['content-security-policy']);
  expect(csp).toContain("default-src 'self'");
  expect(csp).toContain("script-src 'self'");
  expect(csp).toContain("frame-ancestors 'none'");
  expect(csp).not.toMatch(/https?:/);
  expect(res.headers['x-content-type-options']).toBe('nosniff');
  expect((await h.app.inject({ url: '/console/static/tokens/tokens.css' })).body).toContain('--color-primitive-blue-900');
  expect((await h.app.inject({ url: '/console/static/fonts/400.css' })).statusCode).toBe(200);
  const api = await h.app.inject({ url: '/donations' });
  expect(api.statusCode).toBe(401);
  expect(api.headers['content-security-policy']).toBeUndefined();
  expect(api.json().error).toBe('unauthorized');
  expect((await h.app.inject({ url: '/' })).headers.location).toBe('/console/');
});

test('sign-in attempts from one address are throttled, recorded, and the page says how long to wait', async () => {
  const throttled = await consoleHarness('console-throttle', { CONSOLE_SIGNIN_RATE: '2' }, { worker: false });
  try {
    const page = await throttled.newPage();
    for (let i = 0; i < 3; i++) {
      await page.goto(`${throttled.base}/console/login`);
      await page.type('#f-login', 'nobody-here');
      await page.type('#f-password', 'whatever-password');
      await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);
    }
    expect(await page.$eval('[role=alert]', (e) => e.textContent)).toMatch(/試行が多すぎます。\d+秒ほど待って/);
    const outcomes = (await throttled.ctx.orm.em.getKnex().raw(`select outcome from console_sign_ins where login = 'nobody-here' order by id desc limit 1`)).rows;
    expect(outcomes[0].outcome).toBe('throttled');
  } finally {
    await throttled.close();
  }
});
