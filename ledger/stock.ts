import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import type { FieldError } from '../domain/donor';
import {
  DEFAULT_COVER_DAYS,
  GiftRuleError,
  alertKind,
  alertStates,
  recommendRebalance,
  soldOutListings,
  stockPosition,
  type ListingStock,
  type RebalanceMove,
  type RebalancePlan,
  type SoldOutEntry,
  type StockAlertKind,
  type StockPosition,
} from '../domain/gifts';

/**
 * GIFT-2 stock in the ledger. Every change of a stock figure writes a
 * `stock_movements` row (who, why) in the same transaction; alerts follow the
 * figures (one open alert per gift/portal, cleared when stock comes back).
 *
 * Locking: every change to a gift whose stock is tracked (total_stock set, or
 * auto_rebalance on) takes the `gifts` row lock first, then its listing rows.
 * That serialises the gift's sales, cancellations and moves, so the overall
 * remaining computed after a sale is exact, and lock order is always
 * gift → listings (donation lines are handled in gift-code order).
 */

export const REBALANCE_ACTOR = 'system:rebalance';

type Db = Knex | Knex.Transaction;

/** Knex bound to the entity manager's open transaction (a plain getKnex() would take a second pool connection). */
export function txKnex(em: EntityManager): Db {
  return (em.getTransactionContext() as Knex.Transaction | undefined) ?? em.getKnex();
}

async function rows<T>(db: Db, sql: string, bindings: readonly unknown[] = []): Promise<T[]> {
  const result = await db.raw(sql, bindings as Knex.RawBinding[]);
  return result.rows as T[];
}

export interface GiftStockSettings {
  code: string;
  totalStock: number | null;
  lowStockThreshold: number;
  autoRebalance: boolean;
}

/** Locks the gift row for a stock change; undefined when there is no such gift. */
export async function lockGift(db: Db, code: string): Promise<GiftStockSettings | undefined> {
  const [g] = await rows<{ code: string; total_stock: number | null; low_stock_threshold: number; auto_rebalance: boolean }>(
    db,
    'select code, total_stock, low_stock_threshold, auto_rebalance from gifts where code = ? for update',
    [code],
  );
  return g && { code: g.code, totalStock: g.total_stock, lowStockThreshold: g.low_stock_threshold, autoRebalance: g.auto_rebalance };
}

async function listingStock(db: Db, code: string): Promise<ListingStock[]> {
  const list = await rows<{ portal_code: string; allocated: number | null; sold: number; listed: boolean }>(
    db,
    'select portal_code, allocated, sold, listed from gift_listings where gift_code = ? order by portal_code',
    [code],
  );
  return list.map((l) => ({ portal: l.portal_code, allocated: l.allocated, sold: l.sold, listed: l.listed }));
}

// ---------------------------------------------------------------------------------------------
// Alerts

/** Makes `kind` the one open alert of the gift/portal (null portal = the gift overall); kind null clears it. */
async function setAlert(db: Db, giftCode: string, portal: string | null, kind: StockAlertKind | null, remaining: number): Promise<void> {
  if (!kind) {
    await db.raw(`update stock_alerts set cleared_at = now() where gift_code = ? and coalesce(portal_code, '') = ? and cleared_at is null`, [giftCode, portal ?? '']);
    return;
  }
  await db.raw(
    `with cleared as (
       update stock_alerts set cleared_at = now()
       where gift_code = ? and coalesce(portal_code, '') = ? and cleared_at is null and kind <> ?
       returning id)
     insert into stock_alerts (gift_code, portal_code, kind, remaining) values (?, ?, ?, ?)
     on conflict (gift_code, coalesce(portal_code, ''), kind) where cleared_at is null
     do update set remaining = excluded.remaining`,
    [giftCode, portal ?? '', kind, giftCode, portal, kind, remaining],
  );
}

