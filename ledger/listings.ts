import type { Knex } from '@mikro-orm/postgresql';
import type { FieldError } from '../domain/donor';
import { changedFields, COMMON_SCOPE, IMAGES_SCOPE, portalListings, type ImageFormat, type ListingOverride, type ListingPortal, type ListingTexts, type PortalListing, type UploadRow } from '../domain/listings';
import { isoOrNull, orNull, renamed } from './rows';

/**
 * PORTAL-2: the listings of the gifts on the portals — the common text and each portal's override
 * (listing_texts), the images (listing_images; the bytes are files under the data folder, written by
 * the API before the row) and the append-only history of every change (listing_history).
 */

/** An image whose file is stored, as the ledger records it. */
export interface NewListingImage {
  gift: string;
  /** Whose material: made for the city, or provided by the gift's supplier. */
  owner: 'city' | 'supplier';
  fileName: string;
  format: ImageFormat;
  width: number;
  height: number;
  bytes: number;
  sha256: string;
  storagePath: string;
  alt: string;
}

export interface ListingImageRow extends NewListingImage {
  id: string;
  createdBy: string;
  createdAt: string;
}

export interface ListingTextRow extends ListingOverride {
  /** 'common' or a portal. */
  scope: string;
  version: number;
  createdBy: string;
  createdAt: string;
  updatedBy: string;
  updatedAt: string;
}

/** The gift a listing is for, with what the catalogue says of its prices and basis (GIFT-4). */
export interface ListingGift {
  code: string;
  name: string;
  supplierCode: string | null;
  supplierName: string | null;
  priceYen: number;
  costYen: number;
  shippingCostYen: number;
  localProductBasis: string | null;
  /** Per portal with a row: its own price (null = the ledger price) and whether it is listed (null = no listing row). */
  portals: { portal: string; priceYen: number | null; listed: boolean | null }[];
}

export interface ListingHistoryRow {
  id: string;
  scope: string;
  version: number | null;
  action: 'created' | 'changed' | 'image_added';
  changedBy: string;
  changedAt: string;
  reason: string | null;
  before: unknown;
  after: unknown;
}

/** A listing change the ledger refuses: 400 naming the fields, or 409 (e.g. an override before the common text). */
export class ListingError extends Error {
  constructor(readonly status: 400 | 409, message: string, readonly fields: FieldError[] = []) {
    super(message);
  }
}

export async function listingGift(knex: Knex, code: string): Promise<ListingGift | undefined> {
  const g = await knex('gifts as g')
    .leftJoin('suppliers as s', 's.id', 'g.supplier_id')
    .where('g.code', code)
    .first('g.code', 'g.name', 's.code as supplier_code', 's.name as supplier_name', 'g.price_yen', 'g.cost_yen', 'g.shipping_cost_yen', 'g.local_product_basis');
  if (!g) return undefined;
  const portals = await knex.raw(
    `select coalesce(p.portal_code, l.portal_code) as portal, p.price_yen, l.listed
       from (select * from gift_portal_prices where gift_code = ?) p
       full join (select * from gift_listings where gift_code = ?) l on l.portal_code = p.portal_code
      order by 1`,
    [code, code],
  );
  return {
    ...renamed(g, 'code name'),
    ...orNull(renamed(g, 'supplier_code supplier_name'), 'supplierCode supplierName'),
    ...renamed(g, 'price_yen cost_yen shipping_cost_yen'),
    localProductBasis: g.local_product_basis ?? null,
    portals: (portals.rows as { portal: string; price_yen: number | null; listed: boolean | null }[]).map((p) => ({ portal: p.portal, priceYen: p.price_yen, listed: p.listed })),
  };
}

function textRow(r: any): ListingTextRow {
  return {
    scope: r.scope,
    title: r.title,
    description: r.description,
    shippingNotes: r.shipping_notes,
    images: r.image_ids,
    version: r.version,
    createdBy: r.created_by,
    createdAt: isoOrNull(r.created_at)!,
    updatedBy: r.updated_by,
    updatedAt: isoOrNull(r.updated_at)!,
  };
}

function imageRow(r: any): ListingImageRow {
  return { ...renamed(r, 'id owner file_name format width height bytes sha256 storage_path alt created_by'), gift: r.gift_code, createdAt: isoOrNull(r.created_at)! };
}

