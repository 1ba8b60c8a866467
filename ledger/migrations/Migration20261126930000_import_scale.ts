import { Migration } from '@mikro-orm/migrations';
import { linkDonors } from '../donor-matching';

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
 *   Existing donors are linked here, by the same code as registration.
 */
export class Migration20261126930000_import_scale extends Migration {
  override async up(): Promise<void> {
    await this.execute(`
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
    const sql = (text: string, bindings: readonly unknown[]) => this.execute(text, [...bindings]);
    for (;;) {
      const donors = await this.execute(
        `select id, name_kana, phone, postal_code, address from donors d
          where not exists (select 1 from donor_person_members m where m.donor_id = d.id) order by created_at, id limit 2000`,
      );
      if (!donors.length) break;
      await linkDonors(
        sql,
        donors.map((d) => ({ donorId: String(d.id), nameKana: d.name_kana, phone: d.phone, postalCode: d.postal_code, address: d.address })),
        'system:migration-backfill',
      );
    }
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
