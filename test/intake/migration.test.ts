// LEDGER-4 / SHIP-7: migration from ふるさと納税do through the portal-file machinery.
import { adapterFor, isMapper, MIGRATION_SOURCE, type RowMapper } from '../../domain/portals';
import { registerDonation } from '../../ledger/donations';
import { Donation, DonationEvent, DonationIntake } from '../../ledger/entities';
import { newDonation } from '../support/factory';
import { paymentConfirmedSignal, statusQuery, type DonationStatusView } from '../../workflows/donation/definitions';
import { eventually, type SuiteContext } from '../support/context';
import { apiSuite, type Caller, type TestApi } from '../support/api';
import { MIGRATION_GIFTS, MIGRATION_HEADER, migrationFixture, migrationRows, toCsv } from '../fixtures/migration/generate';

let ctx: SuiteContext;
let api: TestApi;


beforeAll(async () => {
  ({ ctx, api } = await apiSuite('intake-migration', { worker: true }));
  await ctx.orm.em.fork().getKnex()('gifts').insert(MIGRATION_GIFTS).onConflict('code').ignore();
});

afterAll(() => api?.close());

const upload = (fileName: string, bytes: Buffer, role: Caller = 'operator') => api.upload('/intake/migration', fileName, bytes, role);
const send = (method: 'POST' | 'PATCH', url: string, payload: object, role: Caller = 'operator') => (method === 'POST' ? api.post : api.patch)(url, payload, role);

const find = (portal: string, orderId: string) => ctx.orm.em.fork().findOne(Donation, { portal: { code: portal }, portalOrderId: orderId }, { populate: ['donor', 'giftLines'] });
const status = (d: Donation) => ctx.client.workflow.getHandle(d.workflowId).query(statusQuery);
const countOf = async (table: string) => {
  const knex = ctx.orm.em.fork().getKnex();
  const q = knex(table);
  // Only this suite's rows: other suites write to the same tables at the same time.
  const mine = knex('donations').select('id').where('portal_order_id', 'like', `${ctx.prefix}%`);
  if (table === 'donations') q.where('portal_order_id', 'like', `${ctx.prefix}%`);
  if (table === 'donation_events') q.whereIn('donation_id', mine);
  if (table === 'donation_migrations') q.whereIn('donation_id', mine);
  if (table === 'import_quarantine') q.whereIn('file_id', knex('import_files').select('id').where('portal_code', 'furusato_do'));
  // Running workflows may still add their own events (alerts, shipments); intake writes only these.
  if (table === 'donation_events') q.whereIn('kind', ['created', 'migrated']);
  return Number((await q.count({ n: '*' }))[0].n);
};

