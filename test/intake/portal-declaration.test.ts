import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { buildApi } from '../../api/server';
import { baseFee } from '../../domain/billing/fees';
import { declaredPortals, portalNamer, PortalDeclarationError } from '../../domain/portals/declared';
import { monthDonations } from '../../ledger/billing-fees';
import { importChunk, importReport, storeImportFile } from '../../ledger/intake';
import { connectDeclaredPortals } from '../../ledger/portals';
import { buildMonthlyReportData } from '../../ledger/reports';
import { apiTokens, startApi, type TestApi } from '../support/api';
import { isolatedDatabase, suiteContext, type SuiteContext } from '../support/context';
import { mappedFixture } from '../fixtures/portals/generate';

/**
 * PORTAL-6: a portal the city contracts later is connected by declaration only — one JSON file in
 * PORTAL_MAPPINGS_DIR with its layout mapping and what its `portals` row needs (name, record-only scope,
 * fees flag) — no SQL, no code. The API writes the row from it when it starts, and the portal's sample file
 * imports through the same path as every portal's: its donations carry the declared name, its fees flag counts.
 */
const run = randomUUID().slice(0, 6);
const CODE = `newport${run}`;
const NAME = `新ポータル ${run}`;
const LAYOUT = JSON.parse(fs.readFileSync(path.join(__dirname, '../../domain/portals/mappings/choice.json'), 'utf8'));
/** A declaration: the shipped チョイス layout under a new code, with the row's fields. */
const declaration = (code: string, row: Record<string, unknown>) => ({ ...LAYOUT, portal: code, ...row });
let ctx: SuiteContext;
let api: TestApi;
const dirs: string[] = [];
const declarationsDir = (files: Record<string, unknown>) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-declaration-'));
  dirs.push(dir);
  for (const [code, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, `${code}.json`), JSON.stringify(content));
  return dir;
};
let dir: string;
let database: { url: string; drop(): Promise<void> };

beforeAll(async () => {
  // The declaration, read where the processes start: a record-keeping portal whose donations pay no base fee.
  dir = declarationsDir({ [CODE]: declaration(CODE, { name: NAME, recordOnly: false, noBaseFee: true }) });
  // A database of its own: the new portal's row must not reach the suites that check the portals table is the catalogue.
  database = await isolatedDatabase('portal_declaration');
  ctx = await suiteContext('portal-declaration', { API_TOKENS: apiTokens(), PORTAL_MAPPINGS_DIR: dir }, { databaseUrl: database.url });
  await ctx.startWorker();
  // No SQL for the portal: starting the API writes its row from the declaration.
  api = await startApi(ctx);
  await ctx.orm.em.getKnex()('gifts').insert({ code: 'map-fix-eel', name: 'うなぎのせいろ蒸し', price_yen: 20_000, active: true }).onConflict('code').ignore();
});

