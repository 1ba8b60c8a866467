/**
 * GIFT-4 cost ratios (返礼割合).
 *
 * 総務省告示 (H31-179 as amended by R5-244 and later): the cost of procuring a
 * gift (返礼品等の調達に要する費用) must be at most 3割 of the donation it is
 * sent for. That is the cap checked here, per gift and per price: a gift listed
 * at ¥10,000 on one portal and ¥12,000 on another must keep its procurement
 * cost within 30% of ¥10,000 — the lowest price is the binding one.
 *
 * Shipping (送料) is deliberately NOT part of the 3割 cap: the notices count it,
 * with portal fees, the receipt and one-stop paperwork and other 付随費用,
 * towards the separate rule that all 募集に要する費用 stay within 5割 of the
 * donations. That 5割 rule is judged over the city's whole programme, not one
 * gift, so the procurement+shipping ratio is shown for the city to monitor but
 * does not refuse anything here.
 *
 * Integer arithmetic (cost × 10 ≤ price × 3) so that ¥3,000 on ¥10,000 is exactly
 * at the cap, the same test as the `gifts_active_cost_cap` check constraint.
 */
export const COST_CAP_RATIO = 0.3;

export interface PortalPrice {
  portal: string;
  priceYen: number;
}

export interface GiftCosts {
  /** The gift's own price in the ledger: used for hand-entered donations and portals without a price of their own. */
  priceYen: number;
  costYen: number;
  shippingCostYen: number;
  /** `gift_portal_prices` rows for the portals the gift is offered on. */
  portalPrices?: PortalPrice[];
}

export interface PriceRatio {
  /** null = the gift's own ledger price. */
  portal: string | null;
  priceYen: number;
  /** 調達費用 ÷ 寄附額, rounded to 4 decimals (0.3125 = 31.25%). */
  procurementRatio: number;
  /** (調達費用 + 送料) ÷ 寄附額: counts towards the programme's 5割, shown but not capped. */
  withShippingRatio: number;
  withinCap: boolean;
  /** The highest procurement cost this price allows. */
  maxCostYen: number;
}

export interface CostRatioReport {
  cap: number;
  costYen: number;
  shippingCostYen: number;
  /** The ledger price first, then each portal price by portal code. */
  prices: PriceRatio[];
  /** The ratio at the lowest price: the one the cap is judged on. */
  binding: PriceRatio;
  withinCap: boolean;
}

const round4 = (n: number) => Math.round(n * 10_000) / 10_000;

export function withinCostCap(costYen: number, priceYen: number): boolean {
  return costYen * 10 <= priceYen * 3;
}

export function maxCostYen(priceYen: number): number {
  return Math.floor((priceYen * 3) / 10);
}

export function procurementRatio(costYen: number, priceYen: number): number {
  if (!(priceYen > 0)) throw new RangeError(`price must be positive, got ${priceYen}`);
  return round4(costYen / priceYen);
}

function ratioAt(portal: string | null, priceYen: number, costYen: number, shippingCostYen: number): PriceRatio {
  return {
    portal,
    priceYen,
    procurementRatio: procurementRatio(costYen, priceYen),
    withShippingRatio: procurementRatio(costYen + shippingCostYen, priceYen),
    withinCap: withinCostCap(costYen, priceYen),
    maxCostYen: maxCostYen(priceYen),
  };
}

/** Ratios at the ledger price and at every portal price; the binding one is at the lowest price. */
export function costRatios(gift: GiftCosts): CostRatioReport {
  const prices = [
    ratioAt(null, gift.priceYen, gift.costYen, gift.shippingCostYen),
    ...[...(gift.portalPrices ?? [])].sort((a, b) => a.portal.localeCompare(b.portal)).map((p) => ratioAt(p.portal, p.priceYen, gift.costYen, gift.shippingCostYen)),
  ];
  const binding = prices.reduce((low, p) => (p.priceYen < low.priceYen ? p : low), prices[0]);
  return { cap: COST_CAP_RATIO, costYen: gift.costYen, shippingCostYen: gift.shippingCostYen, prices, binding, withinCap: prices.every((p) => p.withinCap) };
}

const pct = (ratio: number) => `${(ratio * 100).toFixed(1)}%`;
const yen = (n: number) => `¥${n.toLocaleString('en-US')}`;

/** "procurement cost ¥7,000 is 35.0% of ¥20,000 on rakuten (cap 30%, at most ¥6,000)" for each price over the cap. */
export function capViolations(report: CostRatioReport): string[] {
  return report.prices
    .filter((p) => !p.withinCap)
    .map((p) => `procurement cost ${yen(report.costYen)} is ${pct(p.procurementRatio)} of ${yen(p.priceYen)} ${p.portal ? `on ${p.portal}` : '(ledger price)'} (cap 30%, at most ${yen(p.maxCostYen)})`);
}
