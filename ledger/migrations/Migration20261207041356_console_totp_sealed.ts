import { Migration } from '@mikro-orm/migrations';
import { sealTotpSecret } from '../../domain/console/totp-seal';
import { migrationContext } from '../migration-context';

/**
 * The console's TOTP secrets sealed at rest (SEC-2 with SEC-1's keyring): totp_sealed (AES-256-GCM,
 * domain/console/totp-seal.ts) and the key it was sealed with replace the plain totp_secret column.
 * Secrets already stored are sealed here with the keyring migrate() was handed (MY_NUMBER_KEYS);
 * without one, a ledger holding plain secrets stops with a message rather than losing them.
 */
export class Migration20261207041356_console_totp_sealed extends Migration {
  override async up(): Promise<void> {
    await this.execute(`alter table console_accounts add column totp_sealed bytea null, add column totp_key_id text null`);
    await this.execute(`alter table console_accounts add constraint console_accounts_totp_sealed_key check ((totp_sealed is null) = (totp_key_id is null))`);
    const plain = (await this.execute(`select id, login, totp_secret from console_accounts where totp_secret is not null order by id`)) as { id: number; login: string; totp_secret: string }[];
    const keyring = migrationContext().myNumberKeys;
    if (plain.length && !keyring) throw new Error(`${plain.length} console TOTP secret(s) are stored plain and no MY_NUMBER_KEYS keyring was handed to migrate(): cannot seal them`);
    for (const r of plain) {
      const { keyId, sealed } = sealTotpSecret(keyring!, r.login, r.totp_secret);
      await this.execute(`update console_accounts set totp_sealed = ?, totp_key_id = ? where id = ?`, [sealed, keyId, r.id]);
    }
    await this.execute(`alter table console_accounts drop constraint console_accounts_second_factor`);
    await this.execute(`alter table console_accounts drop column totp_secret`);
    await this.execute(`alter table console_accounts add constraint console_accounts_second_factor check (totp_sealed is not null or (role <> 'admin' and not can_read_my_number))`);
  }
}
