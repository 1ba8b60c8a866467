/**
 * PORTAL-2: a gift's listing on the portals. One common text per gift (title, description, shipping
 * notes, images) and, per portal, an override of any of those fields; a field the override leaves
 * null is the common one. The price and the 3割 / 地場産品 basis are not listing text: they come from
 * the gift catalogue (domain/gifts), so a listing never states a price the cost cap was not judged on.
 */
import { BUILT_IN_MAPPING_PORTALS, type BuiltInMappingPortal } from '../portals/catalogue';

/** The portals a listing is made for: those the city sells through (each with an upload-file mapping in ./uploads). */
export type ListingPortal = BuiltInMappingPortal;
export const LISTING_PORTALS: readonly ListingPortal[] = BUILT_IN_MAPPING_PORTALS;

export const COMMON_SCOPE = 'common';
/** The history's scope of image uploads. */
export const IMAGES_SCOPE = 'images';

export const LISTING_FIELDS = ['title', 'description', 'shippingNotes', 'images'] as const;
export type ListingField = (typeof LISTING_FIELDS)[number];

/** The longest text a field holds (the longest any portal takes; a portal's own limit is checked when its upload file is made). */
export const LISTING_LIMITS = { title: 255, description: 10_000, shippingNotes: 2_000, images: 20 } as const;

export interface ListingTexts {
  title: string;
  description: string;
  shippingNotes: string;
  /** Image ids in the order the portal shows them. */
  images: string[];
}

/** An override: null (or absent) = the common value. */
export type ListingOverride = { [K in keyof ListingTexts]: ListingTexts[K] | null };

export interface EffectiveListing extends ListingTexts {
  /** The fields this portal overrides. */
  overridden: ListingField[];
}

/** What a portal shows: the common text with the portal's override laid over it. */
export function effectiveListing(common: ListingTexts, override: ListingOverride | null | undefined): EffectiveListing {
  const overridden = LISTING_FIELDS.filter((f) => override?.[f] !== null && override?.[f] !== undefined);
  return {
    title: override?.title ?? common.title,
    description: override?.description ?? common.description,
    shippingNotes: override?.shippingNotes ?? common.shippingNotes,
    images: override?.images ?? common.images,
    overridden,
  };
}

/** The fields whose values differ (for the history's "what changed"). */
export function changedFields(before: Partial<ListingOverride> | null, after: Partial<ListingOverride>): ListingField[] {
  return LISTING_FIELDS.filter((f) => JSON.stringify(before?.[f] ?? null) !== JSON.stringify(after[f] ?? null));
}
