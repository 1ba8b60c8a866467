import { Migration } from '@mikro-orm/migrations';

/**
 * MYNUM-5 (特記12): a destruction's prior application carries its planned date (the destruction is
 * carried out on that day, not before) and may name physical media (paper, USB, …) destroyed by a
 * person, whose record (method, who, when, witness, certificate) is added to it. MYNUM-4: a handover
 * names the MYNUM-2 export it carried. At the end of the contract the city directs, per donation
 * year, whether the one-stop 特定個人情報 is returned or destroyed; the direction is recorded with the
 * destruction (purpose contract_end) it opens on the same path as REC-1's.
 */
export class Migration20261207101742_mynum5_planned_media extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      alter table retention_destructions
        add column planned_on date null,
        add column physical_media jsonb not null default '[]'::jsonb,
        add column physical_records jsonb not null default '[]'::jsonb,
        add column purpose text not null default 'retention' check (purpose in ('retention', 'contract_end'));
      alter table mynumber_handovers add column export_id uuid null references mynumber_exports (id) on delete restrict;
      create table mynumber_contract_ends (
        id uuid primary key,
        directions jsonb not null,
        reason text not null check (char_length(reason) between 1 and 500),
        directed_by text not null,
        directed_at timestamptz not null default now(),
        destruction_id uuid not null references retention_destructions (id) on delete restrict
      );
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`
      drop table mynumber_contract_ends;
      alter table mynumber_handovers drop column export_id;
      alter table retention_destructions drop column purpose, drop column physical_records, drop column physical_media, drop column planned_on;
    `);
  }
}
