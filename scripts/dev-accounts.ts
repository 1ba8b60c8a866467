import type { EntityManager } from '@mikro-orm/postgresql';
import { addAccount, findAccount } from '../ledger/console-accounts';
import { createSupplier, decideSupplier, findSupplier } from '../ledger/suppliers';
import type { MyNumberKeyring, Role } from '../config/env';

/**
 * Outside production only (`npm start` calls this when NODE_ENV ≠ production): one console account
 * per role, with well-known passwords, and the supplier the dev-supplier account is bound to. Safe to
 * run at every start: what exists is left alone. In production nothing is seeded and none of these exist.
 */
export const DEV_SUPPLIER_CODE = 'DEV-S01';
/** The dev admin's TOTP secret (base32), printed at start so a developer can add it to an authenticator app. */
export const DEV_ADMIN_TOTP_SECRET = 'FURUSATOOPSDEVADMINTOTPSECRET234';

const DEV_ACCOUNTS: { login: string; role: Role; displayName: string }[] = [
  { login: 'dev-operator', role: 'operator', displayName: '開発用 オペレーター' },
  { login: 'dev-city', role: 'city', displayName: '開発用 市職員' },
  { login: 'dev-supplier', role: 'supplier', displayName: '開発用 事業者' },
  { login: 'dev-admin', role: 'admin', displayName: '開発用 管理者' },
];

export const devPassword = (role: Role) => `dev-${role}-password`;

export async function seedDevAccounts(em: EntityManager, keyring: MyNumberKeyring): Promise<string> {
  if (!(await findSupplier(em, DEV_SUPPLIER_CODE))) {
    await createSupplier(em, { code: DEV_SUPPLIER_CODE, name: '開発用 柳川サンプル事業者', shippingWeekdays: [1, 4] }, 'system:dev');
    // GIFT-4: on a developer machine the city's approval of the sample supplier is taken as given.
    await decideSupplier(em, DEV_SUPPLIER_CODE, { approve: true, reason: '開発用' }, 'system:dev');
  }
  const knex = em.getKnex();
  for (const a of DEV_ACCOUNTS) {
    if (await findAccount(knex, a.login)) continue;
    await addAccount(
      knex,
      { ...a, password: devPassword(a.role), supplierCode: a.role === 'supplier' ? DEV_SUPPLIER_CODE : null, totpSecret: a.role === 'admin' ? DEV_ADMIN_TOTP_SECRET : undefined },
      'system:dev-seed',
      keyring,
    );
  }
  return `${DEV_ACCOUNTS.map((a) => `${a.login} / ${devPassword(a.role)}`).join('  ')}  (dev-admin TOTP secret ${DEV_ADMIN_TOTP_SECRET})`;
}
