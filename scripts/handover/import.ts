/**
 * CONTRACT-2: the project's own import of a hand-over archive (`npm run handover:import -- --from DIR`),
 * into an empty instance — the proof that what `npm run handover` writes is complete and readable.
 *
 * 1. The archive is checked before anything is written: every manifest line against its file's bytes
 *    (sha256, size), every table the import reads is in the manifest, and each table's CSV has the
 *    header its schema file names and the row count both tables.json and the manifest line state.
 *    Anything else is refused with HandoverArchiveError naming the file (and row and column for a
 *    cell that is not of its column's type).
 * 2. Suppliers and gifts (the donations' gift lines need them), and the numbers this system hands
 *    out next moved past the archive's (receipt serials, shipment references).
 * 3. The donations through the migration import — the same path as POST /intake/migration: the file
 *    `ledger/migration/donations.csv` is stored (storeImportFile) and its ImportFileWorkflow run;
 *    each donation's workflow starts where the previous system had got to (LEDGER-4/SHIP-7).
 *    Cancelled donations are refused there on purpose (quarantined), so nothing hangs on them here.
 * 4. Everything that hangs on a donation, mapped through its migration record (管理番号 = the
 *    archive's donation id): donors none of whose donations was migrated; shipments of donations the
 *    previous system had shipped (a donation migrated with its gifts still to ship is shipped by this
 *    system, which plans its own); receipts of donations whose documents were posted (those still due
 *    are printed by this system); calls and their history; one-stop application states (no 個人番号).
 *    What cannot be placed is listed per table with the reason, never dropped silently.
 *
 * Idempotent: the file is stored once by hash and its import not repeated; every other row keeps its
 * key and is inserted `on conflict do nothing` (ledger/handover-import.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { AppConfig } from '../../config/env';
import { parseCsv } from '../../domain/carriers/shared';
import { MIGRATION_SOURCE } from '../../domain/portals';
import {
  advanceNumbers,
  importCallEvents,
  importCalls,
  importDonors,
  importGifts,
  importOneStop,
  importReceipts,
  importShipments,
  importSuppliers,
  migratedDonations,
  tableColumns,
  type ArchiveRow,
  type MigratedDonation,
  type TableImport,
} from '../../ledger/handover-import';
import { importReport, storeImportFile } from '../../ledger/intake';
import type { Orm } from '../../ledger/orm';
import { ensureImportWorkflow } from '../../workflows/intake/client';
import { HandoverArchiveError, readHandover } from './sections';

export { HandoverArchiveError };

export interface HandoverImportDeps {
  orm: Orm;
  temporal: Client;
  config: Pick<AppConfig, 'temporal'>;
  /** Who imports, for the migration file's record (e.g. 'operator:tanaka'). */
  actor: string;
}

export interface HandoverImportReport {
  /** The migration import of the donations (its per-row report: GET /intake/imports/:id). */
  donations: { fileId: string; existing: boolean; archive: number; created: number; unchanged: number; quarantined: number };
  tables: TableImport[];
}

interface SchemaField {
  name: string;
  'x-postgresql-type': string;
}

/** A table of the archive: its rows decoded by its schema file's types. */
export interface ArchiveTable {
  table: string;
  rows: ArchiveRow[];
}

const LEDGER = 'ledger';
const MIGRATION_FILE = `${LEDGER}/migration/donations.csv`;
const INDEX_FILE = `${LEDGER}/tables.json`;
const TABLES = ['suppliers', 'gifts', 'donors', 'donations', 'donation_gift_lines', 'shipments', 'receipts', 'calls', 'call_events', 'onestop_applications'] as const;
type Table = (typeof TABLES)[number];

const INTEGER = new Set(['integer', 'bigint', 'smallint']);

