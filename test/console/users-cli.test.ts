import { loadConfig, requireMyNumberKeys } from '../../config/env';
import { createOrm, type Orm } from '../../ledger/orm';
import { checkPassword, findAccount } from '../../ledger/console-accounts';
import { runUsers } from '../../scripts/users';
import { DEV_ADMIN_TOTP_SECRET, DEV_SUPPLIER_CODE, seedDevAccounts } from '../../scripts/dev-accounts';
import { isolatedDatabase } from '../support/context';

/** Issue 16: `npm run users -- add|disable|reset|list` and the launcher's dev accounts, on a database of their own. */
let db: { url: string; drop(): Promise<void> };
let orm: Orm;
const policy = { attempts: 5, minutes: 15 };
const keyring = requireMyNumberKeys(loadConfig({}));

beforeAll(async () => {
  db = await isolatedDatabase('console_users');
  orm = await createOrm(db.url, { poolMax: 2 });
});

afterAll(async () => {
  await orm?.close();
  await db?.drop();
});

async function run(...args: string[]): Promise<string[]> {
  const out: string[] = [];
  await runUsers(args, orm.em.getKnex(), keyring, (l) => out.push(l), async () => 'a-password-from-stdin');
  return out;
}

test('add prints a one-time password (and a TOTP secret where one is needed); disable and reset work; every change is recorded as cli:<user>', async () => {
  const knex = orm.em.getKnex();
  const added = await run('add', 'tanaka', '--role', 'operator', '--name', '田中 花子');
  expect(added[0]).toBe('added tanaka (operator)');
  const password = /^password \(shown once\): (\S+)$/.exec(added[1]!)![1]!;
  expect((await checkPassword(knex, 'tanaka', password, policy, null)).ok).toBe(true);

  const admin = await run('add', 'root', '--role', 'admin', '--name', '管理者', '--password-stdin');
  expect(admin).toEqual(['added root (admin)', expect.stringMatching(/^TOTP secret \(shown once\): [A-Z2-7]+$/), expect.stringContaining('otpauth://totp/')]);

  await expect(run('add', 'bad login', '--role', 'operator', '--name', 'x')).rejects.toThrow(/login/);
  await expect(run('add', 'farm', '--role', 'supplier', '--name', '農園')).rejects.toThrow(/supplierCode/);

  expect(await run('disable', 'tanaka')).toEqual(['disabled tanaka']);
  expect((await checkPassword(knex, 'tanaka', password, policy, null)).ok).toBe(false);
  expect(await run('reset', 'tanaka', '--password-stdin')).toEqual(['reset tanaka: unlocked and enabled']);
  expect((await checkPassword(knex, 'tanaka', 'a-password-from-stdin', policy, null)).ok).toBe(true);

  const list = await run('list');
  expect(list).toEqual([expect.stringMatching(/^root\tadmin\t管理者\tactive\ttotp$/), expect.stringMatching(/^tanaka\toperator\t田中 花子\tactive$/)]);
  const actions = (await knex.raw(`select a.login, e.action, e.actor from console_account_events e join console_accounts a on a.id = e.account_id order by e.id`)).rows;
  expect(actions.map((r: { login: string; action: string }) => `${r.login}:${r.action}`)).toEqual(['tanaka:created', 'root:created', 'tanaka:disabled', 'tanaka:reset']);
  expect(new Set(actions.map((r: { actor: string }) => r.actor.replace(/:.*/, '')))).toEqual(new Set(['cli']));
});

test('the dev launcher seeds one account per role, the supplier bound to a seeded supplier, idempotently', async () => {
  const line = await seedDevAccounts(orm.em.fork(), keyring);
  expect(line).toContain('dev-operator / dev-operator-password');
  expect(line).toContain(DEV_ADMIN_TOTP_SECRET);
  await seedDevAccounts(orm.em.fork(), keyring);
  const knex = orm.em.getKnex();
  expect((await findAccount(knex, 'dev-supplier'))).toMatchObject({ role: 'supplier', supplierCode: DEV_SUPPLIER_CODE });
  expect((await findAccount(knex, 'dev-admin'))).toMatchObject({ role: 'admin', hasSecondFactor: true });
  for (const role of ['operator', 'city', 'supplier', 'admin']) expect((await checkPassword(knex, `dev-${role}`, `dev-${role}-password`, policy, null)).ok).toBe(true);
});