/** Recomputes every alert of a gift from its figures: raises what is due, clears what no longer is. */
export async function syncAlerts(db: Db, giftCode: string): Promise<void> {
  const [g] = await rows<{ total_stock: number | null; low_stock_threshold: number }>(db, 'select total_stock, low_stock_threshold from gifts where code = ?', [giftCode]);
  if (!g) return;
  const desired = alertStates(stockPosition(g.total_stock, await listingStock(db, giftCode)), g.low_stock_threshold).filter((s) => s.kind);
  const open = await rows<{ id: string; portal_code: string | null; kind: StockAlertKind; remaining: number }>(
    db,
    'select id, portal_code, kind, remaining from stock_alerts where gift_code = ? and cleared_at is null',
    [giftCode],
  );
  const stale = open.filter((o) => !desired.some((d) => d.portal === o.portal_code && d.kind === o.kind));
  if (stale.length) await db.raw('update stock_alerts set cleared_at = now() where id = any(?::bigint[])', [stale.map((o) => o.id)]);
  for (const d of desired) {
    const same = open.find((o) => o.portal_code === d.portal && o.kind === d.kind);
    if (same && same.remaining === d.remaining) continue;
    await setAlert(db, giftCode, d.portal, d.kind, d.remaining);
  }
}

export interface OpenStockAlert {
  id: string;
  giftCode: string;
  giftName: string;
  portal: string | null;
  kind: StockAlertKind;
  remaining: number;
  raisedAt: string;
}

export async function openStockAlerts(db: Db, filter: { giftCode?: string; supplierCode?: string } = {}): Promise<OpenStockAlert[]> {
  const list = await rows<{ id: string; gift_code: string; name: string; portal_code: string | null; kind: StockAlertKind; remaining: number; raised_at: Date }>(
    db,
    `select a.id, a.gift_code, g.name, a.portal_code, a.kind, a.remaining, a.raised_at
       from stock_alerts a join gifts g on g.code = a.gift_code left join suppliers s on s.id = g.supplier_id
      where a.cleared_at is null and (?::text is null or a.gift_code = ?) and (?::text is null or s.code = ?)
      order by case a.kind when 'oversold' then 0 when 'sold_out' then 1 else 2 end, a.raised_at, a.id`,
    [filter.giftCode ?? null, filter.giftCode ?? null, filter.supplierCode ?? null, filter.supplierCode ?? null],
  );
  return list.map((a) => ({ id: String(a.id), giftCode: a.gift_code, giftName: a.name, portal: a.portal_code, kind: a.kind, remaining: a.remaining, raisedAt: new Date(a.raised_at).toISOString() }));
}

// ---------------------------------------------------------------------------------------------
// Sales (the intake hot path) and their release on cancellation

export interface SaleLine {
  lineId: number;
  giftCode: string;
  quantity: number;
  /** As registerDonation loaded the gift: decides whether the line needs the gift lock. */
  totalStock: number | null;
  autoRebalance: boolean;
  lowStockThreshold: number;
}

export interface Sale {
  donationId: string;
  portal: string;
  portalOrderId: string;
  actor: string;
  lines: SaleLine[];
}

const MOVEMENT_FROM_LISTING = `insert into stock_movements (gift_code, portal_code, kind, delta, donation_id, actor, reason, idempotency_key)
       select gift_code, portal_code, 'sale', ?::int, ?::uuid, ?::text, ?::text, ?::text from l`;

/**
 * A gift without stock tracking and without a listing row on the portal: the
 * UPDATE matches nothing and the line costs exactly that one statement.
 */
const SALE_UNTRACKED = `with l as (
       update gift_listings set sold = sold + ?::int, updated_at = now()
       where gift_code = ? and portal_code = ?
       returning gift_code, portal_code, allocated, sold, listed),
     m as (${MOVEMENT_FROM_LISTING})
     select allocated, sold, listed, null::int as total_sold from l`;

/**
 * A tracked gift (its row already locked): the sale is counted on the portal even
 * without a listing row (one is created, unlisted), so that the gift's overall
 * remaining (total − Σ sold) sees every sale, whatever the channel.
 */
const SALE_TRACKED = `with l as (
       insert into gift_listings (gift_code, portal_code, sold, listed) values (?, ?, ?::int, false)
       on conflict (gift_code, portal_code) do update set sold = gift_listings.sold + excluded.sold, updated_at = now()
       returning gift_code, portal_code, allocated, sold, listed),
     m as (${MOVEMENT_FROM_LISTING})
     select l.allocated, l.sold, l.listed,
            (l.sold + (select coalesce(sum(o.sold), 0) from gift_listings o where o.gift_code = l.gift_code and o.portal_code <> l.portal_code))::int as total_sold
       from l`;

/**
 * GIFT-2: counts a new donation's gift lines against the portal's stock, inside
 * registerDonation's transaction (after its rows are flushed). One statement per
 * line; a gift whose stock is tracked adds its row lock, and alerts or an
 * automatic rebalance cost more statements only when a threshold is reached.
 */
