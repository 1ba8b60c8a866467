import { Migration } from '@mikro-orm/migrations';
import { appendOnlyFunction, appendOnlyTriggers } from './append-only';

/**
 * CALL-1…4: the call centre's inquiry and complaint log. `calls` holds each inquiry's current
 * state (who last changed it, when); `call_events` is its append-only history: creation, status
 * changes, reopenings, follow-ups (who, when, what), outcomes and re-shipments.
 * Supplier links are by code without a foreign key: would-be suppliers (CALL-4) are not in the ledger yet.
 */
export class Migration20261126800000_callcentre extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table calls (
        id uuid primary key,
        channel text not null check (channel in ('phone', 'fax', 'email', 'letter', 'counter')),
        category text not null check (category in ('寄附手続き', '返礼品', '配送', '証明書', 'ワンストップ', '事業者からの問合せ', 'その他')),
        complaint boolean not null default false,
        status text not null default '未対応' check (status in ('未対応', '対応中', '対応済み', '完了')),
        subject text not null,
        body text not null,
        caller_name text null,
        caller_contact text null,
        donor_id uuid null references donors (id) on update cascade on delete restrict,
        donation_id uuid null references donations (id) on update cascade on delete restrict,
        gift_code text null references gifts (code) on update cascade on delete restrict,
        supplier_code text null,
        shipment_id uuid null references shipments (id) on update cascade on delete restrict,
        received_at timestamptz not null,
        out_of_hours boolean not null,
        outcome text null,
        report_to_city boolean not null default false,
        reshipment_requested_at timestamptz null,
        reshipment_result jsonb null,
        created_at timestamptz not null default now(),
        created_by text not null,
        updated_at timestamptz not null default now(),
        updated_by text not null
      );
      create index calls_received_idx on calls (received_at desc);
      create index calls_status_idx on calls (status, received_at desc);
      create index calls_donation_idx on calls (donation_id) where donation_id is not null;
      create index calls_shipment_idx on calls (shipment_id) where shipment_id is not null;
      create index calls_donor_idx on calls (donor_id) where donor_id is not null;

      create table call_events (
        id bigserial primary key,
        call_id uuid not null references calls (id) on update cascade on delete restrict,
        at timestamptz not null default now(),
        actor text not null,
        kind text not null check (kind in ('created', 'status', 'reopened', 'follow_up', 'outcome', 'reshipment')),
        from_status text null,
        to_status text null,
        note text null,
        detail jsonb null
      );
      create index call_events_call_idx on call_events (call_id, id);

      ${appendOnlyFunction('callcentre_append_only')}
      ${appendOnlyTriggers('call_events', 'callcentre_append_only')}
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`
      drop table call_events;
      drop function callcentre_append_only();
      drop table calls;
    `);
  }
}
