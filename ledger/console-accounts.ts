import { hash, verify, Algorithm } from '@node-rs/argon2';
import { generateSecret, verifySync } from 'otplib';
import type { Knex } from '@mikro-orm/postgresql';
import { accountFieldErrors, afterFailure, needsSecondFactor, type ConsoleRole, type LockoutPolicy } from '../domain/console/accounts';
import { openTotpSecret, sealTotpSecret } from '../domain/console/totp-seal';
import type { MyNumberKeyring } from '../domain/onestop/keyring';

/**
 * Console accounts (issue 16, SEC-2): one per person. Passwords are argon2id hashes
 * (@node-rs/argon2, its recommended parameters); the second factor is TOTP (otplib, RFC 6238,
 * 30-second steps, one step of clock drift either way), its secret sealed at rest with the
 * 個人番号 keyring (domain/console/totp-seal.ts). Every sign-in attempt is a row of
 * console_sign_ins, every change to an account a row of console_account_events with its actor.
 */

export interface ConsoleAccount {
  id: number;
  login: string;
  displayName: string;
  role: ConsoleRole;
  supplierCode: string | null;
  canReadMyNumber: boolean;
  hasSecondFactor: boolean;
  lockedUntil: Date | null;
  disabled: boolean;
  lastSignInAt: Date | null;
}

export class AccountError extends Error {
  override name = 'AccountError';
  constructor(readonly fields: { field: string; message: string }[]) {
    super(fields.map((f) => `${f.field}: ${f.message}`).join('; '));
  }
}

type Row = Record<string, any>;

/** The ledger's connection answers timestamps as text. */
const date = (v: unknown): Date | null => (v == null ? null : new Date(v as string));
const lockedAt = (r: Row, now: Date): Date | null => {
  const until = date(r.locked_until);
  return until && until > now ? until : null;
};

const view = (r: Row): ConsoleAccount => ({
  id: r.id,
  login: r.login,
  displayName: r.display_name,
  role: r.role,
  supplierCode: r.supplier_code ?? null,
  canReadMyNumber: r.can_read_my_number,
  hasSecondFactor: r.totp_sealed != null,
  lockedUntil: date(r.locked_until),
  disabled: r.disabled_at != null,
  lastSignInAt: date(r.last_sign_in_at),
});

const ARGON2 = { algorithm: Algorithm.Argon2id } as const;

export const hashPassword = (password: string): Promise<string> => hash(password, ARGON2);

export interface NewAccount {
  login: string;
  displayName: string;
  role: ConsoleRole;
  supplierCode?: string | null;
  canReadMyNumber?: boolean;
  password: string;
  /** A base32 TOTP secret; generated when the account needs a second factor and none is given. */
  totpSecret?: string;
}

/** Creates an account; answers it with the TOTP secret to hand over (when it has one). */
export async function addAccount(knex: Knex, input: NewAccount, actor: string, keyring: MyNumberKeyring): Promise<{ account: ConsoleAccount; totpSecret: string | null }> {
  const errors = accountFieldErrors({ ...input, supplierCode: input.supplierCode ?? null });
  if (input.supplierCode) {
    const [s] = (await knex.raw('select 1 from suppliers where code = ?', [input.supplierCode])).rows;
    if (!s) errors.push({ field: 'supplierCode', message: `事業者コード ${input.supplierCode} の事業者がありません` });
  }
  const [taken] = (await knex.raw('select 1 from console_accounts where login = ?', [input.login])).rows;
  if (taken) errors.push({ field: 'login', message: `ログインID ${input.login} は使われています` });
  if (errors.length) throw new AccountError(errors);
  const canReadMyNumber = input.canReadMyNumber ?? false;
  const totpSecret = needsSecondFactor({ role: input.role, canReadMyNumber }) ? (input.totpSecret ?? generateSecret()) : null;
  const passwordHash = await hashPassword(input.password);
  const sealed = totpSecret ? sealTotpSecret(keyring, input.login, totpSecret) : null;
  return knex.transaction(async (trx) => {
    const [row] = (
      await trx.raw(
        `insert into console_accounts (login, display_name, role, supplier_code, can_read_my_number, password_hash, totp_sealed, totp_key_id)
         values (?, ?, ?, ?, ?, ?, ?, ?) returning *`,
        [input.login, input.displayName.trim(), input.role, input.supplierCode ?? null, canReadMyNumber, passwordHash, sealed?.sealed ?? null, sealed?.keyId ?? null],
      )
    ).rows as Row[];
    await recordAccountEvent(trx, row.id, 'created', actor, { role: input.role, supplierCode: input.supplierCode ?? null, canReadMyNumber });
    return { account: view(row), totpSecret };
  });
}

