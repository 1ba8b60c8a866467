import { Migration } from '@mikro-orm/migrations';

/**
 * GIFT-3 (spec 7(9)ウ): a supplier briefing is a recruitment briefing (募集説明会, every row so far), a
 * success-case meeting (成功事例報告会, with the cases presented: supplier code and title) or a quality
 * training or guidance session (品質向上研修・指導).
 */
export class Migration20261207194127_briefing_kinds extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      alter table supplier_briefings
        add column kind text not null default 'recruitment' check (kind in ('recruitment', 'success_cases', 'quality_training')),
        add column cases jsonb not null default '[]'::jsonb check (jsonb_typeof(cases) = 'array');
      alter table supplier_briefings add constraint supplier_briefings_cases_kind check (kind = 'success_cases' or cases = '[]'::jsonb);
      create index supplier_briefings_kind_held_on_idx on supplier_briefings (kind, held_on);
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`
      drop index supplier_briefings_kind_held_on_idx;
      alter table supplier_briefings drop constraint supplier_briefings_cases_kind;
      alter table supplier_briefings drop column cases, drop column kind;
    `);
  }
}
