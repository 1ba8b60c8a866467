import { Migration } from '@mikro-orm/migrations';

/**
 * REC-1 for every record, not only the one-stop applications. The proposals share the one-stop
 * destruction table (one proposal, one city decision, one record): `scope` says which kind, and a
 * records proposal lists its items per class. Legal holds stop a record from being proposed
 * (set and cleared by the city or an admin, never deleted); what has been destroyed is marked so
 * that it is never destroyed twice.
 *
 * The append-only logs (donation_events, call_events) stay append-only: the one exception is
 * an approved records destruction overwriting the personal values in the columns the trigger names
 * (before/after, note/detail), inside its own transaction (furusato.rec1_purge = its id, and it
 * must be approved). Every other UPDATE, and every DELETE or TRUNCATE, is refused as before.
 */
export class Migration20261207021437_retention_records extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      alter table retention_destructions
        add column scope text not null default 'onestop' check (scope in ('onestop', 'records')),
        add column items jsonb null,
        add column class_years jsonb null;
      create index retention_destructions_scope_idx on retention_destructions (scope, status);

      create table retention_holds (
        id uuid primary key,
        record_class text not null,
        record_id text not null,
        reason text not null,
        set_by text not null,
        set_at timestamptz not null default now(),
        cleared_by text null,
        cleared_at timestamptz null,
        clear_reason text null,
        constraint retention_holds_cleared check ((cleared_at is null) = (cleared_by is null) and (cleared_at is null) = (clear_reason is null))
      );
      create unique index retention_holds_active_unique on retention_holds (record_class, record_id) where cleared_at is null;

      -- A hold is recorded: never deleted, and changed once only, when it is cleared.
      create function retention_holds_guard() returns trigger language plpgsql as $$
      begin
        if tg_op = 'UPDATE' and old.cleared_at is null and new.cleared_at is not null
           and new.id = old.id and new.record_class = old.record_class and new.record_id = old.record_id
           and new.reason = old.reason and new.set_by = old.set_by and new.set_at = old.set_at then
          return new;
        end if;
        raise exception '% is append-only (% refused)', tg_table_name, tg_op;
      end $$;
      create trigger retention_holds_no_update before update or delete on retention_holds
        for each row execute function retention_holds_guard();

      create table retention_purged (
        record_class text not null,
        record_id text not null,
        destruction_id uuid not null references retention_destructions (id) on delete restrict,
        purged_at timestamptz not null default now(),
        primary key (record_class, record_id)
      );

      -- The trigger's arguments name the columns an approved destruction may overwrite; nothing else changes.
      create function retention_purge_guard() returns trigger language plpgsql as $$
      declare
        purge text := coalesce(current_setting('furusato.rec1_purge', true), '');
      begin
        if tg_op = 'UPDATE' and purge <> ''
           and exists (select 1 from retention_destructions d where d.id::text = purge and d.scope = 'records' and d.status = 'approved')
           and (to_jsonb(new) - tg_argv) = (to_jsonb(old) - tg_argv) then
          return new;
        end if;
        raise exception '% is append-only (% refused)', tg_table_name, tg_op;
      end $$;
      drop trigger donation_events_no_update on donation_events;
      create trigger donation_events_no_update before update or delete on donation_events
        for each row execute function retention_purge_guard('before', 'after');
      drop trigger call_events_no_update on call_events;
      create trigger call_events_no_update before update or delete on call_events
        for each row execute function retention_purge_guard('note', 'detail');
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`
      drop trigger call_events_no_update on call_events;
      create trigger call_events_no_update before update or delete on call_events
        for each row execute function callcentre_append_only();
      drop trigger donation_events_no_update on donation_events;
      create trigger donation_events_no_update before update or delete on donation_events
        for each row execute function donation_events_append_only();
      drop function retention_purge_guard();
      drop table retention_purged;
      drop table retention_holds;
      drop function retention_holds_guard();
      drop index retention_destructions_scope_idx;
      alter table retention_destructions drop column class_years, drop column items, drop column scope;
    `);
  }
}
