import type { Knex } from '@mikro-orm/postgresql';
import type { CarrierCode, CarrierProblem, CarrierShipmentRow } from '../domain/carriers/types';
import type { CarrierSender } from '../domain/shipping/city-sender';

// The rows of carrier import files (SHIP-3), read from the ledger; the files are built by
// domain/carriers and written by the shipping activities (or sent by the API for one order),
// which record each file written in carrier_exports.

const CARRIER_OF = `coalesce(s.carrier, g.carrier, p.default_carrier, 'yamato_b2')`;

function dayFilter(shipOn: string, supplierCodes?: string[]): { where: string; bindings: unknown[] } {
  const only = supplierCodes?.length ? supplierCodes : null;
  return {
    where: `s.planned_ship_on = ?::date and s.status in ('ordered', 'shipped')${only ? ` and p.code in (${only.map(() => '?').join(',')})` : ''}`,
    bindings: [shipOn, ...(only ?? [])],
  };
}

/** The carriers the day's ordered shipments go with, so that each carrier's rows can be read on their own. */
export async function carriersForDay(knex: Knex, shipOn: string, supplierCodes?: string[]): Promise<CarrierCode[]> {
  const { where, bindings } = dayFilter(shipOn, supplierCodes);
  const { rows } = await knex.raw(
    `select distinct ${CARRIER_OF} as carrier from shipments s join gifts g on g.code = s.gift_code left join suppliers p on p.id = s.supplier_id where ${where} order by 1`,
    bindings as any[],
  );
  return rows.map((r: any) => r.carrier as CarrierCode);
}

/**
 * The day's ordered shipments as carrier rows, grouped by carrier: the shipment's
 * own carrier, else the gift's, else the supplier's default, else ヤマト.
 * The sender is the supplier (it hands the parcel over); `city` when unknown.
 * With `carrier`, only that carrier's rows are read.
 */
export async function carrierRowsForDay(knex: Knex, city: CarrierSender, shipOn: string, supplierCodes?: string[], carrier?: CarrierCode): Promise<Map<CarrierCode, CarrierShipmentRow[]>> {
  const byCarrier = new Map<CarrierCode, CarrierShipmentRow[]>();
  const day = dayFilter(shipOn, supplierCodes);
  const where = carrier ? `${day.where} and ${CARRIER_OF} = ?` : day.where;
  for (const { carrier: c, row } of await carrierRows(knex, city, where, carrier ? [...day.bindings, carrier] : day.bindings)) {
    const list = byCarrier.get(c) ?? [];
    list.push(row);
    byCarrier.set(c, list);
  }
  return byCarrier;
}

/** One supplier order's rows, whatever carrier they were meant for (the supplier picks the format). */
export async function carrierRowsForOrder(knex: Knex, city: CarrierSender, orderId: string): Promise<CarrierShipmentRow[]> {
  return (await carrierRows(knex, city, `s.order_id = ? and s.status in ('ordered', 'shipped')`, [orderId])).map((r) => r.row);
}

async function carrierRows(knex: Knex, city: CarrierSender, where: string, bindings: unknown[]): Promise<{ carrier: CarrierCode; row: CarrierShipmentRow }[]> {
  const { rows } = await knex.raw(
    `select s.id, s.reference, to_char(s.planned_ship_on, 'YYYY-MM-DD') as ship_on, ${CARRIER_OF} as carrier,
            g.name as gift_name, g.temperature, l.quantity, s.delivery_no, s.deliveries,
            o.name, o.name_kana, o.postal_code, o.prefecture, o.address, o.phone, o.email,
            p.name as supplier_name, p.postal_code as supplier_postal, p.address as supplier_address, p.phone as supplier_phone
       from shipments s join gifts g on g.code = s.gift_code join donation_gift_lines l on l.id = s.gift_line_id
       join donation_recipients o on o.donation_id = s.donation_id left join suppliers p on p.id = s.supplier_id
      where ${where} order by s.created_at`,
    bindings as any[],
  );
  return rows.map((r: any) => {
    const row: CarrierShipmentRow = {
      // The short number, not the id: it fits every carrier's お客様管理番号 whole (docs/carriers.md).
      shipmentId: r.reference,
      shipOn: r.ship_on,
      temperature: r.temperature,
      recipient: { name: r.name, nameKana: r.name_kana, postalCode: r.postal_code, prefecture: r.prefecture, address: r.address, phone: r.phone ?? '' },
      sender: {
        name: r.supplier_name ?? city.name,
        postalCode: r.supplier_postal ?? city.postalCode,
        address: r.supplier_address ?? city.address,
        phone: r.supplier_phone ?? city.phone,
      },
      itemName: r.deliveries > 1 ? `${r.gift_name} (定期便${r.delivery_no}/${r.deliveries})` : r.gift_name,
      quantity: r.quantity,
      email: r.email ?? undefined,
    };
    return { carrier: r.carrier as CarrierCode, row };
  });
}

/**
 * Records the day's carrier files as written (one carrier_exports row per file); a file written
 * again (the day's run repeated) replaces its row's counts, checksum and problems.
 */
export async function recordCarrierExports(
  knex: Knex,
  shipOn: string,
  files: { carrier: CarrierCode; fileName: string; rows: number; sha256: string; problems: CarrierProblem[] }[],
): Promise<void> {
  await knex.raw(
    `insert into carrier_exports (carrier, ship_on, file_name, rows, sha256, problems)
     select f.carrier, ?::date, f.file_name, f.rows, f.sha256, f.problems
       from jsonb_to_recordset(?::jsonb) as f (carrier text, file_name text, rows integer, sha256 text, problems jsonb)
     on conflict (ship_on, file_name) do update set rows = excluded.rows, sha256 = excluded.sha256, problems = excluded.problems, created_at = now()`,
    [shipOn, JSON.stringify(files.map((f) => ({ carrier: f.carrier, file_name: f.fileName, rows: f.rows, sha256: f.sha256, problems: f.problems })))],
  );
}
