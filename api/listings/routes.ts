import fs from 'node:fs';
import path from 'node:path';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import { COMMON_SCOPE, IMAGE_RULES, LISTING_LIMITS, LISTING_PORTALS, MEDIA_TYPES, renderUploadFile, UPLOAD_MAPPINGS, type ListingPortal } from '../../domain/listings';
import { addListingImage, listingDocument, listingGift, listingHistory, listingImage, listListings, ListingError, saveListingText, uploadRows, type ListingDocument, type ListingImageRow } from '../../ledger/listings';
import { actorOf, supplierScope, type Principal } from '../auth';
import { badRequest, HttpError, notFound } from '../errors';
import type { RouteDeps } from '../feature';
import { requireOwnSupplier, READ_OWN } from '../gifts/gifts';
import { READ, WRITE } from '../roles';
import { line, recordCode, text, uuid } from '../schema-fragments';
import { inspectImage, storeImage } from './images';

const giftParam = { ...recordCode, description: 'The gift code' } as const;
const portalParam = { type: 'string', enum: LISTING_PORTALS, description: 'A portal the city lists gifts on' } as const;
const giftParams = { type: 'object', required: ['gift'], properties: { gift: giftParam } } as const;
const portalParams = { type: 'object', required: ['gift', 'portal'], properties: { gift: giftParam, portal: portalParam } } as const;
const imageIds = { type: 'array', maxItems: LISTING_LIMITS.images, items: uuid, description: 'Image ids of this gift, in the order the portal shows them' } as const;
const orNull = <T extends object>(s: T) => ({ anyOf: [s, { type: 'null' }] }) as const;
const reason = { ...text(500), description: 'Why (kept in the history)' } as const;

/** The common text: every field. */
const commonBody = {
  type: 'object',
  additionalProperties: false,
  required: ['title', 'description'],
  properties: {
    title: line(LISTING_LIMITS.title),
    description: text(LISTING_LIMITS.description),
    shippingNotes: text(LISTING_LIMITS.shippingNotes, 0),
    images: imageIds,
    reason,
  },
} as const;

/** A portal's override: a field left out or null is the common one. */
const overrideBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    title: orNull(line(LISTING_LIMITS.title)),
    description: orNull(text(LISTING_LIMITS.description)),
    shippingNotes: orNull(text(LISTING_LIMITS.shippingNotes, 0)),
    images: orNull(imageIds),
    reason,
  },
} as const;

const imageQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    owner: { type: 'string', enum: ['city', 'supplier'], default: 'city', description: 'Whose material: made for the city, or provided by the gift’s supplier (the hand-over groups by it)' },
    alt: { ...text(200, 0), default: '', description: 'Alternative text' },
  },
} as const;

/** The image upload's schema: `x-file` tells the document what the multipart file is (api/contract.ts). */
const imageUploadSchema = {
  tags: ['listings'],
  summary: `Add an image (multipart, field "file"): JPEG, PNG or GIF by its bytes, at most ${IMAGE_RULES.maxBytes} bytes, ${IMAGE_RULES.minSide}–${IMAGE_RULES.maxSide} pixels a side; anything else is refused at the field "file"; the same bytes again answer 200 with the image already kept`,
  consumes: ['multipart/form-data'],
  'x-file': `The image: JPEG, PNG or GIF, at most ${IMAGE_RULES.maxBytes} bytes, ${IMAGE_RULES.minSide}–${IMAGE_RULES.maxSide} pixels a side`,
  params: giftParams,
  querystring: imageQuery,
};

interface TextBody {
  title?: string | null;
  description?: string | null;
  shippingNotes?: string | null;
  images?: string[] | null;
  reason?: string;
}

/** An image as the API shows it: where to fetch its bytes, not where they are kept. */
const imageView = ({ storagePath: _kept, ...image }: ListingImageRow) => ({ ...image, url: `/listings/${encodeURIComponent(image.gift)}/images/${image.id}` });

/** A listing as the caller may see it: a supplier is not shown the cost basis (the city's check). */
function shown(doc: ListingDocument, principal: Principal) {
  const staff = supplierScope(principal) === undefined;
  const { gift, texts, images } = doc;
  return {
    gift: gift.code,
    giftName: gift.name,
    supplier: gift.supplierCode,
    ...(staff ? { localProductBasis: gift.localProductBasis } : {}),
    common: texts.find((t) => t.scope === COMMON_SCOPE) ?? null,
    overrides: texts.filter((t) => t.scope !== COMMON_SCOPE),
    portals: doc.portals.map(({ basis, ...p }) => (staff ? { ...p, basis } : p)),
    images: images.map(imageView),
  };
}

