import type { StockAlertKind } from './types';

/**
 * GIFT-2 stock. A gift may track its total stock (`gifts.total_stock`, null =
 * not tracked) and may allocate part of it to portals (`gift_listings.allocated`,
 * null = the portal draws on the unallocated pool). Each portal counts what it
 * sold (`gift_listings.sold`).
 *
 *   portal remaining = allocated − sold            (allocated portals)
 *   gift remaining   = total − Σ sold               (tracked gifts)
 *   pool             = total − Σ allocated − Σ sold of unallocated portals
 */
export interface ListingStock {
  portal: string;
  allocated: number | null;
  sold: number;
  listed: boolean;
}

export interface PortalStock extends ListingStock {
  /** allocated − sold; null when the portal has no allocation of its own. */
  remaining: number | null;
}

export interface StockPosition {
  totalStock: number | null;
  sold: number;
  remaining: number | null;
  allocated: number;
  pool: number | null;
  portals: PortalStock[];
}

export function stockPosition(totalStock: number | null, listings: readonly ListingStock[]): StockPosition {
  const sold = listings.reduce((n, l) => n + l.sold, 0);
  const allocated = listings.reduce((n, l) => n + (l.allocated ?? 0), 0);
  const unallocatedSold = listings.reduce((n, l) => n + (l.allocated === null ? l.sold : 0), 0);
  return {
    totalStock,
    sold,
    remaining: totalStock === null ? null : totalStock - sold,
    allocated,
    pool: totalStock === null ? null : totalStock - allocated - unallocatedSold,
    portals: listings.map((l) => ({ ...l, remaining: l.allocated === null ? null : l.allocated - l.sold })),
  };
}

/** low when remaining ≤ threshold, sold_out at 0, oversold below 0 (portals can sell before their export reaches us). */
export function alertKind(remaining: number, threshold: number): StockAlertKind | null {
  if (remaining < 0) return 'oversold';
  if (remaining === 0) return 'sold_out';
  if (remaining <= threshold) return 'low';
  return null;
}

export interface AlertState {
  /** null = the gift overall. */
  portal: string | null;
  kind: StockAlertKind | null;
  remaining: number;
}

/**
 * The alert each stock figure should have open (kind null = none): one per
 * listed portal with an allocation, and one for the gift when its total is
 * tracked. Unlisted portals raise nothing: their stock is spare.
 */
export function alertStates(position: StockPosition, threshold: number): AlertState[] {
  const states: AlertState[] = position.portals
    .filter((p) => p.listed && p.remaining !== null)
    .map((p) => ({ portal: p.portal, kind: alertKind(p.remaining as number, threshold), remaining: p.remaining as number }));
  if (position.remaining !== null) states.push({ portal: null, kind: alertKind(position.remaining, threshold), remaining: position.remaining });
  return states;
}

export interface SoldOutEntry {
  /** null when the gift is sold out and listed nowhere. */
  portal: string | null;
  /** portal: its allocation is used up; pool: it draws on the unallocated stock, which is used up; gift: the whole stock is. */
  scope: 'portal' | 'pool' | 'gift';
  remaining: number;
}

/** Listings to close because nothing is left to sell on them. */
export function soldOutListings(position: StockPosition): SoldOutEntry[] {
  const listed = position.portals.filter((p) => p.listed);
  if (position.remaining !== null && position.remaining <= 0) {
    return listed.length ? listed.map((p) => ({ portal: p.portal, scope: 'gift' as const, remaining: position.remaining as number })) : [{ portal: null, scope: 'gift', remaining: position.remaining }];
  }
  const out: SoldOutEntry[] = [];
  for (const p of listed) {
    if (p.remaining !== null && p.remaining <= 0) out.push({ portal: p.portal, scope: 'portal', remaining: p.remaining });
    else if (p.remaining === null && position.pool !== null && position.pool <= 0) out.push({ portal: p.portal, scope: 'pool', remaining: position.pool });
  }
  return out;
}

export interface RebalanceListing extends ListingStock {
  /** Net units sold on the portal over the last `coverDays` days (sales minus cancellations). */
  recentSales: number;
}

export interface RebalanceInput {
  totalStock: number | null;
  threshold: number;
  /** N: each portal should hold what it sold over the last N days. */
  coverDays: number;
  listings: readonly RebalanceListing[];
  /** Only moves into this portal (automatic rebalancing when that portal hits its threshold). */
  onlyTo?: string;
}