export async function recordSales(tx: EntityManager, sale: Sale): Promise<void> {
  const db = txKnex(tx);
  const lines = [...sale.lines].sort((a, b) => (a.giftCode < b.giftCode ? -1 : a.giftCode > b.giftCode ? 1 : a.lineId - b.lineId));
  for (const line of lines) {
    let settings: GiftStockSettings = { code: line.giftCode, totalStock: line.totalStock, lowStockThreshold: line.lowStockThreshold, autoRebalance: line.autoRebalance };
    const tracked = line.totalStock !== null || line.autoRebalance;
    if (tracked) settings = (await lockGift(db, line.giftCode)) ?? settings;
    const movement = [-line.quantity, sale.donationId, sale.actor, `sold on ${sale.portal}, order ${sale.portalOrderId}`, `sale:${line.lineId}`];
    const [r] = tracked
      ? await rows<{ allocated: number | null; sold: number; listed: boolean; total_sold: number }>(db, SALE_TRACKED, [line.giftCode, sale.portal, line.quantity, ...movement])
      : await rows<{ allocated: number | null; sold: number; listed: boolean; total_sold: null }>(db, SALE_UNTRACKED, [line.quantity, line.giftCode, sale.portal, ...movement]);
    if (!r) continue;

    const threshold = settings.lowStockThreshold;
    const portalRemaining = r.allocated === null || !r.listed ? null : r.allocated - r.sold;
    const giftRemaining = settings.totalStock === null || r.total_sold === null ? null : settings.totalStock - r.total_sold;
    const portalHit = portalRemaining !== null && portalRemaining <= threshold;
    const giftHit = giftRemaining !== null && giftRemaining <= threshold;
    if (!portalHit && !giftHit) continue;
    if (portalHit && settings.autoRebalance) {
      // The portal just reached its threshold: move spare stock to it now, then settle every alert of the gift.
      const plan = await rebalancePlanFor(db, settings, DEFAULT_COVER_DAYS, sale.portal);
      for (const move of plan.moves) await applyMove(db, line.giftCode, move, REBALANCE_ACTOR, `automatic: ${move.reason}`);
      await syncAlerts(db, line.giftCode);
      continue;
    }
    if (portalHit) await setAlert(db, line.giftCode, sale.portal, alertKind(portalRemaining as number, threshold), portalRemaining as number);
    if (giftHit) await setAlert(db, line.giftCode, null, alertKind(giftRemaining as number, threshold), giftRemaining as number);
  }
}

/** A donation's sale movements, found through its gift lines (the idempotency key is indexed; donation_id is not). */
const SALES_OF_DONATION = `select m.gift_code, m.portal_code, m.delta, m.idempotency_key from stock_movements m
       where m.idempotency_key in (select 'sale:' || g.id from donation_gift_lines g where g.donation_id = ?)`;

/**
 * A cancelled donation gives its stock back, once: the release movement's
 * idempotency key (release:<gift line>) makes a second call a no-op.
 */
export async function releaseDonationStock(em: EntityManager, donationId: string, actor: string, reason?: string): Promise<{ giftCode: string; portal: string; quantity: number }[]> {
  const db = txKnex(em);
  const locked = await rows<{ code: string }>(db, `select code from gifts where code in (select gift_code from (${SALES_OF_DONATION}) s) order by code for update`, [donationId]);
  if (!locked.length) return [];
  // Listing rows in a fixed order too: a concurrent sale of an untracked gift holds its rows without the gift lock.
  await db.raw(
    `select 1 from gift_listings where (gift_code, portal_code) in (select gift_code, portal_code from (${SALES_OF_DONATION}) s)
      order by gift_code, portal_code for update`,
    [donationId],
  );
  const released = await rows<{ gift_code: string; portal_code: string; qty: number }>(
    db,
    `with s as (${SALES_OF_DONATION}),
     r as (
       insert into stock_movements (gift_code, portal_code, kind, delta, donation_id, actor, reason, idempotency_key)
       select gift_code, portal_code, 'sale_released', -delta, ?::uuid, ?::text, ?::text, 'release:' || substr(idempotency_key, 6) from s
       on conflict (idempotency_key) do nothing
       returning gift_code, portal_code, delta),
     x as (select gift_code, portal_code, sum(delta)::int as qty from r group by gift_code, portal_code),
     u as (
       update gift_listings l set sold = l.sold - x.qty, updated_at = now() from x
       where l.gift_code = x.gift_code and l.portal_code = x.portal_code
       returning l.gift_code, l.portal_code, x.qty)
     select gift_code, portal_code, qty from u order by gift_code, portal_code`,
    [donationId, donationId, actor, `donation cancelled${reason ? `: ${reason}` : ''}`],
  );
  for (const code of new Set(released.map((r) => r.gift_code))) await syncAlerts(db, code);
  return released.map((r) => ({ giftCode: r.gift_code, portal: r.portal_code, quantity: r.qty }));
}

