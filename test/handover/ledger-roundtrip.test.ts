import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { createOrm, type Orm } from '../../ledger/orm';
import { registerDonation, type NewDonation } from '../../ledger/donations';
import { readHandover, runHandover, type HandoverManifest } from '../../scripts/handover/index';
import { ledgerSection } from '../../scripts/handover/ledger';
import { isolatedDatabase, eventually, suiteContext, type SuiteContext } from '../support/context';
import { apiTokens, startApi, type TestApi } from '../support/api';
import { parseCsvLine } from '../reports/support';
import { newDonation } from '../support/factory';

/**
 * CONTRACT-2: the ledger section of the hand-over, proved by a round trip. A ledger of its own is filled
 * (donations in every stage, gifts, a supplier, a shipped gift, posted receipts, an inquiry, a one-stop
 * application with a sealed 個人番号), handed over, and the archive is taken into a second, empty
 * ledger through the project's own migration import (POST /intake/migration with
 * ledger/migration/donations.csv; gifts and suppliers loaded from their tables' CSV). Counts, sums and
 * every donation are compared field by field. (The five donations from 山田 花子 are one donor: 名寄せ.)
 */
let source: { url: string; drop(): Promise<void> };
let target: { url: string; drop(): Promise<void> };
let src: Orm;
let ctx: SuiteContext;
let first: HandoverManifest;
let api: TestApi;
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'handover-ledger-'));
const SUPPLIER = 'ho-farm';
const GIFTS = [
  { code: 'ho-eel', name: 'うなぎのせいろ蒸し', price_yen: 20_000, cost_yen: 6_000 },
  { code: 'ho-nori', name: '有明海産 海苔', price_yen: 10_000, cost_yen: 3_000 },
];

const iso = (v: Date | string | null) => (v === null ? '' : new Date(v).toISOString());

function readCsv(file: string): Record<string, string>[] {
  const text = fs.readFileSync(path.join(out, 'ledger', ...file.split('/')), 'utf8');
  expect(text.charCodeAt(0)).not.toBe(0xfeff);
  const [header, ...lines] = text.trimEnd().split('\r\n').map(parseCsvLine);
  return lines.map((cells) => Object.fromEntries(header.map((h, i) => [h, cells[i]])));
}