/** One cell as its column's type: empty = null; arrays from their JSON; JSON columns stay JSON text (the database parses it). */
function decodeCell(text: string, type: string, where: () => string): unknown {
  if (text === '') return null;
  if (INTEGER.has(type)) {
    if (!/^-?[0-9]+$/.test(text)) throw new HandoverArchiveError(where(), `is not an integer (${JSON.stringify(text.slice(0, 40))})`);
    return Number(text);
  }
  if (type === 'boolean') {
    if (text !== 'true' && text !== 'false') throw new HandoverArchiveError(where(), `is not true or false (${JSON.stringify(text.slice(0, 40))})`);
    return text === 'true';
  }
  if (type === 'ARRAY' || type === 'jsonb' || type === 'json') {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new HandoverArchiveError(where(), `is not JSON (${JSON.stringify(text.slice(0, 40))})`);
    }
    if (type !== 'ARRAY') return text;
    if (!Array.isArray(value)) throw new HandoverArchiveError(where(), 'is not a JSON array');
    return value;
  }
  if (type === 'uuid' && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text)) throw new HandoverArchiveError(where(), `is not a uuid (${JSON.stringify(text.slice(0, 40))})`);
  if ((type === 'timestamp with time zone' || type === 'date') && Number.isNaN(Date.parse(text))) throw new HandoverArchiveError(where(), `is not a ${type === 'date' ? 'date' : 'timestamp'} (${JSON.stringify(text.slice(0, 40))})`);
  return text;
}

/** Reads one table's CSV by its schema file; the manifest has been checked, the counts are checked here. */
function readTable(dir: string, table: Table, stated: { index: number; manifest: string | undefined }): ArchiveTable {
  const csvFile = `${LEDGER}/tables/${table}.csv`;
  const schemaFile = `${LEDGER}/tables/${table}.schema.json`;
  const at = (rel: string) => path.join(dir, ...rel.split('/'));
  let fields: SchemaField[];
  try {
    fields = JSON.parse(fs.readFileSync(at(schemaFile), 'utf8')).fields;
  } catch (err) {
    throw new HandoverArchiveError(schemaFile, `is not a table schema (${(err as Error).message})`);
  }
  if (!Array.isArray(fields) || !fields.length) throw new HandoverArchiveError(schemaFile, 'names no fields');
  const text = fs.readFileSync(at(csvFile), 'utf8');
  if (text.charCodeAt(0) === 0xfeff) throw new HandoverArchiveError(csvFile, 'starts with a byte-order mark (the archive is UTF-8 without one)');
  const [header, ...records] = parseCsv(text);
  const names = fields.map((f) => f.name);
  if (!header || header.cells.join(',') !== names.join(',')) throw new HandoverArchiveError(csvFile, `has the header ${JSON.stringify(header?.cells ?? [])}, its schema names ${JSON.stringify(names)}`);
  if (records.length !== stated.index) throw new HandoverArchiveError(csvFile, `has ${records.length} rows, tables.json says ${stated.index}`);
  if (stated.manifest !== `table: ${records.length} rows`) throw new HandoverArchiveError(csvFile, `has ${records.length} rows, its manifest line says "${stated.manifest}"`);
  const rows = records.map(({ row, cells }) => {
    if (cells.length !== names.length) throw new HandoverArchiveError(`${csvFile} row ${row}`, `has ${cells.length} cells, the header ${names.length}`);
    return Object.fromEntries(fields.map((f, i) => [f.name, decodeCell(cells[i], f['x-postgresql-type'], () => `${csvFile} row ${row} column ${f.name}`)]));
  });
  return { table, rows };
}

/**
 * Checks the archive against its manifest and reads every table the import takes in. Throws
 * HandoverArchiveError (naming the file) before anything is written.
 */
export function readArchive(dir: string): { tables: Record<Table, ArchiveRow[]>; migrationFile: Buffer } {
  const manifest = readHandover(dir);
  const listed = new Map(manifest.entries.map((e) => [e.file, e]));
  const needed = [INDEX_FILE, MIGRATION_FILE, ...TABLES.flatMap((t) => [`${LEDGER}/tables/${t}.csv`, `${LEDGER}/tables/${t}.schema.json`])];
  for (const f of needed) if (!listed.has(f)) throw new HandoverArchiveError(f, 'is not in the manifest');
  let index: { tables: { table: string; rows: number }[] };
  try {
    index = JSON.parse(fs.readFileSync(path.join(dir, ...INDEX_FILE.split('/')), 'utf8'));
  } catch (err) {
    throw new HandoverArchiveError(INDEX_FILE, `is not JSON (${(err as Error).message})`);
  }
  const tables = {} as Record<Table, ArchiveRow[]>;
  for (const t of TABLES) {
    const entry = index.tables?.find((x) => x.table === t);
    if (!entry) throw new HandoverArchiveError(INDEX_FILE, `does not list the table ${t}`);
    tables[t] = readTable(dir, t, { index: entry.rows, manifest: listed.get(`${LEDGER}/tables/${t}.csv`)?.kind }).rows;
  }
  return { tables, migrationFile: fs.readFileSync(path.join(dir, ...MIGRATION_FILE.split('/'))) };
}

