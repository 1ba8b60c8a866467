import { Migration } from '@mikro-orm/migrations';

/**
 * CONTRACT-3: the register of subcontractors with the city's prior written approval, and every
 * hand-off of personal data it refused (one row per recipient and subject, attempts counted).
 */
export class Migration20261207004100_subcontractors extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table subcontractors (
        code text primary key check (code ~ '^[a-z0-9][a-z0-9-]{1,39}$'),
        name text not null,
        reason text not null,
        work text not null,
        data_passed text[] not null check (data_passed <@ array['donor_personal', 'my_number']::text[]),
        safeguards text not null,
        city_approved_on date,
        city_approved_by text,
        approval_document text,
        revoked_on date,
        revoked_by text,
        revocation_reason text,
        registered_by text not null,
        registered_at timestamptz not null default now(),
        updated_by text not null,
        updated_at timestamptz not null default now()
      );
      create table subcontractor_handoff_refusals (
        id bigserial primary key,
        code text not null,
        subject text not null,
        data_kind text not null,
        refusal text not null,
        attempts integer not null default 1,
        first_refused_at timestamptz not null default now(),
        last_refused_at timestamptz not null default now(),
        constraint subcontractor_handoff_refusals_unique unique (code, subject)
      );
    `);
  }
}
