import { Readable } from 'node:stream';
import { jstDate } from '../../domain/jst';
import { statusQuery } from '../../workflows/donation/definitions';
import { Donation } from '../../ledger/entities';
import { importChunk, storeImportFile } from '../../ledger/intake';
import { ensureDonationWorkflow } from '../../workflows/donation/client';
import { eventually } from '../support/context';
import type { Caller } from '../support/api';
import { intakeSuiteHooks } from './support';
import { mappedFixture } from '../fixtures/portals/generate';

const suite = intakeSuiteHooks('intake-api', 'map-fix-eel');

const send = (method: 'POST' | 'PATCH', url: string, payload: object, role: Caller = 'operator') => (method === 'POST' ? suite.api.post : suite.api.patch)(url, payload, role);

const todayJst = () => jstDate(new Date()).replace(/-/g, '/');

test('roles: operators and admins upload and fix; the city reads; suppliers see nothing', async () => {
  const file = mappedFixture(`${suite.ctx.prefix}-R`, { bom: true, encoding: 'utf-8' });
  expect((await suite.upload('choice', 'x.csv', file, 'city')).statusCode).toBe(403);
  expect((await suite.upload('choice', 'x.csv', file, 'supplier')).statusCode).toBe(403);
  expect((await suite.api.get('/intake/quarantine', 'supplier')).statusCode).toBe(403);
  expect((await suite.api.get('/intake/quarantine', 'city')).statusCode).toBe(200);
  expect((await suite.api.get('/intake/sla', 'city')).statusCode).toBe(200);
  expect((await suite.api.app.inject({ method: 'POST', url: '/intake/imports?portal=choice', payload: {}, headers: suite.api.headers('operator') })).statusCode).toBe(415);
  expect((await suite.upload('nowhere', 'x.csv', file)).json().fields[0].field).toBe('querystring.portal');
  expect((await suite.api.get('/docs/json')).json().paths['/intake/imports']).toBeDefined();
});

