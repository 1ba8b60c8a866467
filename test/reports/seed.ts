import { randomUUID } from 'node:crypto';
import type { Knex } from '@mikro-orm/postgresql';

/** Ledger rows written straight into the tables: the report reads the ledger, whoever wrote it. */
export class Seed {
  constructor(readonly knex: Knex, readonly prefix: string) {}

  async supplier(code: string, opts: { weekdays?: number[]; exception?: boolean; email?: string } = {}): Promise<number> {
    const [row] = (
      await this.knex.raw(
        `insert into suppliers (name, code, email, shipping_weekdays, shipping_exception_reason, shipping_exception_approved_by, shipping_exception_approved_at)
         values (?, ?, ?, ?::smallint[], ?, ?, ?) returning id`,
        [`${code} 商店`, code, opts.email ?? null, `{${(opts.weekdays ?? [2, 5]).join(',')}}`, opts.exception ? '冬季は週1回' : null, opts.exception ? 'city:test' : null, opts.exception ? new Date() : null],
      )
    ).rows;
    return row.id;
  }

  async gift(code: string, supplierId: number, priceYen: number): Promise<void> {
    await this.knex.raw(`insert into gifts (code, name, supplier_id, price_yen, cost_yen) values (?, ?, ?, ?, ?)`, [code, `${code} 返礼品`, supplierId, priceYen, Math.floor(priceYen * 0.3)]);
  }

  async donor(name: string, prefecture: string): Promise<string> {
    const id = randomUUID();
    await this.knex.raw(`insert into donors (id, name, name_kana, postal_code, prefecture, address) values (?, ?, 'テスト', '100-0001', ?, '1-1')`, [id, `${this.prefix} ${name}`, prefecture]);
    return id;
  }

  async donation(d: {
    donorId: string;
    portal: string;
    amountYen: number;
    appliedAt: string;
    status?: string;
    disasterRelief?: boolean;
    gift?: { code: string; unitPriceYen: number; quantity?: number };
    documents?: { dueOn: string; sentAt?: string };
    intakeLate?: boolean;
  }): Promise<{ id: string; lineId?: number }> {
    const id = randomUUID();
    const order = `${this.prefix}-${randomUUID().slice(0, 8)}`;
    await this.knex.raw(
      `insert into donations (id, portal_code, portal_order_id, donor_id, channel, amount_yen, payment_method, applied_at, status, disaster_relief,
                              documents_due_on, documents_due_at, documents_sent_at, workflow_id, intake_fingerprint, created_by)
       values (?, ?, ?, ?, 'portal', ?, 'credit_card', ?, ?, ?, ?::date, (?::date + 1)::timestamp at time zone 'Asia/Tokyo', ?, ?, 'seed', 'test:seed')`,
      [id, d.portal, order, d.donorId, d.amountYen, d.appliedAt, d.status ?? 'paid', d.disasterRelief ?? false, d.documents?.dueOn ?? null, d.documents?.dueOn ?? null, d.documents?.sentAt ?? null, `donation/${d.portal}/${order}`],
    );
    let lineId: number | undefined;
    if (d.gift) {
      lineId = (await this.knex.raw(`insert into donation_gift_lines (donation_id, gift_code, quantity, unit_price_yen) values (?, ?, ?, ?) returning id`, [id, d.gift.code, d.gift.quantity ?? 1, d.gift.unitPriceYen])).rows[0].id;
    }
    if (d.intakeLate !== undefined) {
      await this.knex.raw(`insert into donation_intake (donation_id, applied_at, imported_at, due_on, late) values (?, ?, ?, ?::date, ?)`, [id, d.appliedAt, d.appliedAt, d.appliedAt.slice(0, 10), d.intakeLate]);
    }
    return { id, lineId };
  }

  async shipment(s: {
    donationId: string;
    lineId: number;
    giftCode: string;
    supplierId: number;
    attempt?: number;
    replaces?: string;
    status: string;
    createdAt: string;
    plannedShipOn?: string;
    shippedOn?: string;
    deliveredAt?: string;
    carrier?: string;
    troubleKind?: string;
  }): Promise<string> {
    const id = randomUUID();
    await this.knex.raw(
      `insert into shipments (id, donation_id, gift_line_id, gift_code, supplier_id, attempt, replaces_shipment_id, status, created_at, planned_ship_on, shipped_on, delivered_at, carrier, trouble_kind, workflow_id)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::date, ?::date, ?, ?, ?, ?)`,
      [id, s.donationId, s.lineId, s.giftCode, s.supplierId, s.attempt ?? 1, s.replaces ?? null, s.status, s.createdAt, s.plannedShipOn ?? null, s.shippedOn ?? null, s.deliveredAt ?? null, s.carrier ?? null, s.troubleKind ?? null, `shipment/${id}`],
    );
    if (s.plannedShipOn) {
      await this.knex.raw(`insert into supplier_orders (supplier_id, ship_on, status) values (?, ?::date, 'sent') on conflict (supplier_id, ship_on) do nothing`, [s.supplierId, s.plannedShipOn]);
    }
    return id;
  }

  async onestop(donationId: string, status: string, arrivedOn: string, birthDate?: string): Promise<void> {
    const id = randomUUID();
    const content = JSON.stringify(birthDate ? { birthDate } : {});
    await this.knex.raw(
      `insert into onestop_applications (id, donation_id, workflow_id, channel, status, form_version, arrived_on, deadline_on, content, current_content, my_number_verdict, created_by)
       values (?, ?, ?, 'paper', ?, 'current', ?::date, '2032-01-13', ?::jsonb, ?::jsonb, 'missing', 'test:seed')`,
      [id, donationId, `onestop/${id}`, status, arrivedOn, content, content],
    );
  }

  async call(c: { channel: string; category: string; complaint: boolean; receivedAt: string; status?: string; outcome?: string; shipmentId?: string; reshipped?: boolean; subject?: string }): Promise<string> {
    const id = randomUUID();
    await this.knex.raw(
      `insert into calls (id, channel, category, complaint, status, subject, body, received_at, out_of_hours, outcome, report_to_city, shipment_id, reshipment_requested_at, created_by, updated_by)
       values (?, ?, ?, ?, ?, ?, 'body', ?, false, ?, ?, ?, ?, 'test:seed', 'test:seed')`,
      [id, c.channel, c.category, c.complaint, c.status ?? '未対応', c.subject ?? `${this.prefix} ${c.category}`, c.receivedAt, c.outcome ?? null, c.complaint, c.shipmentId ?? null, c.reshipped ? c.receivedAt : null],
    );
    return id;
  }

  async measure(m: { callId: string; supplierId?: number; carrier?: string; demandedAt: string; dueOn: string; closed?: boolean }): Promise<string> {
    const id = randomUUID();
    await this.knex.raw(
      `insert into quality_measures (id, call_id, party_kind, supplier_id, carrier, demand, demanded_at, demanded_by, due_on, status, reply, measure_taken, replied_at, replied_by, closed_at, closed_by, close_note, workflow_id)
       values (?, ?, ?, ?, ?, '梱包の改善', ?, 'test:seed', ?::date, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        id, m.callId, m.supplierId ? 'supplier' : 'carrier', m.supplierId ?? null, m.carrier ?? null, m.demandedAt, m.dueOn,
        m.closed ? 'closed' : 'open', m.closed ? '緩衝材を追加' : null, m.closed ? '緩衝材' : null, m.closed ? m.demandedAt : null, m.closed ? 'test' : null,
        m.closed ? m.demandedAt : null, m.closed ? 'test' : null, m.closed ? 'ok' : null, `quality-demand/${id}`,
      ],
    );
    return id;
  }
}
