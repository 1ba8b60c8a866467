import { Migration } from '@mikro-orm/migrations';

/**
 * An import puts the whole file into the ledger first and starts the
 * donations' workflows after (ledger/intake.ts): `registered_at` is when the
 * last row was in the ledger or the quarantine — PORTAL-1's clock — and
 * `finished_at` stays "every workflow started". Files that finished before
 * were registered when they finished.
 */
export class Migration20261126950000_import_ledger_first extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      alter table import_files add column registered_at timestamptz null;
      update import_files set registered_at = finished_at where status = 'done';
    `);
  }

  override async down(): Promise<void> {
    this.addSql('alter table import_files drop column registered_at;');
  }
}