describe('the ふるさと納税do mapping', () => {
  const mapper = (): RowMapper => {
    const begun = adapterFor(MIGRATION_SOURCE).begin(MIGRATION_HEADER);
    if (!isMapper(begun)) throw new Error(begun.error);
    return begun;
  };

  test('each row becomes a donation on its real portal with the stage the old system reached', () => {
    const rows = migrationRows('T').slice(1);
    const m = mapper();
    const a = m.map(rows.slice(0, 2));
    expect(a).toMatchObject({
      ok: true,
      donation: {
        portal: 'choice', channel: 'portal', portalOrderId: 'T-A', amountYen: 30_000, paidAt: '2026-01-09T15:00:00.000Z', wantsOneStop: true,
        gifts: [{ code: 'mig-fix-eel', quantity: 1 }, { code: 'mig-fix-nori', quantity: 1 }],
        migration: { sourceId: 'DO-1001', documentsSentAt: '2026-01-19T15:00:00.000Z', gifts: 'shipped', giftsShippedAt: '2026-01-25T15:00:00.000Z' },
      },
    });
    expect(m.map([rows[4]])).toMatchObject({ ok: true, donation: { portal: 'direct', channel: 'phone', portalOrderId: 'do-DO-1004', paidAt: undefined, migration: { gifts: 'to_ship' } } });
    expect(m.orderIdOf(rows[0])).toBe(m.orderIdOf(rows[1]));
  });

  test('inconsistent or unknown rows are refused with the column and the reason', () => {
    const rows = migrationRows('T').slice(1);
    const m = mapper();
    expect(m.map([rows[5]])).toEqual({
      ok: false,
      portalOrderId: 'T-E',
      issues: [
        { column: '返礼品発送日', reason: 'shipment status "発送済" says shipped but the shipping date is empty' },
        { column: '受領証明書発送日', reason: 'the 受領証明書 was sent but the donation has no payment date' },
      ],
    });
    expect(m.map([rows[6]])).toMatchObject({ ok: false, issues: [{ column: '申込サイト', reason: 'unknown portal "ふるさとプレミアム" (add it to the migration mapping\'s portal value map)' }] });
    expect(m.map([rows[7]])).toMatchObject({ ok: false, issues: [{ column: '寄附状態', reason: expect.stringContaining('cancelled in ふるさと納税do') }] });
    const mixed = [rows[0], [...rows[1]]];
    mixed[1][20] = '未発送';
    mixed[1][21] = '';
    expect(m.map(mixed)).toMatchObject({ ok: false, issues: [{ column: '返礼品発送状況', reason: expect.stringContaining('some gift lines of this donation are shipped and others not') }] });
  });

  test('a file without the columns the mapping needs is refused by name', () => {
    expect(adapterFor(MIGRATION_SOURCE).begin(['管理番号', '寄附金額'])).toEqual({ error: expect.stringContaining('portal ← "申込サイト / 受付サイト / 申込経路"') });
  });
});