async function recordAccountEvent(knex: Knex, accountId: number, action: string, actor: string, detail: Record<string, unknown> = {}): Promise<void> {
  await knex.raw('insert into console_account_events (account_id, action, actor, detail) values (?, ?, ?, ?::jsonb)', [accountId, action, actor, JSON.stringify(detail)]);
}

export async function findAccount(knex: Knex, login: string): Promise<ConsoleAccount | null> {
  const [r] = (await knex.raw('select * from console_accounts where login = ?', [login])).rows as Row[];
  return r ? view(r) : null;
}

export async function accountById(knex: Knex, id: number): Promise<ConsoleAccount | null> {
  const [r] = (await knex.raw('select * from console_accounts where id = ?', [id])).rows as Row[];
  return r ? view(r) : null;
}

export async function listAccounts(knex: Knex): Promise<ConsoleAccount[]> {
  return ((await knex.raw('select * from console_accounts order by login')).rows as Row[]).map(view);
}

export async function disableAccount(knex: Knex, login: string, actor: string): Promise<ConsoleAccount> {
  const [r] = (await knex.raw('update console_accounts set disabled_at = coalesce(disabled_at, now()), updated_at = now() where login = ? returning *', [login])).rows as Row[];
  if (!r) throw new AccountError([{ field: 'login', message: `ログインID ${login} のアカウントはありません` }]);
  await recordAccountEvent(knex, r.id, 'disabled', actor);
  return view(r);
}

/** A new password (and, with newSecondFactor, a new TOTP secret); unlocks and re-enables the account. */
export async function resetAccount(knex: Knex, login: string, password: string, actor: string, keyring: MyNumberKeyring, opts: { newSecondFactor?: boolean } = {}): Promise<{ account: ConsoleAccount; totpSecret: string | null }> {
  const errors = accountFieldErrors({ password });
  const current = await findAccount(knex, login);
  if (!current) errors.push({ field: 'login', message: `ログインID ${login} のアカウントはありません` });
  if (errors.length) throw new AccountError(errors);
  const totpSecret = opts.newSecondFactor || (needsSecondFactor(current!) && !current!.hasSecondFactor) ? generateSecret() : null;
  const sealed = totpSecret ? sealTotpSecret(keyring, login, totpSecret) : null;
  const [r] = (
    await knex.raw(
      `update console_accounts set password_hash = ?, totp_sealed = coalesce(?, totp_sealed), totp_key_id = coalesce(?, totp_key_id), failed_attempts = 0, locked_until = null, disabled_at = null, updated_at = now()
        where login = ? returning *`,
      [await hashPassword(password), sealed?.sealed ?? null, sealed?.keyId ?? null, login],
    )
  ).rows as Row[];
  await recordAccountEvent(knex, r.id, 'reset', actor, { newSecondFactor: totpSecret != null });
  return { account: view(r), totpSecret };
}

export type SignInOutcome = 'signed_in' | 'bad_password' | 'unknown_login' | 'disabled' | 'locked' | 'locked_out' | 'bad_second_factor' | 'throttled' | 'signed_out' | 'timed_out';

export async function recordSignIn(knex: Knex, login: string, outcome: SignInOutcome, ip: string | null, accountId: number | null = null): Promise<void> {
  await knex.raw('insert into console_sign_ins (login, account_id, outcome, ip) values (?, ?, ?, ?)', [login.slice(0, 200), accountId, outcome, ip]);
}

export async function signInHistory(knex: Knex, login: string, limit = 20): Promise<{ outcome: SignInOutcome; ip: string | null; at: Date }[]> {
  const rows = (await knex.raw('select outcome, ip, at from console_sign_ins where login = ? order by at desc, id desc limit ?', [login, limit])).rows as Row[];
  return rows.map((r) => ({ outcome: r.outcome, ip: r.ip, at: date(r.at)! }));
}