/** Refuses an archive column this ledger has no place for (the archive comes from another version). */
async function checkColumns(orm: Orm, tables: Record<Table, ArchiveRow[]>): Promise<void> {
  for (const t of TABLES) {
    const here = await tableColumns(orm.em.getKnex(), t);
    const unknown = Object.keys(tables[t][0] ?? {}).filter((c) => !here.has(c));
    if (unknown.length) throw new HandoverArchiveError(`${LEDGER}/tables/${t}.csv`, `has columns this ledger does not know (${unknown.join(', ')})`);
  }
}

const highest = (values: unknown[], pattern: RegExp) => values.reduce<number>((m, v) => Math.max(m, Number(pattern.exec(String(v ?? ''))?.[1] ?? 0)), 0);

/** Stores the migration file and runs its import to the end, like POST /intake/migration. */
async function importDonations(deps: HandoverImportDeps, bytes: Buffer, archive: number): Promise<HandoverImportReport['donations']> {
  const { file, existing } = await storeImportFile(deps.orm, { portal: MIGRATION_SOURCE, fileName: 'handover-donations.csv', source: 'upload', createdBy: deps.actor, bytes: (async function* () {
    yield bytes;
  })() });
  await (await ensureImportWorkflow(deps.temporal, file.id, deps.config.temporal.taskQueue)).result();
  const report = (await importReport(deps.orm, file.id, { limit: 1, offset: 0 }))!.file;
  return { fileId: file.id, existing, archive, created: report.created, unchanged: report.unchanged, quarantined: report.quarantined };
}

type Skipped = TableImport['skipped'];

/** A table this ledger refuses (a constraint the archive's rows break): named, with what was already taken in. */
async function taking<T>(table: Table, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw new HandoverArchiveError(`${LEDGER}/tables/${table}.csv`, `could not be taken in (${(err as Error).message})`, 'the tables before it were imported: correct the archive and import it again (what is already here is kept)', { cause: err });
  }
}

