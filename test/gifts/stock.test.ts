import { createLedgerActivities } from '../../activities/donation/ledger';
import { registerDonation } from '../../ledger/donations';
import type { SuiteContext } from '../support/context';
import { apiSuite, type TestApi } from '../support/api';
import { newDonation } from '../support/factory';

/** GIFT-2: stock per gift and portal, counted by real registerDonation calls and released by real cancellations. */
let ctx: SuiteContext;
let api: TestApi;
let supplierCode: string;


let seq = 0;
/** An approved, active gift with stock agreed at the proposal. */
async function stockedGift(body: Record<string, unknown>): Promise<string> {
  const code = `${ctx.prefix}-S${++seq}`;
  const proposed = await api.post('/gifts', { code, name: '柳川のうなぎ', supplierCode, priceYen: 10_000, costYen: 3_000, lowStockThreshold: 3, ...body });
  expect(proposed.statusCode).toBe(201);
  expect((await api.post(`/gifts/${code}/decision`, { decision: 'approve' }, 'city')).statusCode).toBe(200);
  expect((await api.post(`/gifts/${code}/activate`, {})).statusCode).toBe(200);
  return code;
}

const sell = (code: string, portal: string, quantity: number) =>
  registerDonation(ctx.orm.em.fork(), newDonation(ctx.prefix, { portal, gifts: [{ code, quantity }] }), 'system:intake');

async function listing(code: string, portal: string) {
  const [row] = await ctx.orm.em.fork().getKnex()('gift_listings').where({ gift_code: code, portal_code: portal }).select('allocated', 'sold', 'listed');
  return row as { allocated: number | null; sold: number; listed: boolean } | undefined;
}

const openAlerts = async (code: string) =>
  (await ctx.orm.em.fork().getKnex()('stock_alerts').where({ gift_code: code }).whereNull('cleared_at').orderBy('id')).map((a) => [a.portal_code ?? null, a.kind, a.remaining]);
/** The stock movements of a gift (of one kind), oldest first, as ledger/stock.ts wrote them. */
const movements = (giftCode: string, kind?: string) =>
  ctx.orm.em
    .fork()
    .getKnex()('stock_movements')
    .where({ gift_code: giftCode, ...(kind ? { kind } : {}) })
    .orderBy('id')
    .select({ portalCode: 'portal_code', toPortalCode: 'to_portal_code', delta: 'delta', donationId: 'donation_id', actor: 'actor', reason: 'reason' });

beforeAll(async () => {
  ({ ctx, api } = await apiSuite('stock'));
  supplierCode = `${ctx.prefix}-sup`;
  expect((await api.post('/suppliers', { code: supplierCode, name: '柳川うなぎ本舗', shippingWeekdays: [1, 4] })).statusCode).toBe(201);
  expect((await api.post(`/suppliers/${supplierCode}/decision`, { decision: 'approve' }, 'city')).statusCode).toBe(200);
  expect((await api.post(`/suppliers/${supplierCode}/acknowledgement`, { signedBy: '本舗 一郎', reference: 'ACK-1' })).statusCode).toBe(200);
});

afterAll(() => api?.close());

