// MYNUM-2 (特記4): 特定個人情報 leaves the 取扱区域 only as a package encrypted to the city's OpenPGP key,
// made by a person on the MYNUM-1 register, and registered; the ONESTOP-4 run is gated the same way.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as openpgp from 'openpgp';
import { extract } from 'tar-stream';
import { loadConfig } from '../../config/env';
import { addDays, jstDate } from '../../domain/jst';
import { myNumberCheckDigit } from '../../domain/onestop/my-number';
import type { onestopNotificationWorkflow } from '../../workflows';
import { apiTokens } from '../support/api';
import { unzip } from '../support/unzip';
import { clearHandler, oneStopSuite, seedApplication, type OneStopSuite } from './support';

const YEAR = 2021;
const NUMBER = '91111111111' + myNumberCheckDigit('91111111111');
const UNLISTED = 'unlisted-operator-token-mynum-export';
let s: OneStopSuite;
let keys: { publicKey: string; privateKey: string };
let keyDir: string;

const untar = async (bytes: Uint8Array): Promise<Map<string, Buffer>> => {
  const files = new Map<string, Buffer>();
  const ex = extract();
  ex.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: unknown) => chunks.push(c as Buffer));
    stream.on('end', () => { files.set(header.name, Buffer.concat(chunks)); next(); });
  });
  const done = new Promise<void>((resolve, reject) => { ex.on('finish', () => resolve()); ex.on('error', reject); });
  ex.end(Buffer.from(bytes));
  await done;
  return files;
};

const decrypt = async (bytes: Buffer): Promise<Uint8Array> => {
  const { data } = await openpgp.decrypt({ message: await openpgp.readMessage({ binaryMessage: bytes }), decryptionKeys: await openpgp.readPrivateKey({ armoredKey: keys.privateKey }), format: 'binary' });
  return data as Uint8Array;
};

beforeAll(async () => {
  keys = await openpgp.generateKey({ userIDs: [{ name: 'Yanagawa City tax division', email: 'zeimu@city.yanagawa.example' }], format: 'armored' });
  keyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'furusato-citykey-'));
  fs.writeFileSync(path.join(keyDir, 'city.asc'), keys.publicKey);
  s = await oneStopSuite('mynum-export', { MYNUMBER_EXPORT_KEY_FILE: path.join(keyDir, 'city.asc'), API_TOKENS: `${apiTokens()},operator:unlisted:${UNLISTED}` });
  await clearHandler(s, 'operator:tanaka');
  await seedApplication(s.ctx, { name: '筑後 一子', nameKana: 'チクゴ カズコ', prefecture: '東京都', address: '千代田区千代田1-1' }, { appliedAt: `${YEAR}-11-20T01:00:00.000Z`, myNumber: NUMBER, amountYen: 30_000 });
});

afterAll(async () => {
  await s?.close();
  fs.rmSync(keyDir, { recursive: true, force: true });
});

const asUnlisted = (method: 'GET' | 'POST', url: string, payload?: unknown) =>
  s.app.inject({ method, url, payload: payload as object, headers: { authorization: `Bearer ${UNLISTED}` } });

test('a person not on the register can neither run ONESTOP-4 nor export; each refusal says why and is logged', async () => {
  const run = await asUnlisted('POST', '/onestop/notifications', { year: YEAR });
  expect(run.statusCode).toBe(403);
  expect(run.json().message).toContain('取扱者名簿');
  const exp = await asUnlisted('POST', '/mynumber/exports', { donationYear: YEAR, destination: '税務課', purpose: '年次の引渡し' });
  expect(exp.statusCode).toBe(403);
  expect(exp.json().message).toMatch(/^特定個人情報を持ち出せません: .*取扱者名簿/);
  const refusals = await s.ctx.orm.em.getKnex()('my_number_access_refusals').where({ actor: 'operator:unlisted' }).orderBy('id');
  expect(refusals.map((r: { action: string; application_id: string | null }) => [r.action, r.application_id])).toEqual([['export', null], ['export', null]]);
});

