import { randomUUID } from 'node:crypto';
import type { SuiteContext } from '../support/context';
import { apiSuite, type TestApi } from '../support/api';

/** GIFT-1, GIFT-4, GIFT-5, SHIP-2, SHIP-8 through the API against the real ledger. */
let ctx: SuiteContext;
let api: TestApi;

// The supplier token's name is its supplier code (config/env.ts parseTokens): fixed before the suite context exists.
const OWN = `gsup-${randomUUID().slice(0, 6)}`;

let other: string;
let seq = 0;
const giftCode = () => `${ctx.prefix}-G${++seq}`;

async function supplier(code: string, acknowledged: boolean) {
  expect((await api.post('/suppliers', { code, name: `事業者 ${code}`, email: `${code}@example.jp`, shippingWeekdays: [2, 5], defaultCarrier: 'yamato_b2' })).statusCode).toBe(201);
  // GIFT-4: the city approves the supplier (test/gifts/supplier-recruitment.test.ts covers the step).
  expect((await api.post(`/suppliers/${code}/decision`, { decision: 'approve' }, 'city')).statusCode).toBe(200);
  if (acknowledged) expect((await api.post(`/suppliers/${code}/acknowledgement`, { signedBy: '柳川 太郎', reference: `DOC-${code}` })).statusCode).toBe(200);
}

async function approvedGift(body: Record<string, unknown>) {
  const code = giftCode();
  const res = await api.post('/gifts', { code, name: 'うなぎのせいろ蒸し', supplierCode: OWN, priceYen: 20_000, costYen: 6_000, shippingCostYen: 1_200, ...body });
  expect(res.statusCode).toBe(201);
  expect((await api.post(`/gifts/${code}/decision`, { decision: 'approve' }, 'city')).statusCode).toBe(200);
  return code;
}

beforeAll(async () => {
  ({ ctx, api } = await apiSuite('gifts', { suppliers: { [OWN]: 'supplier-token-0001' } }));
  other = `${ctx.prefix}-other`;
  await supplier(OWN, true);
  await supplier(other, false);
});

afterAll(() => api?.close());

describe('suppliers (SHIP-2, SHIP-8)', () => {
  test('fewer than two shipping days is a 400 naming the field; the city can approve an exception, with its reason', async () => {
    const code = `${ctx.prefix}-once`;
    const refused = await api.post('/suppliers', { code, name: '週1出荷の農家', shippingWeekdays: [3] });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().fields).toEqual([{ field: 'shippingWeekdays', reason: expect.stringContaining('at least 2 shipping days a week (SHIP-2)') }]);

    expect((await api.post('/suppliers', { code, name: '週1出荷の農家', shippingWeekdays: [3, 6] })).statusCode).toBe(201);
    expect((await api.patch(`/suppliers/${code}`, { shippingWeekdays: [3] })).json().fields[0].field).toBe('shippingWeekdays');

    // Only the city (or an admin) decides the exception.
    expect((await api.post(`/suppliers/${code}/shipping-exception`, { reason: '収穫が週1回', shippingWeekdays: [3] }, 'operator')).statusCode).toBe(403);
    const approved = await api.post(`/suppliers/${code}/shipping-exception`, { reason: '収穫が週1回', shippingWeekdays: [3] }, 'city');
    expect(approved.statusCode).toBe(200);
    expect(approved.json().supplier).toMatchObject({
      shippingWeekdays: [3],
      shippingException: { reason: '収穫が週1回', approvedBy: 'city:shiyakusho', approvedAt: expect.any(String) },
    });
    expect((await api.patch(`/suppliers/${code}`, { shippingWeekdays: [4] })).statusCode).toBe(200);
    // Withdrawing the exception needs two shipping days first.
    expect((await api.delete(`/suppliers/${code}/shipping-exception`, undefined, 'city')).statusCode).toBe(409);
  });

  test('the acknowledgement records who signed, when and the document', async () => {
    const res = await api.get(`/suppliers/${OWN}`);
    expect(res.json().supplier).toMatchObject({
      code: OWN,
      email: `${OWN}@example.jp`,
      defaultCarrier: 'yamato_b2',
      shippingWeekdays: [2, 5],
      nextShippingDay: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
      rulesAcknowledgement: { acknowledgedBy: '柳川 太郎', reference: `DOC-${OWN}`, acknowledgedAt: expect.any(String) },
    });
    expect((await api.get(`/suppliers/${other}`)).json().supplier.rulesAcknowledgement).toBeNull();
    const list = (await api.get('/suppliers?acknowledged=false', 'city')).json().suppliers.map((s: { code: string }) => s.code);
    expect(list).toContain(other);
    expect(list).not.toContain(OWN);
  });

  test('a supplier reads only its own record and its own gifts (403 otherwise)', async () => {
    expect((await api.get(`/suppliers/${OWN}`, 'supplier')).statusCode).toBe(200);
    const foreign = await api.get(`/suppliers/${other}`, 'supplier');
    expect(foreign.statusCode).toBe(403);
    expect(foreign.json().message).toContain('only its own');
    expect((await api.get('/suppliers', 'supplier')).statusCode).toBe(403);
    expect((await api.post('/suppliers', { code: 'x', name: 'x' }, 'supplier')).statusCode).toBe(403);

    const mine = await approvedGift({});
    const theirs = giftCode();
    expect((await api.post('/gifts', { code: theirs, name: '海苔', supplierCode: other, priceYen: 10_000, costYen: 2_000 })).statusCode).toBe(201);
    expect((await api.get(`/gifts/${mine}`, 'supplier')).statusCode).toBe(200);
    expect((await api.get(`/gifts/${theirs}`, 'supplier')).statusCode).toBe(403);
    const listed = (await api.get('/gifts?limit=500', 'supplier')).json().gifts.map((g: { code: string }) => g.code);
    expect(listed).toContain(mine);
    expect(listed).not.toContain(theirs);
    expect((await api.get(`/gifts?supplier=${other}`, 'supplier')).statusCode).toBe(403);
  });
});

