import { Migration } from '@mikro-orm/migrations';

/**
 * ONESTOP-3: the city's approval of electronic one-stop applications (who, when, which services, until
 * when), its revocation, and the approvals it replaced. At most one approval is open (not ended) at a time.
 */
export class Migration20261207031742_online_intake_approval extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table onestop_online_intake_approvals (
        id bigserial primary key,
        services text[] not null check (cardinality(services) > 0),
        valid_until date,
        note text,
        approved_by text not null,
        approved_at timestamptz not null default now(),
        ended_at timestamptz,
        ended_by text,
        end_kind text check (end_kind in ('revoked', 'superseded')),
        end_reason text,
        check ((ended_at is null) = (end_kind is null))
      );
      create unique index onestop_online_intake_approvals_one_open on onestop_online_intake_approvals ((true)) where ended_at is null;
    `);
  }
}
