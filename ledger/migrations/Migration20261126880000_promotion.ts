import { Migration } from '@mikro-orm/migrations';

/**
 * Promotion campaigns (PR-1, BILL-5), shared by billing and the monthly report:
 * - BILL-5 bills advertising only when the city approved it beforehand, so a
 *   campaign carries its approval and the month its cost is invoiced in.
 * - PR-1 judges a campaign by the donations it brought: those applied for in
 *   its period on its portals (all when empty) for its gifts (all when empty).
 */
export class Migration20261126880000_promotion extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table promotion_campaigns (
        id uuid primary key,
        code text not null unique,
        name text not null,
        medium text not null default '',
        portal_codes text[] not null default '{}',
        gift_codes text[] not null default '{}',
        starts_on date not null,
        ends_on date not null,
        cost_yen integer not null check (cost_yen >= 0),
        billed_month date not null check (extract(day from billed_month) = 1),
        status text not null default 'proposed' check (status in ('proposed', 'approved', 'rejected')),
        proposed_by text not null,
        proposed_at timestamptz not null default now(),
        decided_by text null,
        decided_at timestamptz null,
        decision_note text null,
        constraint promotion_campaigns_period check (ends_on >= starts_on),
        constraint promotion_campaigns_decision check ((status = 'proposed') = (decided_at is null))
      );
      create index promotion_campaigns_billed_idx on promotion_campaigns (billed_month) where status = 'approved';
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table promotion_campaigns;`);
  }
}