describe('proposal, decision and activation (GIFT-4, GIFT-5, SHIP-8)', () => {
  test('proposed by an operator, decided by the city, activated only once every rule holds', async () => {
    const code = giftCode();
    const proposed = await api.post('/gifts', {
      code, name: 'あまおう 1kg', supplierCode: other, priceYen: 12_000, costYen: 3_000, shippingCostYen: 900,
      temperature: 'chilled', acceptFrom: '2026-12-01', acceptUntil: '2027-04-30', localProductBasis: '市内で生産 (告示 第5条第1号)',
      deliveryConstraints: { shipMonths: [1, 2, 3, 4] }, carrier: 'yamato_b2',
      listings: [{ portal: 'rakuten', name: '【柳川産】あまおう 1kg', priceYen: 13_000 }],
    });
    expect(proposed.statusCode).toBe(201);
    const gift = proposed.json().gift;
    expect(gift).toMatchObject({
      active: false,
      approval: { status: 'proposed', proposedBy: 'operator:tanaka', proposedAt: expect.any(String), decidedBy: null },
      temperature: 'chilled',
      deliveryConstraints: { shipMonths: [1, 2, 3, 4] },
      listings: [{ portal: 'rakuten', portalGiftName: '【柳川産】あまおう 1kg', priceYen: 13_000, ownPrice: true, listed: true }],
    });
    expect(gift.activationProblems.map((p: { code: string }) => p.code)).toEqual(['not_approved', 'rules_not_acknowledged']);

    const early = await api.post(`/gifts/${code}/activate`);
    expect(early.statusCode).toBe(409);
    expect(early.json()).toMatchObject({ error: 'activation_refused', reasons: [{ code: 'not_approved' }, { code: 'rules_not_acknowledged' }] });

    // Operators do not decide; a rejection needs a note.
    expect((await api.post(`/gifts/${code}/decision`, { decision: 'approve' }, 'operator')).statusCode).toBe(403);
    expect((await api.post(`/gifts/${code}/decision`, { decision: 'reject' }, 'city')).json().fields).toEqual([{ field: 'note', reason: 'is required to reject a proposal' }]);
    const decided = await api.post(`/gifts/${code}/decision`, { decision: 'approve', note: '令和8年度採択' }, 'city');
    expect(decided.json().gift.approval).toMatchObject({ status: 'approved', decidedBy: 'city:shiyakusho', note: '令和8年度採択', decidedAt: expect.any(String) });
    expect((await api.post(`/gifts/${code}/decision`, { decision: 'reject', note: 'again' }, 'city')).statusCode).toBe(409);

    // SHIP-8: the supplier has not signed yet.
    const unsigned = await api.post(`/gifts/${code}/activate`);
    expect(unsigned.statusCode).toBe(409);
    expect(unsigned.json().reasons).toEqual([{ code: 'rules_not_acknowledged', message: expect.stringContaining('SHIP-8') }]);

    expect((await api.post(`/suppliers/${other}/acknowledgement`, { signedBy: '農家 花子', reference: 'SCAN-2026-031' })).statusCode).toBe(200);
    const activated = await api.post(`/gifts/${code}/activate`);
    expect(activated.statusCode).toBe(200);
    expect(activated.json().gift).toMatchObject({ active: true, activationProblems: [] });
  });

  test('a rejected gift goes back to the city when it is changed', async () => {
    const code = giftCode();
    await api.post('/gifts', { code, name: '干し海苔', supplierCode: OWN, priceYen: 10_000, costYen: 2_000 });
    expect((await api.post(`/gifts/${code}/decision`, { decision: 'reject', note: '地場産品の根拠が不足' }, 'city')).json().gift.approval.status).toBe('rejected');
    const changed = await api.patch(`/gifts/${code}`, { localProductBasis: '市内の工場で加工 (製造・加工の主要部分)' });
    expect(changed.json().gift.approval).toMatchObject({ status: 'proposed', note: '地場産品の根拠が不足' });
  });
});

