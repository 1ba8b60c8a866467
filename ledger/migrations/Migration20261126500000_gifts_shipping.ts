import { Migration } from '@mikro-orm/migrations';

/**
 * Gift fulfilment (GIFT-1…5, SHIP-1…8): the catalogue grows approval, temperature,
 * 定期便, acceptance periods and stock per portal; suppliers record their shipping
 * days and their acknowledgement of the rules; shipments, supplier orders and
 * carrier exports record how each gift line reaches the donor.
 */
export class Migration20261126500000_gifts_shipping extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      alter table suppliers
        add column code text null,
        add column email text null,
        add column phone text null,
        add column postal_code text null,
        add column address text null,
        -- ISO weekdays (1 = Monday … 7 = Sunday) on which the supplier ships; SHIP-2 asks for at least two.
        add column shipping_weekdays smallint[] not null default '{2,5}',
        add column shipping_exception_reason text null,
        add column shipping_exception_approved_by text null,
        add column shipping_exception_approved_at timestamptz null,
        -- SHIP-8: 地場産品基準 and 食品表示法 acknowledged before any gift is listed.
        add column rules_acknowledged_at timestamptz null,
        add column rules_acknowledged_by text null,
        add column rules_acknowledgement_ref text null,
        add column default_carrier text null check (default_carrier in ('yamato_b2', 'sagawa_ehiden', 'japanpost_clickpost', 'japanpost_yupri')),
        add column active boolean not null default true,
        add constraint suppliers_code_unique unique (code),
        add constraint suppliers_twice_a_week check (
          cardinality(shipping_weekdays) >= 2 or shipping_exception_approved_at is not null),
        add constraint suppliers_weekdays_valid check (shipping_weekdays <@ '{1,2,3,4,5,6,7}'::smallint[]);

      alter table gifts
        -- Gifts already in the catalogue at cut-over were approved by the city under the old contract.
        add column approval_status text not null default 'approved' check (approval_status in ('proposed', 'approved', 'rejected')),
        add column proposed_by text null,
        add column proposed_at timestamptz null,
        add column decided_by text null,
        add column decided_at timestamptz null,
        add column decision_note text null,
        add column temperature text not null default 'ambient' check (temperature in ('ambient', 'chilled', 'frozen')),
        -- 定期便: N deliveries, interval_days apart.
        add column deliveries smallint not null default 1 check (deliveries between 1 and 24),
        add column delivery_interval_days smallint null check (delivery_interval_days is null or delivery_interval_days between 1 and 366),
        add column accept_from date null,
        add column accept_until date null,
        add column local_product_basis text null,
        -- Shipping season and lead time, e.g. {"shipMonths":[1,2,3,4]} for あまおう.
        add column delivery_constraints jsonb not null default '{}',
        add column carrier text null check (carrier in ('yamato_b2', 'sagawa_ehiden', 'japanpost_clickpost', 'japanpost_yupri')),
        add column total_stock integer null check (total_stock is null or total_stock >= 0),
        add column low_stock_threshold integer not null default 10 check (low_stock_threshold >= 0),
        add column auto_rebalance boolean not null default false,
        add constraint gifts_subscription_interval check (deliveries = 1 or delivery_interval_days is not null),
        add constraint gifts_active_needs_approval check (not active or approval_status = 'approved'),
        -- GIFT-4: procurement cost at most 30% of the donation (告示 R5-244); also enforced per portal price in code.
        add constraint gifts_active_cost_cap check (not active or cost_yen * 10 <= price_yen * 3),
        add constraint gifts_acceptance_period check (accept_from is null or accept_until is null or accept_from <= accept_until);

      -- Per-portal listing: name on that portal and the stock allocated to it (GIFT-1, GIFT-2).
      create table gift_listings (
        gift_code text not null references gifts (code) on update cascade on delete cascade,
        portal_code text not null references portals (code) on update cascade on delete restrict,
        portal_gift_name text null,
        allocated integer null check (allocated is null or allocated >= 0),
        sold integer not null default 0,
        listed boolean not null default true,
        updated_at timestamptz not null default now(),
        primary key (gift_code, portal_code)
      );

      create table stock_movements (
        id bigserial primary key,
        gift_code text not null references gifts (code) on update cascade on delete cascade,
        portal_code text null references portals (code) on update cascade on delete restrict,
        kind text not null check (kind in ('total_set', 'allocated', 'sale', 'sale_released', 'moved')),
        delta integer not null,
        to_portal_code text null references portals (code) on update cascade on delete restrict,
        donation_id uuid null references donations (id) on update cascade on delete restrict,
        actor text not null,
        reason text null,
        idempotency_key text null unique,
        occurred_at timestamptz not null default now()
      );
      create index stock_movements_gift_idx on stock_movements (gift_code, id);

      create table stock_alerts (
        id bigserial primary key,
        gift_code text not null references gifts (code) on update cascade on delete cascade,
        portal_code text null references portals (code) on update cascade on delete restrict,
        kind text not null check (kind in ('low', 'sold_out', 'oversold')),
        remaining integer not null,
        raised_at timestamptz not null default now(),
        cleared_at timestamptz null
      );
      create unique index stock_alerts_open_unique on stock_alerts (gift_code, coalesce(portal_code, ''), kind) where cleared_at is null;

      -- SHIP-6 and record-only portals: a gift line may be fulfilled by nobody, with the reason kept.
      alter table donation_gift_lines
        add column fulfilment text not null default 'ship' check (fulfilment in ('ship', 'portal_ships', 'no_gift_resident', 'closed')),
        add column fulfilment_note text null;

      create table supplier_orders (
        id bigserial primary key,
        supplier_id integer not null references suppliers (id) on update cascade on delete restrict,
        ship_on date not null,
        status text not null default 'open' check (status in ('open', 'sent')),
        sent_at timestamptz null,
        created_at timestamptz not null default now(),
        constraint supplier_orders_day_unique unique (supplier_id, ship_on)
      );

      create table shipments (
        id uuid primary key,
        donation_id uuid not null references donations (id) on update cascade on delete restrict,
        gift_line_id integer not null references donation_gift_lines (id) on update cascade on delete restrict,
        gift_code text not null references gifts (code) on update cascade on delete restrict,
        supplier_id integer null references suppliers (id) on update cascade on delete restrict,
        delivery_no smallint not null default 1,
        deliveries smallint not null default 1,
        -- 1 = the first shipment; 2, 3, … = re-shipments after trouble (SHIP-5), each linked to the one it replaces.
        attempt smallint not null default 1,
        replaces_shipment_id uuid null references shipments (id) on update cascade on delete restrict,
        status text not null default 'planned' check (status in
          ('planned', 'awaiting_order', 'ordered', 'shipped', 'delivered', 'trouble', 'escalated', 'cancelled', 'closed')),
        not_before date null,
        order_id bigint null references supplier_orders (id) on update cascade on delete restrict,
        planned_ship_on date null,
        shipped_on date null,
        carrier text null,
        tracking_number text null,
        delivered_at timestamptz null,
        trouble_kind text null check (trouble_kind in ('delay', 'damage', 'loss')),
        trouble_note text null,
        workflow_id text not null,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        constraint shipments_attempt_unique unique (gift_line_id, delivery_no, attempt)
      );
      create index shipments_donation_idx on shipments (donation_id);
      create index shipments_awaiting_idx on shipments (supplier_id, not_before) where status = 'awaiting_order';
      create index shipments_order_idx on shipments (order_id);
      create index shipments_tracking_idx on shipments (carrier, tracking_number);

      create table shipment_events (
        id bigserial primary key,
        shipment_id uuid not null references shipments (id) on update cascade on delete restrict,
        kind text not null,
        from_status text null,
        to_status text null,
        actor text not null,
        occurred_at timestamptz not null,
        reason text null,
        data jsonb null,
        idempotency_key text null unique,
        recorded_at timestamptz not null default now()
      );
      create index shipment_events_shipment_idx on shipment_events (shipment_id, id);
      create trigger shipment_events_no_update before update or delete on shipment_events
        for each row execute function donation_events_append_only();

      create table carrier_exports (
        id bigserial primary key,
        carrier text not null,
        ship_on date not null,
        file_name text not null,
        rows integer not null,
        sha256 text not null,
        problems jsonb not null default '[]',
        created_at timestamptz not null default now(),
        constraint carrier_exports_file_unique unique (ship_on, file_name)
      );
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`
      drop table carrier_exports;
      drop table shipment_events;
      drop table shipments;
      drop table supplier_orders;
      alter table donation_gift_lines drop column fulfilment, drop column fulfilment_note;
      drop table stock_alerts;
      drop table stock_movements;
      drop table gift_listings;
      alter table gifts
        drop constraint gifts_subscription_interval, drop constraint gifts_active_needs_approval,
        drop constraint gifts_active_cost_cap, drop constraint gifts_acceptance_period,
        drop column approval_status, drop column proposed_by, drop column proposed_at, drop column decided_by,
        drop column decided_at, drop column decision_note, drop column temperature, drop column deliveries,
        drop column delivery_interval_days, drop column accept_from, drop column accept_until,
        drop column local_product_basis, drop column delivery_constraints, drop column carrier,
        drop column total_stock, drop column low_stock_threshold, drop column auto_rebalance;
      alter table suppliers
        drop constraint suppliers_code_unique, drop constraint suppliers_twice_a_week, drop constraint suppliers_weekdays_valid,
        drop column code, drop column email, drop column phone, drop column postal_code, drop column address,
        drop column shipping_weekdays, drop column shipping_exception_reason, drop column shipping_exception_approved_by,
        drop column shipping_exception_approved_at, drop column rules_acknowledged_at, drop column rules_acknowledged_by,
        drop column rules_acknowledgement_ref, drop column default_carrier, drop column active;
    `);
  }
}
