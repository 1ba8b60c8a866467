import { randomUUID } from 'node:crypto';
import { generateSecret, generateSync } from 'otplib';
import { loadConfig, requireMyNumberKeys } from '../../config/env';
import { addAccount, checkSecondFactor, hashPassword, resetAccount } from '../../ledger/console-accounts';
import { MIGRATIONS } from '../../ledger/migrations';
import { createOrm, migrate, type Orm } from '../../ledger/orm';
import { required } from '../support/context';

/**
 * Issue 16: the console's TOTP secrets are sealed at rest with the 個人番号 keyring. A ledger from
 * before (plain secrets) is sealed by the migration; the column holds no plain secret; codes still
 * sign in. On a database of its own, migrated to just before the sealing migration.
 */
const SEALING = 'Migration20261207041356_console_totp_sealed';
const keyring = requireMyNumberKeys(loadConfig({}));
const policy = { attempts: 5, minutes: 15 };
let admin: Orm;
let orm: Orm;
let name: string;

beforeAll(async () => {
  const base = required('TEST_DATABASE_URL');
  name = `console_totp_${randomUUID().slice(0, 8)}`;
  admin = await createOrm(base, { poolMax: 1 });
  await admin.em.getKnex().raw(`create database ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  orm = await createOrm(url.toString(), { poolMax: 2 });
  const before = MIGRATIONS[MIGRATIONS.findIndex((m) => m.name === SEALING) - 1].name;
  await orm.getMigrator().up({ to: before });
});

afterAll(async () => {
  await orm?.close();
  await admin?.em.getKnex().raw(`drop database if exists ${name} with (force)`);
  await admin?.close();
});

test('the migration seals the plain secrets already stored (refusing without a keyring); sign-in with a code still works; new secrets are stored sealed', async () => {
  const knex = orm.em.getKnex();
  const secret = generateSecret();
  const [{ id }] = (
    await knex.raw(`insert into console_accounts (login, display_name, role, password_hash, totp_secret) values ('old-admin', '旧 管理者', 'admin', ?, ?) returning id`, [await hashPassword('pw-old-admin-long-enough'), secret])
  ).rows;

  // Without the keyring the plain secrets cannot be sealed: the migration stops and nothing changes.
  await expect(migrate(orm)).rejects.toThrow(/TOTP secret\(s\) are stored plain/);
  expect((await knex.raw(`select totp_secret from console_accounts where id = ?`, [id])).rows[0].totp_secret).toBe(secret);

  expect(await migrate(orm, { myNumberKeys: keyring })).toContain(SEALING);
  const columns = (await knex.raw(`select column_name from information_schema.columns where table_name = 'console_accounts'`)).rows.map((r: { column_name: string }) => r.column_name);
  expect(columns).not.toContain('totp_secret');
  const row = (await knex.raw(`select totp_sealed, totp_key_id from console_accounts where id = ?`, [id])).rows[0];
  expect(row.totp_key_id).toBe(keyring.activeKeyId);
  expect(Buffer.isBuffer(row.totp_sealed)).toBe(true);
  expect(row.totp_sealed.includes(Buffer.from(secret))).toBe(false);
  expect(row.totp_sealed.toString('latin1')).not.toContain(secret);

  const code = generateSync({ secret });
  expect((await checkSecondFactor(knex, keyring, id, String((Number(code) + 500_000) % 1_000_000).padStart(6, '0'), policy, null)).ok).toBe(false);
  expect(await checkSecondFactor(knex, keyring, id, code, policy, null)).toMatchObject({ ok: true, account: { login: 'old-admin', hasSecondFactor: true } });

  // An account made now, and a new second factor at reset: sealed, and the secret handed over opens the code.
  const made = await addAccount(knex, { login: 'new-admin', displayName: '新 管理者', role: 'admin', password: 'pw-new-admin-long-enough' }, 'test', keyring);
  const reset = await resetAccount(knex, 'old-admin', 'pw-old-admin-renewed-long', 'test', keyring, { newSecondFactor: true });
  for (const [login, s] of [['new-admin', made.totpSecret!], ['old-admin', reset.totpSecret!]] as const) {
    const r = (await knex.raw(`select id, totp_sealed from console_accounts where login = ?`, [login])).rows[0];
    expect(r.totp_sealed.toString('latin1')).not.toContain(s);
    expect((await checkSecondFactor(knex, keyring, r.id, generateSync({ secret: s }), policy, null)).ok).toBe(true);
  }
  // A sealed secret copied onto another account does not open there.
  await knex.raw(`update console_accounts set totp_sealed = (select totp_sealed from console_accounts where login = 'new-admin') where login = 'old-admin'`);
  await expect(checkSecondFactor(knex, keyring, id, generateSync({ secret: made.totpSecret! }), policy, null)).rejects.toThrow(/failed authentication/);
});