beforeAll(async () => {
  [source, target] = await Promise.all([isolatedDatabase('handover_src'), isolatedDatabase('handover_dst')]);
  src = await createOrm(source.url, { poolMax: 3 });
  const knex = src.em.getKnex();
  const [{ id: supplierId }] = await knex('suppliers').insert({ code: SUPPLIER, name: '柳川引継ぎ農園', email: 'farm@example.jp', shipping_weekdays: '{2,5}', rules_acknowledged_at: new Date('2026-04-01T00:00:00Z'), rules_acknowledged_by: 'operator:tanaka' }).returning('id');
  await knex('gifts').insert(GIFTS.map((g) => ({ ...g, supplier_id: supplierId, active: true })));

  const donate = async (overrides: Partial<NewDonation>, then: Record<string, unknown> = {}) => {
    const { donation } = await registerDonation(src.em.fork(), newDonation('HO', overrides), 'system:test');
    if (Object.keys(then).length) await knex('donations').where({ id: donation.id }).update(then);
    return donation.id;
  };
  // Awaiting payment; paid with documents due; documents sent (receipt posted); cancelled; by phone, no gift; a shipped gift.
  await donate({ paymentMethod: 'bank_transfer', gifts: [{ code: 'ho-nori', quantity: 2 }], purpose: '子育て支援' }, { status: 'awaiting_payment' });
  await donate({ portal: 'rakuten', paymentMethod: 'credit_card', paidAt: '2026-11-20T01:00:00.000Z', gifts: [{ code: 'ho-eel', quantity: 1 }] }, { status: 'documents_due' });
  const sent = await donate({ portal: 'furunavi', paymentMethod: 'credit_card', paidAt: '2026-11-20T01:00:00.000Z', amountYen: 30_000, gifts: [{ code: 'ho-eel', quantity: 1 }, { code: 'ho-nori', quantity: 1 }] }, { status: 'documents_sent', documents_sent_at: new Date('2026-11-25T03:00:00Z') });
  await knex('receipts').insert({ donation_id: sent, serial: 1, issue: 1, number: 'R2026-000001-1', reason: 'initial', requested_by: 'system:test', posted_at: new Date('2026-11-25T03:00:00Z') });
  const lines = await knex('donation_gift_lines').where({ donation_id: sent }).orderBy('id');
  for (const l of lines) await knex('shipments').insert({ id: randomUUID(), donation_id: sent, gift_line_id: l.id, gift_code: l.gift_code, supplier_id: supplierId, status: 'delivered', shipped_on: '2026-11-26', carrier: 'yamato_b2', workflow_id: `ship-${l.id}` });
  await donate({ paymentMethod: 'credit_card', paidAt: '2026-11-21T01:00:00.000Z' }, { status: 'cancelled', cancelled_at: new Date('2026-11-22T00:00:00Z') });
  const phone = await donate({ portal: 'direct', channel: 'phone', portalOrderId: `TEL-${randomUUID().slice(0, 6)}`, paymentMethod: 'postal_transfer', wantsOneStop: false, disasterRelief: true, donor: { name: '電話 寄附者', nameKana: 'デンワ キフシャ', postalCode: '812-0011', prefecture: '福岡県', address: '福岡市博多区博多駅前1-1', phone: '092-000-0001' } }, { status: 'awaiting_payment' });
  // A relief donation that had a gift in the old ledger (entered by hand): its gift line must survive the round trip.
  await donate({ portal: 'direct', channel: 'phone', portalOrderId: `TEL-${randomUUID().slice(0, 6)}`, paymentMethod: 'bank_transfer', disasterRelief: true, gifts: [{ code: 'ho-nori', quantity: 3 }] }, { status: 'awaiting_payment' });
  await knex('calls').insert({ id: randomUUID(), channel: 'phone', category: '寄附手続き', complaint: false, subject: '入金方法', body: '郵便振替の用紙について', donation_id: phone, received_at: new Date('2026-11-21T01:00:00Z'), out_of_hours: false, created_by: 'operator:tanaka', updated_by: 'operator:tanaka' });
  await knex('onestop_applications').insert({ id: randomUUID(), donation_id: sent, status: 'accepted', channel: 'paper', form_version: 'current', arrived_on: '2026-12-01', deadline_on: '2027-01-10', content: JSON.stringify({ name: 'x' }), current_content: JSON.stringify({ name: 'x' }), my_number_sealed: Buffer.from('sealed'), my_number_key_id: 'k1', my_number_verdict: 'valid', created_by: 'operator:tanaka', workflow_id: `onestop-${sent}` }).catch((err: Error) => {
    throw new Error(`seeding a one-stop application: ${err.message}`);
  });
  // The archive both tests read.
  first = await runHandover(out, { knex, config: {} as never }, [ledgerSection]);
}, 120_000);

afterAll(async () => {
  await api?.close();
  await src?.close();
  await source?.drop();
  await target?.drop();
  fs.rmSync(out, { recursive: true, force: true });
});

test('the ledger section: every table as CSV with its schema, counts and sums, no 個人番号, the same bytes twice', async () => {
  const again = fs.readFileSync(path.join(out, 'manifest.json'));
  await runHandover(out, { knex: src.em.getKnex(), config: {} as never }, [ledgerSection]);
  expect(fs.readFileSync(path.join(out, 'manifest.json')).equals(again)).toBe(true);
  expect(readHandover(out).entries.length).toBe(first.entries.length);

  const index = JSON.parse(fs.readFileSync(path.join(out, 'ledger', 'tables.json'), 'utf8'));
  const counts = Object.fromEntries(index.tables.map((t: any) => [t.table, t.rows]));
  expect(counts).toMatchObject({ donors: 2, donations: 6, donation_gift_lines: 5, suppliers: 1, gifts: 2, shipments: 2, receipts: 1, calls: 1, onestop_applications: 1 });
  const knex = src.em.getKnex();
  const [{ sum }] = await knex('donations').sum({ sum: 'amount_yen' });
  expect(index.tables.find((t: any) => t.table === 'donations').sums.amount_yen).toBe(Number(sum));
  for (const t of index.tables) expect(first.entries.find((e) => e.file === `ledger/tables/${t.table}.csv`)?.kind).toBe(`table: ${t.rows} rows`);

  const schema = JSON.parse(fs.readFileSync(path.join(out, 'ledger', 'tables', 'donations.schema.json'), 'utf8'));
  expect(schema).toMatchObject({ name: 'donations', primaryKey: ['id'], missingValues: [''] });
  expect(schema.fields.find((f: any) => f.name === 'amount_yen')).toMatchObject({ type: 'integer', constraints: { required: true } });
  expect(readCsv('tables/donations.csv')).toHaveLength(6);

  // 個人番号 stays behind: no sealed bytes, no key id, not the plain number anywhere.
  const onestop = readCsv('tables/onestop_applications.csv');
  expect(Object.keys(onestop[0])).not.toEqual(expect.arrayContaining(['my_number_sealed']));
  expect(Object.keys(onestop[0])).not.toContain('my_number_key_id');
  expect(onestop[0]).toMatchObject({ status: 'accepted', my_number_verdict: 'valid' });
  for (const e of first.entries) expect(fs.readFileSync(path.join(out, ...e.file.split('/'))).includes(Buffer.from('sealed'))).toBe(false);
});