test('a sale decrements the portal in registerDonation; low, sold-out and oversold alerts follow; a cancellation gives the stock back once', async () => {
  const code = await stockedGift({ totalStock: 30, listings: [{ portal: 'choice', allocated: 12 }, { portal: 'rakuten', allocated: 10 }] });
  const setup = (await api.get(`/gifts/${code}/stock/movements`)).json().movements;
  expect(setup.map((m: { kind: string; portal: string | null; delta: number; actor: string }) => [m.kind, m.portal, m.delta, m.actor])).toEqual([
    ['allocated', 'rakuten', 10, 'operator:tanaka'],
    ['allocated', 'choice', 12, 'operator:tanaka'],
    ['total_set', null, 30, 'operator:tanaka'],
  ]);

  const firstInput = newDonation(ctx.prefix, { portal: 'choice', gifts: [{ code, quantity: 9 }] });
  const first = await registerDonation(ctx.orm.em.fork(), firstInput, 'system:intake');
  expect(await listing(code, 'choice')).toEqual({ allocated: 12, sold: 9, listed: true });
  const [sale] = await movements(code, 'sale');
  expect(sale).toMatchObject({ portalCode: 'choice', delta: -9, donationId: first.donation.id, actor: 'system:intake', reason: expect.stringContaining('sold on choice') });
  expect(await openAlerts(code)).toEqual([['choice', 'low', 3]]);

  // Re-sending the same donation changes nothing.
  expect((await registerDonation(ctx.orm.em.fork(), firstInput, 'system:intake')).created).toBe(false);
  expect((await listing(code, 'choice'))?.sold).toBe(9);

  await sell(code, 'choice', 3);
  expect(await openAlerts(code)).toEqual([['choice', 'sold_out', 0]]);
  const soldOut = (await api.get('/gifts/sold-out', 'city')).json().soldOut.filter((s: { giftCode: string }) => s.giftCode === code);
  expect(soldOut).toEqual([{ giftCode: code, giftName: '柳川のうなぎ', portal: 'choice', portalGiftName: null, scope: 'portal', remaining: 0, active: true }]);
  const alerts = (await api.get('/gifts/stock/alerts', 'city')).json().alerts.filter((a: { giftCode: string }) => a.giftCode === code);
  expect(alerts).toEqual([{ id: expect.any(String), giftCode: code, giftName: '柳川のうなぎ', portal: 'choice', kind: 'sold_out', remaining: 0, raisedAt: expect.any(String) }]);

  // Portals sell before their export reaches us: the sale is recorded and the portal is oversold.
  const oversold = await sell(code, 'choice', 2);
  expect(await openAlerts(code)).toEqual([['choice', 'oversold', -2]]);

  // Cancelling gives the 2 back; a second cancellation of the same donation gives nothing more.
  const ledger = createLedgerActivities({ orm: ctx.orm });
  const cancel = { donationId: oversold.donation.id, from: 'received' as const, to: 'cancelled' as const, at: new Date().toISOString(), actor: 'operator:tanaka', reason: '重複申込' };
  await ledger.recordTransition({ ...cancel, key: `${ctx.prefix}-cancel-1` });
  expect((await listing(code, 'choice'))?.sold).toBe(12);
  await ledger.recordTransition({ ...cancel, key: `${ctx.prefix}-cancel-1` });
  await ledger.recordTransition({ ...cancel, key: `${ctx.prefix}-cancel-2` });
  expect((await listing(code, 'choice'))?.sold).toBe(12);
  const released = await movements(code, 'sale_released');
  expect(released.map((m) => [m.portalCode, m.delta, m.donationId, m.actor])).toEqual([['choice', 2, oversold.donation.id, 'operator:tanaka']]);
  expect(await openAlerts(code)).toEqual([['choice', 'sold_out', 0]]);

  // Cancelling the first sale (9) brings choice back to 9 left: the alert is cleared.
  await ledger.recordTransition({ ...cancel, donationId: first.donation.id, key: `${ctx.prefix}-cancel-3` });
  expect(await openAlerts(code)).toEqual([]);
  expect((await api.get('/gifts/sold-out')).json().soldOut.filter((s: { giftCode: string }) => s.giftCode === code)).toEqual([]);

  const view = (await api.get(`/gifts/${code}`)).json().gift;
  expect(view.stock).toMatchObject({ totalStock: 30, sold: 3, remaining: 27, allocated: 22, pool: 8, lowStockThreshold: 3 });
  expect(view.listings.find((l: { portal: string }) => l.portal === 'choice')).toMatchObject({ allocated: 12, sold: 3, remaining: 9 });
  expect(view.ratios.binding).toMatchObject({ procurementRatio: 0.3, withinCap: true });
});

test('the overall stock counts every channel; the gift-level alert fires when the total runs low', async () => {
  const code = await stockedGift({ totalStock: 5, listings: [{ portal: 'choice', name: 'うなぎ' }] });
  await sell(code, 'choice', 2);
  // A hand-entered donation on a portal the gift has no listing for still counts against the total.
  await sell(code, 'direct', 1);
  expect(await listing(code, 'direct')).toEqual({ allocated: null, sold: 1, listed: false });
  expect(await openAlerts(code)).toEqual([[null, 'low', 2]]);
  await sell(code, 'choice', 2);
  expect(await openAlerts(code)).toEqual([[null, 'sold_out', 0]]);
  expect((await api.get('/gifts/sold-out')).json().soldOut.filter((s: { giftCode: string }) => s.giftCode === code)).toEqual([
    { giftCode: code, giftName: '柳川のうなぎ', portal: 'choice', portalGiftName: 'うなぎ', scope: 'gift', remaining: 0, active: true },
  ]);
  // More stock from the supplier clears it.
  const restocked = await api.post(`/gifts/${code}/stock`, { totalStock: 50, reason: '追加入荷 (事業者より)' });
  expect(restocked.statusCode).toBe(200);
  expect(await openAlerts(code)).toEqual([]);
  expect((await api.get(`/gifts/${code}/stock/movements`)).json().movements[0]).toMatchObject({ kind: 'total_set', delta: 45, actor: 'operator:tanaka', reason: expect.stringContaining('追加入荷') });
});

test('a gift without stock tracking or listing costs the intake one statement that matches nothing', async () => {
  const code = `${ctx.prefix}-plain`;
  await ctx.orm.em.fork().getKnex()('gifts').insert({ code, name: '干し海苔', price_yen: 10_000, cost_yen: 2_000, active: true });
  const statements: string[] = [];
  const knex = ctx.orm.em.getKnex();
  const listener = (q: { sql: string }) => statements.push(q.sql);
  knex.on('query', listener);
  try {
    await sell(code, 'choice', 1);
  } finally {
    knex.removeListener('query', listener);
  }
  const stock = statements.filter((s) => /gift_listings|stock_movements|stock_alerts|for update/.test(s));
  expect(stock).toHaveLength(1);
  expect(stock[0]).toMatch(/update gift_listings set sold = sold/);
  expect(await movements(code)).toEqual([]);
});

