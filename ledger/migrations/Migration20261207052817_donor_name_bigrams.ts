import { Migration } from '@mikro-orm/migrations';

/**
 * LEDGER-2 / the console's `?q=<name>` (issue 16): the donor filter (part of the name or kana) made
 * indexable. pg_trgm cannot serve it: under the ledger's C collation it finds no trigrams in
 * Japanese text (show_trgm('柳川 花子') is empty), and a two-character surname has no trigram
 * anyway. Instead a GIN index over the distinct two-character pieces (bigrams) of
 * "name kana": a search text of two characters or more finds its candidates as the donors whose
 * bigrams contain all of the text's, and LIKE confirms each (ledger/search.ts applyFilters).
 */
export class Migration20261207052817_donor_name_bigrams extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create function donor_name_bigrams(t text) returns text[] language sql immutable strict parallel safe as $$
        select coalesce(array_agg(distinct substr(t, i, 2)), '{}'::text[]) from generate_series(1, char_length(t) - 1) as i
      $$;
      create index donors_name_bigrams_idx on donors using gin (donor_name_bigrams(name || ' ' || name_kana));
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`
      drop index donors_name_bigrams_idx;
      drop function donor_name_bigrams(text);
    `);
  }
}
