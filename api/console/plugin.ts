import path from 'node:path';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import session from '@fastify/session';
import csrf from '@fastify/csrf-protection';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import formbody from '@fastify/formbody';
import view from '@fastify/view';
import fastifyStatic from '@fastify/static';
import { ROLES, requireConsoleSecret, type Role } from '../../config/env';
import { ROLE_LABELS } from '../../domain/console/accounts';
import { accountById, recordSignIn, type ConsoleAccount } from '../../ledger/console-accounts';
import { consoleSessionStore } from '../../ledger/console-sessions';
import { actorOf } from '../auth';
import type { RouteDeps } from '../feature';
import { consoleHandlebars, projectRoot, templatesDir } from './view';

/** The signed-in person, as the console's routes see them. */
export interface ConsoleUser {
  id: number;
  login: string;
  displayName: string;
  role: Role;
  supplierCode: string | null;
  canReadMyNumber: boolean;
  /** How the person appears in the event log, exactly as an API token's: "operator:tanaka". */
  actor: string;
  /** The browser's address (MYNUM-2: a 個人番号 is handled only from a terminal inside the 取扱区域). */
  terminal: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    consoleUser?: ConsoleUser;
  }
  interface FastifyReply {
    /** @fastify/view merges these into every template's data (the layout's person, menu, sign-out token). */
    locals?: Record<string, unknown>;
  }
  interface FastifyContextConfig {
    /** Console pages: the roles that may open the route (signed in). Omitted: a public console route (sign-in, assets). */
    consoleRoles?: readonly Role[];
  }
}

declare module '@fastify/session' {
  interface FastifySessionObject {
    accountId?: number;
    /** Password accepted, second factor still to come. */
    pendingAccountId?: number;
    lastSeenAt?: number;
  }
}

export const ALL_ROLES: readonly Role[] = ROLES;
export const OPERATORS: readonly Role[] = ['operator', 'admin'];
export const READERS: readonly Role[] = ['operator', 'city', 'admin'];

const userOf = (a: ConsoleAccount, terminal: string): ConsoleUser => ({
  id: a.id,
  login: a.login,
  displayName: a.displayName,
  role: a.role,
  supplierCode: a.supplierCode,
  canReadMyNumber: a.canReadMyNumber,
  actor: actorOf({ name: a.login, role: a.role }),
  terminal,
});

/** Writing lastSeenAt on every request would write the session row on every request; once a minute is enough. */
const TOUCH_MS = 60_000;

interface NavItem {
  href: string;
  label: string;
  roles: readonly Role[];
}

const NAV: NavItem[] = [
  { href: '/console/', label: 'ホーム', roles: ALL_ROLES },
  { href: '/console/donations', label: '寄附の検索', roles: READERS },
  { href: '/console/donations/new', label: '寄附の手入力', roles: OPERATORS },
  { href: '/console/imports', label: '取込', roles: READERS },
  { href: '/console/quarantine', label: '隔離された行', roles: READERS },
  // Issue 17: the rest of the operator's day (api/console/print-batches.ts, …).
  { href: '/console/print-batches', label: '印刷バッチ', roles: READERS },
  { href: '/console/onestop', label: 'ワンストップ審査', roles: READERS },
  { href: '/console/shipments', label: '配送のトラブル', roles: READERS },
  { href: '/console/calls', label: '問い合わせ', roles: READERS },
  { href: '/console/gifts', label: '返礼品と在庫', roles: READERS },
  { href: '/console/billing', label: '請求', roles: READERS },
  // Issue 17: the city's and the suppliers' pages (api/console/city-*.ts, supplier-*.ts).
  { href: '/console/approvals', label: '承認待ち', roles: ['city', 'admin'] },
  { href: '/console/progress', label: '年度の進捗', roles: READERS },
  { href: '/console/reports', label: '月次報告書・事故', roles: ['city', 'admin'] },
  { href: '/console/supplier/orders', label: '注文と発送', roles: ['supplier'] },
  { href: '/console/supplier/statements', label: '明細・品質・在庫', roles: ['supplier'] },
  { href: '/console/accounts', label: 'アカウント管理', roles: ['admin'] },
];

/**
 * Sessions, CSRF, security headers, templates and the sign-in check for everything under
 * /console. Registered as an encapsulated plugin, so none of it touches the JSON API.
 */
