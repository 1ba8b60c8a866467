import { Migration } from '@mikro-orm/migrations';

/**
 * INTAKE-4's likely-duplicate probe starts from the donor, not the portal.
 * Probing (portal, amount, ±48 h) per other portal read every donation of a
 * common amount in the window — thousands a day in December, and in the import
 * benchmark a cost per row that grew with the file (pg_stat_statements: 230 ms
 * a batch at 20,000 rows, 4.7 M blocks). Same kana at the same postal code is a
 * handful of donor rows; their donations of that amount in the window are an
 * index range each.
 * - donors (postal code, kana without spaces): the probe's own key.
 * - donations (donor_id, amount_yen, applied_at) replaces (donor_id) include
 *   (amount_yen): lookups and amount sums by donor read it as before.
 * - (portal_code, amount_yen, applied_at) served only the old probe.
 */
export class Migration20261126940000_duplicate_probe extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create index donors_postal_kana_key_idx on donors (postal_code, (replace(name_kana, ' ', '')));
      create index donations_donor_amount_applied_idx on donations (donor_id, amount_yen, applied_at);
      drop index donations_donor_cover_idx;
      drop index donations_portal_amount_applied_idx;
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`
      create index donations_portal_amount_applied_idx on donations (portal_code, amount_yen, applied_at);
      create index donations_donor_cover_idx on donations (donor_id) include (amount_yen);
      drop index donations_donor_amount_applied_idx;
      drop index donors_postal_kana_key_idx;
    `);
  }
}
