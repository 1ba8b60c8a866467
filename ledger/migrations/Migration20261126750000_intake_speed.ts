import { Migration } from '@mikro-orm/migrations';

/**
 * Intake speed (issue 2): registration's two look-ups stay index probes however
 * many donations and donors the ledger holds.
 * - A repeat donor is found by name, kana, postal code and address; (postal code,
 *   address) is selective where name or kana alone are not (common names, one
 *   family at many addresses).
 * - INTAKE-4's likely-duplicate search asks for the same amount on the *other*
 *   portals within ±48 h: one range per portal instead of every donation of that
 *   amount in the window.
 */
export class Migration20261126750000_intake_speed extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create index donors_postal_address_idx on donors (postal_code, address);
      create index donations_portal_amount_applied_idx on donations (portal_code, amount_yen, applied_at);
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`
      drop index donations_portal_amount_applied_idx;
      drop index donors_postal_address_idx;
    `);
  }
}
