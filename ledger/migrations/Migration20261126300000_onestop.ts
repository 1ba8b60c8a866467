import { Migration } from '@mikro-orm/migrations';
import { appendOnlyFunction, appendOnlyTriggers } from './append-only';

/** ONESTOP-1…5, DOCS-5, SEC-1: one-stop applications, their history and notices, sealed 個人番号 and who read it. */
export class Migration20261126300000_onestop extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table onestop_applications (
        id uuid primary key,
        donation_id uuid not null references donations (id) on delete restrict,
        workflow_id text not null,
        channel text not null check (channel in ('paper', 'online')),
        status text not null check (status in ('received', 'deficient', 'accepted', 'rejected_late', 'closed_deficient')),
        form_version text not null check (form_version in ('current', 'old_with_gender')),
        -- 書類到着日 (paper) or the JST date the online service received it.
        arrived_on date not null,
        deadline_on date not null,
        scan_ref text null,
        online_service text null,
        online_ref text null,
        -- What the donor wrote, as first received: never the 個人番号.
        content jsonb not null,
        -- The same after resubmissions (what the review reads); history is in onestop_events.
        current_content jsonb not null,
        -- 変更届出書: the particulars as of January 1 (name, address, …) that override the application for the 申告特例通知書.
        changed_particulars jsonb not null default '{}',
        -- SEC-1: AES-256-GCM (version, IV, tag, ciphertext) and the key that sealed it; null once destroyed (REC-1).
        my_number_sealed bytea null,
        my_number_key_id text null,
        my_number_verdict text not null check (my_number_verdict in ('valid', 'missing', 'bad_format', 'bad_check_digit')),
        my_number_destroyed_at timestamptz null,
        findings jsonb not null default '[]',
        review_round integer not null default 0,
        decided_at timestamptz null,
        created_by text not null,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        constraint onestop_applications_donation_unique unique (donation_id),
        constraint onestop_applications_workflow_unique unique (workflow_id),
        constraint onestop_applications_online_ref_unique unique (online_service, online_ref),
        constraint onestop_applications_sealed_with_key check ((my_number_sealed is null) = (my_number_key_id is null))
      );
      create index onestop_applications_status_idx on onestop_applications (status, deadline_on);

      create table onestop_events (
        id bigserial primary key,
        application_id uuid not null references onestop_applications (id) on delete restrict,
        kind text not null,
        actor text not null,
        occurred_at timestamptz not null default now(),
        reason text null,
        before jsonb null,
        after jsonb null,
        idempotency_key text null,
        constraint onestop_events_idempotency_key_unique unique (idempotency_key)
      );
      create index onestop_events_application_idx on onestop_events (application_id, id);

      -- DOCS-5 and deficiency follow-up: what has to go out, by mail or email; the print/mail side picks them up.
      create table onestop_notices (
        id bigserial primary key,
        application_id uuid not null references onestop_applications (id) on delete restrict,
        kind text not null check (kind in ('accepted', 'deficiency', 'reminder', 'late_rejection', 'closed_deficient')),
        channel text not null check (channel in ('mail', 'email')),
        findings jsonb not null default '[]',
        status text not null default 'pending' check (status in ('pending', 'sent')),
        created_at timestamptz not null default now(),
        sent_at timestamptz null,
        idempotency_key text not null,
        constraint onestop_notices_idempotency_key_unique unique (idempotency_key)
      );
      create index onestop_notices_pending_idx on onestop_notices (status, created_at);

      -- SEC-1/SEC-2: every disclosure of a 個人番号: who, when, which application, why.
      create table my_number_access_log (
        id bigserial primary key,
        application_id uuid not null references onestop_applications (id) on delete restrict,
        actor text not null,
        role text not null,
        reason text not null check (length(reason) >= 4),
        accessed_at timestamptz not null default now(),
        source text not null
      );
      create index my_number_access_log_application_idx on my_number_access_log (application_id, accessed_at);

      -- REC-1: one row per destruction of 個人番号 and application images, proposed, approved by the city, executed.
      create table retention_destructions (
        id uuid primary key,
        status text not null check (status in ('proposed', 'approved', 'rejected', 'done')),
        retention_years integer not null check (retention_years between 5 and 7),
        as_of date not null,
        application_ids jsonb not null,
        item_count integer not null,
        proposed_by text not null,
        proposed_at timestamptz not null default now(),
        decided_by text null,
        decided_at timestamptz null,
        decision_reason text null,
        executed_at timestamptz null,
        report jsonb null
      );

      ${appendOnlyFunction('onestop_append_only')}
      ${appendOnlyTriggers('onestop_events', 'onestop_append_only')}
      ${appendOnlyTriggers('my_number_access_log', 'onestop_append_only')}
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`
      drop table retention_destructions;
      drop table my_number_access_log;
      drop table onestop_notices;
      drop table onestop_events;
      drop table onestop_applications;
      drop function onestop_append_only();
    `);
  }
}
