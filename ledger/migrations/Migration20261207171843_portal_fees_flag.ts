import { Migration } from '@mikro-orm/migrations';

/**
 * PORTAL-6 and BILL-5: the portal's fees flag is the ledger's too (portals.no_base_fee), so a portal declared by
 * a file in PORTAL_MAPPINGS_DIR (domain/portals/declared.ts) carries it without code; the catalogue's two portals
 * without a base fee (さとふる, the city's own site) get it here.
 */
export class Migration20261207171843_portal_fees_flag extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      alter table portals add column no_base_fee boolean not null default false;
      update portals set no_base_fee = true where code in ('satofull', 'city');
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table portals drop column no_base_fee;`);
  }
}