// ---------------------------------------------------------------------------------------------
// Stock view, settings, moves and rebalancing

export interface GiftStockView extends StockPosition {
  lowStockThreshold: number;
  autoRebalance: boolean;
  alerts: OpenStockAlert[];
  soldOut: SoldOutEntry[];
}

export async function giftStockView(db: Db, code: string): Promise<GiftStockView | undefined> {
  const [g] = await rows<{ total_stock: number | null; low_stock_threshold: number; auto_rebalance: boolean }>(db, 'select total_stock, low_stock_threshold, auto_rebalance from gifts where code = ?', [code]);
  if (!g) return undefined;
  const position = stockPosition(g.total_stock, await listingStock(db, code));
  return { ...position, lowStockThreshold: g.low_stock_threshold, autoRebalance: g.auto_rebalance, alerts: await openStockAlerts(db, { giftCode: code }), soldOut: soldOutListings(position) };
}

async function insertMovement(db: Db, m: { giftCode: string; portal: string | null; kind: string; delta: number; toPortal?: string | null; actor: string; reason: string }): Promise<void> {
  await db.raw('insert into stock_movements (gift_code, portal_code, kind, delta, to_portal_code, actor, reason) values (?, ?, ?, ?, ?, ?, ?)', [
    m.giftCode, m.portal, m.kind, m.delta, m.toPortal ?? null, m.actor, m.reason,
  ]);
}

/** In one transaction: the gift's stock settings locked (a missing gift is GiftRuleError 404) and its listings' stock, for `work`. */
function withLockedStock(em: EntityManager, code: string, work: (db: Db, gift: GiftStockSettings, listings: ListingStock[]) => Promise<void>): Promise<void> {
  return em.transactional(async (tx) => {
    const db = txKnex(tx);
    const gift = await lockGift(db, code);
    if (!gift) throw GiftRuleError.notFound(`gift ${code}`);
    await work(db, gift, await listingStock(db, code));
  });
}

export interface StockSettingInput {
  /** Omitted = unchanged; null = stop tracking. */
  totalStock?: number | null;
  /** Per portal; allocated null = the portal draws on the unallocated pool. */
  allocations?: { portal: string; allocated: number | null }[];
  reason: string;
}

/**
 * Sets the gift's total stock and/or portal allocations (GIFT-2, GIFT-5: the
 * quantities agreed with the supplier). Each change is a movement; an
 * allocation below what the portal already sold, or allocations beyond the
 * total, are 400s naming the field.
 */