describe('the 3割 cap (GIFT-4)', () => {
  test('activation is refused when the cost exceeds 30% of the price on any portal, with the ratios shown', async () => {
    const code = await approvedGift({ priceYen: 20_000, costYen: 6_000, listings: [{ portal: 'rakuten', priceYen: 19_000 }, { portal: 'choice', priceYen: 22_000 }] });
    const refused = await api.post(`/gifts/${code}/activate`);
    expect(refused.statusCode).toBe(409);
    const body = refused.json();
    expect(body.error).toBe('activation_refused');
    expect(body.reasons).toEqual([{ code: 'cost_cap_exceeded', message: expect.stringContaining('31.6% of ¥19,000 on rakuten') }]);
    expect(body.ratios).toMatchObject({
      cap: 0.3,
      withinCap: false,
      binding: { portal: 'rakuten', priceYen: 19_000, procurementRatio: 0.3158, withShippingRatio: 0.3789, withinCap: false, maxCostYen: 5_700 },
    });
    expect(body.ratios.prices.map((p: { portal: string | null; withinCap: boolean }) => [p.portal, p.withinCap])).toEqual([[null, true], ['choice', true], ['rakuten', false]]);

    // Unlisting the portal takes its price out of the judgement; listing it again brings it back.
    expect((await api.patch(`/gifts/${code}`, { listings: [{ portal: 'rakuten', listed: false }] })).statusCode).toBe(200);
    expect((await api.post(`/gifts/${code}/activate`)).statusCode).toBe(200);
    const relist = await api.patch(`/gifts/${code}`, { listings: [{ portal: 'rakuten', listed: true }] });
    expect(relist.statusCode).toBe(409);
    expect(relist.json().error).toBe('cost_cap_exceeded');
  });

  test('a change that breaks the cap on a gift on sale is refused and changes nothing', async () => {
    const code = await approvedGift({ priceYen: 20_000, costYen: 6_000, listings: [{ portal: 'furunavi', name: 'うなぎ', priceYen: 20_000 }] });
    expect((await api.post(`/gifts/${code}/activate`)).statusCode).toBe(200);

    const cost = await api.patch(`/gifts/${code}`, { costYen: 6_500, name: '新しい名前' });
    expect(cost.statusCode).toBe(409);
    expect(cost.json()).toMatchObject({ error: 'cost_cap_exceeded', ratios: { binding: { procurementRatio: 0.325 } } });
    const price = await api.patch(`/gifts/${code}`, { listings: [{ portal: 'furunavi', priceYen: 18_000 }] });
    expect(price.statusCode).toBe(409);
    expect(price.json().ratios.binding).toMatchObject({ portal: 'furunavi', priceYen: 18_000, procurementRatio: 0.3333 });

    const after = (await api.get(`/gifts/${code}`)).json().gift;
    expect(after).toMatchObject({ name: 'うなぎのせいろ蒸し', costYen: 6_000, listings: [{ portal: 'furunavi', priceYen: 20_000 }] });
    // Within the cap is fine; an inactive gift may be over it (it cannot go on sale).
    expect((await api.patch(`/gifts/${code}`, { costYen: 5_000, listings: [{ portal: 'furunavi', priceYen: 17_000, name: '【蒸籠】うなぎ' }] })).statusCode).toBe(200);
    expect((await api.post(`/gifts/${code}/deactivate`)).json().gift.active).toBe(false);
    expect((await api.patch(`/gifts/${code}`, { costYen: 9_000 })).json().gift.ratios.withinCap).toBe(false);
  });
});