/** Imports the archive at `dir` into this instance's ledger (see the file's comment). */
export async function importHandoverArchive(dir: string, deps: HandoverImportDeps): Promise<HandoverImportReport> {
  const { tables, migrationFile } = readArchive(dir);
  await checkColumns(deps.orm, tables);
  const knex = deps.orm.em.getKnex();
  const report: TableImport[] = [];

  const suppliers = await taking('suppliers', () => importSuppliers(knex, tables.suppliers));
  report.push(suppliers.result, await taking('gifts', () => importGifts(knex, tables.gifts, suppliers.ids)));
  await advanceNumbers(knex, { receiptSerial: highest(tables.receipts.map((r) => r.serial), /^([0-9]+)$/), shipmentReference: highest(tables.shipments.map((s) => s.reference), /^S([0-9]+)$/) });

  const donations = await importDonations(deps, migrationFile, tables.donations.length);
  const migrated = await migratedDonations(knex, tables.donations.map((d) => String(d.id)));
  const statusOf = new Map(tables.donations.map((d) => [String(d.id), String(d.status)]));
  const notMigrated = (donationId: unknown, what: string) =>
    `its donation ${String(donationId)} was not migrated (${statusOf.get(String(donationId)) === 'cancelled' ? 'cancelled: the migration import refuses those on purpose' : `quarantined by the migration import: GET /intake/quarantine?fileId=${donations.fileId}`}), so the ${what} has nothing to hang on`;
  const donorOf = new Map<string, string>();
  for (const d of tables.donations) {
    const m = migrated.get(String(d.id));
    if (m) donorOf.set(String(d.donor_id), m.donorId);
  }
  report.push(await taking('donors', () => importDonors(knex, tables.donors, donorOf)));
  const donor = (id: unknown) => (id === null ? null : (donorOf.get(String(id)) ?? String(id)));

  // Gift lines: the archive's line → this ledger's, by donation, gift code and order.
  const lineOf = new Map<number, number>();
  const linesByDonation = new Map<string, ArchiveRow[]>();
  for (const l of tables.donation_gift_lines) linesByDonation.set(String(l.donation_id), [...(linesByDonation.get(String(l.donation_id)) ?? []), l]);
  for (const [donationId, lines] of linesByDonation) {
    const m = migrated.get(donationId);
    if (!m) continue;
    const seen = new Map<string, number>();
    for (const l of [...lines].sort((a, b) => Number(a.id) - Number(b.id))) {
      const code = String(l.gift_code);
      const n = seen.get(code) ?? 0;
      seen.set(code, n + 1);
      const to = m.lines.get(code)?.[n];
      if (to !== undefined) lineOf.set(Number(l.id), to);
    }
  }

  const place = (table: string, rows: ArchiveRow[], what: string, keep: (m: MigratedDonation, row: ArchiveRow) => string | null, map: (row: ArchiveRow, m: MigratedDonation) => ArchiveRow | string) => {
    const out: ArchiveRow[] = [];
    const skipped: Skipped = [];
    for (const row of rows) {
      const key = String(row[table === 'receipts' ? 'number' : 'id']);
      const m = migrated.get(String(row.donation_id));
      const refused = !m ? notMigrated(row.donation_id, what) : keep(m, row);
      const mapped = refused ?? map(row, m!);
      if (typeof mapped === 'string') skipped.push({ key, reason: mapped });
      else out.push(mapped);
    }
    return { out, skipped };
  };

  const ships = place(
    'shipments', tables.shipments, 'shipment',
    (m) => (m.gifts === 'to_ship' ? 'the donation was migrated with its gifts still to ship: this system plans and ships them itself (SHIP-7)' : null),
    (s, m) => {
      const line = lineOf.get(Number(s.gift_line_id));
      if (line === undefined) return `its gift line ${String(s.gift_line_id)} did not come through the migration import`;
      // Supplier orders are not in the archive: the shipment keeps its dates, carrier and tracking number.
      return { ...s, donation_id: m.donationId, gift_line_id: line, supplier_id: s.supplier_id === null ? null : (suppliers.ids.get(Number(s.supplier_id)) ?? null), order_id: null };
    },
  );
  report.push(await taking('shipments', () => importShipments(knex, tables.shipments, ships.out, ships.skipped)));
  const shipped = new Set(ships.out.map((s) => String(s.id)));

  const receipts = place(
    'receipts', tables.receipts, 'receipt',
    (m) => (m.stage !== 'documents_sent' ? 'the donation was migrated with its documents still due: this system prints its own receipt (DOCS-1)' : null),
    // Print batches are not in the archive; the receipt keeps its posting date.
    ({ id: _id, ...r }, m) => ({ ...r, donation_id: m.donationId, print_batch_id: null }),
  );
  report.push(await taking('receipts', () => importReceipts(knex, tables.receipts, receipts.out, receipts.skipped)));

  // A call stays an inquiry when its donation or shipment did not come over: the link is what is lost, and it is listed.
  const calls: ArchiveRow[] = [];
  const unlinked: Skipped = [];
  for (const c of tables.calls) {
    const m = c.donation_id === null ? undefined : migrated.get(String(c.donation_id));
    const call = { ...c, donation_id: m?.donationId ?? null, donor_id: donor(c.donor_id), shipment_id: c.shipment_id !== null && shipped.has(String(c.shipment_id)) ? c.shipment_id : null };
    if (c.donation_id !== null && !m) unlinked.push({ key: String(c.id), reason: `imported without its link: ${notMigrated(c.donation_id, 'link')}` });
    else if (c.shipment_id !== null && call.shipment_id === null) unlinked.push({ key: String(c.id), reason: `imported without its link to shipment ${String(c.shipment_id)}, which was not imported` });
    calls.push(call);
  }
  const callResult = await taking('calls', () => importCalls(knex, tables.calls, calls, []));
  report.push({ ...callResult, unlinked });
  report.push(await taking('call_events', () => importCallEvents(knex, tables.call_events, tables.call_events, [])));

  const onestop = place('onestop_applications', tables.onestop_applications, 'one-stop application', () => null, (a, m) => ({ ...a, donation_id: m.donationId }));
  report.push(await taking('onestop_applications', () => importOneStop(knex, tables.onestop_applications, onestop.out, onestop.skipped)));

  return { donations, tables: report };
}