export interface RebalanceMove {
  /** null = the unallocated pool. */
  from: string | null;
  to: string;
  quantity: number;
  reason: string;
}

export interface RebalancePortal {
  portal: string;
  listed: boolean;
  allocated: number;
  sold: number;
  remaining: number;
  recentSales: number;
  /** The level the portal should hold; 0 for unlisted portals. */
  keep: number;
  /** What it can give (remaining above keep), or what it lacks (negative). */
  surplus: number;
}

export interface RebalancePlan {
  rule: string;
  threshold: number;
  coverDays: number;
  portals: RebalancePortal[];
  pool: { remaining: number; keep: number; surplus: number } | null;
  moves: RebalanceMove[];
  /** Portals still short after every possible move: order more from the supplier. */
  unmet: { portal: string; quantity: number }[];
}

/** N of the rebalancing rule when nobody says otherwise: a week of sales. */
export const DEFAULT_COVER_DAYS = 7;

export const REBALANCE_RULE =
  'Each listed portal with its own allocation should hold at least max(low-stock threshold + 1, its net sales over the last N days), ' +
  'so that it stays out of the low-stock alert and covers another N days at its recent pace. Portals below that level receive stock ' +
  'from the unallocated pool first, then from portals the gift is not listed on (all their unsold allocation), then from the listed portals ' +
  'holding most above their own level; no listed portal is taken below its level. Sold units never move. What cannot be covered is reported as unmet (order more from the supplier).';

/** GIFT-2: moves that keep every portal selling while another holds spare stock (寄附機会の損失を防ぐ). */
export function recommendRebalance(input: RebalanceInput): RebalancePlan {
  const { threshold, coverDays } = input;
  const floor = threshold + 1;
  const portals: RebalancePortal[] = input.listings
    .filter((l) => l.allocated !== null)
    .map((l) => {
      const remaining = (l.allocated as number) - l.sold;
      const keep = l.listed ? Math.max(floor, l.recentSales) : 0;
      return { portal: l.portal, listed: l.listed, allocated: l.allocated as number, sold: l.sold, remaining, recentSales: l.recentSales, keep, surplus: remaining - keep };
    })
    .sort((a, b) => a.portal.localeCompare(b.portal));

  const position = stockPosition(input.totalStock, input.listings);
  const unallocated = input.listings.filter((l) => l.allocated === null && l.listed);
  const poolKeep = unallocated.length ? Math.max(floor, unallocated.reduce((n, l) => n + l.recentSales, 0)) : 0;
  const pool = position.pool === null ? null : { remaining: position.pool, keep: poolKeep, surplus: position.pool - poolKeep };

  const donors: { from: string | null; spare: number }[] = [
    ...(pool && pool.surplus > 0 ? [{ from: null, spare: pool.surplus }] : []),
    // Stock allocated to a portal the gift is not listed on sells nowhere: it goes before any selling portal's surplus.
    ...portals
      .filter((p) => p.surplus > 0)
      .sort((a, b) => Number(a.listed) - Number(b.listed) || b.surplus - a.surplus || a.portal.localeCompare(b.portal))
      .map((p) => ({ from: p.portal as string | null, spare: p.surplus })),
  ];
  const receivers = portals
    .filter((p) => p.listed && p.surplus < 0 && (!input.onlyTo || p.portal === input.onlyTo))
    // The most urgent first: the smallest share of its level left.
    .sort((a, b) => a.remaining / a.keep - b.remaining / b.keep || a.portal.localeCompare(b.portal));

  const moves: RebalanceMove[] = [];
  const unmet: { portal: string; quantity: number }[] = [];
  for (const r of receivers) {
    let want = -r.surplus;
    for (const d of donors) {
      if (want <= 0) break;
      const quantity = Math.min(want, d.spare);
      if (quantity <= 0) continue;
      d.spare -= quantity;
      want -= quantity;
      moves.push({
        from: d.from,
        to: r.portal,
        quantity,
        reason:
          `${r.portal} has ${r.remaining} left, below its level ${r.keep} (threshold ${threshold} + 1, or ${r.recentSales} sold in the last ${coverDays} days); ` +
          `${d.from ?? 'the unallocated pool'} holds ${quantity + d.spare} above its own level`,
      });
    }
    if (want > 0) unmet.push({ portal: r.portal, quantity: want });
  }
  return { rule: REBALANCE_RULE.replace(/N days/g, `${coverDays} days`), threshold, coverDays, portals, pool, moves, unmet };
}