test('a hand upload answers with the per-row report; the same file again is a no-op; a quarantined row is fixed and re-submitted through the API', async () => {
  const bytes = mappedFixture(`${suite.ctx.prefix}-CH`, { bom: true, encoding: 'utf-8', appliedAt: `${todayJst()} 09:00` });
  const first = await suite.upload('choice', 'choice-today.csv', bytes);
  expect(first.statusCode).toBe(201);
  const report = first.json();
  expect(report.existing).toBe(false);
  expect(report.file).toMatchObject({ portal: 'choice', fileName: 'choice-today.csv', status: 'done', encoding: 'utf-8-bom', created: 3, unchanged: 0, quarantined: 1, late: 0 });
  expect(report.rows.map((r: { row: number; outcome: string }) => [r.row, r.outcome])).toEqual([[2, 'created'], [3, 'created'], [4, 'quarantined'], [5, 'created']]);
  expect(report.rows[2].issues).toEqual([{ column: '決済方法', reason: 'unknown payment method "ビットコイン" (add it to this portal\'s paymentMethod value map)' }]);

  // UTF-8 keeps 𠮷: no invalid-character flag, and the card donation is paid at application.
  const yoshida = await suite.ctx.orm.em.fork().findOneOrFail(Donation, { id: report.rows[0].donationId }, { populate: ['donor'] });
  expect(yoshida.donor.name).toBe('𠮷田 太郎');
  expect(yoshida.reviewFlags).toEqual([]);
  await eventually(() => suite.ctx.client.workflow.getHandle(yoshida.workflowId).query(statusQuery), (s) => s.status === 'documents_due');

  const again = await suite.upload('choice', 'choice-today-again.csv', bytes);
  expect(again.statusCode).toBe(200);
  expect(again.json()).toMatchObject({ existing: true, file: { id: report.file.id, created: 3, quarantined: 1 } });

  const listed = (await suite.api.get(`/intake/quarantine?fileId=${report.file.id}`, 'city')).json();
  expect(listed.total).toBe(1);
  const entry = listed.entries[0];
  expect(entry).toMatchObject({ fileId: report.file.id, row: 4, portal: 'choice', portalOrderId: `${suite.ctx.prefix}-CH-0003`, kind: 'invalid', status: 'open' });
  expect(entry.rows[0]).toMatchObject({ 受付番号: `${suite.ctx.prefix}-CH-0003`, 決済方法: 'ビットコイン' });

  const wrongColumn = await send('PATCH', `/intake/quarantine/${entry.id}`, { corrections: { 支払い: '銀行振込' } });
  expect(wrongColumn.statusCode).toBe(409);
  expect(wrongColumn.json().message).toContain('not columns of this file: 支払い');
  const fixed = await send('PATCH', `/intake/quarantine/${entry.id}`, { corrections: { 決済方法: '銀行振込' } });
  expect(fixed.statusCode).toBe(200);
  expect(fixed.json().issues).toEqual([]);
  expect((await send('POST', `/intake/quarantine/${entry.id}/resubmit`, {}, 'city')).statusCode).toBe(403);

  const resubmitted = await send('POST', `/intake/quarantine/${entry.id}/resubmit`, {});
  expect(resubmitted.statusCode).toBe(200);
  const { donationId } = resubmitted.json();
  expect(resubmitted.json().entry).toMatchObject({ status: 'resolved', donationId, resolvedBy: 'operator:tanaka', corrections: { 決済方法: '銀行振込' } });
  const donation = (await suite.api.get(`/donations/${donationId}`)).json();
  expect(donation.donation).toMatchObject({ portal: 'choice', portalOrderId: `${suite.ctx.prefix}-CH-0003`, paymentMethod: 'bank_transfer', channel: 'portal' });
  // 10,000 yen for a 20,000-yen gift and no phone: in the ledger now, but held for an operator (INTAKE-4).
  expect(resubmitted.json().reviewFlags).toEqual(['amount_below_gift_price', 'missing_phone']);
  await eventually(() => suite.api.get(`/donations/${donationId}`).then((r) => r.json().workflow?.status), (s) => s === 'held');
  expect((await send('POST', `/intake/quarantine/${entry.id}/resubmit`, {})).statusCode).toBe(409);
  expect((await suite.api.get(`/intake/donations/${donationId}`)).json()).toMatchObject({ importFileId: report.file.id, row: 4, late: false });
});

test('a row that is still wrong after a correction stays open with the new issues (422); dismissing closes it', async () => {
  const bytes = mappedFixture(`${suite.ctx.prefix}-AN`, { bom: false, encoding: 'utf-8', appliedAt: '2026/11/10 10:00' });
  const report = (await suite.upload('ana', 'ana.csv', bytes)).json();
  const [entry] = (await suite.api.get(`/intake/quarantine?fileId=${report.file.id}`)).json().entries;
  const still = await send('POST', `/intake/quarantine/${entry.id}/resubmit`, { corrections: { 決済方法: '銀行振込', 寄附金額: '一万' } });
  expect(still.statusCode).toBe(422);
  expect(still.json().issues).toEqual([{ column: '寄附金額', reason: '"一万" is not an amount in yen' }]);
  const dismissed = await send('POST', `/intake/quarantine/${entry.id}/dismiss`, { reason: 'テスト注文' });
  expect(dismissed.json().entry).toMatchObject({ status: 'dismissed', resolution: 'テスト注文' });
  expect((await suite.api.get(`/intake/quarantine?fileId=${report.file.id}`)).json().total).toBe(0);
  expect((await suite.api.get(`/intake/quarantine?fileId=${report.file.id}&status=dismissed`)).json().total).toBe(1);
});

