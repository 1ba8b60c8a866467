import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import iconv from 'iconv-lite';
import { writeCarrierFiles } from '../../activities/shipping/carrier-export';
import { buildCarrierFiles, parseIssuedLabels, type CarrierCode } from '../../domain/carriers';
import { EHIDEN_COL, EHIDEN_REFERENCE_WIDTH } from '../../domain/carriers/sagawa-ehiden';
import { carrierRowsForDay } from '../../ledger/carrier-rows';
import { createOrm, type Orm } from '../../ledger/orm';
import { findShipment, shipmentByCarrierReference } from '../../ledger/shipments';
import { required } from '../support/context';
import { billingSeed } from '../billing/seed';
import { decode, shipment } from './rows';

/**
 * Carrier references that fit (issue 18): every shipment has a short, unique, human-readable number
 * (shipments.reference) that carriers print as お客様管理番号, whole; a reference longer than a carrier's
 * column is a problem, never cut.
 */
const OPTIONS = { yamato: { billingCustomerCode: '094412345601', freightCode: '01' } };
const UUID = '3f2b8c1e-5d4a-4e6b-9c7d-2a1b0c9d8e7f';

describe('the exporters never cut a reference', () => {
  test('e飛伝: a 36-character id does not fit its 16-character お客様管理番号 and the row is left out, named; the short number is written whole', () => {
    const [file] = buildCarrierFiles('sagawa_ehiden', [shipment({ shipmentId: UUID }), shipment({ shipmentId: 'S00000042' })], {});
    expect(file.shipmentIds).toEqual(['S00000042']);
    expect(file.problems).toEqual([
      { shipmentId: UUID, field: 'shipmentId', value: UUID, reason: expect.stringMatching(new RegExp(`お客様管理番号 holds ${EHIDEN_REFERENCE_WIDTH} characters.*would be cut`)) },
    ]);
    const [, line] = decode(file);
    expect(line[EHIDEN_COL.customerRef - 1]).toBe('S00000042');
  });

  test('ゆうプリR: the default mapping’s お客様管理番号 holds 20; B2: 50; every carrier with a reference column writes it whole', () => {
    const long = 'S' + '9'.repeat(20);
    const [yupri] = buildCarrierFiles('japanpost_yupri', [shipment({ shipmentId: long }), shipment({ shipmentId: 'S00000043' })]);
    expect(yupri.problems.map((p) => [p.shipmentId, p.field])).toEqual([[long, 'shipmentId']]);
    const [yHeader, yLine] = decode(yupri);
    expect(yLine[yHeader.indexOf('お客様管理番号')]).toBe('S00000043');
    const [b2] = buildCarrierFiles('yamato_b2', [shipment({ shipmentId: 'S00000044' })], OPTIONS);
    expect(decode(b2)[1][0]).toBe('S00000044');
    // The issued-label exports hand the same number back.
    const [, ...rows] = decode(b2);
    expect(parseIssuedLabels('yamato_b2', iconv.encode(rows.map((r) => Object.assign([...r], { 3: '412345678901' }).join(',')).join('\r\n') + '\r\n', 'cp932')).labels).toEqual([
      { shipmentId: 'S00000044', trackingNumber: '412345678901', row: 1 },
    ]);
  });
});

describe('shipments carry their number (ledger)', () => {
  let orm: Orm;
  const run = randomUUID().slice(0, 6);
  const SUPPLIER = `ref-${run}`;
  const SHIP_ON = '2031-03-03';
  const ids: string[] = [];

  beforeAll(async () => {
    orm = await createOrm(required('TEST_DATABASE_URL'), { poolMax: 2 });
    const knex = orm.em.getKnex();
    const seed = billingSeed(knex, () => orm.em.fork(), `ref-${run}`);
    const supplierId = await seed.supplier(SUPPLIER, '柳川うなぎ本舗');
    await seed.gift(`${SUPPLIER}-g`, supplierId, { name: 'うなぎ蒲焼き', priceYen: 10_000, costYen: 2_000, shippingCostYen: 800 });
    for (let i = 0; i < 3; i++) {
      const d = await seed.donation({ amountYen: 10_000, paidAt: '2031-02-01T03:00:00Z', gifts: [[`${SUPPLIER}-g`, 1]] });
      ids.push(await seed.shipment(d, `${SUPPLIER}-g`, { shippedOn: SHIP_ON, status: 'ordered', carrier: 'sagawa_ehiden' }));
    }
    await knex('shipments').whereIn('id', ids).update({ planned_ship_on: SHIP_ON, shipped_on: null, delivered_at: null });
  });

  afterAll(() => orm?.close());

  test('each shipment has a short, unique S-number; the day’s e飛伝 file written by the activity carries each whole, and it finds its shipment again', async () => {
    const knex = orm.em.getKnex();
    const shipments = await Promise.all(ids.map((id) => findShipment(knex, id)));
    const refs = shipments.map((s) => s!.reference);
    for (const ref of refs) expect(ref).toMatch(/^S\d{8}$/);
    expect(new Set(refs).size).toBe(3);
    // The database keeps them unique.
    await expect(knex('shipments').where({ id: ids[1] }).update({ reference: refs[0] })).rejects.toThrow(/shipments_reference_unique/);

    const city = { name: '柳川市', postalCode: '832-8601', address: '福岡県柳川市本町87-1', phone: '0944-73-8111' };
    const byCarrier = await carrierRowsForDay(knex, city, SHIP_ON, [SUPPLIER]);
    expect([...byCarrier.keys()]).toEqual(['sagawa_ehiden' as CarrierCode]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'carrier-ref-'));
    const [written] = writeCarrierFiles(byCarrier, dir, {});
    expect(written).toMatchObject({ carrier: 'sagawa_ehiden', rows: 3, problems: [] });
    const lines = iconv.decode(fs.readFileSync(path.join(dir, written.fileName)), 'cp932').trimEnd().split('\r\n').slice(1).map((l) => l.split(','));
    expect(lines.map((l) => l[EHIDEN_COL.customerRef - 1]).sort()).toEqual([...refs].sort());
    fs.rmSync(dir, { recursive: true, force: true });

    for (const [i, ref] of refs.entries()) expect((await shipmentByCarrierReference(knex, ref))?.id).toBe(ids[i]);
    // Files written before the numbers carried the id: still found.
    expect((await shipmentByCarrierReference(knex, ids[0]))?.reference).toBe(refs[0]);
    expect(await shipmentByCarrierReference(knex, 'S99999999999999')).toBeUndefined();
    expect(await shipmentByCarrierReference(knex, 'robert; drop table')).toBeUndefined();
  });
});
