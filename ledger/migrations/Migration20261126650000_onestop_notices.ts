import { Migration } from '@mikro-orm/migrations';

/**
 * DOCS-5 (one-stop notices go out: email through sendMail, paper through the
 * print batch) and SEC-3 (the incident mail to the city and its outcome).
 */
export class Migration20261126650000_onestop_notices extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      -- DOCS-5: the batch a paper notice was printed in (sent once that batch is confirmed posted), and what became of
      -- the email of an email notice; a bounced or unmailable one falls back to paper (channel 'mail', still pending).
      alter table onestop_notices
        add column print_batch_id uuid null references print_batches (id) on update cascade on delete set null,
        add column email_status text null check (email_status in ('sent', 'rejected', 'skipped_masked', 'skipped_no_address'));
      create index onestop_notices_unprinted_idx on onestop_notices (created_at, id)
        where status = 'pending' and channel = 'mail' and print_batch_id is null;

      -- A one-stop notice is an envelope of its own in the print batch. One donation may have several notices in a
      -- batch, so the one-envelope-per-reason rule holds for the donation envelopes only.
      alter table print_batch_items drop constraint print_batch_items_reason_check;
      alter table print_batch_items add constraint print_batch_items_reason_check
        check (reason in ('initial', 'reissue', 'returned_mail', 'payment_form', 'onestop_notice'));
      alter table print_batch_items add column onestop_notice_id bigint null references onestop_notices (id) on delete restrict;
      alter table print_batch_items add constraint print_batch_items_notice_check check ((reason = 'onestop_notice') = (onestop_notice_id is not null));
      alter table print_batch_items drop constraint print_batch_items_donation_unique;
      create unique index print_batch_items_donation_unique on print_batch_items (batch_id, donation_id, reason) where onestop_notice_id is null;
      create unique index print_batch_items_notice_unique on print_batch_items (batch_id, onestop_notice_id) where onestop_notice_id is not null;

      -- SEC-3: the mail that tells the city of an incident. The incident row stays append-only (it is the report,
      -- visible to the city when stored); the mail's outcome changes (pending → sent), so it lives here. mail_log
      -- keeps the SMTP side (key incident/<id>).
      create table incident_city_mail (
        incident_id uuid primary key references incidents (id) on delete restrict,
        recipient text null,
        -- pending until tried; sent/rejected/skipped_* as mail_log says; failed: SMTP could not be reached (tried again later).
        status text not null check (status in ('pending', 'sent', 'rejected', 'failed', 'skipped_masked', 'skipped_no_address')),
        attempts integer not null default 0,
        last_error text null,
        message_id text null,
        sent_at timestamptz null,
        updated_at timestamptz not null default now()
      );
      create index incident_city_mail_open_idx on incident_city_mail (updated_at) where status in ('pending', 'failed');
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`
      drop table incident_city_mail;
      drop index print_batch_items_notice_unique;
      drop index print_batch_items_donation_unique;
      delete from print_batch_items where onestop_notice_id is not null;
      alter table print_batch_items add constraint print_batch_items_donation_unique unique (batch_id, donation_id, reason);
      alter table print_batch_items drop constraint print_batch_items_notice_check;
      alter table print_batch_items drop column onestop_notice_id;
      alter table print_batch_items drop constraint print_batch_items_reason_check;
      alter table print_batch_items add constraint print_batch_items_reason_check check (reason in ('initial', 'reissue', 'returned_mail', 'payment_form'));
      drop index onestop_notices_unprinted_idx;
      alter table onestop_notices drop column email_status, drop column print_batch_id;
    `);
  }
}
