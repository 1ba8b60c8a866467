import { Migration } from '@mikro-orm/migrations';
import { appendOnlyTriggers } from './append-only';

/**
 * ONESTOP-4 (申告特例通知書 delivery), REC-1 (purge of the other personal data),
 * SEC-3 (incidents reported to the city).
 */
export class Migration20261126600000_onestop_delivery extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      alter table onestop_applications
        -- ONESTOP-4: an operator's choice of 団体コード where the address does not name the municipality clearly.
        add column residence_code text null check (residence_code ~ '^[0-9]{6}$'),
        -- REC-1: name, kana, address, … replaced once the retention ended and the city approved.
        add column personal_data_purged_at timestamptz null;

      -- ONESTOP-4: which notice file each accepted application goes into, with its stable 整理番号.
      create table onestop_notification_items (
        application_id uuid primary key references onestop_applications (id) on delete restrict,
        donation_year integer not null,
        serial integer not null,
        reference_number text not null,
        -- 6-digit 団体コード; null while the municipality is not known (problem says why).
        recipient_code text null,
        match text not null check (match in ('address', 'operator', 'none')),
        problem text null,
        updated_at timestamptz not null default now(),
        constraint onestop_notification_items_serial_unique unique (donation_year, serial)
      );
      create index onestop_notification_items_year_idx on onestop_notification_items (donation_year, recipient_code);

      -- ONESTOP-4: each delivery to the city's drop folder; a re-run that leaves the files as they were adds no row.
      create table onestop_notification_runs (
        id uuid primary key,
        donation_year integer not null,
        delivery_dir text not null,
        manifest_sha256 text not null,
        files jsonb not null,
        applications integer not null,
        total_yen bigint not null,
        problems integer not null,
        undecided integer not null,
        requested_by text not null,
        workflow_id text not null,
        delivered_at timestamptz not null default now()
      );
      create index onestop_notification_runs_year_idx on onestop_notification_runs (donation_year, delivered_at);

      -- What operators and the city must look at: the 申告特例通知書 due soon, addresses without a municipality,
      -- a destruction awaiting the city's decision.
      create table onestop_alerts (
        id bigserial primary key,
        kind text not null,
        donation_year integer null,
        message text not null,
        details jsonb not null default '{}',
        created_at timestamptz not null default now(),
        acknowledged_at timestamptz null,
        acknowledged_by text null,
        idempotency_key text not null,
        constraint onestop_alerts_idempotency_key_unique unique (idempotency_key)
      );
      create index onestop_alerts_open_idx on onestop_alerts (acknowledged_at, created_at);

      -- SEC-3: incidents, reported to the city when recorded. Append-only: a report is evidence.
      create table incidents (
        id uuid primary key,
        content text not null,
        affected_people integer null check (affected_people >= 0),
        affected_records integer null check (affected_records >= 0),
        place text not null,
        circumstances text not null,
        discovered_at timestamptz not null,
        reported_by text not null,
        recorded_by text not null,
        created_at timestamptz not null default now(),
        reported_to_city_at timestamptz not null default now(),
        constraint incidents_count_given check (affected_people is not null or affected_records is not null)
      );
      create index incidents_created_idx on incidents (created_at);
      ${appendOnlyTriggers('incidents', 'onestop_append_only')}

      -- REC-1: onestop_events stays append-only, except that an approved destruction may overwrite the personal
      -- data in before/after (names, addresses of resubmissions and 変更届出書). The destruction sets
      -- furusato.rec1_purge for its own transaction; nothing else about a row may change, and nothing is deleted.
      create function onestop_events_guard() returns trigger language plpgsql as $$
      begin
        if tg_op = 'UPDATE'
           and coalesce(current_setting('furusato.rec1_purge', true), '') <> ''
           and new.id = old.id and new.application_id = old.application_id and new.kind = old.kind
           and new.actor = old.actor and new.occurred_at = old.occurred_at
           and new.reason is not distinct from old.reason
           and new.idempotency_key is not distinct from old.idempotency_key then
          return new;
        end if;
        raise exception '% is append-only (% refused)', tg_table_name, tg_op;
      end $$;
      drop trigger onestop_events_no_update on onestop_events;
      create trigger onestop_events_no_update before update or delete on onestop_events
        for each row execute function onestop_events_guard();
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`
      drop trigger onestop_events_no_update on onestop_events;
      create trigger onestop_events_no_update before update or delete on onestop_events
        for each row execute function onestop_append_only();
      drop function onestop_events_guard();
      drop table incidents;
      drop table onestop_alerts;
      drop table onestop_notification_runs;
      drop table onestop_notification_items;
      alter table onestop_applications drop column residence_code, drop column personal_data_purged_at;
    `);
  }
}