/** The common text first, then the portals' overrides by portal. */
export async function listingTexts(knex: Knex, gift: string): Promise<ListingTextRow[]> {
  const rows = await knex('listing_texts').where({ gift_code: gift }).orderByRaw(`scope <> ? , scope`, [COMMON_SCOPE]);
  return rows.map(textRow);
}

/** Images in the order they were added. */
export async function listingImages(knex: Knex, gift: string): Promise<ListingImageRow[]> {
  return (await knex('listing_images').where({ gift_code: gift }).orderBy([{ column: 'created_at' }, { column: 'id' }])).map(imageRow);
}

export async function listingImage(knex: Knex, gift: string, id: string): Promise<ListingImageRow | undefined> {
  const r = await knex('listing_images').where({ gift_code: gift, id }).first();
  return r ? imageRow(r) : undefined;
}

export interface ListingSummary {
  gift: string;
  giftName: string;
  supplierCode: string | null;
  overrides: string[];
  images: number;
  updatedAt: string;
}

/** Every gift with a listing (a supplier's only), by gift code. */
export async function listListings(knex: Knex, opts: { supplier?: string } = {}): Promise<ListingSummary[]> {
  const q = knex('listing_texts as t')
    .join('gifts as g', 'g.code', 't.gift_code')
    .leftJoin('suppliers as s', 's.id', 'g.supplier_id')
    .groupBy('t.gift_code', 'g.name', 's.code')
    .orderBy('t.gift_code')
    .select(
      't.gift_code',
      'g.name',
      's.code as supplier_code',
      knex.raw(`coalesce(array_agg(t.scope order by t.scope) filter (where t.scope <> ?), '{}') as overrides`, [COMMON_SCOPE]),
      knex.raw('(select count(*)::int from listing_images i where i.gift_code = t.gift_code) as images'),
      knex.raw('max(t.updated_at) as updated_at'),
    );
  if (opts.supplier !== undefined) q.where('s.code', opts.supplier);
  return (await q).map((r: any) => ({ gift: r.gift_code, giftName: r.name, supplierCode: r.supplier_code ?? null, overrides: r.overrides, images: r.images, updatedAt: isoOrNull(r.updated_at)! }));
}

const textsOf = (t: Partial<ListingOverride>) => ({ title: t.title ?? null, description: t.description ?? null, shippingNotes: t.shippingNotes ?? null, images: t.images ?? null });

/**
 * Writes the common text (every field) or a portal's override (null = the common value) and appends
 * its history line, in one transaction; the same text again changes nothing and writes no line.
 * Images must be the gift's own; an override needs the common text first.
 */
export async function saveListingText(
  knex: Knex,
  gift: string,
  scope: string,
  input: ListingTexts | ListingOverride,
  by: string,
  reason: string | null = null,
): Promise<{ text: ListingTextRow; changed: boolean }> {
  return knex.transaction(async (trx) => {
    await trx.raw('select pg_advisory_xact_lock(hashtext(?))', [`listing:${gift}`]);
    const images = input.images ?? [];
    if (images.length) {
      const known = new Set((await trx('listing_images').where({ gift_code: gift }).whereIn('id', images).select('id')).map((r: { id: string }) => r.id));
      const fields = images.flatMap((id, i) => (known.has(id) ? [] : [{ field: `images[${i}]`, reason: `is not an image of gift ${gift}` }]));
      if (fields.length) throw new ListingError(400, 'unknown images', fields);
      const twice = images.findIndex((id, i) => images.indexOf(id) !== i);
      if (twice >= 0) throw new ListingError(400, 'an image named twice', [{ field: `images[${twice}]`, reason: 'names an image already in the list' }]);
    }
    if (scope !== COMMON_SCOPE && !(await trx('listing_texts').where({ gift_code: gift, scope: COMMON_SCOPE }).first())) {
      throw new ListingError(409, `gift ${gift} has no common listing text yet; write it before a portal's override`);
    }
    const beforeRow = await trx('listing_texts').where({ gift_code: gift, scope }).forUpdate().first();
    const before = beforeRow ? textRow(beforeRow) : null;
    const after = textsOf(input);
    const changed = changedFields(before, after);
    if (before && !changed.length) return { text: before, changed: false };
    const columns = { title: after.title, description: after.description, shipping_notes: after.shippingNotes, image_ids: after.images, updated_by: by, updated_at: trx.fn.now() };
    const version = before ? before.version + 1 : 1;
    if (before) await trx('listing_texts').where({ gift_code: gift, scope }).update({ ...columns, version });
    else await trx('listing_texts').insert({ gift_code: gift, scope, ...columns, created_by: by });
    await trx('listing_history').insert({
      gift_code: gift,
      scope,
      version,
      action: before ? 'changed' : 'created',
      changed_by: by,
      reason,
      before: before ? JSON.stringify(textsOf(before)) : null,
      after: JSON.stringify({ ...after, changed }),
    });
    return { text: textRow(await trx('listing_texts').where({ gift_code: gift, scope }).first()), changed: true };
  });
}