test('a cleared handler exports the year’s package: encrypted to the city’s key, registered, byte for byte the delivery folder; the number never in clear outside it', async () => {
  // Nothing to export before the run.
  const early = await s.post('/mynumber/exports', { donationYear: YEAR, destination: '税務課', purpose: '年次の引渡し' });
  expect(early.statusCode).toBe(409);
  expect(early.json().message).toContain('run ONESTOP-4 first');

  const started = await s.post('/onestop/notifications', { year: YEAR });
  expect(started.statusCode).toBe(202);
  const delivered = await s.ctx.client.workflow.getHandle<typeof onestopNotificationWorkflow>(started.json().workflowId).result();
  expect(delivered).toMatchObject({ files: 1, applications: 1 });

  const res = await s.post('/mynumber/exports', { donationYear: YEAR, destination: '税務課 (指定の暗号化媒体, 12/20 市役所本庁舎)', purpose: `${YEAR}年分 申告特例通知書の引渡し` });
  expect(res.statusCode).toBe(201);
  const entry = res.json().export;
  const key = await openpgp.readKey({ armoredKey: keys.publicKey });
  expect(entry).toMatchObject({ donationYear: YEAR, actor: 'operator:tanaka', role: 'operator', files: 1, applications: 1, recipientKey: key.getFingerprint(), destination: '税務課 (指定の暗号化媒体, 12/20 市役所本庁舎)' });
  expect(entry.terminal).toBeTruthy();

  const bytes = fs.readFileSync(entry.packageFile);
  expect(bytes.length).toBe(entry.sizeBytes);
  expect(bytes.includes(Buffer.from(NUMBER))).toBe(false);
  expect(JSON.stringify(entry)).not.toContain(NUMBER);

  const files = await untar(await decrypt(bytes));
  const dir = path.join(s.ctx.config.onestop.deliveryDir, String(YEAR));
  expect([...files.keys()].sort()).toEqual(fs.readdirSync(dir).map((f) => `${YEAR}/${f}`).sort());
  for (const [name, content] of files) expect(content.equals(fs.readFileSync(path.join(dir, path.basename(name))))).toBe(true);
  expect([...files.values()].some((b) => b.includes(Buffer.from(NUMBER)))).toBe(true);

  // The register, and the package itself to a cleared person only.
  expect((await s.get(`/mynumber/exports?donationYear=${YEAR}`, 'city')).json().exports.map((e: { id: string }) => e.id)).toEqual([entry.id]);
  const download = await s.get(`/mynumber/exports/${entry.id}/package.tar.gpg`);
  expect(download.statusCode).toBe(200);
  expect(download.rawPayload.equals(bytes)).toBe(true);
  expect((await s.get(`/mynumber/exports/${entry.id}/package.tar.gpg`, 'city')).statusCode).toBe(403);
  expect((await asUnlisted('GET', `/mynumber/exports/${entry.id}/package.tar.gpg`)).statusCode).toBe(403);
  // MYNUM-3: the handling report names the package, where it went and how many numbers it carried.
  const today = jstDate(new Date());
  const report = (await s.get(`/mynumber/handling-report?from=${addDays(today, -1)}&to=${today}`, 'city')).json();
  expect(report.exports).toEqual(expect.arrayContaining([{ kind: 'encrypted_export', donationYear: YEAR, applications: 1, requestedBy: 'operator:tanaka', deliveredAt: entry.createdAt, destination: entry.destination }]));
  // MYNUM-6: the audit pack of the period holds the logs, the register and the exports as CSV, never a number; only the city and the admin get it.
  const pack = await s.get(`/mynumber/audit-pack?from=${addDays(today, -1)}&to=${today}`, 'city');
  expect(pack.statusCode).toBe(200);
  expect(pack.headers['content-type']).toBe('application/zip');
  const packed = unzip(pack.rawPayload);
  expect([...packed.keys()]).toEqual(['README.txt', '01-access-log.csv', '02-refusals.csv', '03-handlers.csv', '04-register-notices.csv', '05-exports.csv', '06-handovers.csv', '07-destructions.csv', '08-subcontractors.csv', '09-handling-by-person.csv']);
  for (const b of packed.values()) expect(b.includes(Buffer.from(NUMBER))).toBe(false);
  const csv = (name: string) => packed.get(name)!.toString('utf8').replace(/^\ufeff/, '').split('\r\n');
  expect(csv('02-refusals.csv').filter((l) => l.includes('operator:unlisted,operator,持出し,') && l.includes(`${entry.id} の持ち出し`))).toHaveLength(1);
  expect(csv('05-exports.csv').filter((l) => l.includes('operator:tanaka') && l.includes(`,${YEAR},1,1,`) && l.endsWith(entry.sha256))).toHaveLength(1);
  expect(csv('03-handlers.csv').some((l) => l.startsWith('operator:tanaka,'))).toBe(true);
  expect(packed.get('README.txt')!.toString('utf8')).toContain('05-exports.csv\t持出し (暗号化パッケージ)');
  expect((await s.get(`/mynumber/audit-pack?from=${addDays(today, -1)}&to=${today}`, 'operator')).statusCode).toBe(403);
  const backwards = await s.get(`/mynumber/audit-pack?from=${today}&to=${addDays(today, -1)}`, 'city');
  expect(backwards.statusCode).toBe(400);
  expect(backwards.json().fields[0].field).toBe('querystring.to');
  // The register is append-only.
  await expect(s.ctx.orm.em.getKnex()('mynumber_exports').where({ id: entry.id }).update({ destination: '別の場所' })).rejects.toThrow(/append-only/);
});