test('rebalancing: the recommendation explains its rule, an operator applies a move, and auto_rebalance moves at the threshold', async () => {
  const code = await stockedGift({ totalStock: 40, listings: [{ portal: 'choice', allocated: 10 }, { portal: 'rakuten', allocated: 25 }, { portal: 'furunavi', allocated: 5, listed: false }] });
  await sell(code, 'choice', 8);
  const rec = (await api.get(`/gifts/${code}/stock/rebalance?days=7`, 'city')).json().recommendation;
  expect(rec.rule).toContain('max(low-stock threshold + 1, its net sales over the last 7 days)');
  // choice: 2 left, 8 sold this week → should hold 8. Nothing is unallocated (40 − 40), so the unlisted furunavi gives its 5, then rakuten 1.
  expect(rec.pool).toEqual({ remaining: 0, keep: 0, surplus: 0 });
  expect(rec.moves.map((m: { from: string | null; to: string; quantity: number }) => [m.from, m.to, m.quantity])).toEqual([['furunavi', 'choice', 5], ['rakuten', 'choice', 1]]);
  expect(rec.portals.find((p: { portal: string }) => p.portal === 'furunavi')).toMatchObject({ keep: 0, surplus: 5 });

  // An operator applies a move; moving more than the giver holds unsold is a 400 naming the field.
  expect((await api.post(`/gifts/${code}/stock/moves`, { from: 'furunavi', to: 'choice', quantity: 6, reason: 'x' })).json().fields).toEqual([
    { field: 'quantity', reason: 'exceeds the 5 unsold units allocated to furunavi' },
  ]);
  expect((await api.post(`/gifts/${code}/stock/moves`, { from: 'rakuten', to: 'furunavi', quantity: 1, reason: 'x' })).json().fields[0].field).toBe('to');
  expect((await api.post(`/gifts/${code}/stock/moves`, { from: 'rakuten', to: 'choice', quantity: 6, reason: 'x' }, 'city')).statusCode).toBe(403);
  const moved = await api.post(`/gifts/${code}/stock/moves`, { from: 'rakuten', to: 'choice', quantity: 6, reason: '楽天の在庫に余裕' });
  expect(moved.statusCode).toBe(200);
  expect(moved.json().gift.listings.filter((l: { portal: string }) => l.portal !== 'furunavi').map((l: { portal: string; allocated: number; remaining: number }) => [l.portal, l.allocated, l.remaining])).toEqual([
    ['choice', 16, 8],
    ['rakuten', 19, 19],
  ]);
  expect(await openAlerts(code)).toEqual([]);

  // With auto_rebalance on, the portal that reaches its threshold is refilled at once, by system:rebalance.
  const auto = await stockedGift({ totalStock: 40, autoRebalance: true, listings: [{ portal: 'choice', allocated: 10 }, { portal: 'rakuten', allocated: 20 }] });
  await sell(auto, 'choice', 7);
  const moves = await movements(auto, 'moved');
  // choice: 3 left (= threshold), 7 sold this week → should hold 7: 4 come from the 10 unallocated.
  expect(moves.map((m) => [m.portalCode ?? null, m.toPortalCode, m.delta, m.actor])).toEqual([[null, 'choice', 4, 'system:rebalance']]);
  expect(moves[0].reason).toMatch(/^automatic: choice has 3 left/);
  expect(await listing(auto, 'choice')).toEqual({ allocated: 14, sold: 7, listed: true });
  expect(await openAlerts(auto)).toEqual([]);
});

test('stock settings are validated and need a reason; the city only reads', async () => {
  const code = await stockedGift({ totalStock: 10, listings: [{ portal: 'choice', allocated: 5 }] });
  await sell(code, 'choice', 4);
  const below = await api.post(`/gifts/${code}/stock`, { allocations: [{ portal: 'choice', allocated: 3 }], reason: '調整' });
  expect(below.json().fields).toEqual([{ field: 'allocations[0].allocated', reason: 'must not be below the 4 already sold on choice' }]);
  const beyond = await api.post(`/gifts/${code}/stock`, { allocations: [{ portal: 'rakuten', allocated: 6 }], reason: '調整' });
  expect(beyond.json().fields).toEqual([{ field: 'allocations', reason: 'allocations and unallocated sales come to 11, more than the total stock 10' }]);
  expect((await api.post(`/gifts/${code}/stock`, { totalStock: 20 })).json().fields).toEqual([{ field: 'reason', reason: 'is required' }]);
  expect((await api.post(`/gifts/${code}/stock`, { totalStock: 20, reason: 'x' }, 'city')).statusCode).toBe(403);
  expect((await api.get(`/gifts/${code}/stock/rebalance`, 'city')).statusCode).toBe(200);
});
