import type { MyNumberKeyring } from '../domain/onestop/keyring';

/**
 * What a migration may need from the configuration besides SQL: migrate() is handed it by the
 * process that runs the migrations (config read in config/, passed down) and the migrations read
 * it here. Today: the keyring that seals the console's TOTP secrets (Migration20261207041356).
 */
export interface MigrationContext {
  myNumberKeys?: MyNumberKeyring;
}

let current: MigrationContext = {};

export const setMigrationContext = (c: MigrationContext): void => {
  current = c;
};

export const migrationContext = (): MigrationContext => current;
