import { Migration } from '@mikro-orm/migrations';
import { appendOnlyTriggers } from './append-only';

/**
 * REPORT-1/2, PR-1, CALL-3:
 * - `monthly_reports`: every built 月次業務報告書, one row per revision (regenerating a month
 *   adds a revision, never replaces one). The PDF and CSV bytes are kept in the row too, so the
 *   API can serve them without sharing the worker's disk; the files also go to the data folder.
 * - `report_alerts`: reminders and escalations when a month's report is not built in time.
 * - `quality_measures` (+ append-only events): a demand for measures made to a supplier or carrier
 *   about a gift complaint, its due date, their reply and the closing.
 */
export class Migration20261126910000_reports extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table monthly_reports (
        id uuid primary key,
        month date not null check (extract(day from month) = 1),
        revision integer not null check (revision >= 1),
        status text not null default 'building' check (status in ('building', 'built')),
        kind text not null check (kind in ('scheduled', 'on_demand')),
        requested_by text not null,
        workflow_id text not null,
        -- One revision per workflow run: a retried activity finds its own row.
        build_key text not null,
        due_on date not null,
        -- The run had already escalated (the due day passed unbuilt) when this revision was finished.
        escalated boolean not null default false,
        data jsonb null,
        pdf bytea null,
        csv bytea null,
        pdf_sha256 text null,
        csv_sha256 text null,
        pdf_path text null,
        csv_path text null,
        notice_status text null,
        notice_at timestamptz null,
        created_at timestamptz not null default now(),
        built_at timestamptz null,
        constraint monthly_reports_revision_unique unique (month, revision),
        constraint monthly_reports_build_key_unique unique (build_key),
        constraint monthly_reports_built check ((status = 'built') = (built_at is not null))
      );

      create table report_alerts (
        id bigserial primary key,
        month date not null,
        kind text not null check (kind in ('build_failed', 'reminder', 'overdue', 'built_late')),
        message text not null,
        workflow_id text not null,
        idempotency_key text not null unique,
        mail_status text null,
        raised_at timestamptz not null default now()
      );
      create index report_alerts_month_idx on report_alerts (month, id);

      create table quality_measures (
        id uuid primary key,
        call_id uuid not null references calls (id) on update cascade on delete restrict,
        party_kind text not null check (party_kind in ('supplier', 'carrier')),
        supplier_id integer null references suppliers (id) on update cascade on delete restrict,
        carrier text null check (carrier in ('yamato_b2', 'sagawa_ehiden', 'japanpost_clickpost', 'japanpost_yupri')),
        contact_email text null,
        demand text not null,
        demanded_at timestamptz not null,
        demanded_by text not null,
        due_on date not null,
        status text not null default 'open' check (status in ('open', 'replied', 'closed')),
        reply text null,
        measure_taken text null,
        replied_at timestamptz null,
        replied_by text null,
        closed_at timestamptz null,
        closed_by text null,
        close_note text null,
        mail_status text null,
        workflow_id text not null,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        constraint quality_measures_party check (
          (party_kind = 'supplier' and supplier_id is not null and carrier is null) or
          (party_kind = 'carrier' and carrier is not null and supplier_id is null)),
        constraint quality_measures_closed check ((status = 'closed') = (closed_at is not null)),
        constraint quality_measures_replied check (status = 'open' or replied_at is not null)
      );
      create index quality_measures_call_idx on quality_measures (call_id);
      create index quality_measures_supplier_idx on quality_measures (supplier_id, demanded_at);
      create index quality_measures_demanded_idx on quality_measures (demanded_at);

      create table quality_measure_events (
        id bigserial primary key,
        measure_id uuid not null references quality_measures (id) on update cascade on delete restrict,
        kind text not null check (kind in ('demanded', 'mailed', 'replied', 'closed')),
        actor text not null,
        at timestamptz not null default now(),
        note text null,
        detail jsonb null,
        idempotency_key text null unique
      );
      create index quality_measure_events_measure_idx on quality_measure_events (measure_id, id);
      ${appendOnlyTriggers('quality_measure_events', 'callcentre_append_only')}

      -- The report's month ranges: documents due, shipments planned and created in a month.
      create index donations_documents_due_on_idx on donations (documents_due_on) where documents_due_on is not null;
      create index shipments_planned_ship_on_idx on shipments (planned_ship_on) where planned_ship_on is not null;
      create index shipments_created_at_idx on shipments (created_at);
      create index onestop_applications_arrived_idx on onestop_applications (arrived_on);
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`
      drop index onestop_applications_arrived_idx;
      drop index shipments_created_at_idx;
      drop index shipments_planned_ship_on_idx;
      drop index donations_documents_due_on_idx;
      drop table quality_measure_events;
      drop table quality_measures;
      drop table report_alerts;
      drop table monthly_reports;
    `);
  }
}
