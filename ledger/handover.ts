import type { Knex } from '@mikro-orm/postgresql';

/**
 * CONTRACT-2 (spec 16(4)(5)): what the ledger hands over to the next contractor, read for
 * scripts/handover/ledger.ts. Every row of the tables below, every column but 個人番号 material
 * (sealed bytes, key ids: that goes by the city's designated means, MYNUM), and the donations again
 * in the layout of the project's own migration import (domain/portals/mappings/furusato_do.json),
 * so the next system — or this one, empty — takes them in through that import.
 */
export const HANDOVER_TABLES = [
  { table: 'donors', title: '寄附者' },
  { table: 'donations', title: '寄附' },
  { table: 'donation_gift_lines', title: '寄附の返礼品' },
  { table: 'suppliers', title: '返礼品事業者' },
  { table: 'gifts', title: '返礼品' },
  { table: 'shipments', title: '配送' },
  { table: 'receipts', title: '寄附金受領証明書（書類の記録）' },
  { table: 'calls', title: '問合せ（コールセンター記録）' },
  { table: 'call_events', title: '問合せの履歴' },
  { table: 'onestop_applications', title: 'ワンストップ特例申請の状態（個人番号を含まない）' },
] as const;

export type HandoverTable = (typeof HANDOVER_TABLES)[number]['table'];

export interface HandoverColumn {
  name: string;
  /** PostgreSQL's data_type (information_schema). */
  dataType: string;
  nullable: boolean;
}

/** 個人番号 never leaves through the hand-over: sealed bytes and their key ids stay behind. */
const withheld = (c: { column_name: string; data_type: string }) => c.data_type === 'bytea' || /^my_number_(sealed|key_id)$/.test(c.column_name);

export async function handoverColumns(knex: Knex, table: HandoverTable): Promise<{ columns: HandoverColumn[]; primaryKey: string[] }> {
  const { rows } = await knex.raw(
    `select column_name, data_type, is_nullable from information_schema.columns where table_schema = current_schema() and table_name = ? order by ordinal_position`,
    [table],
  );
  const { rows: pk } = await knex.raw(
    `select a.attname as name from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey)
      where i.indrelid = ?::regclass and i.indisprimary order by array_position(i.indkey, a.attnum)`,
    [table],
  );
  return {
    columns: rows.filter((c: any) => !withheld(c)).map((c: any) => ({ name: c.column_name, dataType: c.data_type, nullable: c.is_nullable === 'YES' })),
    primaryKey: pk.map((r: any) => r.name),
  };
}

/** The table's rows in primary-key order, `size` at a time (keyset on the key's text, so any key type pages). */
export async function* handoverRows(knex: Knex, table: HandoverTable, columns: HandoverColumn[], primaryKey: string[], size = 5000): AsyncGenerator<Record<string, unknown>[]> {
  const order = primaryKey.length ? primaryKey : [columns[0].name];
  for (let offset = 0; ; offset += size) {
    const rows = await knex(table).select(columns.map((c) => c.name)).orderBy(order).limit(size).offset(offset);
    if (rows.length) yield rows;
    if (rows.length < size) return;
  }
}

/** One line per gift line (or one for a donation without a gift), with what the migration import reads. */
export interface MigrationExportRow {
  donationId: string;
  portal: string;
  channel: string;
  portalOrderId: string;
  appliedAt: Date;
  amountYen: number;
  paymentMethod: string;
  paidAt: Date | null;
  purpose: string | null;
  wantsOneStop: boolean;
  disasterRelief: boolean;
  status: string;
  donor: { name: string; nameKana: string; postalCode: string; prefecture: string; address: string; phone: string | null; email: string | null };
  giftCode: string | null;
  quantity: number | null;
  documentsSentAt: Date | null;
  /** The earliest day a gift of the donation left the supplier, if every delivery has. */
  giftsShippedOn: string | null;
  giftsPending: boolean;
}

export async function migrationExportRows(knex: Knex, afterId: string | null, size = 2000): Promise<MigrationExportRow[]> {
  const { rows } = await knex.raw(
    `with d as (select * from donations where (?::uuid is null or id > ?::uuid) order by id limit ?)
     select d.id, d.portal_code, d.channel, d.portal_order_id, d.applied_at, d.amount_yen, d.payment_method, d.paid_at, d.purpose,
            d.wants_one_stop, d.disaster_relief, d.status, d.documents_sent_at,
            r.name, r.name_kana, r.postal_code, r.prefecture, r.address, r.phone, r.email,
            l.gift_code, l.quantity, l.id as line_id,
            (select to_char(min(s.shipped_on), 'YYYY-MM-DD') from shipments s where s.donation_id = d.id) as shipped_on,
            exists (select 1 from shipments s where s.donation_id = d.id and s.shipped_on is null and s.status not in ('cancelled', 'closed')) as pending
       from d join donors r on r.id = d.donor_id left join donation_gift_lines l on l.donation_id = d.id
      order by d.id, l.id`,
    [afterId, afterId, size],
  );
  return rows.map((r: any) => ({
    donationId: r.id,
    portal: r.portal_code,
    channel: r.channel,
    portalOrderId: r.portal_order_id,
    appliedAt: new Date(r.applied_at),
    amountYen: r.amount_yen,
    paymentMethod: r.payment_method,
    paidAt: r.paid_at ? new Date(r.paid_at) : null,
    purpose: r.purpose,
    wantsOneStop: r.wants_one_stop,
    disasterRelief: r.disaster_relief,
    status: r.status,
    donor: { name: r.name, nameKana: r.name_kana, postalCode: r.postal_code, prefecture: r.prefecture, address: r.address, phone: r.phone, email: r.email },
    giftCode: r.gift_code,
    quantity: r.quantity,
    documentsSentAt: r.documents_sent_at ? new Date(r.documents_sent_at) : null,
    giftsShippedOn: r.shipped_on,
    giftsPending: r.pending,
  }));
}
