import { Migration } from '@mikro-orm/migrations';
import { appendOnlyTriggers } from './append-only';

/** The ledger's first shape: portals, suppliers, gifts, donors, donations, gift lines and the event log. */
export class Migration20261126000000_foundation extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table portals (
        code text primary key,
        name text not null,
        record_only boolean not null default false,
        active boolean not null default true
      );

      create table suppliers (
        id serial primary key,
        name text not null,
        created_at timestamptz not null default now()
      );

      create table gifts (
        code text primary key,
        name text not null,
        supplier_id integer null references suppliers (id) on update cascade on delete restrict,
        price_yen integer not null check (price_yen > 0),
        cost_yen integer not null default 0 check (cost_yen >= 0),
        shipping_cost_yen integer not null default 0 check (shipping_cost_yen >= 0),
        active boolean not null default false
      );

      create table donors (
        id uuid primary key,
        name text not null,
        name_kana text not null,
        postal_code text not null,
        prefecture text not null,
        address text not null,
        phone text null,
        email text null,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      );
      create index donors_name_idx on donors (name);
      create index donors_name_kana_idx on donors (name_kana);

      create table donations (
        id uuid primary key,
        portal_code text not null references portals (code) on update cascade on delete restrict,
        portal_order_id text not null,
        donor_id uuid not null references donors (id) on update cascade on delete restrict,
        channel text not null check (channel in ('portal', 'phone', 'fax', 'mail', 'counter')),
        amount_yen integer not null check (amount_yen > 0),
        payment_method text not null,
        purpose text null,
        wants_one_stop boolean not null default false,
        disaster_relief boolean not null default false,
        status text not null default 'received' check (status in
          ('received', 'held', 'awaiting_payment', 'paid', 'documents_due', 'documents_sent', 'completed', 'cancelled')),
        review_flags jsonb not null default '[]',
        applied_at timestamptz not null,
        paid_at timestamptz null,
        documents_due_on date null,
        documents_due_at timestamptz null,
        reminder_at timestamptz null,
        escalated_at timestamptz null,
        documents_sent_at timestamptz null,
        completed_at timestamptz null,
        cancelled_at timestamptz null,
        workflow_id text not null,
        intake_fingerprint text not null,
        created_by text not null,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        constraint donations_portal_order_unique unique (portal_code, portal_order_id),
        constraint donations_workflow_id_unique unique (workflow_id)
      );
      create index donations_status_idx on donations (status);
      create index donations_applied_at_idx on donations (applied_at);
      create index donations_amount_idx on donations (amount_yen);
      create index donations_donor_idx on donations (donor_id);
      create index donations_documents_due_idx on donations (documents_due_at) where status = 'documents_due';

      create table donation_gift_lines (
        id serial primary key,
        donation_id uuid not null references donations (id) on update cascade on delete cascade,
        gift_code text not null references gifts (code) on update cascade on delete restrict,
        quantity integer not null default 1 check (quantity > 0),
        unit_price_yen integer not null check (unit_price_yen >= 0)
      );
      create index donation_gift_lines_donation_idx on donation_gift_lines (donation_id);

      create table donation_events (
        id bigserial primary key,
        donation_id uuid not null references donations (id) on update cascade on delete restrict,
        kind text not null,
        from_status text null,
        to_status text null,
        actor text not null,
        occurred_at timestamptz not null,
        reason text null,
        before jsonb null,
        after jsonb null,
        idempotency_key text null,
        recorded_at timestamptz not null default now(),
        constraint donation_events_idempotency_key_unique unique (idempotency_key)
      );
      create index donation_events_donation_idx on donation_events (donation_id, id);

      -- The event log is evidence: nobody, not even the application, rewrites it.
      create function donation_events_append_only() returns trigger language plpgsql as $$
      begin
        raise exception 'donation_events is append-only (% refused)', tg_op;
      end $$;
      ${appendOnlyTriggers('donation_events')}

      insert into portals (code, name, record_only) values
        ('choice', 'ふるさとチョイス', false),
        ('satofull', 'さとふる', true),
        ('furunavi', 'ふるなび', false),
        ('rakuten', '楽天ふるさと納税', false),
        ('ana', 'ANAのふるさと納税', false),
        ('amazon', 'Amazonふるさと納税', false),
        ('mynavi', 'マイナビふるさと納税', false),
        ('city', '柳川市公式サイト', true),
        ('direct', '電話・FAX・郵送・窓口', false);
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`
      drop table donation_events;
      drop function donation_events_append_only();
      drop table donation_gift_lines;
      drop table donations;
      drop table donors;
      drop table gifts;
      drop table suppliers;
      drop table portals;
    `);
  }
}
