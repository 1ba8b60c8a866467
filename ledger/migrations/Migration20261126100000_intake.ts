import { Migration } from '@mikro-orm/migrations';

/**
 * Portal intake (INTAKE-3/4, PORTAL-1, LEDGER-1/4): imported files and their
 * bytes, per-row outcomes, the quarantine, each donation's import time
 * against the next-business-day SLA, and gift prices per portal.
 */
export class Migration20261126100000_intake extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table import_files (
        id uuid primary key,
        portal_code text not null references portals (code) on update cascade on delete restrict,
        file_name text not null,
        sha256 text not null,
        size_bytes bigint not null,
        source text not null check (source in ('upload', 'inbox', 'http')),
        status text not null default 'stored' check (status in ('stored', 'running', 'done', 'failed')),
        encoding text null,
        rows_done integer not null default 0,
        created_count integer not null default 0,
        unchanged_count integer not null default 0,
        quarantined_count integer not null default 0,
        late_count integer not null default 0,
        error text null,
        workflow_id text not null,
        created_by text not null,
        created_at timestamptz not null default now(),
        started_at timestamptz null,
        finished_at timestamptz null,
        -- The same file twice is one import: the second upload finds the first.
        constraint import_files_portal_sha_unique unique (portal_code, sha256)
      );

      -- The original bytes, kept as evidence and so any worker can (re-)read the file in 1 MiB pieces.
      create table import_file_chunks (
        file_id uuid not null references import_files (id) on delete cascade,
        seq integer not null,
        data bytea not null,
        primary key (file_id, seq)
      );

      create table import_quarantine (
        id bigserial primary key,
        file_id uuid not null references import_files (id) on delete restrict,
        row_number integer not null,
        last_row integer not null,
        portal_code text not null references portals (code) on update cascade on delete restrict,
        portal_order_id text null,
        kind text not null check (kind in ('invalid', 'conflict')),
        issues jsonb not null,
        header jsonb not null,
        rows jsonb not null,
        corrections jsonb not null default '{}',
        status text not null default 'open' check (status in ('open', 'resolved', 'dismissed')),
        donation_id uuid null references donations (id) on delete restrict,
        resolved_by text null,
        resolved_at timestamptz null,
        resolution text null,
        created_at timestamptz not null default now(),
        constraint import_quarantine_row_unique unique (file_id, row_number)
      );
      create index import_quarantine_open_idx on import_quarantine (created_at) where status = 'open';

      create table import_rows (
        file_id uuid not null references import_files (id) on delete cascade,
        row_number integer not null,
        last_row integer not null,
        portal_order_id text null,
        outcome text not null check (outcome in ('created', 'unchanged', 'quarantined')),
        donation_id uuid null references donations (id) on delete restrict,
        quarantine_id bigint null references import_quarantine (id) on delete restrict,
        primary key (file_id, row_number)
      );

      create table donation_intake (
        donation_id uuid primary key references donations (id) on delete restrict,
        import_file_id uuid null references import_files (id) on delete restrict,
        row_number integer null,
        applied_at timestamptz not null,
        imported_at timestamptz not null,
        due_on date not null,
        late boolean not null,
        review_findings jsonb not null default '[]'
      );
      create index donation_intake_late_idx on donation_intake (imported_at) where late;

      create table gift_portal_prices (
        gift_code text not null references gifts (code) on update cascade on delete cascade,
        portal_code text not null references portals (code) on update cascade on delete cascade,
        price_yen integer not null check (price_yen > 0),
        primary key (gift_code, portal_code)
      );

      -- Likely-duplicate search: same kana and postal code, near in time.
      create index donors_kana_postal_idx on donors (name_kana, postal_code);
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`
      drop index donors_kana_postal_idx;
      drop table gift_portal_prices;
      drop table donation_intake;
      drop table import_rows;
      drop table import_quarantine;
      drop table import_file_chunks;
      drop table import_files;
    `);
  }
}