test('SLA (PORTAL-1): a Shift_JIS file of last week is late; late imports are counted per portal; review findings carry reasons', async () => {
  const bytes = mappedFixture(`${suite.ctx.prefix}-AZ`, { bom: false, encoding: 'cp932' });
  // Other suites share the ledger (none imports Amazon files): compare before and after.
  const slaUrl = '/intake/sla?appliedFrom=2026-11-20&appliedTo=2026-11-21';
  const amazon = async () => (await suite.api.get(slaUrl, 'city')).json().portals.find((p: { portal: string }) => p.portal === 'amazon') ?? { imported: 0, late: 0 };
  const before = await amazon();
  const report = (await suite.upload('amazon', 'amazon-sjis.csv', bytes)).json();
  expect(report.file).toMatchObject({ encoding: 'cp932', created: 3, quarantined: 1, late: 3 });
  const after = await amazon();
  expect([after.imported - before.imported, after.late - before.late]).toEqual([3, 3]);
  expect((await suite.api.get(slaUrl, 'city')).json().late).toBeGreaterThanOrEqual(3);

  // 𠮷 cannot travel in Shift_JIS: the portal wrote "?" and the donation waits for an operator.
  const intake = (await suite.api.get(`/intake/donations/${report.rows[0].donationId}`, 'city')).json();
  expect(intake).toMatchObject({ dueOn: '2026-11-24', late: true, appliedAt: '2026-11-20T01:00:00.000Z' });
  // Other suites import the same made-up donors on other portals the same day, so duplicate findings may join this one.
  expect(intake.reviewFindings).toEqual(expect.arrayContaining([{ flag: 'invalid_characters', reason: expect.stringContaining('name contains U+003F "?"') }]));
  await eventually(() => suite.api.get(`/donations/${report.rows[0].donationId}`), (r) => r.json().workflow?.status === 'held');
});

test('a file is in the ledger before its workflows start: the report shows both clocks, and a signal to a donation not started yet is a 409, not a fault', async () => {
  const { file } = await storeImportFile(suite.ctx.orm, { portal: 'choice', fileName: 'ledger-first.csv', source: 'upload', createdBy: 'operator:tanaka', bytes: Readable.from([mappedFixture(`${suite.ctx.prefix}-LF`, { bom: true, encoding: 'utf-8' })]) });
  const hooks = { heartbeat: () => undefined, paymentSeen: async () => undefined };
  // The worker dies at the first start: every row is registered, no workflow is.
  await expect(importChunk(suite.ctx.orm, file.id, 10_000, { ...hooks, ensureWorkflow: async () => { throw new Error('worker killed'); } })).rejects.toThrow('worker killed');
  const mid = (await suite.api.get(`/intake/imports/${file.id}`)).json();
  expect(mid.file).toMatchObject({ status: 'running', workflowsRow: 0, finishedAt: null, created: 3 });
  expect(Date.parse(mid.file.registeredAt)).toBeGreaterThan(0);
  const donationId = mid.rows.find((r: { outcome: string }) => r.outcome === 'created').donationId;
  const early = await send('POST', `/donations/${donationId}/payment`, { paidAt: '2026-11-20T10:05:00+09:00' });
  expect(early.statusCode).toBe(409);
  expect(early.json().message).toMatch(/no running workflow donation\/choice\/.*not started it yet/);

  await importChunk(suite.ctx.orm, file.id, 10_000, { ...hooks, ensureWorkflow: async (d) => void (await ensureDonationWorkflow(suite.ctx.client, d, suite.ctx.config)) });
  const done = (await suite.api.get(`/intake/imports/${file.id}`)).json();
  expect(done.file).toMatchObject({ status: 'done', workflowsRow: done.file.rowsDone });
  expect(Date.parse(done.file.finishedAt)).toBeGreaterThanOrEqual(Date.parse(done.file.registeredAt));
  expect((await send('POST', `/donations/${donationId}/payment`, { paidAt: '2026-11-20T10:05:00+09:00' })).statusCode).toBe(202);
});
