import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { checkPassword, checkSecondFactor, recordSignIn, type ConsoleAccount, type PasswordCheck } from '../../ledger/console-accounts';
import { needsSecondFactor } from '../../domain/console/accounts';
import { requireMyNumberKeys } from '../../config/env';
import type { RouteDeps } from '../feature';
import { ALL_ROLES, csrfToken } from './plugin';
import { jstDateTime } from './view';

/**
 * Sign-in (SEC-2): login and password, then a TOTP code for the accounts that need one;
 * throttled per address, locked per account after repeated failures; sign-out is a POST.
 */
type Form = Record<string, string | undefined>;

/** Only a path inside the console, never another site ("//evil", "https://…"). */
export function safeNext(next: string | undefined): string {
  return next && /^\/console\/[^/\\]/.test(next) && !next.includes('//') ? next : '/console/';
}

const NOTICES: Record<string, string> = {
  timeout: '一定時間操作がなかったため、サインアウトしました。もう一度サインインしてください。',
  signedout: 'サインアウトしました。',
};

function lockedMessage(until: Date, now = new Date()): string {
  const minutes = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 60_000));
  return `このアカウントはロックされています。サインインの失敗が続いたためです。${jstDateTime(until)}（日本時間、あと約${minutes}分）を過ぎてから、もう一度お試しください。急ぐ場合は管理者にロックの解除を依頼してください。`;
}

export function registerSignInRoutes(app: FastifyInstance, { config, orm }: RouteDeps): void {
  const knex = orm.em.getKnex();
  const policy = config.console.lockout;
  // TOTP secrets are sealed with the 個人番号 keyring (domain/console/totp-seal.ts).
  const keyring = requireMyNumberKeys(config);

  const loginPage = (reply: FastifyReply, status: number, data: { login?: string; next?: string; error?: string; notice?: string; locked?: boolean }) =>
    reply.code(status).view('login.hbs', { title: 'サインイン', csrf: csrfToken(reply), ...data, next: data.next ?? '' });

  app.get('/login', async (request: FastifyRequest<{ Querystring: Form }>, reply) => {
    if (request.consoleUser) return reply.redirect(safeNext(request.query.next), 303);
    const notice = Object.keys(NOTICES).find((k) => request.query[k]);
    return loginPage(reply, 200, { next: request.query.next, notice: notice && NOTICES[notice] });
  });

  app.post(
    '/login',
    {
      config: {
        rateLimit: {
          max: config.console.signInPerMinute,
          timeWindow: 60_000,
          hook: 'preHandler',
          errorResponseBuilder: (request: FastifyRequest, context: { ttl: number }) => {
            const login = String((request.body as Form | undefined)?.login ?? '').slice(0, 64);
            void recordSignIn(knex, login || '?', 'throttled', request.ip).catch((err) => request.log.error(err));
            return { statusCode: 429, code: 'CONSOLE_THROTTLED', message: `サインインの試行が多すぎます。${Math.max(1, Math.ceil(context.ttl / 1000))}秒ほど待ってから、もう一度お試しください。` };
          },
        },
      },
    },
    async (request: FastifyRequest<{ Body: Form }>, reply) => {
      const login = (request.body.login ?? '').trim().toLowerCase();
      const password = request.body.password ?? '';
      const next = request.body.next;
      if (!login || !password) {
        return loginPage(reply, 400, { login, next, error: 'ログインIDとパスワードを入力してください。' });
      }
      const result = await checkPassword(knex, login, password, policy, request.ip);
      if (!result.ok) return refused(reply, result, login, next);
      await request.session.regenerate();
      if (needsSecondFactor(result.account)) {
        request.session.pendingAccountId = result.account.id;
        return reply.redirect(`/console/login/second-factor${next ? `?next=${encodeURIComponent(safeNext(next))}` : ''}`, 303);
      }
      return signedIn(request, reply, result.account, next);
    },
  );

  const refused = (reply: FastifyReply, result: Exclude<PasswordCheck, { ok: true }>, login: string, next: string | undefined) => {
    if (result.reason === 'locked') return loginPage(reply, 423, { login, next, locked: true, error: lockedMessage(result.lockedUntil) });
    return loginPage(reply, 401, { login, next, error: 'ログインIDまたはパスワードが違います。' });
  };

  const signedIn = (request: FastifyRequest, reply: FastifyReply, account: ConsoleAccount, next: string | undefined) => {
    request.session.pendingAccountId = undefined;
    request.session.accountId = account.id;
    request.session.lastSeenAt = Date.now();
    return reply.redirect(safeNext(next), 303);
  };

  const secondFactorPage = (reply: FastifyReply, status: number, data: { next?: string; error?: string; locked?: boolean }) =>
    reply.code(status).view('second-factor.hbs', { title: '確認コードの入力', csrf: csrfToken(reply), ...data, next: data.next ?? '' });

  app.get('/login/second-factor', async (request: FastifyRequest<{ Querystring: Form }>, reply) => {
    if (!request.session.pendingAccountId) return reply.redirect('/console/login', 303);
    return secondFactorPage(reply, 200, { next: request.query.next });
  });

  app.post(
    '/login/second-factor',
    { config: { rateLimit: { max: config.console.signInPerMinute, timeWindow: 60_000, hook: 'preHandler' } } },
    async (request: FastifyRequest<{ Body: Form }>, reply) => {
      const pending = request.session.pendingAccountId;
      if (!pending) return reply.redirect('/console/login', 303);
      const code = (request.body.code ?? '').replace(/\s/g, '');
      const next = request.body.next;
      if (!/^\d{6}$/.test(code)) return secondFactorPage(reply, 400, { next, error: '確認コードは6桁の数字で入力してください。' });
      const result = await checkSecondFactor(knex, keyring, pending, code, policy, request.ip);
      if (result.ok) {
        await request.session.regenerate();
        return signedIn(request, reply, result.account, next);
      }
      if (result.reason === 'locked') {
        await request.session.destroy();
        return loginPage(reply, 423, { locked: true, error: lockedMessage(result.lockedUntil) });
      }
      if (result.reason === 'disabled') {
        await request.session.destroy();
        return loginPage(reply, 401, { error: 'ログインIDまたはパスワードが違います。' });
      }
      return secondFactorPage(reply, 401, { next, error: '確認コードが違います。認証アプリに表示されている最新の6桁を入力してください。' });
    },
  );

  app.post('/logout', { config: { consoleRoles: ALL_ROLES } }, async (request, reply) => {
    const user = request.consoleUser!;
    await recordSignIn(knex, user.login, 'signed_out', request.ip, user.id);
    await request.session.destroy();
    return reply.redirect('/console/login?signedout=1', 303);
  });
}
