import { Migration } from '@mikro-orm/migrations';

/**
 * GIFT-4: the city decides suppliers (proposed → approved | rejected, who/when/reason); suppliers registered
 * before the step count as approved. GIFT-6 (spec 7(9)ウ): supplier-recruitment briefings (説明会) with their
 * date, place and attendees (would-be and current suppliers).
 */
export class Migration20261207015213_supplier_recruitment extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      alter table suppliers
        add column approval_status text not null default 'approved' check (approval_status in ('proposed', 'approved', 'rejected')),
        add column proposed_by text null,
        add column proposed_at timestamptz null,
        add column decided_by text null,
        add column decided_at timestamptz null,
        add column decision_reason text null;
      alter table suppliers add constraint suppliers_rejection_has_reason check (approval_status <> 'rejected' or decision_reason is not null);

      create table supplier_briefings (
        id uuid primary key,
        held_on date not null,
        place text not null,
        title text not null,
        notes text null,
        recorded_by text not null,
        recorded_at timestamptz not null default now()
      );
      create index supplier_briefings_held_on_idx on supplier_briefings (held_on);

      create table supplier_briefing_attendees (
        id serial primary key,
        briefing_id uuid not null references supplier_briefings (id) on update cascade on delete cascade,
        seq integer not null,
        name text not null,
        contact_person text null,
        contact text null,
        supplier_code text null,
        interested boolean not null default false,
        constraint supplier_briefing_attendees_seq_unique unique (briefing_id, seq)
      );
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`
      drop table supplier_briefing_attendees;
      drop table supplier_briefings;
      alter table suppliers drop constraint suppliers_rejection_has_reason;
      alter table suppliers drop column approval_status, drop column proposed_by, drop column proposed_at, drop column decided_by, drop column decided_at, drop column decision_reason;
    `);
  }
}