afterAll(async () => {
  await api?.close();
  await database?.drop();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

test('the API’s start writes the declared portal’s row from its file: name, scope (record_only), active and the fees flag', async () => {
  const row = await ctx.orm.em.getKnex()('portals').where({ code: CODE }).first();
  expect(row).toEqual({ code: CODE, name: NAME, record_only: false, active: true, no_base_fee: true });
});

test('the console names portals as the ledger does: a declared portal by its declared name, a catalogue portal by the catalogue’s, any other code as itself', () => {
  const name = portalNamer(dir);
  expect(name(CODE)).toBe(NAME);
  expect(name('choice')).toBe('ふるさとチョイス');
  expect(name('notdeclared')).toBe('notdeclared');
  // Without the folder the declaration is unknown: its code.
  expect(portalNamer(undefined)(CODE)).toBe(CODE);
});

test('the declared portal imports its sample file: donations under the new portal and its name, its fees flag in the billing, bad rows quarantined with the reason', async () => {
  const { file } = await storeImportFile(ctx.orm, { portal: CODE, fileName: 'sample.csv', source: 'upload', createdBy: 'operator:test', bytes: Readable.from([mappedFixture(`np-${run}`, { bom: true, encoding: 'utf-8' })]) });
  const hooks = { heartbeat: () => undefined, paymentSeen: async () => undefined, ensureWorkflow: async () => undefined, mappingsDir: dir };
  await importChunk(ctx.orm, file.id, 10_000, hooks);
  const report = (await importReport(ctx.orm, file.id, { limit: 100, offset: 0 }))!;
  expect(report.file).toMatchObject({ portal: CODE });
  const knex = ctx.orm.em.getKnex();
  const donations = await knex('donations').where({ portal_code: CODE }).orderBy('portal_order_id').select('portal_order_id', 'amount_yen', 'payment_method');
  expect(donations.map((d: { portal_order_id: string }) => d.portal_order_id)).toEqual(expect.arrayContaining([`np-${run}-0001`, `np-${run}-0002`]));
  expect(donations.find((d: { portal_order_id: string }) => d.portal_order_id === `np-${run}-0001`)).toMatchObject({ amount_yen: 20_000, payment_method: 'credit_card' });
  // The row with an unknown payment method is quarantined under the new portal, with its column and reason.
  const bad = report.rows.find((r) => r.portalOrderId === `np-${run}-0003`);
  expect(bad).toMatchObject({ outcome: 'quarantined' });
  expect(JSON.stringify(bad!.issues)).toContain('決済方法');
  expect((await knex('import_quarantine').where({ file_id: file.id, portal_order_id: `np-${run}-0003` }).first()).portal_code).toBe(CODE);
  // Its donations carry the declared name where the ledger names portals (the month's report), and the fees flag counts (BILL-5).
  const november = await buildMonthlyReportData(ctx.orm, '2026-11');
  expect(november.byPortal.find((p) => p.portalCode === CODE)).toMatchObject({ portalName: NAME, count: expect.any(Number) });
  const paid = (await monthDonations(knex, '2026-11', null)).filter((d) => d.portal === CODE);
  expect(paid.length).toBeGreaterThan(0);
  expect(baseFee(paid, 1000)).toMatchObject({ eligibleYen: 0, feeYen: 0, excluded: [{ reason: 'declared_portal', count: paid.length }] });
  // Again: the same file changes nothing.
  const { existing } = await storeImportFile(ctx.orm, { portal: CODE, fileName: 'sample.csv', source: 'upload', createdBy: 'operator:test', bytes: Readable.from([mappedFixture(`np-${run}`, { bom: true, encoding: 'utf-8' })]) });
  expect(existing).toBe(true);
});

test('the operator uploads the declared portal’s file through the same route as every portal’s; an undeclared code is refused naming the field', async () => {
  const res = await api.upload(`/intake/imports?portal=${CODE}`, 'upload.csv', mappedFixture(`up-${run}`, { bom: true, encoding: 'utf-8' }));
  expect(res.statusCode).toBe(201);
  expect(res.json().file).toMatchObject({ portal: CODE, status: 'done' });
  const knex = ctx.orm.em.getKnex();
  expect((await knex('donations').where({ portal_code: CODE }).where('portal_order_id', 'like', `up-${run}-%`).pluck('portal_order_id')).sort()).toEqual(expect.arrayContaining([`up-${run}-0001`, `up-${run}-0002`]));
  const unknown = await api.upload('/intake/imports?portal=notdeclared', 'upload.csv', Buffer.from('x'));
  expect(unknown.statusCode).toBe(400);
  expect(JSON.stringify(unknown.json().fields)).toContain('portal');
});

test('writing the declarations again changes nothing; a changed declaration brings its row in line', async () => {
  const code = `later${run}`;
  const knex = ctx.orm.em.getKnex();
  const later = declarationsDir({ [code]: declaration(code, { name: 'のちのポータル', recordOnly: true, noBaseFee: false }) });
  expect(await connectDeclaredPortals(knex, later)).toEqual([code]);
  expect(await connectDeclaredPortals(knex, later)).toEqual([]);
  fs.writeFileSync(path.join(later, `${code}.json`), JSON.stringify(declaration(code, { name: 'のちのポータル（改称）', recordOnly: true, noBaseFee: false, active: false })));
  expect(await connectDeclaredPortals(knex, later)).toEqual([code]);
  expect(await knex('portals').where({ code }).first()).toEqual({ code, name: 'のちのポータル（改称）', record_only: true, active: false, no_base_fee: false });
  // A corrected mapping of a catalogue portal in the same folder is not a declaration: the catalogue's row stays.
  fs.writeFileSync(path.join(later, 'choice.json'), JSON.stringify({ ...LAYOUT, name: 'ちがう名前' }));
  expect(declaredPortals(later).map((p) => p.code)).toEqual([code]);
});

test('an incomplete declaration is refused naming its file and each missing field, and the API does not start on it', async () => {
  const code = `half${run}`;
  const { columns, ...noColumns } = declaration(code, { name: '' });
  const half = declarationsDir({ [code]: { ...noColumns, columns: { ...columns, amountYen: undefined } } });
  let error: PortalDeclarationError | undefined;
  try {
    declaredPortals(half);
  } catch (err) {
    error = err as PortalDeclarationError;
  }
  expect(error).toBeInstanceOf(PortalDeclarationError);
  expect(error!.file).toBe(path.join(half, `${code}.json`));
  expect(error!.fields.map((f) => f.field)).toEqual(['name', 'recordOnly', 'noBaseFee', 'columns.amountYen']);
  expect(error!.message).toContain(`${code}.json: name is required`);
  expect(error!.message).toContain('recordOnly is required, true or false');
  // A file whose portal is another code names `portal`.
  const other = declarationsDir({ [code]: declaration('someoneelse', { name: 'x', recordOnly: false, noBaseFee: false }) });
  expect(() => declaredPortals(other)).toThrow(/portal must be the portal's code/);
  await expect(buildApi({ config: { ...ctx.config, intake: { ...ctx.config.intake, mappingsDir: half } }, orm: ctx.orm, temporal: ctx.client, logger: false })).rejects.toThrow(/recordOnly is required/);
  expect(await ctx.orm.em.getKnex()('portals').where({ code }).first()).toBeUndefined();
});
