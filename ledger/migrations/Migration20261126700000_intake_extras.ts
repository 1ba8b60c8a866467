import { Migration } from '@mikro-orm/migrations';

/**
 * Intake extras (issue 3 remainder):
 * - LEDGER-4 / SHIP-7: the ふるさと納税do migration. Its files are stored like
 *   portal files under the pseudo-portal `furusato_do` (inactive, record-only:
 *   no donation can be registered on it); each migrated donation has a
 *   `donation_migrations` row (source file and row, where the old system had
 *   got to) instead of a next-business-day SLA record.
 * - PORTAL-3: disaster-relief campaigns and which donations were taken for them.
 * - INTAKE-3: catalogue requests (資料請求) and their mailing.
 */
export class Migration20261126700000_intake_extras extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      insert into portals (code, name, record_only, active) values ('furusato_do', 'ふるさと納税do（移行元）', true, false)
        on conflict (code) do nothing;

      create table donation_migrations (
        donation_id uuid primary key references donations (id) on delete restrict,
        import_file_id uuid not null references import_files (id) on delete restrict,
        row_number integer not null,
        last_row integer not null,
        source_id text null,
        stage text not null check (stage in ('awaiting_payment', 'documents_due', 'documents_sent')),
        gifts text not null check (gifts in ('none', 'to_ship', 'shipped')),
        paid_at timestamptz null,
        documents_sent_at timestamptz null,
        gifts_shipped_at timestamptz null,
        review_findings jsonb not null default '[]',
        migrated_at timestamptz not null default now()
      );
      create index donation_migrations_file_idx on donation_migrations (import_file_id, row_number);

      create table disaster_relief_campaigns (
        id uuid primary key,
        name text not null,
        starts_at timestamptz not null,
        ends_at timestamptz null,
        portals text[] not null default '{}',
        gift_codes text[] not null default '{}',
        whole_portal boolean not null default false,
        note text null,
        opened_by text not null,
        opened_at timestamptz not null default now(),
        closed_by text null,
        closed_at timestamptz null,
        constraint disaster_relief_campaigns_period check (ends_at is null or ends_at > starts_at)
      );

      create table disaster_relief_donations (
        donation_id uuid primary key references donations (id) on delete restrict,
        campaign_id uuid null references disaster_relief_campaigns (id) on delete restrict,
        basis text not null check (basis in ('portal_flag', 'gift_code', 'whole_portal')),
        dropped_gifts jsonb not null default '[]',
        recorded_at timestamptz not null default now()
      );
      create index disaster_relief_donations_campaign_idx on disaster_relief_donations (campaign_id);

      create table catalogue_requests (
        id uuid primary key,
        name text not null,
        name_kana text not null default '',
        postal_code text not null,
        prefecture text not null,
        address text not null,
        phone text null,
        email text null,
        items text[] not null check (cardinality(items) > 0 and items <@ array['catalogue', 'guide', 'onestop_form', 'postal_transfer_form']::text[]),
        copies integer not null default 1 check (copies between 1 and 20),
        channel text not null check (channel in ('phone', 'fax', 'mail', 'email', 'counter', 'web')),
        requested_at timestamptz not null,
        note text null,
        status text not null default 'requested' check (status in ('requested', 'sent', 'cancelled')),
        recorded_by text not null,
        created_at timestamptz not null default now(),
        sent_at timestamptz null,
        sent_by text null,
        send_reference text null,
        cancelled_at timestamptz null,
        cancelled_by text null,
        cancel_reason text null,
        constraint catalogue_requests_sent_dated check (status <> 'sent' or sent_at is not null)
      );
      create index catalogue_requests_status_idx on catalogue_requests (status, requested_at);
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`
      drop table catalogue_requests;
      drop table disaster_relief_donations;
      drop table disaster_relief_campaigns;
      drop table donation_migrations;
      delete from portals where code = 'furusato_do';
    `);
  }
}
