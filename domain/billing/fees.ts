import { NO_BASE_FEE_PORTALS, type NoBaseFeePortal } from '../portals/catalogue';

/**
 * BILL-5 fee rules, pure. Money is integer yen; every rounding is a floor on the
 * line it belongs to (端数切捨て per invoice line), so the city is never billed a
 * fraction of a yen that no line shows.
 */

/** Portals whose donations carry no base fee (declared in domain/portals/catalogue.ts, noBaseFee): さとふる is paid by the city under its own contract, the city's own site is the city's. */
export const BASE_FEE_EXCLUDED_PORTALS: readonly string[] = NO_BASE_FEE_PORTALS;
/**
 * BILL-5, specification 13 ア: only donations brought to the city's counter that need no gift
 * (本市の窓口に持参され、かつ返礼品の送付を要しない) are outside the base fee. Phone, mail and FAX
 * donations are the contractor's work with or without a gift, and count.
 */
export const NO_GIFT_EXCLUDED_CHANNELS: readonly string[] = ['counter'];

export interface FeeDonation {
  donationId: string;
  portal: string;
  channel: string;
  amountYen: number;
  hasGift: boolean;
  /** The donation's portal pays no base fee by its row in the ledger (portals.no_base_fee): a portal declared by a file (PORTAL-6). */
  portalNoBaseFee?: boolean;
}

export type BaseFeeExclusion = 'satofull' | 'city_site' | 'counter_no_gift' | 'declared_portal';

export const EXCLUSION_LABELS: Record<BaseFeeExclusion, string> = {
  satofull: 'さとふる経由の寄附',
  city_site: '市公式サイト経由の寄附',
  counter_no_gift: '本市の窓口に持参された返礼品なしの寄附',
  declared_portal: '基本手数料の対象外として追加されたポータル経由の寄附',
};

/** The reason recorded for each portal that pays no base fee; a portal declared noBaseFee without one does not compile. */
const PORTAL_EXCLUSIONS: Record<NoBaseFeePortal, BaseFeeExclusion> = { satofull: 'satofull', city: 'city_site' };

/** Why a donation is outside the base fee, or null when it counts. */
export function baseFeeExclusion(d: Pick<FeeDonation, 'portal' | 'channel' | 'hasGift' | 'portalNoBaseFee'>): BaseFeeExclusion | null {
  if (BASE_FEE_EXCLUDED_PORTALS.includes(d.portal)) return PORTAL_EXCLUSIONS[d.portal as NoBaseFeePortal];
  // PORTAL-6: a portal contracted later, declared without a base fee (its ledger row's flag).
  if (d.portalNoBaseFee) return 'declared_portal';
  if (NO_GIFT_EXCLUDED_CHANNELS.includes(d.channel) && !d.hasGift) return 'counter_no_gift';
  return null;
}

/** rate in basis points: 1000 = 10%. Floor: a fraction of a yen is never billed. */
export function baseFeeYen(eligibleYen: number, rateBp: number): number {
  return Math.floor((eligibleYen * rateBp) / 10_000);
}

export interface BaseFeeSummary {
  eligibleYen: number;
  eligibleCount: number;
  rateBp: number;
  feeYen: number;
  excluded: { reason: BaseFeeExclusion; label: string; count: number; amountYen: number }[];
}

export function baseFee(donations: FeeDonation[], rateBp: number): BaseFeeSummary {
  let eligibleYen = 0;
  let eligibleCount = 0;
  const excluded = new Map<BaseFeeExclusion, { count: number; amountYen: number }>();
  for (const d of donations) {
    const why = baseFeeExclusion(d);
    if (!why) {
      eligibleYen += d.amountYen;
      eligibleCount += 1;
      continue;
    }
    const e = excluded.get(why) ?? { count: 0, amountYen: 0 };
    e.count += 1;
    e.amountYen += d.amountYen;
    excluded.set(why, e);
  }
  return {
    eligibleYen,
    eligibleCount,
    rateBp,
    feeYen: baseFeeYen(eligibleYen, rateBp),
    excluded: [...excluded].map(([reason, e]) => ({ reason, label: EXCLUSION_LABELS[reason], ...e })),
  };
}

/** 3割: the most a donation's gifts may cost in total (packaging and consumption tax included). */
export const giftCostCapYen = (donationYen: number): number => Math.floor((donationYen * 3) / 10);

export interface GiftCostInput {
  donationId: string;
  donationYen: number;
  /** Actual procurement cost of this donation's shipments in earlier months (定期便, re-shipments). */
  previousCostYen: number;
  /** Actual procurement cost of its shipments in this month. */
  monthCostYen: number;
}

export interface GiftCostOutcome extends GiftCostInput {
  capYen: number;
  /** What the city is billed: the actual cost up to what the cap still allows. */
  billedYen: number;
  /** Actual cost over the cap: shown, flagged, not billed (the city decides). */
  excessYen: number;
  flag: string | null;
}

/**
 * Gift cost at actual cost, capped at 30% of THAT donation, counted over all its
 * shipments so far: a 定期便's third delivery only has what the first two left.
 */
export function capGiftCost(i: GiftCostInput): GiftCostOutcome {
  const capYen = giftCostCapYen(i.donationYen);
  const room = Math.max(0, capYen - i.previousCostYen);
  const billedYen = Math.min(i.monthCostYen, room);
  const excessYen = i.monthCostYen - billedYen;
  const flag = excessYen > 0
    ? `返礼品調達費の累計 ${(i.previousCostYen + i.monthCostYen).toLocaleString('ja-JP')}円 が寄附額 ${i.donationYen.toLocaleString('ja-JP')}円 の3割 (${capYen.toLocaleString('ja-JP')}円) を超過: 超過額 ${excessYen.toLocaleString('ja-JP')}円 は請求せず、市の判断を待つ`
    : null;
  return { ...i, capYen, billedYen, excessYen, flag };
}

/** Consumption tax on one invoice line, floored. */
export const taxYen = (amountYen: number, percent: number): number => Math.floor((amountYen * percent) / 100);

/** cost ÷ donations to 4 decimals; null without donations. */
export function costRatio(costYen: number, donationsYen: number): number | null {
  if (!(donationsYen > 0)) return null;
  return Math.round((costYen / donationsYen) * 10_000) / 10_000;
}

/** 総務省告示: 募集に要する費用 at most 5割 of the donations. */
export const COST_RATIO_LIMIT = 0.5;