test('bad input names the field; a key file that is not a public key stops the start', async () => {
  const bad = await s.post('/mynumber/exports', { donationYear: 1999, destination: '', purpose: 'x' });
  expect(bad.statusCode).toBe(400);
  expect(bad.json().fields.map((f: { field: string }) => f.field)).toEqual(expect.arrayContaining(['donationYear', 'destination', 'purpose']));
  expect((await s.get('/mynumber/exports/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
  fs.writeFileSync(path.join(keyDir, 'private.asc'), keys.privateKey);
  expect(() => loadConfig({ MYNUMBER_EXPORT_KEY_FILE: path.join(keyDir, 'private.asc') })).toThrow(/MYNUMBER_EXPORT_KEY_FILE: .* is not an armored OpenPGP public key/);
  expect(() => loadConfig({ MYNUMBER_EXPORT_KEY_FILE: path.join(keyDir, 'missing.asc') })).toThrow(/MYNUMBER_EXPORT_KEY_FILE: cannot read/);
});


test('an end-of-contract return packs the year’s application scans too; a missing scan refuses the export, naming how many', async () => {
  const started = await s.post('/onestop/notifications', { year: YEAR });
  expect(started.statusCode).toBe(202);
  await s.ctx.client.workflow.getHandle<typeof onestopNotificationWorkflow>(started.json().workflowId).result();
  const body = { donationYear: YEAR, destination: '税務課 (契約終了時の返却)', purpose: `${YEAR}年分 特定個人情報の返却`, includeScans: true };

  const [{ scan_ref: ref }] = await s.ctx.orm.em.getKnex()('onestop_applications').whereBetween('deadline_on', [`${YEAR + 1}-01-01`, `${YEAR + 1}-12-31`]).select('scan_ref');
  const scan = path.join(s.ctx.config.onestop.scanDir, ref.replace(/^scan:\/\//, ''));
  fs.rmSync(scan, { force: true });
  const missing = await s.post('/mynumber/exports', body);
  expect(missing.statusCode).toBe(409);
  expect(missing.json().message).toContain(`1 of the 1 scans of the donation year ${YEAR} are missing`);

  const image = Buffer.from(`%PDF-1.4 申請書 ${NUMBER}`);
  fs.mkdirSync(path.dirname(scan), { recursive: true });
  fs.writeFileSync(scan, image);
  const res = await s.post('/mynumber/exports', body);
  expect(res.statusCode).toBe(201);
  const entry = res.json().export;
  expect(entry).toMatchObject({ includeScans: true, scans: 1, files: 1, applications: 1 });
  const files = await untar(await decrypt(fs.readFileSync(entry.packageFile)));
  const packed = [...files.keys()].filter((n) => n.startsWith(`${YEAR}/scans/`));
  expect(packed).toEqual([`${YEAR}/scans/${ref.replace(/^scan:\/\//, '')}`]);
  expect(files.get(packed[0])!.equals(image)).toBe(true);
  expect(JSON.stringify(entry)).not.toContain(NUMBER);
});
