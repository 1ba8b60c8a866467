import { Migration } from '@mikro-orm/migrations';

/**
 * LEDGER-2/3 at a million donations (issue 7 part 4; plans in docs/features/donation.md).
 * Totals are counted up to 20,000 matches (ledger/search.ts): these indexes let that count read
 * index entries only (amount_yen INCLUDEd) instead of fetching a heap page per donation, and let
 * the filters that come from another table drive from that table's index.
 * Replaced, not kept beside: an index whose leading columns another one here repeats serves no
 * query the wider one does not, and every index is paid again on each donation written.
 * - (applied_at, id) + amount: the result order, keyset cursor, date-range counts (replaces the
 *   plain applied_at and (applied_at, id) indexes).
 * - (status, applied_at, id) + amount: one status read newest first, status counts (replaces status).
 * - paid_at + amount (replaces paid_at).
 * - donor_id + amount: "donations of donors in 福岡県 / with kana ヤナガ…" counts from the donor side
 *   (replaces donor_id, which lookups by donor still use as its leading column).
 * - partial indexes for the small sets: review-flagged (+ a GIN on which flag), disaster relief.
 * - donors (prefecture, id): the prefecture semijoin reads donor ids without visiting donors.
 * - onestop applications (status, donation_id): "applications in state X" drives the semijoin.
 */
export class Migration20261126920000_search_scale extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create index donations_applied_cover_idx on donations (applied_at, id) include (amount_yen);
      drop index donations_applied_id_idx;
      drop index donations_applied_at_idx;
      create index donations_status_applied_idx on donations (status, applied_at, id) include (amount_yen);
      drop index donations_status_idx;
      create index donations_paid_cover_idx on donations (paid_at) include (amount_yen) where paid_at is not null;
      drop index donations_paid_at_idx;
      create index donations_donor_cover_idx on donations (donor_id) include (amount_yen);
      drop index donations_donor_idx;
      create index donations_flagged_cover_idx on donations (applied_at, id) include (amount_yen) where review_flags <> '[]'::jsonb;
      drop index donations_flagged_idx;
      create index donations_review_flags_gin on donations using gin (review_flags jsonb_path_ops) where review_flags <> '[]'::jsonb;
      create index donations_relief_idx on donations (applied_at, id) include (amount_yen) where disaster_relief;
      create index donors_prefecture_id_idx on donors (prefecture, id);
      drop index donors_prefecture_idx;
      create index onestop_applications_status_donation_idx on onestop_applications (status, donation_id);
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`
      drop index onestop_applications_status_donation_idx;
      create index donors_prefecture_idx on donors (prefecture);
      drop index donors_prefecture_id_idx;
      drop index donations_relief_idx;
      drop index donations_review_flags_gin;
      create index donations_flagged_idx on donations (applied_at) where review_flags <> '[]'::jsonb;
      drop index donations_flagged_cover_idx;
      create index donations_donor_idx on donations (donor_id);
      drop index donations_donor_cover_idx;
      create index donations_paid_at_idx on donations (paid_at) where paid_at is not null;
      drop index donations_paid_cover_idx;
      create index donations_status_idx on donations (status);
      drop index donations_status_applied_idx;
      create index donations_applied_at_idx on donations (applied_at);
      create index donations_applied_id_idx on donations (applied_at, id);
      drop index donations_applied_cover_idx;
    `);
  }
}
