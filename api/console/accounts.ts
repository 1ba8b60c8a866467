import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { generateURI } from 'otplib';
import { ROLE_LABELS } from '../../domain/console/accounts';
import { ROLES, requireMyNumberKeys, type Role } from '../../config/env';
import { AccountError, addAccount, disableAccount, listAccounts, resetAccount } from '../../ledger/console-accounts';
import type { RouteDeps } from '../feature';
import { csrfToken } from './plugin';

/** Accounts (SEC-2), for admins: the list, a new account, disable, a new password (which also unlocks). */
const ADMIN: readonly Role[] = ['admin'];
type Form = Record<string, string | undefined>;

export function registerAccountRoutes(app: FastifyInstance, { config, orm }: RouteDeps): void {
  const knex = orm.em.getKnex();
  // New TOTP secrets are sealed with the 個人番号 keyring before they are stored (domain/console/totp-seal.ts).
  const keyring = requireMyNumberKeys(config);

  const page = async (reply: FastifyReply, status: number, data: Record<string, unknown> = {}) => {
    const accounts = (await listAccounts(knex)).map((a) => ({
      ...a,
      roleLabel: ROLE_LABELS[a.role],
      locked: a.lockedUntil && a.lockedUntil > new Date() ? a.lockedUntil : null,
    }));
    return reply.code(status).view('accounts.hbs', {
      title: 'アカウント管理',
      csrf: csrfToken(reply),
      accounts,
      roles: ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r], selected: (data.form as Form | undefined)?.role === r })),
      ...data,
    });
  };

  app.get('/accounts', { config: { consoleRoles: ADMIN } }, async (_request, reply) => page(reply, 200));

  app.post('/accounts', { config: { consoleRoles: ADMIN } }, async (request: FastifyRequest<{ Body: Form }>, reply) => {
    const form = request.body;
    const role = (form.role ?? '') as Role;
    try {
      const { account, totpSecret } = await addAccount(
        knex,
        {
          login: (form.login ?? '').trim(),
          displayName: form.displayName ?? '',
          role,
          supplierCode: form.supplierCode?.trim() || null,
          canReadMyNumber: form.canReadMyNumber === 'on',
          password: form.password ?? '',
        },
        request.consoleUser!.actor,
        keyring,
      );
      return page(reply, 201, {
        notice: `アカウント ${account.login} を作成しました。初期パスワードは本人に別の経路で伝えてください。`,
        secret: totpSecret ? { value: totpSecret, uri: generateURI({ secret: totpSecret, label: account.login, issuer: '柳川市ふるさと納税' }) } : undefined,
      });
    } catch (err) {
      if (!(err instanceof AccountError)) throw err;
      const errors = Object.fromEntries(err.fields.map((f) => [f.field, f.message]));
      return page(reply, 400, { form: { ...form, password: '' }, errors, error: 'アカウントを作成できませんでした。各項目のメッセージを確認してください。' });
    }
  });

  app.post('/accounts/:login/disable', { config: { consoleRoles: ADMIN } }, async (request: FastifyRequest<{ Params: { login: string } }>, reply) => {
    try {
      await disableAccount(knex, request.params.login, request.consoleUser!.actor);
    } catch (err) {
      if (err instanceof AccountError) return page(reply, 404, { error: err.fields[0].message });
      throw err;
    }
    return page(reply, 200, { notice: `アカウント ${request.params.login} を停止しました。` });
  });

  app.post('/accounts/:login/reset', { config: { consoleRoles: ADMIN } }, async (request: FastifyRequest<{ Params: { login: string }; Body: Form }>, reply) => {
    try {
      const { totpSecret } = await resetAccount(knex, request.params.login, request.body.password ?? '', request.consoleUser!.actor, keyring, { newSecondFactor: request.body.newSecondFactor === 'on' });
      return page(reply, 200, {
        notice: `アカウント ${request.params.login} のパスワードを再設定し、ロックと停止を解除しました。`,
        secret: totpSecret ? { value: totpSecret, uri: generateURI({ secret: totpSecret, label: request.params.login, issuer: '柳川市ふるさと納税' }) } : undefined,
      });
    } catch (err) {
      if (err instanceof AccountError) return page(reply, 400, { error: `${request.params.login}: ${err.fields.map((f) => f.message).join(' ')}` });
      throw err;
    }
  });
}
