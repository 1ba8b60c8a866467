/**
 * `npm run users -- <command>`: console accounts from the command line (issue 16, SEC-2), the same
 * ledger functions as the console's アカウント管理 page, recorded with actor cli:<OS user>.
 *
 *   add <login> --role operator|city|supplier|admin --name <表示名> [--supplier <事業者コード>] [--my-number] [--password-stdin]
 *   disable <login>
 *   reset <login> [--new-totp] [--password-stdin]      new password; unlocks and re-enables
 *   list
 *
 * Without --password-stdin a random password is made and printed once. Accounts that need a second
 * factor (admins, --my-number) get a TOTP secret, printed once with its otpauth:// URI.
 * Reads DATABASE_URL; outside production without it, the dev stack's embedded PostgreSQL (npm start running).
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { generateURI } from 'otplib';
import { ConfigError, loadConfig, requireMyNumberKeys, ROLES, type MyNumberKeyring, type Role } from '../config/env';
import { AccountError, addAccount, disableAccount, listAccounts, resetAccount } from '../ledger/console-accounts';
import { createOrm } from '../ledger/orm';
import type { Knex } from '@mikro-orm/postgresql';

const USAGE = `usage: npm run users -- add <login> --role ${ROLES.join('|')} --name <表示名> [--supplier <code>] [--my-number] [--password-stdin]
       npm run users -- disable <login>
       npm run users -- reset <login> [--new-totp] [--password-stdin]
       npm run users -- list`;

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** One command of `npm run users`, on an open ledger; what it prints goes to `print`. */
export async function runUsers(args: string[], knex: Knex, keyring: MyNumberKeyring, print: (line: string) => void, readPassword: () => Promise<string> = readStdin): Promise<void> {
  const [command, login, ...rest] = args;
  if (!command || (command !== 'list' && !login)) throw new ConfigError(USAGE);
  const actor = `cli:${os.userInfo().username}`;
  const password = async () => (rest.includes('--password-stdin') ? readPassword() : randomBytes(18).toString('base64url'));
  const printSecret = (who: string, secret: string | null) => {
    if (!secret) return;
    print(`TOTP secret (shown once): ${secret}`);
    print(`  ${generateURI({ secret, label: who, issuer: '柳川市ふるさと納税' })}`);
  };
  if (command === 'list') {
    for (const a of await listAccounts(knex)) {
      const state = a.disabled ? 'disabled' : a.lockedUntil && a.lockedUntil > new Date() ? `locked until ${a.lockedUntil.toISOString()}` : 'active';
      print(`${a.login}\t${a.role}${a.supplierCode ? `:${a.supplierCode}` : ''}\t${a.displayName}\t${state}${a.hasSecondFactor ? '\ttotp' : ''}`);
    }
  } else if (command === 'add') {
    const pw = await password();
    const { account, totpSecret } = await addAccount(
      knex,
      { login, role: option(rest, '--role') as Role, displayName: option(rest, '--name') ?? '', supplierCode: option(rest, '--supplier') ?? null, canReadMyNumber: rest.includes('--my-number'), password: pw },
      actor,
      keyring,
    );
    print(`added ${account.login} (${account.role})`);
    if (!rest.includes('--password-stdin')) print(`password (shown once): ${pw}`);
    printSecret(account.login, totpSecret);
  } else if (command === 'disable') {
    await disableAccount(knex, login, actor);
    print(`disabled ${login}`);
  } else if (command === 'reset') {
    const pw = await password();
    const { totpSecret } = await resetAccount(knex, login, pw, actor, keyring, { newSecondFactor: rest.includes('--new-totp') });
    print(`reset ${login}: unlocked and enabled`);
    if (!rest.includes('--password-stdin')) print(`password (shown once): ${pw}`);
    printSecret(login, totpSecret);
  } else {
    throw new ConfigError(USAGE);
  }
}

async function main(): Promise<void> {
  const config = loadConfig();
  const url = config.database.url ?? (config.production ? undefined : `postgres://furusato:furusato@127.0.0.1:${config.database.embeddedPort}/furusato`);
  if (!url) throw new ConfigError('users needs DATABASE_URL in production');
  const orm = await createOrm(url, { poolMax: 2 });
  try {
    await runUsers(process.argv.slice(2), orm.em.getKnex(), requireMyNumberKeys(config), (line) => console.log(line));
  } finally {
    await orm.close();
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err instanceof ConfigError || err instanceof AccountError ? err.message : err);
    process.exit(1);
  });
}