test('a migration file: donations enter under their own portals at the right stage; bad rows are quarantined; the same file again changes nothing', async () => {
  const p = ctx.prefix;
  const bytes = migrationFixture(p);

  expect((await upload('do.csv', bytes, 'city')).statusCode).toBe(403);
  expect((await upload('do.csv', bytes, 'supplier')).statusCode).toBe(403);

  const first = await upload('furusato-do-export.csv', bytes);
  expect(first.statusCode).toBe(201);
  const report = first.json();
  expect(report.file).toMatchObject({ portal: MIGRATION_SOURCE, fileName: 'furusato-do-export.csv', status: 'done', encoding: 'cp932', rowsDone: 9, created: 4, unchanged: 0, quarantined: 3, late: 0 });
  expect(report.rows.map((r: any) => [r.row, r.lastRow, r.outcome, r.migration?.portal, r.migration?.stage, r.migration?.gifts])).toEqual([
    [2, 3, 'created', 'choice', 'documents_sent', 'shipped'],
    [4, 4, 'created', 'rakuten', 'documents_sent', 'to_ship'],
    [5, 5, 'created', 'furunavi', 'documents_due', 'to_ship'],
    [6, 6, 'created', 'direct', 'awaiting_payment', 'to_ship'],
    [7, 7, 'quarantined', undefined, undefined, undefined],
    [8, 8, 'quarantined', undefined, undefined, undefined],
    [9, 9, 'quarantined', undefined, undefined, undefined],
  ]);
  expect(report.rows[4].issues).toEqual([
    { column: '返礼品発送日', reason: 'shipment status "発送済" says shipped but the shipping date is empty' },
    { column: '受領証明書発送日', reason: 'the 受領証明書 was sent but the donation has no payment date' },
  ]);
  expect(report.rows[5].issues[0].column).toBe('申込サイト');
  expect(report.rows[6].issues[0].column).toBe('寄附状態');

  // The ledger: real portals, the old system's id, no SLA record, the migration in the event log.
  const a = (await find('choice', `${p}-A`))!;
  const b = (await find('rakuten', `${p}-B`))!;
  const c = (await find('furunavi', `${p}-C`))!;
  const d = (await find('direct', 'do-DO-1004'))!;
  expect([a, b, c, d].map((x) => [x.portal.code, x.channel, x.createdBy])).toEqual([
    ['choice', 'portal', 'system:migration'], ['rakuten', 'portal', 'system:migration'], ['furunavi', 'portal', 'system:migration'], ['direct', 'phone', 'system:migration'],
  ]);
  expect(a.giftLines.getItems().map((l) => l.gift.code).sort()).toEqual(['mig-fix-eel', 'mig-fix-nori']);
  expect(await ctx.orm.em.fork().findOne(DonationIntake, { donationId: a.id })).toBeNull();
  const events = await ctx.orm.em.fork().find(DonationEvent, { donation: a.id, kind: 'migrated' });
  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({ actor: 'system:migration', reason: 'migrated from ふるさと納税do: file "furusato-do-export.csv" row 2–3' });
  expect(events[0].after).toMatchObject({ fileId: report.file.id, row: 2, lastRow: 3, sourceId: 'DO-1001', stage: 'documents_sent', gifts: 'shipped', documentsSentAt: '2026-01-19T15:00:00.000Z' });

  // A: documents and gifts done by the old system → documents_sent (then completed once the returned-mail window passes), nothing ordered.
  const aDone = await eventually(() => status(a), (s) => ['documents_sent', 'completed'].includes(s.status) && s.giftFulfilment !== undefined);
  expect(aDone).toMatchObject({ paidAt: '2026-01-09T15:00:00.000Z', documentsSentAt: '2026-01-19T15:00:00.000Z', giftFulfilment: 'closed', shipments: [] });
  const aLedger = (await find('choice', `${p}-A`))!;
  expect(aLedger.documentsSentAt?.toISOString()).toBe('2026-01-19T15:00:00.000Z');

  // B: made before 2026-04-01, documents sent, gift still due → its shipment is planned (SHIP-7).
  const planned = (s: DonationStatusView) => s.giftFulfilment === 'ship' && (s.shipments?.length ?? 0) === 1;
  const bNow = await eventually(() => status(b), (s) => ['documents_sent', 'completed'].includes(s.status) && planned(s));
  expect(bNow).toMatchObject({ documentsSentAt: '2026-04-01T15:00:00.000Z', shipments: [{ giftCode: 'mig-fix-eel', deliveryNo: 1 }] });

  // C: paid, documents due (long overdue: reminder and escalation fire at once), gift planned.
  const cNow = await eventually(() => status(c), (s) => s.status === 'documents_due' && planned(s) && s.alerts.length === 2);
  expect(cNow.deadline?.dueOn).toBe('2026-04-14');

  // D: waits for its postal transfer; once paid its gift is planned like any donation's.
  await eventually(() => status(d), (s) => s.status === 'awaiting_payment');
  expect((await status(d)).giftFulfilment).toBeUndefined();
  await ctx.client.workflow.getHandle(d.workflowId).signal(paymentConfirmedSignal, { actor: 'operator:tanaka', paidAt: '2026-11-20T01:00:00.000Z', reference: '払込 0001' });
  await eventually(() => status(d), (s) => s.status === 'documents_due' && planned(s));

  // The same bytes again: the first import's report, nothing new anywhere.
  const before = await Promise.all(['donations', 'donation_events', 'donation_migrations', 'import_quarantine'].map(countOf));
  const runIds = async () => Promise.all([a, b, c, d].map(async (x) => (await ctx.client.workflow.getHandle(x.workflowId).describe()).runId));
  const runsBefore = await runIds();
  const again = await upload('furusato-do-export-again.csv', bytes);
  expect(again.statusCode).toBe(200);
  expect(again.json()).toMatchObject({ existing: true, file: { id: report.file.id, created: 4, quarantined: 3 } });

  // The same rows in another file (e.g. a second export): every donation is unchanged, no workflow restarts.
  const overlap = toCsv(migrationRows(p).slice(0, 6));
  const second = await upload('furusato-do-export-2.csv', overlap);
  expect(second.statusCode).toBe(201);
  expect(second.json().file).toMatchObject({ created: 0, unchanged: 4, quarantined: 0 });
  expect(await Promise.all(['donations', 'donation_events', 'donation_migrations', 'import_quarantine'].map(countOf))).toEqual(before);
  expect(await runIds()).toEqual(runsBefore);
});

