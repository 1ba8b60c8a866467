import { Migration } from '@mikro-orm/migrations';

/**
 * The planner sizes a name search from the statistics ANALYZE keeps for donors_name_bigrams_idx's
 * expression. An index made on a full ledger has none until autovacuum next analyzes donors, which
 * waits for enough changed rows: meanwhile a common name (花子: 30,000 of a million's donors) was
 * guessed at 170 donors and searched the slow way. Gathering them once, here, closes that gap.
 */
export class Migration20261207020100_donor_bigram_statistics extends Migration {
  override async up(): Promise<void> {
    this.addSql('analyze donors');
  }

  override async down(): Promise<void> {
    // Statistics are not schema: nothing to undo.
  }
}
