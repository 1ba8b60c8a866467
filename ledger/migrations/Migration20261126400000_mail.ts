import { Migration } from '@mikro-orm/migrations';

/**
 * Email (SHIP-4 pre-shipping mail, SHIP-6, supplier orders, notices): one row per
 * idempotency key, written before the SMTP conversation, so a retried or repeated
 * activity finds it and does not mail twice (activities/mail/send-mail.ts).
 */
export class Migration20261126400000_mail extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table mail_log (
        id bigserial primary key,
        idempotency_key text not null,
        template text not null,
        -- Personal data: kept here (who was mailed), never written to logs or Temporal histories.
        recipient text null,
        subject text not null,
        donation_id uuid null references donations (id) on update cascade on delete restrict,
        -- No foreign key: shipments come from a later migration, and mail may concern no shipment.
        shipment_id uuid null,
        status text not null check (status in ('sending', 'sent', 'rejected', 'skipped_masked', 'skipped_no_address')),
        -- The SMTP server's last reply (accepted or refused), with the recipient's address masked.
        response text null,
        -- The Message-ID header: deterministic per idempotency key, so a resend carries the same one.
        message_id text null,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        constraint mail_log_idempotency_key_unique unique (idempotency_key)
      );
      create index mail_log_donation_idx on mail_log (donation_id) where donation_id is not null;
      create index mail_log_shipment_idx on mail_log (shipment_id) where shipment_id is not null;
      -- Stuck sends (a worker died mid-send and its activity gave up) are found by status.
      create index mail_log_sending_idx on mail_log (updated_at) where status = 'sending';
    `);
  }

  override async down(): Promise<void> {
    this.addSql('drop table mail_log;');
  }
}
