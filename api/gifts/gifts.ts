import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Role } from '../../config/env';
import { APPROVAL_STATUSES, CARRIER_CODES, DEFAULT_COVER_DAYS, GiftRuleError, TEMPERATURES } from '../../domain/gifts';
import { activateGift, changeGift, deactivateGift, decideGift, giftSupplierCode, giftView, listGifts, proposeGift, removeGift, type GiftView } from '../../ledger/gifts';
import type { Orm } from '../../ledger/orm';
import { moveStock, openStockAlerts, rebalanceRecommendation, setStock, soldOutGifts, stockMovements } from '../../ledger/stock';
import { actorOf, supplierScope, type Principal } from '../auth';
import { badRequest, HttpError } from '../errors';
import { oneOfRequired, portal, recordCode, requiredWhen } from '../schema-fragments';
import { READ, WRITE, type Json } from '../roles';

export interface GiftRouteDeps {
  orm: Orm;
}

/** The city decides proposals and exceptions (GIFT-4, SHIP-2); admins may too. */
export const DECIDE: Role[] = ['city', 'admin'];
/** Staff, and a supplier for its own records only (checked in the handler). */
export const READ_OWN: Role[] = [...READ, 'supplier'];

/**
 * Answers a refused rule: 400 naming the fields, or its status with the details
 * (for the 3割 cap: the reasons and every ratio) in the body.
 */
export async function ruled<T>(reply: FastifyReply, work: () => Promise<T>): Promise<T | FastifyReply> {
  try {
    return await work();
  } catch (err) {
    if (!(err instanceof GiftRuleError)) throw err;
    if (err.fields) throw badRequest(err.fields);
    return reply.code(err.status).send({ error: err.code, message: err.message, ...err.details });
  }
}

/** A supplier principal's name is its supplier code (config/env.ts parseTokens); it sees only its own records. */
export function requireOwnSupplier(principal: Principal, supplierCode: string | null | undefined, what: string): void {
  if (supplierScope(principal) !== undefined && supplierCode !== supplierScope(principal)) throw new HttpError(403, 'forbidden', `a supplier may read only its own ${what}`);
}

/** A supplier updates the total stock of its own gifts (what it can still deliver); the allocations to portals are the operators'. */
async function requireOwnStockSetting(em: EntityManager, principal: Principal, giftCode: string, body: Json): Promise<void> {
  const supplier = await giftSupplierCode(em, giftCode);
  if (supplier === undefined) throw GiftRuleError.notFound(`gift ${giftCode}`);
  requireOwnSupplier(principal, supplier, 'gifts');
  if (body.allocations !== undefined) throw new HttpError(403, 'forbidden', 'a supplier sets only the total stock of its gifts; allocations to portals are set by operators');
}

const code = recordCode;
const text = (maxLength: number) => ({ type: 'string', minLength: 1, maxLength }) as const;
const orNull = (type: 'string' | 'integer') => ({ type: [type, 'null'] }) as const;
const reason = text(500);

const listingSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['portal'],
  properties: {
    // The portals table decides (with the gift's other fields, in one answer): ledger/gifts.ts checkListings.
    portal: text(50),
    name: { ...orNull('string'), maxLength: 300, description: 'The gift name on this portal (gift_listings.portal_gift_name); null clears it' },
    priceYen: { ...orNull('integer'), minimum: 1, maximum: 100_000_000, description: 'The donation amount on this portal (gift_portal_prices); null = the ledger price' },
    listed: { type: 'boolean' },
    allocated: { ...orNull('integer'), minimum: 0, description: 'Proposal only: the stock allocated to this portal; null = draws on the unallocated pool' },
  },
} as const;

