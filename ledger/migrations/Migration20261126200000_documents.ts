import { Migration } from '@mikro-orm/migrations';

/** DOCS-1…6: print batches, their envelopes, numbered receipts with reissues, returned mail. */
export class Migration20261126200000_documents extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      alter table donations drop constraint donations_status_check;
      alter table donations add constraint donations_status_check check (status in
        ('received', 'held', 'awaiting_payment', 'paid', 'documents_due', 'documents_sent', 'mail_returned', 'completed', 'cancelled'));
      alter table donations add column postal_transfer_form_sent_at timestamptz null;
      alter table donations add column returned_mail_count integer not null default 0;

      create table print_batches (
        id uuid primary key,
        kind text not null check (kind in ('scheduled', 'on_demand')),
        status text not null check (status in ('collected', 'rendered', 'handed_off', 'posted')),
        requested_by text not null,
        workflow_id text not null,
        envelope_count integer not null default 0,
        document_count integer not null default 0,
        page_count integer not null default 0,
        pdf_path text null,
        manifest_path text null,
        printer_reference text null,
        created_at timestamptz not null default now(),
        rendered_at timestamptz null,
        handed_off_at timestamptz null,
        posted_at timestamptz null,
        posted_by text null
      );
      create index print_batches_created_idx on print_batches (created_at);

      -- Receipt numbers are one serial per donation; a reissue keeps the serial and counts the issue.
      create sequence receipt_serial_seq;
      create table receipts (
        id serial primary key,
        donation_id uuid not null references donations (id) on update cascade on delete restrict,
        serial integer not null,
        issue integer not null check (issue >= 1),
        number text not null,
        reason text not null check (reason in ('initial', 'reissue', 'returned_mail')),
        requested_by text not null,
        requested_at timestamptz not null default now(),
        note text null,
        print_batch_id uuid null references print_batches (id) on update cascade on delete set null,
        posted_at timestamptz null,
        constraint receipts_number_unique unique (number),
        constraint receipts_donation_issue_unique unique (donation_id, issue)
      );
      create index receipts_unbatched_idx on receipts (requested_at) where print_batch_id is null;

      create table print_batch_items (
        id serial primary key,
        batch_id uuid not null references print_batches (id) on update cascade on delete cascade,
        seq integer not null,
        donation_id uuid not null references donations (id) on update cascade on delete restrict,
        receipt_id integer null references receipts (id) on update cascade on delete restrict,
        reason text not null check (reason in ('initial', 'reissue', 'returned_mail', 'payment_form')),
        -- The donation's returned_mail_count when collected: one receipt envelope per round.
        round integer not null default 0,
        documents jsonb not null,
        envelope text not null,
        page_from integer null,
        page_to integer null,
        constraint print_batch_items_seq_unique unique (batch_id, seq),
        constraint print_batch_items_donation_unique unique (batch_id, donation_id, reason)
      );
      create index print_batch_items_donation_idx on print_batch_items (donation_id);
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`
      drop table print_batch_items;
      drop table receipts;
      drop sequence receipt_serial_seq;
      drop table print_batches;
      alter table donations drop column returned_mail_count;
      alter table donations drop column postal_transfer_form_sent_at;
      alter table donations drop constraint donations_status_check;
      alter table donations add constraint donations_status_check check (status in
        ('received', 'held', 'awaiting_payment', 'paid', 'documents_due', 'documents_sent', 'completed', 'cancelled'));
    `);
  }
}