export async function consoleFoundation(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const { config, orm } = deps;
  const knex = orm.em.getKnex();
  const idleMs = config.console.idleMinutes * 60_000;

  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        objectSrc: ["'none'"],
        ...(config.production ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    hsts: config.production,
    referrerPolicy: { policy: 'same-origin' },
  });
  await app.register(formbody);
  await app.register(cookie);
  await app.register(session, {
    secret: requireConsoleSecret(config),
    cookieName: 'furusato_console',
    // No maxAge: the cookie ends with the browser; the idle timeout is enforced here from lastSeenAt.
    cookie: { path: '/console', httpOnly: true, sameSite: 'strict', secure: config.production },
    saveUninitialized: false,
    // The row outlives the idle timeout by an hour so that a returning person is told why they were signed out.
    store: consoleSessionStore(knex, idleMs + 3_600_000),
  });
  await app.register(csrf, {
    sessionPlugin: '@fastify/session',
    // Uploads (multipart) carry the token in the form's action URL: their body is handed on unread.
    getToken: (request: FastifyRequest) =>
      (request.body as Record<string, string> | undefined)?._csrf ?? (request.query as Record<string, string> | undefined)?._csrf ?? (request.headers['x-csrf-token'] as string | undefined),
  });
  await app.register(rateLimit, { global: false });

  const hbs = consoleHandlebars();
  await app.register(view, {
    engine: { handlebars: hbs },
    root: templatesDir(),
    layout: 'layout.hbs',
    production: config.production,
    defaultContext: { siteName: '柳川市ふるさと納税 業務コンソール' },
  });

  // Every asset from the project itself: our CSS, the design tokens' CSS variables, the Noto Sans JP files.
  await app.register(fastifyStatic, { root: path.join(templatesDir(), 'assets'), prefix: '/static/app/', maxAge: '1h' });
  const modules = path.join(projectRoot(), 'node_modules');
  await app.register(fastifyStatic, { root: path.join(modules, '@digital-go-jp', 'design-tokens', 'dist'), prefix: '/static/tokens/', decorateReply: false, maxAge: '1d', allowedPath: (p) => p.endsWith('.css') });
  await app.register(fastifyStatic, { root: path.join(modules, '@fontsource', 'noto-sans-jp'), prefix: '/static/fonts/', decorateReply: false, maxAge: '7d', allowedPath: (p) => /\.(css|woff2?)$/.test(p) });

  // CSRF (SEC-2): every state-changing request carries the session's token, or it is refused with 403.
  app.addHook('preHandler', (request, reply, done) => {
    if (request.method === 'GET' || request.method === 'HEAD' || request.method === 'OPTIONS') return done();
    app.csrfProtection(request, reply, done);
  });

  // Who is signed in, and may they open this page?
  app.addHook('preHandler', async (request, reply) => {
    const roles = request.routeOptions.config?.consoleRoles;
    const s = request.session;
    if (s?.accountId) {
      const now = Date.now();
      if (s.lastSeenAt && now - s.lastSeenAt > idleMs) {
        const account = await accountById(knex, s.accountId);
        await recordSignIn(knex, account?.login ?? '?', 'timed_out', request.ip, s.accountId);
        await s.destroy();
        if (roles) return reply.redirect(`/console/login?timeout=1`, 303);
      } else {
        const account = await accountById(knex, s.accountId);
        if (!account || account.disabled) {
          await s.destroy();
        } else {
          request.consoleUser = userOf(account, request.ip);
          if (!s.lastSeenAt || now - s.lastSeenAt > TOUCH_MS) s.lastSeenAt = now;
        }
      }
    }
    if (!roles) return;
    if (!request.consoleUser) {
      const next = request.method === 'GET' ? `?next=${encodeURIComponent(request.url)}` : '';
      return reply.redirect(`/console/login${next}`, 303);
    }
    if (!roles.includes(request.consoleUser.role)) {
      return renderError(reply, 403, 'このページを開く権限がありません', `${ROLE_LABELS[request.consoleUser.role]}のアカウントでは、このページは使えません。`);
    }
  });

  // What every page's layout needs: the person, the sign-out form's CSRF token, the navigation.
  app.addHook('preHandler', async (request, reply) => {
    const user = request.consoleUser;
    reply.locals = {
      ...reply.locals,
      user: user ? { ...user, roleLabel: ROLE_LABELS[user.role] } : undefined,
      logoutCsrf: user ? reply.generateCsrf() : undefined,
      nav: user ? NAV.filter((n) => n.roles.includes(user.role)).map((n) => ({ ...n, current: request.url.split('?')[0] === n.href })) : [],
    };
  });

  app.setNotFoundHandler((request, reply) => renderError(reply, 404, 'ページが見つかりません', 'アドレスが正しいか確かめてください。'));

  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err.code === 'FST_CSRF_MISSING_SECRET' || err.code === 'FST_CSRF_INVALID_TOKEN' || err.statusCode === 403) {
      return renderError(reply, 403, '送信を受け付けられませんでした', 'フォームの有効期限が切れたか、このコンソールのページから送られたものではありません。ページを開き直してから、もう一度操作してください。');
    }
    if (err.statusCode === 429) {
      return renderError(reply, 429, 'しばらくお待ちください', err.message);
    }
    if (err.statusCode && err.statusCode < 500) return renderError(reply, err.statusCode, '要求を処理できませんでした', err.message);
    request.log.error(err);
    return renderError(reply, 500, 'システムエラーが発生しました', '時間をおいてもう一度お試しください。続く場合はシステム管理者に連絡してください。');
  });
}

export function renderError(reply: FastifyReply, status: number, title: string, message: string) {
  return reply.code(status).view('error.hbs', { title, heading: title, message, status });
}

/** A fresh CSRF token for a page's forms. */
export const csrfToken = (reply: FastifyReply): string => reply.generateCsrf();
