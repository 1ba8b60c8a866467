import { Migration } from '@mikro-orm/migrations';
import { appendOnlyTriggers } from './append-only';

/**
 * Monthly billing (BILL-1…5): one run per month (and scope), a frozen statement per
 * supplier with its lines, disputes and their investigation, the invoice to the city
 * in numbered revisions (PDF and CSV kept), the city's payment, and payments made to
 * suppliers and carriers. Every change is a billing_events row, which nobody rewrites.
 */
export class Migration20261126900000_billing extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table billing_runs (
        -- The workflow id: billing-2026-11, or billing-2026-11/<label> for a run limited to some suppliers.
        id text primary key,
        month date not null check (extract(day from month) = 1),
        scope_label text null,
        -- null = every supplier and every donation of the month; otherwise these suppliers and the donations of their gifts.
        scope_suppliers text[] null,
        requested_by text not null,
        override_by text null,
        override_at timestamptz null,
        override_reason text null,
        escalated_at timestamptz null,
        -- Receipt mailing at actual cost when the operator recorded it (BILL-5); else documents posted × unit price.
        receipt_postage_actual_yen integer null check (receipt_postage_actual_yen >= 0),
        receipt_postage_reference text null,
        created_at timestamptz not null default now(),
        constraint billing_runs_scope check ((scope_label is null) = (scope_suppliers is null))
      );
      create unique index billing_runs_month_scope_unique on billing_runs (month, coalesce(scope_label, ''));

      create table billing_statements (
        id bigserial primary key,
        run_id text not null references billing_runs (id) on delete restrict,
        supplier_id integer not null references suppliers (id) on update cascade on delete restrict,
        supplier_code text not null,
        supplier_name text not null,
        -- 1 when gathered; each resolved dispute sends the corrected statement as the next revision.
        revision integer not null default 1 check (revision >= 1),
        status text not null check (status in ('sent', 'confirmed', 'disputed')),
        sent_at timestamptz null,
        confirmed_by text null,
        confirmed_at timestamptz null,
        constraint billing_statements_supplier_unique unique (run_id, supplier_id)
      );

      -- A frozen copy of each shipment as it was when the month was gathered; changed only by a recorded correction.
      create table billing_statement_lines (
        id bigserial primary key,
        statement_id bigint not null references billing_statements (id) on delete restrict,
        shipment_id uuid null references shipments (id) on update cascade on delete restrict,
        donation_id uuid null references donations (id) on update cascade on delete restrict,
        gift_code text not null,
        gift_name text not null,
        delivery_no smallint not null default 1,
        deliveries smallint not null default 1,
        attempt smallint not null default 1,
        quantity integer not null check (quantity > 0),
        shipped_on date not null,
        delivered_on date null,
        carrier text null,
        procurement_cost_yen integer not null check (procurement_cost_yen >= 0),
        shipping_cost_yen integer not null check (shipping_cost_yen >= 0),
        -- 'gathered' from the ledger, or 'correction' (added during an investigation).
        origin text not null default 'gathered' check (origin in ('gathered', 'correction')),
        voided boolean not null default false,
        constraint billing_statement_lines_shipment_unique unique (statement_id, shipment_id)
      );
      create index billing_statement_lines_statement_idx on billing_statement_lines (statement_id, id);
      create index billing_statement_lines_donation_idx on billing_statement_lines (donation_id);

      create table billing_disputes (
        id bigserial primary key,
        statement_id bigint not null references billing_statements (id) on delete restrict,
        revision integer not null,
        raised_by text not null,
        raised_at timestamptz not null,
        reason text not null,
        -- What the supplier says is wrong: [{lineId?, shipmentId?, note}]
        lines jsonb not null default '[]',
        findings jsonb not null default '[]',
        status text not null default 'open' check (status in ('open', 'resolved')),
        resolution text null,
        resolved_by text null,
        resolved_at timestamptz null
      );
      create unique index billing_disputes_open_unique on billing_disputes (statement_id) where status = 'open';

      create table billing_invoices (
        id bigserial primary key,
        run_id text not null references billing_runs (id) on delete restrict,
        revision integer not null check (revision >= 1),
        number text not null unique,
        status text not null check (status in ('issued', 'accepted', 'rejected', 'superseded')),
        total_yen integer not null,
        -- The computed invoice (fee lines, statement by supplier and gift, cap flags, ratios), as printed.
        content jsonb not null,
        pdf bytea not null,
        csv bytea not null,
        issued_at timestamptz not null default now(),
        decided_by text null,
        decided_at timestamptz null,
        rejection_reason text null,
        -- BILL-4: accepted date + 30 days.
        payment_due_on date null,
        paid_yen integer not null default 0,
        paid_at timestamptz null,
        overdue_at timestamptz null,
        constraint billing_invoices_revision_unique unique (run_id, revision)
      );

      create table billing_city_payments (
        id bigserial primary key,
        invoice_id bigint not null references billing_invoices (id) on delete restrict,
        amount_yen integer not null check (amount_yen > 0),
        paid_on date not null,
        reference text not null,
        recorded_by text not null,
        recorded_at timestamptz not null default now(),
        idempotency_key text not null unique
      );

      -- BILL-2: what we paid suppliers (procurement) and carriers (shipping) for a month's actual shipments.
      create table billing_payee_payments (
        id bigserial primary key,
        run_id text not null references billing_runs (id) on delete restrict,
        payee_kind text not null check (payee_kind in ('supplier', 'carrier')),
        payee_code text not null,
        amount_yen integer not null check (amount_yen > 0),
        paid_on date not null,
        reference text not null,
        recorded_by text not null,
        recorded_at timestamptz not null default now(),
        constraint billing_payee_payments_reference_unique unique (run_id, payee_kind, payee_code, reference)
      );

      create table billing_events (
        id bigserial primary key,
        run_id text not null references billing_runs (id) on delete restrict,
        statement_id bigint null references billing_statements (id) on delete restrict,
        invoice_id bigint null references billing_invoices (id) on delete restrict,
        kind text not null,
        actor text not null,
        occurred_at timestamptz not null default now(),
        reason text null,
        before jsonb null,
        after jsonb null,
        idempotency_key text null unique
      );
      create index billing_events_run_idx on billing_events (run_id, id);
      ${appendOnlyTriggers('billing_events')}
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`
      drop table billing_events;
      drop table billing_payee_payments;
      drop table billing_city_payments;
      drop table billing_invoices;
      drop table billing_disputes;
      drop table billing_statement_lines;
      drop table billing_statements;
      drop table billing_runs;
    `);
  }
}
