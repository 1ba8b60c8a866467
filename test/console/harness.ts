import fs from 'node:fs';
import type { FastifyInstance } from 'fastify';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { generateSync } from 'otplib';
import { buildApi } from '../../api/server';
import { requireMyNumberKeys, type Role } from '../../config/env';
import { addAccount } from '../../ledger/console-accounts';
import { eventually, suiteContext, type SuiteContext } from '../support/context';

/**
 * The console's browser-test harness (issues 16 and 17): the API with the console on a real port,
 * the suite's worker, real Chromium through puppeteer-core, and axe-core run on a page. Each suite
 * makes its own accounts (logins prefixed by the suite) in the shared database.
 */
export interface ConsoleHarness {
  ctx: SuiteContext;
  app: FastifyInstance;
  base: string;
  browser: Browser;
  /** A fresh browser context (own cookies) and a page in it; CSP violations and page errors are collected. */
  newPage(): Promise<Page>;
  /** Makes an account; answers its login, password and TOTP secret (when it has one). */
  account(role: Role, opts?: { supplierCode?: string; canReadMyNumber?: boolean; name?: string }): Promise<TestAccount>;
  /** Signs in through the form (and the second-factor form when the account has one). */
  signIn(page: Page, account: TestAccount): Promise<void>;
  /** A fresh page signed in as `account`, at `path` (e.g. /console/donations/<id>). */
  open(account: TestAccount, path: string): Promise<Page>;
  /** axe-core on the page as it is: the serious and critical violations (rule id and the first target). */
  axe(page: Page): Promise<string[]>;
  /** Messages the browser printed about refused resources (CSP) or scripts that failed. */
  problems(page: Page): string[];
  /** The JSON API in-process as the machine token `token` (one of the suite's API_TOKENS). */
  tokenApi(token: string): TokenApi;
  close(): Promise<void>;
}

export interface TestAccount {
  login: string;
  password: string;
  role: Role;
  totpSecret: string | null;
}

const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function consoleHarness(suite: string, env: Record<string, string> = {}, opts: { worker?: boolean } = {}): Promise<ConsoleHarness> {
  const ctx = await suiteContext(suite, env);
  if (opts.worker !== false) await ctx.startWorker();
  const app = await buildApi({ config: ctx.config, orm: ctx.orm, temporal: ctx.client, logger: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const browser = await puppeteer.launch({ executablePath: ctx.config.documents.chromiumPath, headless: true, args: CHROMIUM_ARGS });
  const problemsOf = new WeakMap<Page, string[]>();
  let seq = 0;
  const knex = ctx.orm.em.getKnex();
  const harness: ConsoleHarness = {
    ctx,
    app,
    base,
    browser,
    async newPage() {
      const context = await browser.createBrowserContext();
      const page = await context.newPage();
      const problems: string[] = [];
      problemsOf.set(page, problems);
      // Refused by the CSP, a script error, or an asset the page asked for that failed (the page's own status is the test's business).
      page.on('console', (m) => {
        if (/Content Security Policy|Refused to/.test(m.text())) problems.push(m.text());
      });
      page.on('response', (r) => {
        if (r.request().resourceType() !== 'document' && r.status() >= 400) problems.push(`${r.status()} ${r.url()}`);
      });
      page.on('pageerror', (e) => problems.push(String(e)));
      page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
      page.setDefaultTimeout(20_000);
      return page;
    },
    async account(role, o = {}) {
      seq += 1;
      const login = `${ctx.prefix}-${role}-${seq}`.toLowerCase().replace(/[^a-z0-9._-]/g, '-');
      const password = `pw-${login}-long-enough`;
      const { totpSecret } = await addAccount(knex, { login, displayName: o.name ?? `テスト ${role} ${seq}`, role, supplierCode: o.supplierCode, canReadMyNumber: o.canReadMyNumber, password }, 'test:harness', requireMyNumberKeys(ctx.config));
      return { login, password, role, totpSecret };
    },
    async signIn(page, a) {
      await page.goto(`${base}/console/login`);
      await page.type('#f-login', a.login);
      await page.type('#f-password', a.password);
      await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
      if (a.totpSecret) {
        await page.type('#f-code', generateSync({ secret: a.totpSecret }));
        await Promise.all([page.waitForNavigation(), page.click('main button[type=submit]')]);
      }
    },
    async open(a, to) {
      const page = await harness.newPage();
      await harness.signIn(page, a);
      await page.goto(`${base}${to}`);
      return page;
    },
    async axe(page) {
      // Runtime.evaluate is not subject to the page's CSP, so the page keeps its real policy.
      const result = (await page.evaluate(`${AXE};axe.run(document, { resultTypes: ['violations'] }).then(r => r.violations.map(v => ({ id: v.id, impact: v.impact, target: v.nodes[0] && v.nodes[0].target.join(' ') })))`)) as { id: string; impact: string; target: string }[];
      return result.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}) at ${v.target}`);
    },
    problems(page) {
      return problemsOf.get(page) ?? [];
    },
    tokenApi(token) {
      return (method, url, payload) => app.inject({ method, url, payload, headers: { authorization: `Bearer ${token}` } });
    },
    async close() {
      await browser.close().catch(() => undefined);
      await app.close();
      await ctx.close();
    },
  };
  return harness;
}

/** Clicks what submits a form or leaves the page (a step button, a link) and waits for the page the server answers with. */
export async function press(page: Page, selector: string): Promise<void> {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}

/** Replaces what a field holds, as a person would: select all, delete, type. */
export async function retype(page: Page, selector: string, text: string): Promise<void> {
  await page.click(selector, { count: 3 });
  await page.keyboard.press('Backspace');
  await page.type(selector, text);
}

/** The JSON API as one of the suite's machine tokens (API_TOKENS): set-up and checks beside the browser. */
export type TokenApi = (method: 'GET' | 'POST', url: string, payload?: object) => Promise<{ statusCode: number; json(): any }>;

/** Posts a donation numbered `orderId` through the API and waits until its workflow is `status` (held, documents_due, …). */
export async function postedDonation(api: TokenApi, orderId: string, body: Record<string, unknown>, status: string): Promise<{ id: string; orderId: string }> {
  const res = await api('POST', '/donations', { portalOrderId: orderId, ...body });
  // No jest `expect` here: `npm run manuals` (outside jest) imports this harness.
  if (res.statusCode !== 201) throw new Error(`POST /donations for ${orderId} answered ${res.statusCode}: ${JSON.stringify(res.json())}`);
  const id = res.json().donation.id as string;
  await eventually(() => api('GET', `/donations/${id}`), (r) => r.json().workflow?.status === status);
  return { id, orderId };
}

/** A mail donation paid now by bank transfer: its documents come due. */
export const paidByMail = (donor: Record<string, string>, amountYen: number) => ({ channel: 'mail', donor, amountYen, paymentMethod: 'bank_transfer', paidAt: new Date().toISOString() });