const giftProperties = {
  name: text(200),
  supplierCode: { ...orNull('string'), minLength: 1, maxLength: 50 },
  priceYen: { type: 'integer', minimum: 1, maximum: 100_000_000, description: 'The ledger price (hand-entered donations, portals without their own price)' },
  costYen: { type: 'integer', minimum: 0, maximum: 100_000_000, description: 'Procurement cost (調達費用): at most 30% of every price (GIFT-4)' },
  shippingCostYen: { type: 'integer', minimum: 0, maximum: 100_000_000, description: 'Shown in the ratios; counts towards the 5割 rule, not the 3割 cap' },
  temperature: { type: 'string', enum: TEMPERATURES },
  deliveries: { type: 'integer', minimum: 1, maximum: 24, description: '定期便: number of deliveries' },
  deliveryIntervalDays: { ...orNull('integer'), minimum: 1, maximum: 366 },
  acceptFrom: { ...orNull('string'), format: 'date', description: 'Acceptance period start (JST, inclusive)' },
  acceptUntil: { ...orNull('string'), format: 'date', description: 'Acceptance period end (JST, inclusive)' },
  localProductBasis: { ...orNull('string'), maxLength: 2000, description: '地場産品基準: why this is a local product' },
  deliveryConstraints: {
    type: 'object',
    additionalProperties: false,
    properties: {
      shipMonths: { type: 'array', uniqueItems: true, items: { type: 'integer', minimum: 1, maximum: 12 } },
      leadTimeDays: { type: 'integer', minimum: 0, maximum: 365 },
      note: { type: 'string', maxLength: 500 },
    },
  },
  carrier: { type: ['string', 'null'], enum: [...CARRIER_CODES, null] },
  lowStockThreshold: { type: 'integer', minimum: 0, maximum: 1_000_000 },
  autoRebalance: { type: 'boolean', description: 'Move spare stock automatically when a portal reaches the threshold' },
  listings: { type: 'array', maxItems: 20, items: listingSchema },
} as const;

const proposalBody = {
  type: 'object',
  additionalProperties: false,
  required: ['code', 'name', 'priceYen', 'costYen'],
  properties: { code, ...giftProperties, totalStock: { ...orNull('integer'), minimum: 0, description: 'Stock agreed with the supplier; null = not tracked' } },
} as const;

const changeBody = { type: 'object', additionalProperties: false, minProperties: 1, properties: giftProperties } as const;
const codeParams = { type: 'object', required: ['code'], properties: { code } } as const;