export async function setStock(em: EntityManager, code: string, input: StockSettingInput, actor: string): Promise<void> {
  await withLockedStock(em, code, async (db, gift, listings) => {
    const errors: FieldError[] = [];
    const allocations = input.allocations ?? [];
    if (allocations.length) {
      const known = new Set((await rows<{ code: string }>(db, 'select code from portals where code = any(?)', [allocations.map((a) => a.portal)])).map((p) => p.code));
      allocations.forEach((a, i) => {
        if (!known.has(a.portal)) errors.push({ field: `allocations[${i}].portal`, reason: `unknown portal "${a.portal}"` });
        const sold = listings.find((l) => l.portal === a.portal)?.sold ?? 0;
        if (a.allocated !== null && a.allocated < sold) errors.push({ field: `allocations[${i}].allocated`, reason: `must not be below the ${sold} already sold on ${a.portal}` });
        if (allocations.findIndex((b) => b.portal === a.portal) !== i) errors.push({ field: `allocations[${i}].portal`, reason: `names ${a.portal} twice` });
      });
    }
    const total = input.totalStock === undefined ? gift.totalStock : input.totalStock;
    const after = listings.map((l) => ({ ...l }));
    for (const a of allocations) {
      const row = after.find((l) => l.portal === a.portal);
      if (row) row.allocated = a.allocated;
      else after.push({ portal: a.portal, allocated: a.allocated, sold: 0, listed: true });
    }
    const position = stockPosition(total, after);
    if (position.pool !== null && position.pool < 0) {
      const committed = (position.totalStock as number) - position.pool;
      errors.push({
        field: allocations.length ? 'allocations' : 'totalStock',
        reason: `allocations and unallocated sales come to ${committed}, more than the total stock ${position.totalStock}`,
      });
    }
    if (errors.length) throw GiftRuleError.fields(errors);

    if (total !== gift.totalStock) {
      await db.raw('update gifts set total_stock = ? where code = ?', [total, code]);
      await insertMovement(db, { giftCode: code, portal: null, kind: 'total_set', delta: (total ?? 0) - (gift.totalStock ?? 0), actor, reason: `${input.reason} (total ${gift.totalStock ?? 'untracked'} → ${total ?? 'untracked'})` });
    }
    for (const a of allocations) {
      const before = listings.find((l) => l.portal === a.portal);
      if (before && before.allocated === a.allocated) continue;
      await db.raw(
        `insert into gift_listings (gift_code, portal_code, allocated, listed) values (?, ?, ?, true)
         on conflict (gift_code, portal_code) do update set allocated = excluded.allocated, updated_at = now()`,
        [code, a.portal, a.allocated],
      );
      await insertMovement(db, {
        giftCode: code, portal: a.portal, kind: 'allocated', delta: (a.allocated ?? 0) - (before?.allocated ?? 0), actor,
        reason: `${input.reason} (allocation ${before?.allocated ?? 'none'} → ${a.allocated ?? 'none'})`,
      });
    }
    await syncAlerts(db, code);
  });
}

/**
 * Moves allocation between portals (`from` null = out of the unallocated pool).
 * Only unsold units move; the receiving portal must be listed. Caller holds the gift lock.
 */
async function applyMove(db: Db, giftCode: string, move: Pick<RebalanceMove, 'from' | 'to' | 'quantity'>, actor: string, reason: string): Promise<void> {
  if (move.from !== null) {
    const taken = await rows(
      db,
      `update gift_listings set allocated = allocated - ?::int, updated_at = now()
        where gift_code = ? and portal_code = ? and allocated is not null and allocated - sold >= ?::int returning portal_code`,
      [move.quantity, giftCode, move.from, move.quantity],
    );
    if (!taken.length) throw new GiftRuleError(409, 'insufficient_stock', `${move.from} does not hold ${move.quantity} unsold units of ${giftCode}`);
  }
  await db.raw(
    `update gift_listings set allocated = coalesce(allocated, sold) + ?::int, updated_at = now() where gift_code = ? and portal_code = ?`,
    [move.quantity, giftCode, move.to],
  );
  await insertMovement(db, { giftCode, portal: move.from, kind: 'moved', delta: move.quantity, toPortal: move.to, actor, reason });
}

export interface MoveInput {
  from: string | null;
  to: string;
  quantity: number;
  reason: string;
}

/** POST /gifts/:code/stock/moves: an operator applies a move (typically one the rebalance recommended). */
export async function moveStock(em: EntityManager, code: string, input: MoveInput, actor: string): Promise<void> {
  await withLockedStock(em, code, async (db, gift, listings) => {
    const position = stockPosition(gift.totalStock, listings);
    const errors: FieldError[] = [];
    const to = listings.find((l) => l.portal === input.to);
    if (!to || !to.listed) errors.push({ field: 'to', reason: `${code} is not listed on ${input.to}` });
    if (input.from === input.to) errors.push({ field: 'to', reason: 'must differ from from' });
    if (input.from === null) {
      if (position.pool === null) errors.push({ field: 'from', reason: `is required: ${code} does not track a total stock, so there is no unallocated pool` });
      else if (position.pool < input.quantity) errors.push({ field: 'quantity', reason: `exceeds the ${position.pool} unallocated units` });
    } else {
      const from = position.portals.find((p) => p.portal === input.from);
      if (!from || from.remaining === null) errors.push({ field: 'from', reason: `${input.from} has no allocation of ${code}` });
      else if (from.remaining < input.quantity) errors.push({ field: 'quantity', reason: `exceeds the ${Math.max(from.remaining, 0)} unsold units allocated to ${input.from}` });
    }
    if (errors.length) throw GiftRuleError.fields(errors);
    await applyMove(db, code, input, actor, input.reason);
    await syncAlerts(db, code);
  });
}

