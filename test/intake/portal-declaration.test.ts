import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { randomUUID } from 'node:crypto';
import { importChunk, importReport, storeImportFile } from '../../ledger/intake';
import { apiTokens, startApi, type TestApi } from '../support/api';
import { isolatedDatabase, suiteContext, type SuiteContext } from '../support/context';
import { mappedFixture } from '../fixtures/portals/generate';

/**
 * PORTAL-6: a portal the city contracts later is connected by declaration — its row in the portals table
 * (what the catalogue's migration writes) and its layout mapping as a JSON file in PORTAL_MAPPINGS_DIR —
 * and its sample file imports through the same path as every portal's, no adapter code.
 */
const run = randomUUID().slice(0, 6);
const CODE = `newport${run}`;
let ctx: SuiteContext;
let api: TestApi;
let dir: string;
let database: { url: string; drop(): Promise<void> };

beforeAll(async () => {
  // The declaration: its mapping (the shipped チョイス layout under the new code), read where the processes start…
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-declaration-'));
  const layout = JSON.parse(fs.readFileSync(path.join(__dirname, '../../domain/portals/mappings/choice.json'), 'utf8'));
  fs.writeFileSync(path.join(dir, `${CODE}.json`), JSON.stringify({ ...layout, portal: CODE }));
  // A database of its own: the new portal's row must not reach the suites that check the portals table is the catalogue.
  database = await isolatedDatabase('portal_declaration');
  ctx = await suiteContext('portal-declaration', { API_TOKENS: apiTokens(), PORTAL_MAPPINGS_DIR: dir }, { databaseUrl: database.url });
  await ctx.startWorker();
  api = await startApi(ctx);
  const knex = ctx.orm.em.getKnex();
  await knex('gifts').insert({ code: 'map-fix-eel', name: 'うなぎのせいろ蒸し', price_yen: 20_000, active: true }).onConflict('code').ignore();
  // …and the portal's row, as the catalogue's migration writes it.
  await knex('portals').insert({ code: CODE, name: `新ポータル ${run}`, record_only: false, active: true });
});

afterAll(async () => {
  await api?.close();
  await database?.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a portal added by its row and a mapping file imports its sample file: donations under the new portal, bad rows quarantined with the reason', async () => {
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
