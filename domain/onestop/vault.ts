import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { MyNumberKeyring } from './keyring';
import { normalizeMyNumber } from './my-number';

/**
 * SEC-1: 個人番号 sealed with AES-256-GCM. Layout: version byte, 12-byte IV,
 * 16-byte tag, ciphertext. The application id is the additional authenticated
 * data, so a sealed number copied onto another application does not open.
 */
export interface SealedMyNumber {
  keyId: string;
  sealed: Buffer;
}

const VERSION = 1;

export class MyNumberUnreadableError extends Error {
  override name = 'MyNumberUnreadableError';
}

export function sealMyNumber(keyring: MyNumberKeyring, applicationId: string, myNumber: string): SealedMyNumber {
  return sealText(keyring, applicationId, normalizeMyNumber(myNumber));
}

/** Errors say which key and application, never anything about the content. */
export function openMyNumber(keyring: MyNumberKeyring, applicationId: string, sealed: SealedMyNumber): string {
  return openText(keyring, applicationId, sealed, `sealed number of application ${applicationId}`);
}

/**
 * The same sealing for any other short secret kept at rest (the console's TOTP secrets): AES-256-GCM
 * under the keyring's active key, `context` as the additional authenticated data (a sealed value
 * copied onto another row does not open). `what` names the value in errors, never its content.
 */
export function sealText(keyring: MyNumberKeyring, context: string, text: string): SealedMyNumber {
  const key = keyring.keys.get(keyring.activeKeyId)!;
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ct = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
  return { keyId: keyring.activeKeyId, sealed: Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), ct]) };
}

export function openText(keyring: MyNumberKeyring, context: string, { keyId, sealed }: SealedMyNumber, what = `sealed value of ${context}`): string {
  const key = keyring.keys.get(keyId);
  if (!key) throw new MyNumberUnreadableError(`key ${keyId} is not configured (MY_NUMBER_KEYS)`);
  if (sealed[0] !== VERSION || sealed.length < 29) throw new MyNumberUnreadableError(`${what} has an unknown layout`);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(1, 13));
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(sealed.subarray(13, 29));
    return Buffer.concat([decipher.update(sealed.subarray(29)), decipher.final()]).toString('utf8');
  } catch {
    throw new MyNumberUnreadableError(`${what} failed authentication (wrong key or tampered)`);
  }
}
