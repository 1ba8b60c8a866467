import { Migration } from '@mikro-orm/migrations';

/**
 * Portal imports at scale (issue 3) and 名寄せ.
 * - Imports register a batch of orders in one transaction and start the
 *   donations' workflows after it commits. `workflows_row` is the second resume
 *   point: rows up to it have their workflow started. Files imported before
 *   started each workflow before committing, so for them it equals rows_done.
 * - `import_rows.paid_at_seen`: a later export that shows a payment the ledger
 *   has not seen; the signal is sent after the commit, from this column.
 * - 名寄せ: a person per human, each donor row linked to one, with the
 *   notation-free keys it was matched by; ambiguous records wait for an operator.
 *   Donors registered before this migration are linked by the admin command
 *   `npm run donors:link` (scripts/link-donors.ts), not here: a migration must
 *   not depend on application code whose rules change after it is written.
 */
export class Migration20261126930000_import_scale extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      alter table import_files add column workflows_row integer not null default 0;
      update import_files set workflows_row = rows_done;
      alter table import_rows add column paid_at_seen timestamptz null;

      create table donor_persons (
        id uuid primary key,
        created_at timestamptz not null default now()
      );
      create table donor_person_members (
        donor_id uuid primary key references donors (id) on delete restrict,
        person_id uuid not null references donor_persons (id) on delete restrict,
        kana_key text not null,
        phone_key text null,
        address_key text null,
        birth_date date null,
        matched_on text[] not null default '{}',
        linked_by text not null,
        linked_at timestamptz not null default now()
      );
      -- 名寄せ probes (kana, one identifier); kana alone is never selective enough to read.
      create index donor_person_members_phone_idx on donor_person_members (kana_key, phone_key) where phone_key is not null;
      create index donor_person_members_address_idx on donor_person_members (kana_key, address_key) where address_key is not null;
      create index donor_person_members_birth_idx on donor_person_members (kana_key, birth_date) where birth_date is not null;
      create index donor_person_members_person_idx on donor_person_members (person_id);
      create table donor_match_reviews (
        id bigserial primary key,
        donor_id uuid not null references donors (id) on delete restrict,
        person_id uuid not null references donor_persons (id) on delete restrict,
        candidates uuid[] not null,
        reason text not null,
        status text not null default 'open' check (status in ('open', 'merged', 'separate')),
        merged_into uuid null references donor_persons (id) on delete restrict,
        decided_by text null,
        decided_at timestamptz null,
        note text null,
        created_at timestamptz not null default now()
      );
      create unique index donor_match_reviews_open_idx on donor_match_reviews (donor_id) where status = 'open';
      create index donor_match_reviews_status_idx on donor_match_reviews (status, id);
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`
      drop table donor_match_reviews;
      drop table donor_person_members;
      drop table donor_persons;
      alter table import_rows drop column paid_at_seen;
      alter table import_files drop column workflows_row;
    `);
  }
}