describe('changing and removing gifts (GIFT-1)', () => {
  test('names per portal, 定期便, acceptance period and constraints; rule breaks are 400s naming the field', async () => {
    const code = await approvedGift({});
    const bad = await api.patch(`/gifts/${code}`, { deliveries: 3, acceptFrom: '2027-01-01', acceptUntil: '2026-12-31', listings: [{ portal: 'nowhere' }] });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().fields.map((f: { field: string }) => f.field)).toEqual(['listings[0].portal', 'deliveryIntervalDays', 'acceptUntil']);
    expect((await api.patch(`/gifts/${code}`, { temperature: 'warm' })).json().fields[0].field).toBe('temperature');

    const ok = await api.patch(`/gifts/${code}`, {
      deliveries: 3, deliveryIntervalDays: 30, temperature: 'frozen', carrier: 'sagawa_ehiden', acceptFrom: '2026-04-01', acceptUntil: null,
      deliveryConstraints: { shipMonths: [10, 11], leadTimeDays: 5 },
      listings: [{ portal: 'choice', name: '【定期便3回】うなぎ' }, { portal: 'ana', name: 'うなぎ (ANA)', priceYen: 21_000 }],
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().gift).toMatchObject({
      deliveries: 3, deliveryIntervalDays: 30, temperature: 'frozen', carrier: 'sagawa_ehiden', acceptFrom: '2026-04-01', acceptUntil: null,
      deliveryConstraints: { shipMonths: [10, 11], leadTimeDays: 5 },
      listings: [
        { portal: 'ana', portalGiftName: 'うなぎ (ANA)', priceYen: 21_000, ownPrice: true },
        { portal: 'choice', portalGiftName: '【定期便3回】うなぎ', priceYen: 20_000, ownPrice: false },
      ],
    });
    // The ShipmentWorkflow reads the columns directly.
    const [row] = await ctx.orm.em.fork().getKnex()('gifts').where('code', code).select('deliveries', 'delivery_interval_days', 'delivery_constraints', 'carrier', 'temperature');
    expect(row).toEqual({ deliveries: 3, delivery_interval_days: 30, delivery_constraints: { shipMonths: [10, 11], leadTimeDays: 5 }, carrier: 'sagawa_ehiden', temperature: 'frozen' });
  });

  test('removing takes the gift off sale and unlists it everywhere, keeping its record', async () => {
    const code = await approvedGift({ listings: [{ portal: 'choice' }, { portal: 'rakuten', priceYen: 20_000 }] });
    expect((await api.post(`/gifts/${code}/activate`)).statusCode).toBe(200);
    const removed = await api.delete(`/gifts/${code}`);
    expect(removed.statusCode).toBe(200);
    expect(removed.json().gift).toMatchObject({ active: false, acceptance: 'inactive', listings: [{ portal: 'choice', listed: false }, { portal: 'rakuten', listed: false, priceYen: 20_000 }] });
    expect((await api.get(`/gifts/${code}`, 'city')).statusCode).toBe(200);
  });

  test('unknown gifts are 404s; a duplicate code is a 409; a bad proposal names its fields', async () => {
    expect((await api.get(`/gifts/${ctx.prefix}-none`)).statusCode).toBe(404);
    expect((await api.post(`/gifts/${ctx.prefix}-none/activate`)).statusCode).toBe(404);
    const code = await approvedGift({});
    expect((await api.post('/gifts', { code, name: 'x', priceYen: 1_000, costYen: 0 })).statusCode).toBe(409);
    const bad = await api.post('/gifts', { code: giftCode(), name: 'x', priceYen: 0, costYen: -1, supplierCode: 'nobody' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().fields.map((f: { field: string }) => f.field)).toEqual(expect.arrayContaining(['priceYen', 'costYen']));
    const unknownSupplier = await api.post('/gifts', { code: giftCode(), name: 'x', priceYen: 1_000, costYen: 0, supplierCode: 'nobody' });
    expect(unknownSupplier.json().fields).toEqual([{ field: 'supplierCode', reason: 'unknown supplier "nobody"' }]);
  });
});
