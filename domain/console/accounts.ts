/**
 * Console accounts (issue 16, SEC-2): who may sign in and what a sign-in needs. Pure rules;
 * the ledger (ledger/console-accounts.ts) keeps the accounts, api/console applies them.
 */
import { ROLES, type Role } from '../roles';

export type ConsoleRole = Role;

export const ROLE_LABELS: Record<ConsoleRole, string> = {
  operator: 'オペレーター',
  city: '市職員',
  supplier: '返礼品事業者',
  admin: '管理者',
};

/** Logins are plain ASCII so that they read the same in logs, the event log's actor and a URL. */
export const LOGIN_PATTERN = /^[a-z0-9][a-z0-9._-]{1,63}$/;
export const MIN_PASSWORD_LENGTH = 12;

export interface AccountFacts {
  role: ConsoleRole;
  canReadMyNumber: boolean;
}

/** A second factor (TOTP) is required for admins and for anyone allowed to read a 個人番号. */
export function needsSecondFactor(account: AccountFacts): boolean {
  return account.role === 'admin' || account.canReadMyNumber;
}

export interface LockoutPolicy {
  /** Consecutive failed passwords (or second factors) that lock the account. */
  attempts: number;
  /** How long a lock lasts. */
  minutes: number;
}

/** After a failure: the new count, and until when the account is locked (when this failure reaches the limit). */
export function afterFailure(failedAttempts: number, policy: LockoutPolicy, now: Date): { failedAttempts: number; lockedUntil: Date | null } {
  const count = failedAttempts + 1;
  if (count >= policy.attempts) return { failedAttempts: 0, lockedUntil: new Date(now.getTime() + policy.minutes * 60_000) };
  return { failedAttempts: count, lockedUntil: null };
}

/** Field errors for a new account or a changed one (the same messages in the console and the CLI). */
export function accountFieldErrors(a: { login?: string; displayName?: string; role?: string; supplierCode?: string | null; password?: string }): { field: string; message: string }[] {
  const errors: { field: string; message: string }[] = [];
  if (a.login !== undefined && !LOGIN_PATTERN.test(a.login)) errors.push({ field: 'login', message: 'ログインIDは半角英小文字・数字・「.」「_」「-」で2〜64文字にしてください' });
  if (a.displayName !== undefined && !a.displayName.trim()) errors.push({ field: 'displayName', message: '表示名を入力してください' });
  if (a.role !== undefined && !(ROLES as readonly string[]).includes(a.role)) errors.push({ field: 'role', message: `役割は ${ROLES.join(', ')} のいずれかです` });
  if (a.role === 'supplier' && !a.supplierCode) errors.push({ field: 'supplierCode', message: '事業者アカウントには事業者コードが必要です' });
  if (a.role !== undefined && a.role !== 'supplier' && a.supplierCode) errors.push({ field: 'supplierCode', message: '事業者コードは事業者アカウントにだけ設定できます' });
  if (a.password !== undefined && a.password.length < MIN_PASSWORD_LENGTH) errors.push({ field: 'password', message: `パスワードは${MIN_PASSWORD_LENGTH}文字以上にしてください` });
  return errors;
}