test('round trip: the archive goes into an empty ledger through the migration import; counts, sums and every donation agree', async () => {
  ctx = await suiteContext('handover-dst', { API_TOKENS: apiTokens() }, { databaseUrl: target.url });
  await ctx.startWorker();
  api = await startApi(ctx);
  const knex = ctx.orm.em.getKnex();
  // Reference data from its own tables' CSV (the import reads donations, not the catalogue).
  for (const s of readCsv('tables/suppliers.csv')) {
    await knex('suppliers').insert({ id: Number(s.id), code: s.code, name: s.name, email: s.email || null, shipping_weekdays: `{${JSON.parse(s.shipping_weekdays).join(',')}}`, approval_status: s.approval_status });
  }
  for (const g of readCsv('tables/gifts.csv')) {
    await knex('gifts').insert({ code: g.code, name: g.name, supplier_id: Number(g.supplier_id), price_yen: Number(g.price_yen), cost_yen: Number(g.cost_yen), active: g.active === 'true' });
  }

  const file = fs.readFileSync(path.join(out, 'ledger', 'migration', 'donations.csv'));
  const res = await api.upload('/intake/migration', 'donations.csv', file);
  expect([201, 202]).toContain(res.statusCode);
  const fileId = res.json().file.id;
  const done = await eventually(() => api.get(`/intake/imports/${fileId}`), (r) => ['done', 'finished', 'completed'].includes(r.json().file?.status), 60_000);
  const report = done.json().file;
  // Cancelled donations are not migrated (the import refuses them on purpose): one in the quarantine.
  expect(report).toMatchObject({ created: 5, quarantined: 1 });

  const before = readCsv('tables/donations.csv').filter((d) => d.status !== 'cancelled');
  const after = await knex('donations').orderBy('portal_order_id');
  expect(after).toHaveLength(before.length);
  expect(after.reduce((t: number, d: any) => t + d.amount_yen, 0)).toBe(before.reduce((t, d) => t + Number(d.amount_yen), 0));

  const donors = new Map(readCsv('tables/donors.csv').map((d) => [d.id, d]));
  const lines = readCsv('tables/donation_gift_lines.csv');
  for (const old of before) {
    const now = after.find((d: any) => d.portal_code === old.portal_code && d.portal_order_id === old.portal_order_id);
    expect(now).toBeDefined();
    expect({ amount: now.amount_yen, channel: now.channel, payment: now.payment_method, paidAt: iso(now.paid_at), oneStop: String(now.wants_one_stop), relief: String(now.disaster_relief), applied: iso(now.applied_at), purpose: now.purpose ?? '' })
      .toEqual({ amount: Number(old.amount_yen), channel: old.channel, payment: old.payment_method, paidAt: old.paid_at, oneStop: old.wants_one_stop, relief: old.disaster_relief, applied: old.applied_at, purpose: old.purpose });
    const donor = await knex('donors').where({ id: now.donor_id }).first();
    const was = donors.get(old.donor_id)!;
    expect({ name: donor.name, kana: donor.name_kana, postal: donor.postal_code, pref: donor.prefecture, address: donor.address, phone: donor.phone ?? '', email: donor.email ?? '' })
      .toEqual({ name: was.name, kana: was.name_kana, postal: was.postal_code, pref: was.prefecture, address: was.address, phone: was.phone, email: was.email });
    const gifts = (await knex('donation_gift_lines').where({ donation_id: now.id }).orderBy('gift_code')).map((l: any) => `${l.gift_code}×${l.quantity}`);
    expect(gifts).toEqual(lines.filter((l) => l.donation_id === old.id).map((l) => `${l.gift_code}×${l.quantity}`).sort());
    const migrated = await knex('donation_migrations').where({ donation_id: now.id }).first();
    expect(migrated.source_id).toBe(old.id);
    expect(iso(migrated.documents_sent_at)).toBe(old.documents_sent_at);
    expect(migrated.gifts).toBe(old.status === 'documents_sent' ? 'shipped' : gifts.length ? 'to_ship' : 'none');
  }
}, 180_000);
