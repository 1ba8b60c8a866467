import { Migration } from '@mikro-orm/migrations';
import { appendOnlyTriggers } from './append-only';

/**
 * MYNUM-2 (特記4): 特定個人情報 leaves the 取扱区域 only as an encrypted package with its own register
 * entry — who made it, from which terminal, what (donation year, files), how many applications,
 * where to, and the package's size and sha256 — append-only like the access log. A refused export
 * is a refusal row like a refused read: such a row names no application, so the column may be empty,
 * and `action` says which it was.
 */
export class Migration20261207022600_mynumber_exports extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table mynumber_exports (
        id uuid primary key,
        donation_year integer not null check (donation_year between 2008 and 2100),
        actor text not null,
        role text not null,
        terminal text,
        destination text not null check (char_length(destination) between 1 and 200),
        purpose text not null check (char_length(purpose) between 4 and 500),
        files integer not null check (files >= 0),
        applications integer not null check (applications >= 0),
        recipient_key text not null,
        package_file text not null,
        size_bytes bigint not null check (size_bytes > 0),
        sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
        created_at timestamptz not null default now()
      );
      create index mynumber_exports_year on mynumber_exports (donation_year, created_at);
      ${appendOnlyTriggers('mynumber_exports', 'onestop_append_only')}
      alter table my_number_access_refusals alter column application_id drop not null;
      alter table my_number_access_refusals add column action text not null default 'read' check (action in ('read', 'export'));
      alter table my_number_access_refusals add constraint my_number_access_refusals_read_names_application check (action <> 'read' or application_id is not null);
    `);
  }
}
