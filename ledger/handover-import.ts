import type { Knex } from '@mikro-orm/postgresql';

/**
 * CONTRACT-2: the SQL of the hand-over archive's import (scripts/handover/import.ts orchestrates it).
 * The archive's rows arrive decoded (column → value, as its schema files type them); the donations
 * themselves go through the migration import (ledger/intake.ts, ledger/migration-import.ts), and this
 * module takes in everything around them, mapping the archive's keys onto this ledger's:
 *
 *   suppliers   by code (the archive's id when a supplier has none); gifts by code;
 *   donations   by the migration record's source id (管理番号 = the archive's donation id);
 *   gift lines  by donation, gift code and their order; donors through their donations, or under
 *               their own id when none of their donations was migrated.
 *
 * Every insert is `on conflict do nothing` on the row's own key (shipments, calls, call events and
 * one-stop applications keep the archive's id; receipts their number), so a second import of the
 * same archive changes nothing.
 */
export type ArchiveRow = Record<string, unknown>;

/** What became of one table's rows: new now, already there (an earlier import), or left out with the reason. */
export interface TableImport {
  table: string;
  archive: number;
  inserted: number;
  present: number;
  skipped: { key: string; reason: string }[];
  /** Rows imported without a link whose other end did not come over (a call about a cancelled donation). */
  unlinked?: { key: string; reason: string }[];
  /** Donors the migration import's 名寄せ found to be one person with another archive donor (`with`): both are this ledger's `into`. */
  merged?: { key: string; into: string; with: string }[];
}

const CHUNK = 500;

/** Inserts the rows `CHUNK` at a time, ignoring any that conflict; returns the keys of those inserted. */
async function insertNew(knex: Knex, table: string, rows: ArchiveRow[], key: string, conflict?: string[]): Promise<string[]> {
  const keys: string[] = [];
  for (let i = 0; i < rows.length; i += CHUNK) {
    const q = knex(table).insert(rows.slice(i, i + CHUNK));
    const inserted: Record<string, unknown>[] = await (conflict ? q.onConflict(conflict) : q.onConflict()).ignore().returning([key]);
    keys.push(...inserted.map((r) => String(r[key])));
  }
  return keys;
}

/** Which of `keys` the table holds now. */
async function holding(knex: Knex, table: string, key: string, keys: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < keys.length; i += CHUNK) {
    const rows: Record<string, unknown>[] = await knex(table).whereIn(key, keys.slice(i, i + CHUNK)).select(key);
    for (const r of rows) found.add(String(r[key]));
  }
  return found;
}

/**
 * Inserts what is new and says what became of each row. A row neither inserted now nor there from an
 * earlier import ran into another of this ledger's rows (say a one-stop application of the same
 * donation under another id): it is listed as skipped with that reason, never overwritten.
 */
async function result(knex: Knex, table: string, key: string, archive: ArchiveRow[], rows: ArchiveRow[], skipped: TableImport['skipped'], conflict?: string[]): Promise<TableImport> {
  const inserted = await insertNew(knex, table, rows, key, conflict);
  const found = await holding(knex, table, key, rows.map((r) => String(r[key])));
  const clashes = rows.filter((r) => !found.has(String(r[key]))).map((r) => ({ key: String(r[key]), reason: `conflicts with a row of ${table} this ledger already has` }));
  return { table, archive: archive.length, inserted: inserted.length, present: found.size - inserted.length, skipped: [...skipped, ...clashes] };
}

/** Moves a serial column's sequence past the highest id the table holds (ids kept from the archive). */
async function catchUp(knex: Knex, table: string, column = 'id'): Promise<void> {
  await knex.raw(`select setval(pg_get_serial_sequence(?, ?), greatest((select max(${column}) from ${table}), 1))`, [table, column]);
}

/**
 * The suppliers, with the map from the archive's supplier id to this ledger's. A supplier whose code
 * this ledger already has is that supplier (kept as it is here).
 */
export async function importSuppliers(knex: Knex, rows: ArchiveRow[]): Promise<{ result: TableImport; ids: Map<number, number> }> {
  const inserted = await insertNew(knex, 'suppliers', rows, 'id');
  await catchUp(knex, 'suppliers');
  // A supplier whose id this ledger gives another supplier takes a new id (the map below finds it by code).
  const codes = new Set((await knex('suppliers').whereNotNull('code').select('code')).map((s: { code: string }) => s.code));
  const moved = rows.filter((s) => s.code && !codes.has(String(s.code))).map(({ id: _id, ...s }) => s);
  if (moved.length) inserted.push(...(await insertNew(knex, 'suppliers', moved, 'id', ['code'])));
  const here: { id: number; code: string | null }[] = await knex('suppliers').select('id', 'code');
  const byCode = new Map(here.filter((s) => s.code !== null).map((s) => [s.code, s.id]));
  const byId = new Set(here.map((s) => s.id));
  const ids = new Map<number, number>();
  const skipped: TableImport['skipped'] = [];
  for (const s of rows) {
    const to = s.code ? byCode.get(String(s.code)) : byId.has(Number(s.id)) ? Number(s.id) : undefined;
    if (to === undefined) skipped.push({ key: String(s.id), reason: 'a supplier without a code whose id this ledger gives another supplier' });
    else ids.set(Number(s.id), to);
  }
  return { result: { table: 'suppliers', archive: rows.length, inserted: inserted.length, present: ids.size - inserted.length, skipped }, ids };
}

