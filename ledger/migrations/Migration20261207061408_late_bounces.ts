import { Migration } from '@mikro-orm/migrations';

/**
 * DOCS-5 late bounces: each delivery status notification read from the DSN mailbox, once (the file's
 * name and digest), with what it was matched to and what it changed; a one-stop notice whose email
 * bounced after it was sent is marked `bounced_late` as it falls back to paper.
 */
export class Migration20261207061408_late_bounces extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table mail_bounces (
        source text primary key,
        original_message_id text null,
        action text null,
        dsn_status text null,
        mail_log_id bigint null references mail_log (id) on delete restrict,
        outcome text not null check (outcome in ('notice_to_paper', 'mail_rejected', 'unknown_message', 'not_a_failure', 'not_a_dsn')),
        read_at timestamptz not null default now()
      );
      alter table onestop_notices drop constraint onestop_notices_email_status_check;
      alter table onestop_notices add constraint onestop_notices_email_status_check check (email_status in ('sent', 'rejected', 'skipped_masked', 'skipped_no_address', 'bounced_late'));
    `);
  }
}
