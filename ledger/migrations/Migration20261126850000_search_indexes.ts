import { Migration } from '@mikro-orm/migrations';

/**
 * LEDGER-2/3 (issue 7 part 4): search and CSV export over a million donations.
 * - (applied_at, id): the result order and the keyset cursor, so a page and each export
 *   batch are an index range scan rather than a sort of the whole result.
 * - paid_at: the paid-date range filter.
 * - gift lines by gift code: "donations with this gift" starts from the gift.
 * - donors by prefecture: the prefecture filter joins from few donors.
 * - review flags: flagged donations are few; a partial index finds them.
 */
export class Migration20261126850000_search_indexes extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create index donations_applied_id_idx on donations (applied_at, id);
      create index donations_paid_at_idx on donations (paid_at) where paid_at is not null;
      create index donation_gift_lines_gift_idx on donation_gift_lines (gift_code, donation_id);
      create index donors_prefecture_idx on donors (prefecture);
      create index donations_flagged_idx on donations (applied_at) where review_flags <> '[]'::jsonb;
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`
      drop index donations_flagged_idx;
      drop index donors_prefecture_idx;
      drop index donation_gift_lines_gift_idx;
      drop index donations_paid_at_idx;
      drop index donations_applied_id_idx;
    `);
  }
}