test('a quarantined migration row is corrected and re-submitted: it enters under its portal at its stage, with its migration record', async () => {
  const p = `${ctx.prefix}-Q`;
  const res = await upload('furusato-do-fix.csv', toCsv([MIGRATION_HEADER, migrationRows(p)[6]]));
  expect(res.json().file).toMatchObject({ created: 0, quarantined: 1 });
  const entryId = res.json().rows[0].quarantineId;
  const patched = await send('PATCH', `/intake/quarantine/${entryId}`, { corrections: { 入金日: '2026/02/05', 返礼品発送日: '2026/02/12' } });
  expect(patched.json().issues).toEqual([]);
  const resubmitted = await send('POST', `/intake/quarantine/${entryId}/resubmit`, {});
  expect(resubmitted.statusCode).toBe(200);
  const e = (await find('choice', `${p}-E`))!;
  expect(e.id).toBe(resubmitted.json().donationId);
  expect(e.createdBy).toBe('operator:tanaka');
  const migrated = await ctx.orm.em.fork().find(DonationEvent, { donation: e.id, kind: 'migrated' });
  expect(migrated[0]).toMatchObject({ actor: 'system:migration', after: { row: 2, stage: 'documents_sent', gifts: 'shipped' } });
  await eventually(() => status(e), (s) => ['documents_sent', 'completed'].includes(s.status) && s.giftFulfilment === 'closed' && s.documentsSentAt === '2026-02-09T15:00:00.000Z');
});

test('GIFT-2: a migrated donation whose gift the old system already shipped does not take stock; one still to ship does', async () => {
  const p = `${ctx.prefix}-S`;
  const knex = ctx.orm.em.fork().getKnex();
  const eel = `${p}-eel`.toLowerCase();
  const nori = `${p}-nori`.toLowerCase();
  // Tracked stock (total and a 楽天/チョイス allocation), so any sale would show as a movement.
  await knex('gifts').insert([
    { code: eel, name: 'うなぎ', price_yen: 20_000, active: true, total_stock: 100 },
    { code: nori, name: '海苔', price_yen: 10_000, active: true, total_stock: 100 },
  ]);
  await knex('gift_listings').insert([eel, nori].flatMap((code) => ['choice', 'rakuten'].map((portal) => ({ gift_code: code, portal_code: portal, allocated: 50 }))));
  const rows = migrationRows(p).slice(0, 4).map((r) => r.map((c) => (c === 'mig-fix-eel' ? eel : c === 'mig-fix-nori' ? nori : c)));
  const res = await upload('furusato-do-stock.csv', toCsv(rows));
  expect(res.json().file).toMatchObject({ created: 2, quarantined: 0 });

  const a = (await find('choice', `${p}-A`))!; // shipped by the old system: eel + nori
  const b = (await find('rakuten', `${p}-B`))!; // still to ship: eel
  const movements = async (donationId: string) => knex('stock_movements').where({ donation_id: donationId }).select('gift_code', 'portal_code', 'kind', 'delta');
  expect(await movements(a.id)).toEqual([]);
  expect(await movements(b.id)).toEqual([{ gift_code: eel, portal_code: 'rakuten', kind: 'sale', delta: -1 }]);
  const sold = async (code: string, portal: string) => (await knex('gift_listings').where({ gift_code: code, portal_code: portal }).first('sold')).sold;
  expect([await sold(eel, 'choice'), await sold(nori, 'choice'), await sold(eel, 'rakuten')]).toEqual([0, 0, 1]);

  // The same rule on the one-row path (a corrected quarantine row, a hand entry): nothing is counted.
  const direct = await registerDonation(ctx.orm.em.fork(), newDonation(p, { portal: 'choice', gifts: [{ code: nori, quantity: 2 }], giftsAlreadyShipped: true }), 'system:migration');
  expect(await movements(direct.donation.id)).toEqual([]);
  expect(await sold(nori, 'choice')).toBe(0);
});