async function rebalancePlanFor(db: Db, gift: GiftStockSettings, coverDays: number, onlyTo?: string): Promise<RebalancePlan> {
  const list = await rows<{ portal_code: string; allocated: number | null; sold: number; listed: boolean; recent: number }>(
    db,
    `select l.portal_code, l.allocated, l.sold, l.listed,
            coalesce((select -sum(m.delta) from stock_movements m
                       where m.gift_code = l.gift_code and m.portal_code = l.portal_code and m.kind in ('sale', 'sale_released')
                         and m.occurred_at >= now() - make_interval(days => ?::int)), 0)::int as recent
       from gift_listings l where l.gift_code = ? order by l.portal_code`,
    [coverDays, gift.code],
  );
  return recommendRebalance({
    totalStock: gift.totalStock,
    threshold: gift.lowStockThreshold,
    coverDays,
    onlyTo,
    listings: list.map((l) => ({ portal: l.portal_code, allocated: l.allocated, sold: l.sold, listed: l.listed, recentSales: l.recent })),
  });
}

/** GET /gifts/:code/stock/rebalance: the recommendation, without changing anything. */
export async function rebalanceRecommendation(db: Db, code: string, coverDays = DEFAULT_COVER_DAYS): Promise<RebalancePlan> {
  const [g] = await rows<{ code: string; total_stock: number | null; low_stock_threshold: number; auto_rebalance: boolean }>(db, 'select code, total_stock, low_stock_threshold, auto_rebalance from gifts where code = ?', [code]);
  if (!g) throw GiftRuleError.notFound(`gift ${code}`);
  return rebalancePlanFor(db, { code, totalStock: g.total_stock, lowStockThreshold: g.low_stock_threshold, autoRebalance: g.auto_rebalance }, coverDays);
}

export interface SoldOutRow extends SoldOutEntry {
  giftCode: string;
  giftName: string;
  portalGiftName: string | null;
  active: boolean;
}

/** GET /gifts/sold-out: listings with nothing left to sell, so that the page can be closed on the portal. */
export async function soldOutGifts(db: Db): Promise<SoldOutRow[]> {
  const list = await rows<{ code: string; name: string; active: boolean; total_stock: number | null; portal_code: string | null; portal_gift_name: string | null; allocated: number | null; sold: number | null; listed: boolean | null }>(
    db,
    `select g.code, g.name, g.active, g.total_stock, l.portal_code, l.portal_gift_name, l.allocated, l.sold, l.listed
       from gifts g left join gift_listings l on l.gift_code = g.code
      where g.total_stock is not null or exists (select 1 from gift_listings x where x.gift_code = g.code and x.allocated is not null)
      order by g.code, l.portal_code`,
  );
  const out: SoldOutRow[] = [];
  const byGift = new Map<string, typeof list>();
  for (const r of list) byGift.set(r.code, [...(byGift.get(r.code) ?? []), r]);
  for (const [code, giftRows] of byGift) {
    const g = giftRows[0];
    const listings = giftRows.filter((r) => r.portal_code !== null).map((r) => ({ portal: r.portal_code as string, allocated: r.allocated, sold: r.sold ?? 0, listed: r.listed ?? false }));
    for (const entry of soldOutListings(stockPosition(g.total_stock, listings))) {
      if (entry.portal === null && !g.active) continue;
      out.push({ ...entry, giftCode: code, giftName: g.name, active: g.active, portalGiftName: giftRows.find((r) => r.portal_code === entry.portal)?.portal_gift_name ?? null });
    }
  }
  return out;
}

export interface StockMovementRow {
  id: string;
  kind: string;
  portal: string | null;
  toPortal: string | null;
  delta: number;
  donationId: string | null;
  actor: string;
  reason: string | null;
  occurredAt: string;
}

export async function stockMovements(db: Db, code: string, limit = 100): Promise<StockMovementRow[]> {
  const list = await rows<{ id: string; kind: string; portal_code: string | null; to_portal_code: string | null; delta: number; donation_id: string | null; actor: string; reason: string | null; occurred_at: Date }>(
    db,
    'select id, kind, portal_code, to_portal_code, delta, donation_id, actor, reason, occurred_at from stock_movements where gift_code = ? order by id desc limit ?',
    [code, limit],
  );
  return list.map((m) => ({
    id: String(m.id), kind: m.kind, portal: m.portal_code, toPortal: m.to_portal_code, delta: m.delta, donationId: m.donation_id,
    actor: m.actor, reason: m.reason, occurredAt: new Date(m.occurred_at).toISOString(),
  }));
}