export function registerGiftRoutes(app: FastifyInstance, { orm }: GiftRouteDeps): void {
  const em = () => orm.em.fork() as EntityManager;
  const knex = () => orm.em.fork().getKnex();
  /** A route that acts on the gift its URL names and answers with the gift as it then stands, or with the refused rule (ruled). */
  const onGift =
    <G extends { Params: { code: string } } = { Params: { code: string } }>(act: (em: EntityManager, code: string, request: FastifyRequest<G>) => Promise<GiftView>) =>
    async (request: FastifyRequest<G>, reply: FastifyReply) =>
      ruled(reply, async () => ({ gift: await act(em(), (request.params as { code: string }).code, request) }));

  app.get<{ Querystring: Json }>(
    '/gifts',
    {
      schema: {
        tags: ['gifts'],
        summary: 'The catalogue with each gift’s binding cost ratio (a supplier sees its own gifts)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            approvalStatus: { type: 'string', enum: APPROVAL_STATUSES },
            active: { type: 'boolean' },
            supplier: { type: 'string' },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
            offset: { type: 'integer', minimum: 0, default: 0 },
          },
        },
      },
      config: { roles: READ_OWN },
    },
    async (request) => {
      const q = request.query;
      const principal = request.principal!;
      if (supplierScope(principal) !== undefined && q.supplier && q.supplier !== supplierScope(principal)) requireOwnSupplier(principal, q.supplier, 'gifts');
      const supplierCode = supplierScope(principal) ?? q.supplier;
      return listGifts(em(), { approvalStatus: q.approvalStatus, active: q.active, supplierCode, limit: q.limit, offset: q.offset });
    },
  );

  app.post<{ Body: Json }>(
    '/gifts',
    { schema: { tags: ['gifts'], summary: 'Propose a new gift to the city (GIFT-5): status proposed, not on sale', body: proposalBody }, config: { roles: WRITE } },
    async (request, reply) =>
      ruled(reply, async () => reply.code(201).send({ gift: await proposeGift(em(), request.body as never, actorOf(request.principal!)) })),
  );

  app.get(
    '/gifts/stock/alerts',
    { schema: { tags: ['gifts'], summary: 'Open stock alerts: low, sold out, oversold, per portal and per gift (GIFT-2)' }, config: { roles: READ } },
    async () => ({ alerts: await openStockAlerts(knex()) }),
  );

  app.get(
    '/gifts/sold-out',
    { schema: { tags: ['gifts'], summary: 'Listings with nothing left to sell, to be closed on the portal (GIFT-2)' }, config: { roles: READ } },
    async () => ({ soldOut: await soldOutGifts(knex()) }),
  );

  app.get<{ Params: { code: string } }>(
    '/gifts/:code',
    { schema: { tags: ['gifts'], summary: 'A gift with its listings, cost ratios, stock and what would refuse its activation', params: codeParams }, config: { roles: READ_OWN } },
    async (request, reply) =>
      ruled(reply, async () => {
        const supplier = await giftSupplierCode(em(), request.params.code);
        if (supplier === undefined) throw GiftRuleError.notFound(`gift ${request.params.code}`);
        requireOwnSupplier(request.principal!, supplier, 'gifts');
        return { gift: await giftView(em(), request.params.code) };
      }),
  );

  app.patch<{ Params: { code: string }; Body: Json }>(
    '/gifts/:code',
    {
      schema: { tags: ['gifts'], summary: 'Change a gift (GIFT-1); on a gift on sale, a change breaking the 3割 cap on any price is refused', params: codeParams, body: changeBody },
      config: { roles: WRITE },
    },
    onGift<{ Params: { code: string }; Body: Json }>((em, code, request) => changeGift(em, code, request.body as never, actorOf(request.principal!))),
  );

  app.delete<{ Params: { code: string } }>(
    '/gifts/:code',
    { schema: { tags: ['gifts'], summary: 'Remove a gift: off sale and unlisted on every portal; its history stays (GIFT-1)', params: codeParams }, config: { roles: WRITE } },
    onGift(removeGift),
  );

  app.post<{ Params: { code: string }; Body: Json }>(
    '/gifts/:code/decision',
    {
      schema: {
        tags: ['gifts'],
        summary: 'The city approves or rejects a proposed gift (GIFT-4)',
        params: codeParams,
        // A rejection says why (ledger/gifts.ts decideGift).
        body: { type: 'object', additionalProperties: false, required: ['decision'], properties: { decision: { type: 'string', enum: ['approve', 'reject'] }, note: text(2000) }, ...requiredWhen('decision', ['approve'], 'note', 'is required to reject a proposal') },
      },
      config: { roles: DECIDE },
    },
    onGift<{ Params: { code: string }; Body: Json }>((em, code, request) => decideGift(em, code, { approve: request.body.decision === 'approve', note: request.body.note }, actorOf(request.principal!))),
  );

  app.post<{ Params: { code: string } }>(
    '/gifts/:code/activate',
    {
      schema: { tags: ['gifts'], summary: 'Put a gift on sale: refused (409, with reasons and ratios) unless approved, the supplier signed the rules and the cost is within 3割 of every price', params: codeParams },
      config: { roles: WRITE },
    },
    onGift(activateGift),
  );

  app.post<{ Params: { code: string } }>(
    '/gifts/:code/deactivate',
    { schema: { tags: ['gifts'], summary: 'Take a gift off sale (its listings stay)', params: codeParams }, config: { roles: WRITE } },
    onGift(deactivateGift),
  );

  app.post<{ Params: { code: string }; Body: Json }>(
    '/gifts/:code/stock',
    {
      schema: {
        tags: ['gifts'],
        summary: 'Set the total stock and/or portal allocations (GIFT-2); each change is a stock movement with who and why. A supplier sets the total of its own gifts only',
        params: codeParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['reason'],
          properties: {
            totalStock: { ...orNull('integer'), minimum: 0, description: 'null = stop tracking' },
            allocations: {
              type: 'array',
              maxItems: 20,
              items: { type: 'object', additionalProperties: false, required: ['portal', 'allocated'], properties: { portal, allocated: { ...orNull('integer'), minimum: 0 } } },
            },
            reason,
          },
          // Something to change: the total, or at least one allocation.
          ...oneOfRequired({ field: '(body)', reason: 'must change totalStock or allocations' }, 'totalStock', { field: 'allocations', schema: { minItems: 1 } }),
        },
      },
      config: { roles: [...WRITE, 'supplier'] },
    },
    async (request, reply) =>
      ruled(reply, async () => {
        const b = request.body;
        if (supplierScope(request.principal!) !== undefined) await requireOwnStockSetting(em(), request.principal!, request.params.code, b);
        if (b.totalStock === undefined && !b.allocations?.length) throw GiftRuleError.fields([{ field: '(body)', reason: 'must change totalStock or allocations' }]);
        await setStock(em(), request.params.code, { totalStock: b.totalStock, allocations: b.allocations, reason: b.reason }, actorOf(request.principal!));
        return { gift: await giftView(em(), request.params.code) };
      }),
  );

  app.get<{ Params: { code: string }; Querystring: Json }>(
    '/gifts/:code/stock/movements',
    {
      schema: {
        tags: ['gifts'],
        summary: 'Stock movements of a gift, newest first',
        params: codeParams,
        querystring: { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } } },
      },
      config: { roles: READ_OWN },
    },
    async (request, reply) =>
      ruled(reply, async () => {
        const supplier = await giftSupplierCode(em(), request.params.code);
        if (supplier === undefined) throw GiftRuleError.notFound(`gift ${request.params.code}`);
        requireOwnSupplier(request.principal!, supplier, 'gifts');
        return { movements: await stockMovements(knex(), request.params.code, request.query.limit) };
      }),
  );

  app.get<{ Params: { code: string }; Querystring: Json }>(
    '/gifts/:code/stock/rebalance',
    {
      schema: {
        tags: ['gifts'],
        summary: 'Recommended stock moves from portals with spare stock to portals about to sell out (GIFT-2); the rule is in the answer',
        params: codeParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { days: { type: 'integer', minimum: 1, maximum: 90, default: DEFAULT_COVER_DAYS, description: 'N: each portal keeps at least its sales of the last N days' } },
        },
      },
      config: { roles: READ },
    },
    async (request, reply) => ruled(reply, async () => ({ recommendation: await rebalanceRecommendation(knex(), request.params.code, request.query.days) })),
  );

  app.post<{ Params: { code: string }; Body: Json }>(
    '/gifts/:code/stock/moves',
    {
      schema: {
        tags: ['gifts'],
        summary: 'Move unsold allocation from one portal (or the unallocated pool) to another (GIFT-2)',
        params: codeParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['to', 'quantity', 'reason'],
          properties: {
            from: { type: ['string', 'null'], enum: [...portal.enum, null], description: 'Portal giving stock; null or absent = the unallocated pool' },
            to: portal,
            quantity: { type: 'integer', minimum: 1, maximum: 1_000_000 },
            reason,
          },
        },
      },
      config: { roles: WRITE },
    },
    async (request, reply) =>
      ruled(reply, async () => {
        const b = request.body;
        await moveStock(em(), request.params.code, { from: b.from ?? null, to: b.to, quantity: b.quantity, reason: b.reason }, actorOf(request.principal!));
        return { gift: await giftView(em(), request.params.code) };
      }),
  );
}
