import type { MyNumberKeyring } from '../onestop/keyring';
import { openText, sealText, type SealedMyNumber } from '../onestop/vault';

/**
 * SEC-2 with SEC-1's sealing: a console account's TOTP secret is kept sealed at rest with the
 * 個人番号 keyring (MY_NUMBER_KEYS, AES-256-GCM, domain/onestop/vault.ts), bound to the account's
 * login (a sealed secret copied onto another account does not open). The plain secret exists only
 * in memory, when made (shown once) and when a code is checked.
 */
const context = (login: string) => `console_accounts.totp:${login}`;

export type SealedTotpSecret = SealedMyNumber;

export const sealTotpSecret = (keyring: MyNumberKeyring, login: string, secret: string): SealedTotpSecret => sealText(keyring, context(login), secret);

export const openTotpSecret = (keyring: MyNumberKeyring, login: string, sealed: SealedTotpSecret): string => openText(keyring, context(login), sealed, `TOTP secret of console account ${login}`);