export type PasswordCheck =
  | { ok: true; account: ConsoleAccount }
  | { ok: false; reason: 'unknown_login' | 'disabled' | 'bad_password' }
  | { ok: false; reason: 'locked'; lockedUntil: Date; justLocked: boolean };

/**
 * The first step of a sign-in. A locked account is refused before its password is looked at
 * (so guessing during a lock learns nothing); a wrong password counts towards the lock. Each
 * attempt is recorded. Unknown logins take as long as known ones (a hash is verified either way).
 */
export async function checkPassword(knex: Knex, login: string, password: string, policy: LockoutPolicy, ip: string | null, now = new Date()): Promise<PasswordCheck> {
  const [r] = (await knex.raw('select * from console_accounts where login = ?', [login])).rows as Row[];
  if (!r) {
    await verify(DUMMY_HASH, password).catch(() => false);
    await recordSignIn(knex, login, 'unknown_login', ip);
    return { ok: false, reason: 'unknown_login' };
  }
  if (r.disabled_at) {
    await recordSignIn(knex, login, 'disabled', ip, r.id);
    return { ok: false, reason: 'disabled' };
  }
  const locked = lockedAt(r, now);
  if (locked) {
    await recordSignIn(knex, login, 'locked', ip, r.id);
    return { ok: false, reason: 'locked', lockedUntil: locked, justLocked: false };
  }
  if (await verify(r.password_hash, password).catch(() => false)) {
    if (!needsSecondFactor({ role: r.role, canReadMyNumber: r.can_read_my_number })) await signedIn(knex, r.id, login, ip);
    return { ok: true, account: view(r) };
  }
  return failure(knex, r, 'bad_password', policy, ip, now);
}

async function failure(knex: Knex, r: Row, outcome: 'bad_password' | 'bad_second_factor', policy: LockoutPolicy, ip: string | null, now: Date): Promise<PasswordCheck> {
  const next = afterFailure(r.failed_attempts, policy, now);
  await knex.raw('update console_accounts set failed_attempts = ?, locked_until = ?, updated_at = now() where id = ?', [next.failedAttempts, next.lockedUntil, r.id]);
  await recordSignIn(knex, r.login, outcome, ip, r.id);
  if (next.lockedUntil) {
    await recordSignIn(knex, r.login, 'locked_out', ip, r.id);
    return { ok: false, reason: 'locked', lockedUntil: next.lockedUntil, justLocked: true };
  }
  return { ok: false, reason: 'bad_password' };
}

async function signedIn(knex: Knex, id: number, login: string, ip: string | null): Promise<void> {
  await knex.raw('update console_accounts set failed_attempts = 0, locked_until = null, last_sign_in_at = now() where id = ?', [id]);
  await recordSignIn(knex, login, 'signed_in', ip, id);
}

/** The second step for accounts that need one: a TOTP code. Wrong codes count towards the same lock. */
export async function checkSecondFactor(knex: Knex, keyring: MyNumberKeyring, accountId: number, code: string, policy: LockoutPolicy, ip: string | null, now = new Date()): Promise<PasswordCheck> {
  const [r] = (await knex.raw('select * from console_accounts where id = ?', [accountId])).rows as Row[];
  if (!r || r.disabled_at) return { ok: false, reason: 'disabled' };
  const locked = lockedAt(r, now);
  if (locked) {
    await recordSignIn(knex, r.login, 'locked', ip, r.id);
    return { ok: false, reason: 'locked', lockedUntil: locked, justLocked: false };
  }
  const secret = r.totp_sealed ? openTotpSecret(keyring, r.login, { keyId: r.totp_key_id, sealed: r.totp_sealed }) : null;
  const valid = secret && /^\d{6}$/.test(code) && verifySync({ secret, token: code, epochTolerance: 30 }).valid;
  if (valid) {
    await signedIn(knex, r.id, r.login, ip);
    return { ok: true, account: view(r) };
  }
  const result = await failure(knex, r, 'bad_second_factor', policy, ip, now);
  return result.ok || result.reason !== 'bad_password' ? result : { ok: false, reason: 'bad_password' };
}

/** Verified against when the login is unknown, so that the answer takes as long. */
const DUMMY_HASH = '$argon2id$v=19$m=19456,t=2,p=1$niCwprOLIOe0VXxCRdZIpQ$Y4Rvg4oBXUOUkvR5DqprxR8QvTk7uwWm3Z+8/cRd6zI';