/** Records an image whose file is already stored; the same bytes for the same gift are the image it has. */
export async function addListingImage(knex: Knex, image: NewListingImage, by: string): Promise<{ image: ListingImageRow; existing: boolean }> {
  return knex.transaction(async (trx) => {
    const inserted = await trx('listing_images')
      .insert({ gift_code: image.gift, owner: image.owner, file_name: image.fileName, format: image.format, width: image.width, height: image.height, bytes: image.bytes, sha256: image.sha256, storage_path: image.storagePath, alt: image.alt, created_by: by })
      .onConflict(['gift_code', 'sha256'])
      .ignore()
      .returning('*');
    if (!inserted.length) return { image: imageRow(await trx('listing_images').where({ gift_code: image.gift, sha256: image.sha256 }).first()), existing: true };
    const row = imageRow(inserted[0]);
    const { storagePath: _path, gift: _gift, ...facts } = row;
    await trx('listing_history').insert({ gift_code: image.gift, scope: IMAGES_SCOPE, version: null, action: 'image_added', changed_by: by, after: JSON.stringify(facts) });
    return { image: row, existing: false };
  });
}

/** Every change to a gift's listing, oldest first. */
export async function listingHistory(knex: Knex, gift: string): Promise<ListingHistoryRow[]> {
  const rows = await knex('listing_history').where({ gift_code: gift }).orderBy('id');
  return rows.map((r: any) => ({ id: String(r.id), scope: r.scope, version: r.version, action: r.action, changedBy: r.changed_by, changedAt: isoOrNull(r.changed_at)!, reason: r.reason, before: r.before, after: r.after }));
}

/** Every gift with a common listing text, by gift code (the upload files and the hand-over walk them). */
export async function listedGiftCodes(knex: Knex): Promise<string[]> {
  return (await knex('listing_texts').where({ scope: COMMON_SCOPE }).orderBy('gift_code').select('gift_code')).map((r: { gift_code: string }) => r.gift_code);
}

/** A gift's whole listing: the gift, its texts, its images and what each portal shows (undefined: no such gift). */
export interface ListingDocument {
  gift: ListingGift;
  texts: ListingTextRow[];
  images: ListingImageRow[];
  portals: PortalListing[];
}

export async function listingDocument(knex: Knex, code: string): Promise<ListingDocument | undefined> {
  const gift = await listingGift(knex, code);
  if (!gift) return undefined;
  const texts = await listingTexts(knex, code);
  return { gift, texts, images: await listingImages(knex, code), portals: portalListings(gift, texts) };
}

/** The rows of a portal's upload file: every gift with a listing that is not unlisted there, by gift code. */
export async function uploadRows(knex: Knex, portal: ListingPortal): Promise<UploadRow[]> {
  const rows: UploadRow[] = [];
  for (const code of await listedGiftCodes(knex)) {
    const doc = (await listingDocument(knex, code))!;
    const p = doc.portals.find((l) => l.portal === portal)!;
    if (!p.listed) continue;
    const byId = new Map(doc.images.map((i) => [i.id, i]));
    rows.push({ giftCode: code, giftName: doc.gift.name, title: p.title, priceYen: p.priceYen, description: p.description, shippingNotes: p.shippingNotes, images: p.images.map((id) => byId.get(id)!).filter(Boolean) });
  }
  return rows;
}

/** Every gift with a listing text or an image, by gift code (the hand-over walks them). */
export async function giftsWithListingMaterial(knex: Knex): Promise<string[]> {
  const rows = await knex.raw(`select gift_code from listing_texts union select gift_code from listing_images order by 1`);
  return (rows.rows as { gift_code: string }[]).map((r) => r.gift_code);
}
