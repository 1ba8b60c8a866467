import { Migration } from '@mikro-orm/migrations';

/**
 * CALL-5: a donation cancelled after its receipt was posted voids (取消) the receipt; who, when and why stay on it.
 * A cancellation asked at the desk is a `cancellation` event in its call's history.
 */
export class Migration20261207011843_receipt_void extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      alter table receipts add column voided_at timestamptz null, add column voided_by text null, add column void_reason text null;
      alter table receipts add constraint receipts_void_complete check ((voided_at is null) = (voided_by is null));
      alter table call_events drop constraint call_events_kind_check;
      alter table call_events add constraint call_events_kind_check check (kind in ('created', 'status', 'reopened', 'follow_up', 'outcome', 'reshipment', 'cancellation'));
    `);
  }
}
