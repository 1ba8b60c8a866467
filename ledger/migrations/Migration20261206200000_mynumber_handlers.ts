import { Migration } from '@mikro-orm/migrations';

/**
 * MYNUM-1: the register of people who may handle 特定個人情報 (作業責任者 and 作業従事者, dispatched
 * staff flagged), with the dates the city was told and approved, the pledge and the training, and
 * every refused attempt to read a 個人番号 (who, which application, why refused; never the number).
 */
export class Migration20261206200000_mynumber_handlers extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table mynumber_handlers (
        actor text primary key,
        name text not null,
        kind text not null check (kind in ('responsible', 'handler')),
        dispatched boolean not null default false,
        city_notified_on date,
        city_approved_on date,
        city_approved_by text,
        pledge_signed_on date,
        pledge_file text,
        trained_on date,
        valid_until date,
        removed_on date,
        registered_by text not null,
        registered_at timestamptz not null default now(),
        updated_by text not null,
        updated_at timestamptz not null default now()
      );
      create table my_number_access_refusals (
        id bigserial primary key,
        application_id uuid not null,
        actor text not null,
        role text not null,
        source text not null,
        reason_given text not null,
        refusal text not null,
        refused_at timestamptz not null default now()
      );
      create index my_number_access_refusals_actor on my_number_access_refusals (actor, refused_at);
    `);
  }
}