/** PORTAL-2: listings per gift and portal, their history, images and each portal's upload file. */
export const listingRoutes: FastifyPluginAsync<RouteDeps> = async (app: FastifyInstance, { config, orm }) => {
  const knex = () => orm.em.getKnex();
  // One image per request; a larger one is cut at the limit and refused at the field (400), not with 413.
  await app.register(multipart, { limits: { files: 1, fileSize: IMAGE_RULES.maxBytes, fields: 2 }, throwFileSizeLimit: false });

  /** The gift, if the caller may see its listing: 404 unknown, 403 another supplier's. */
  const readable = async (request: FastifyRequest, code: string) => {
    const gift = await listingGift(knex(), code);
    if (!gift) throw notFound(`gift ${code}`);
    requireOwnSupplier(request.principal!, gift.supplierCode, 'gifts’ listings');
    return gift;
  };
  const asHttp = (err: unknown): never => {
    if (err instanceof ListingError) throw err.status === 400 ? badRequest(err.fields) : new HttpError(409, 'conflict', err.message);
    throw err;
  };
  const answer = async (request: FastifyRequest, code: string) => ({ listing: shown((await listingDocument(knex(), code))!, request.principal!) });

  app.get<{ Querystring: { supplier?: string } }>(
    '/listings',
    {
      schema: {
        tags: ['listings'],
        summary: 'PORTAL-2: the gifts with a listing (a supplier sees only its own)',
        querystring: { type: 'object', additionalProperties: false, properties: { supplier: { ...line(50), description: 'Only this supplier’s gifts' } } },
      },
      config: { roles: READ_OWN },
    },
    async (request) => {
      const own = supplierScope(request.principal!);
      if (own !== undefined && request.query.supplier !== undefined) requireOwnSupplier(request.principal!, request.query.supplier, 'gifts’ listings');
      return { listings: await listListings(knex(), { supplier: own ?? request.query.supplier }) };
    },
  );

  app.get<{ Params: { gift: string } }>(
    '/listings/:gift',
    { schema: { tags: ['listings'], summary: 'A gift’s listing: the common text, each portal’s override and what each portal shows, with the price and (to staff) the 3割 and 地場産品 basis', params: giftParams }, config: { roles: READ_OWN } },
    async (request) => {
      await readable(request, request.params.gift);
      return answer(request, request.params.gift);
    },
  );

  app.put<{ Params: { gift: string }; Body: TextBody }>(
    '/listings/:gift/common',
    { schema: { tags: ['listings'], summary: 'Write the common text of a gift’s listing (every portal shows it unless it overrides a field); each change is kept in the history', params: giftParams, body: commonBody }, config: { roles: WRITE } },
    async (request) => {
      const { gift } = request.params;
      await readable(request, gift);
      const b = request.body;
      await saveListingText(knex(), gift, COMMON_SCOPE, { title: b.title!, description: b.description!, shippingNotes: b.shippingNotes ?? '', images: b.images ?? [] }, actorOf(request.principal!), b.reason ?? null).catch(asHttp);
      return answer(request, gift);
    },
  );

  app.put<{ Params: { gift: string; portal: ListingPortal }; Body: TextBody }>(
    '/listings/:gift/portals/:portal',
    { schema: { tags: ['listings'], summary: 'Override fields of the common text on one portal (null or left out = the common value); 409 before the common text exists', params: portalParams, body: overrideBody }, config: { roles: WRITE } },
    async (request) => {
      const { gift, portal } = request.params;
      await readable(request, gift);
      const b = request.body;
      await saveListingText(knex(), gift, portal, { title: b.title ?? null, description: b.description ?? null, shippingNotes: b.shippingNotes ?? null, images: b.images ?? null }, actorOf(request.principal!), b.reason ?? null).catch(asHttp);
      return answer(request, gift);
    },
  );

  app.get<{ Params: { gift: string } }>(
    '/listings/:gift/history',
    { schema: { tags: ['listings'], summary: 'Every change to a gift’s listing, oldest first (append-only): who, when, why, before and after', params: giftParams }, config: { roles: READ_OWN } },
    async (request) => {
      await readable(request, request.params.gift);
      return { history: await listingHistory(knex(), request.params.gift) };
    },
  );

  app.post<{ Params: { gift: string }; Querystring: { owner: 'city' | 'supplier'; alt: string } }>(
    '/listings/:gift/images',
    { schema: imageUploadSchema, config: { roles: WRITE } },
    async (request, reply) => {
      const { gift } = request.params;
      await readable(request, gift);
      const contentType = request.headers['content-type'] ?? '';
      if (!request.isMultipart()) throw new HttpError(415, 'unsupported_media_type', `the body must be multipart/form-data with a "file" part, not ${contentType || 'no content type'}`, [{ field: 'body', reason: 'must be multipart/form-data with a "file" part' }]);
      let part;
      let bytes: Buffer;
      try {
        part = await request.file();
        if (!part) throw badRequest([{ field: 'file', reason: 'is required' }]);
        bytes = await part.toBuffer();
      } catch (err) {
        if (err instanceof HttpError) throw err;
        throw badRequest([{ field: 'body', reason: `is not readable multipart/form-data (${(err as Error).message})` }]);
      }
      if (part.file.truncated) throw badRequest([{ field: 'file', reason: `is larger than ${IMAGE_RULES.maxBytes} bytes (2 MiB); an image may be at most that` }]);
      const checked = await inspectImage(bytes);
      if (!checked.ok) throw badRequest([{ field: 'file', reason: checked.reason }]);
      const { sha256, storagePath } = storeImage(config.dataDir, bytes, checked.format);
      const fileName = (part.filename || `image.${checked.format}`).replace(/[\u0000-\u001f\u007f]/g, '').slice(0, 200) || 'image';
      const { image, existing } = await addListingImage(knex(), { gift, owner: request.query.owner, fileName, format: checked.format, width: checked.width, height: checked.height, bytes: bytes.length, sha256, storagePath, alt: request.query.alt }, actorOf(request.principal!));
      return reply.code(existing ? 200 : 201).send({ existing, image: imageView(image) });
    },
  );

  app.get<{ Params: { gift: string; id: string } }>(
    '/listings/:gift/images/:id',
    { schema: { tags: ['listings'], summary: 'An image’s bytes', params: { type: 'object', required: ['gift', 'id'], properties: { gift: giftParam, id: uuid } } }, config: { roles: READ_OWN } },
    async (request, reply) => {
      await readable(request, request.params.gift);
      const image = await listingImage(knex(), request.params.gift, request.params.id);
      if (!image) throw notFound(`image ${request.params.id} of gift ${request.params.gift}`);
      const bytes: Buffer = fs.readFileSync(path.join(config.dataDir, image.storagePath));
      return reply.header('content-type', MEDIA_TYPES[image.format]).header('x-content-sha256', image.sha256).send(bytes);
    },
  );

  app.get<{ Params: { portal: ListingPortal } }>(
    '/listings/upload-files/:portal',
    {
      schema: {
        tags: ['listings'],
        summary: 'A portal’s item-upload file of every listed gift (楽天: RMS item.csv in Shift_JIS; the others: provisional layouts, header x-listing-layout); 409 naming each gift and column over the portal’s limits',
        params: { type: 'object', required: ['portal'], properties: { portal: portalParam } },
      },
      config: { roles: READ },
    },
    async (request, reply) => {
      const mapping = UPLOAD_MAPPINGS[request.params.portal];
      const file = renderUploadFile(mapping, await uploadRows(knex(), request.params.portal));
      if (!file.bytes) throw new HttpError(409, 'conflict', `${mapping.name}'s upload file cannot be made: ${file.problems.map((p) => `${p.gift} ${p.column} ${p.reason}`).join('; ')}`, file.problems.map((p) => ({ field: `${p.gift}.${p.column}`, reason: p.reason })));
      return reply
        .header('content-type', `text/csv; charset=${mapping.encoding === 'cp932' ? 'Shift_JIS' : 'utf-8'}`)
        .header('content-disposition', `attachment; filename="${mapping.fileName}"`)
        .header('x-listing-layout', mapping.layout)
        .send(file.bytes);
    },
  );
};