export async function importGifts(knex: Knex, rows: ArchiveRow[], suppliers: Map<number, number>): Promise<TableImport> {
  const mapped = rows.map((g) => ({ ...g, supplier_id: g.supplier_id === null ? null : (suppliers.get(Number(g.supplier_id)) ?? null) }));
  return result(knex, 'gifts', 'code', rows, mapped, [], ['code']);
}

/**
 * Numbers this ledger hands out next start above the archive's: receipt serials (R<年度>-<serial>-<issue>)
 * and shipment references (S<number>). Run before the donations are imported, so a receipt or a
 * shipment this system makes for a migrated donation never takes a number the archive's rows carry.
 */
export async function advanceNumbers(knex: Knex, numbers: { receiptSerial: number; shipmentReference: number }): Promise<void> {
  for (const [seq, n] of [['receipt_serial_seq', numbers.receiptSerial], ['shipment_reference_seq', numbers.shipmentReference]] as const) {
    if (n > 0) await knex.raw(`select setval(?::regclass, greatest(?::bigint, (select last_value from ${seq})))`, [seq, n]);
  }
}

/** A donation the migration import created from the archive's donation `sourceId`. */
export interface MigratedDonation {
  donationId: string;
  donorId: string;
  /** donation_migrations.stage / gifts: where the previous system had got to. */
  stage: string;
  gifts: string;
  /** The donation's gift line ids in order, per gift code. */
  lines: Map<string, number[]>;
}

export async function migratedDonations(knex: Knex, sourceIds: string[]): Promise<Map<string, MigratedDonation>> {
  const out = new Map<string, MigratedDonation>();
  for (let i = 0; i < sourceIds.length; i += CHUNK) {
    const { rows } = await knex.raw(
      `select m.source_id, m.donation_id, m.stage, m.gifts, d.donor_id,
              coalesce((select json_agg(json_build_array(l.gift_code, l.id) order by l.id) from donation_gift_lines l where l.donation_id = d.id), '[]') as lines
         from donation_migrations m join donations d on d.id = m.donation_id
        where m.source_id = any(?::text[])`,
      [sourceIds.slice(i, i + CHUNK)],
    );
    for (const r of rows) {
      const lines = new Map<string, number[]>();
      for (const [code, id] of r.lines as [string, number][]) lines.set(code, [...(lines.get(code) ?? []), id]);
      out.set(r.source_id, { donationId: r.donation_id, donorId: r.donor_id, stage: r.stage, gifts: r.gifts, lines });
    }
  }
  return out;
}

/** Donors none of whose donations was migrated (their donations were cancelled, or they only called): under their own id. */
export async function importDonors(knex: Knex, rows: ArchiveRow[], migrated: Map<string, string>): Promise<TableImport> {
  const own = rows.filter((d) => !migrated.has(String(d.id)));
  const r = await result(knex, 'donors', 'id', rows, own, [], ['id']);
  // The migrated donors were written by the migration import: present, under this ledger's id. Its 名寄せ may
  // find that two of the old system's donors are one person: the second and later are listed as merged.
  const into = new Map<string, string>();
  const merged: NonNullable<TableImport['merged']> = [];
  for (const d of rows.filter((x) => migrated.has(String(x.id)))) {
    const here = migrated.get(String(d.id))!;
    if (into.has(here)) merged.push({ key: String(d.id), into: here, with: into.get(here)! });
    else into.set(here, String(d.id));
  }
  return { ...r, present: r.present + into.size, ...(merged.length ? { merged } : {}) };
}

type Rows = (knex: Knex, archive: ArchiveRow[], rows: ArchiveRow[], skipped: TableImport['skipped']) => Promise<TableImport>;
export const importShipments: Rows = (knex, archive, rows, skipped) => result(knex, 'shipments', 'id', archive, rows, skipped);
export const importReceipts: Rows = (knex, archive, rows, skipped) => result(knex, 'receipts', 'number', archive, rows, skipped);
export const importCalls: Rows = (knex, archive, rows, skipped) => result(knex, 'calls', 'id', archive, rows, skipped, ['id']);
export const importOneStop: Rows = (knex, archive, rows, skipped) => result(knex, 'onestop_applications', 'id', archive, rows, skipped);

/** The calls' history keeps its ids (the events are append-only); the sequence moves past them. */
export async function importCallEvents(knex: Knex, archive: ArchiveRow[], rows: ArchiveRow[], skipped: TableImport['skipped']): Promise<TableImport> {
  const r = await result(knex, 'call_events', 'id', archive, rows, skipped, ['id']);
  await catchUp(knex, 'call_events');
  return r;
}

/** The columns this ledger's table has (to refuse an archive column it would not know where to put). */
export async function tableColumns(knex: Knex, table: string): Promise<Set<string>> {
  const { rows } = await knex.raw(`select column_name from information_schema.columns where table_schema = current_schema() and table_name = ?`, [table]);
  return new Set(rows.map((r: { column_name: string }) => r.column_name));
}
