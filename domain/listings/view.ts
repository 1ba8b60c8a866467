/**
 * PORTAL-2: what each portal shows of a gift's listing, and the basis the city checks it on: the
 * price the catalogue gives on that portal (its own, else the ledger price), the procurement cost's
 * share of it against the 3割 cap (domain/gifts/cost.ts, the same rule that refuses activation) and
 * the gift's 地場産品 basis (告示 第5条 as the catalogue records it).
 */
import { COST_CAP_RATIO, maxCostYen, procurementRatio, withinCostCap } from '../gifts/cost';
import { portalName } from '../portals/catalogue';
import { COMMON_SCOPE, effectiveListing, LISTING_PORTALS, type EffectiveListing, type ListingOverride, type ListingPortal, type ListingTexts } from './content';

export interface ListingGiftFacts {
  code: string;
  priceYen: number;
  costYen: number;
  localProductBasis: string | null;
  portals: readonly { portal: string; priceYen: number | null; listed: boolean | null }[];
}

export interface ListingBasis {
  priceYen: number;
  costYen: number;
  /** 調達費用 ÷ 寄附額 at this portal's price. */
  procurementRatio: number;
  cap: number;
  withinCap: boolean;
  maxCostYen: number;
  /** The gift's 地場産品 basis as the catalogue records it; null = not yet stated. */
  localProductBasis: string | null;
}

export interface PortalListing extends EffectiveListing {
  portal: ListingPortal;
  portalName: string;
  /** False when the gift's listing row on the portal says unlisted (GIFT-1); it is then left out of the upload file. */
  listed: boolean;
  priceYen: number;
  /** The portal has a price of its own in the catalogue. */
  ownPrice: boolean;
  basis: ListingBasis;
}

/** Each portal's listing of a gift with a common text (in the order of LISTING_PORTALS). */
export function portalListings(gift: ListingGiftFacts, texts: readonly (ListingOverride & { scope: string })[]): PortalListing[] {
  const common = texts.find((t) => t.scope === COMMON_SCOPE);
  if (!common) return [];
  return LISTING_PORTALS.map((portal) => {
    const row = gift.portals.find((p) => p.portal === portal);
    const priceYen = row?.priceYen ?? gift.priceYen;
    return {
      portal,
      portalName: portalName(portal),
      listed: row?.listed !== false,
      priceYen,
      ownPrice: row?.priceYen != null,
      ...effectiveListing(common as ListingTexts, texts.find((t) => t.scope === portal)),
      basis: {
        priceYen,
        costYen: gift.costYen,
        procurementRatio: procurementRatio(gift.costYen, priceYen),
        cap: COST_CAP_RATIO,
        withinCap: withinCostCap(gift.costYen, priceYen),
        maxCostYen: maxCostYen(priceYen),
        localProductBasis: gift.localProductBasis,
      },
    };
  });
}
