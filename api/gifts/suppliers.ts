import type { FastifyInstance } from 'fastify';
import type { EntityManager } from '@mikro-orm/postgresql';
import { CARRIER_CODES, GiftRuleError, MIN_SHIPPING_DAYS_PER_WEEK, shippingWeekdayErrors } from '../../domain/gifts';
import type { Orm } from '../../ledger/orm';
import {
  acknowledgeRules,
  approveShippingException,
  createSupplier,
  decideSupplier,
  findSupplier,
  reproposeSupplier,
  listSuppliers,
  revokeShippingException,
  supplierView,
  updateSupplier,
} from '../../ledger/suppliers';
import { actorOf } from '../auth';
import { READ, WRITE, type Json } from '../roles';
import { DECIDE, READ_OWN, requireOwnSupplier, ruled } from './gifts';
import { recordCode, requiredWhen } from '../schema-fragments';

export interface SupplierRouteDeps {
  orm: Orm;
}

const code = recordCode;
const text = (maxLength: number) => ({ type: 'string', minLength: 1, maxLength }) as const;
const orNull = (maxLength: number) => ({ type: ['string', 'null'], maxLength }) as const;
const weekdays = {
  type: 'array',
  maxItems: 7,
  uniqueItems: true,
  items: { type: 'integer', minimum: 1, maximum: 7 },
  description: 'ISO weekdays the supplier ships on (1 = Monday … 7 = Sunday); at least two unless the city approved an exception (SHIP-2)',
} as const;

const supplierProperties = {
  name: text(200),
  email: { ...orNull(254), format: 'email' },
  phone: orNull(30),
  postalCode: orNull(10),
  address: orNull(300),
  defaultCarrier: { type: ['string', 'null'], enum: [...CARRIER_CODES, null] },
  shippingWeekdays: weekdays,
  active: { type: 'boolean' },
} as const;

const codeParams = { type: 'object', required: ['code'], properties: { code } } as const;

/** Suppliers (SHIP-2, SHIP-8): staff manage them, the city approves shipping exceptions, a supplier reads its own record. */
export function registerSupplierRoutes(app: FastifyInstance, { orm }: SupplierRouteDeps): void {
  const em = () => orm.em.fork() as EntityManager;

  app.get<{ Querystring: Json }>(
    '/suppliers',
    {
      schema: {
        tags: ['suppliers'],
        summary: 'Suppliers',
        querystring: { type: 'object', additionalProperties: false, properties: { active: { type: 'boolean' }, acknowledged: { type: 'boolean', description: 'Signed the SHIP-8 acknowledgement' } } },
      },
      config: { roles: READ },
    },
    async (request) => ({ suppliers: (await listSuppliers(em(), request.query)).map((s) => supplierView(s)) }),
  );

  app.post<{ Body: Json }>(
    '/suppliers',
    {
      schema: { tags: ['suppliers'], summary: 'Register a supplier: proposed to the city (GIFT-4), its gifts are activated only once the city approves it', body: { type: 'object', additionalProperties: false, required: ['code', 'name'], properties: { code, ...supplierProperties, shippingWeekdays: { ...weekdays, minItems: MIN_SHIPPING_DAYS_PER_WEEK, description: 'ISO weekdays the supplier ships on (1 = Monday … 7 = Sunday): at least two; a new supplier has no exception yet (SHIP-2)', 'x-reason': shippingWeekdayErrors([1], false)[0].reason } } } },
      config: { roles: WRITE },
    },
    async (request, reply) => ruled(reply, async () => reply.code(201).send({ supplier: supplierView(await createSupplier(em(), request.body as never, actorOf(request.principal!))) })),
  );

  app.get<{ Params: { code: string } }>(
    '/suppliers/:code',
    { schema: { tags: ['suppliers'], summary: 'A supplier (a supplier may read only its own record)', params: codeParams }, config: { roles: READ_OWN } },
    async (request, reply) =>
      ruled(reply, async () => {
        requireOwnSupplier(request.principal!, request.params.code, 'supplier record');
        const supplier = await findSupplier(em(), request.params.code);
        if (!supplier) throw GiftRuleError.notFound(`supplier ${request.params.code}`);
        return { supplier: supplierView(supplier) };
      }),
  );

  app.patch<{ Params: { code: string }; Body: Json }>(
    '/suppliers/:code',
    {
      schema: { tags: ['suppliers'], summary: 'Change a supplier', params: codeParams, body: { type: 'object', additionalProperties: false, minProperties: 1, properties: supplierProperties } },
      config: { roles: WRITE },
    },
    async (request, reply) => ruled(reply, async () => ({ supplier: supplierView(await updateSupplier(em(), request.params.code, request.body)) })),
  );

  app.post<{ Params: { code: string }; Body: Json }>(
    '/suppliers/:code/acknowledgement',
    {
      schema: {
        tags: ['suppliers'],
        summary: 'Record the signed acknowledgement of the local-product rules and the food-labelling law (SHIP-8)',
        params: codeParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['signedBy', 'reference'],
          properties: {
            signedBy: { ...text(200), description: 'Who signed for the supplier' },
            signedAt: { type: 'string', format: 'date-time', description: 'When it was signed; now when omitted' },
            reference: { ...text(300), description: 'Reference to the signed document' },
          },
        },
      },
      config: { roles: WRITE },
    },
    async (request, reply) => ruled(reply, async () => ({ supplier: supplierView(await acknowledgeRules(em(), request.params.code, request.body as never)) })),
  );

  app.post<{ Params: { code: string }; Body: Json }>(
    '/suppliers/:code/shipping-exception',
    {
      schema: {
        tags: ['suppliers'],
        summary: 'The city approves shipping fewer than twice a week (SHIP-2), with the reason; the new shipping days may come with it',
        params: codeParams,
        body: { type: 'object', additionalProperties: false, required: ['reason'], properties: { reason: text(1000), shippingWeekdays: weekdays } },
      },
      config: { roles: DECIDE },
    },
    async (request, reply) =>
      ruled(reply, async () => ({ supplier: supplierView(await approveShippingException(em(), request.params.code, request.body as never, actorOf(request.principal!))) })),
  );

  app.delete<{ Params: { code: string } }>(
    '/suppliers/:code/shipping-exception',
    { schema: { tags: ['suppliers'], summary: 'Withdraw a shipping exception (the supplier must ship at least twice a week again)', params: codeParams }, config: { roles: DECIDE } },
    async (request, reply) => ruled(reply, async () => ({ supplier: supplierView(await revokeShippingException(em(), request.params.code)) })),
  );

  app.post<{ Params: { code: string }; Body: Json }>(
    '/suppliers/:code/decision',
    {
      schema: {
        tags: ['suppliers'],
        summary: 'GIFT-4: the city approves or rejects a proposed supplier (a rejection needs its reason); until approved none of its gifts is activated',
        params: codeParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['decision'],
          properties: { decision: { type: 'string', enum: ['approve', 'reject'] }, reason: text(2000) },
          ...requiredWhen('decision', ['approve'], 'reason', 'is required to reject a supplier'),
        },
      },
      config: { roles: DECIDE },
    },
    async (request, reply) =>
      ruled(reply, async () => ({ supplier: supplierView(await decideSupplier(em(), request.params.code, { approve: request.body.decision === 'approve', reason: request.body.reason }, actorOf(request.principal!))) })),
  );

  app.post<{ Params: { code: string } }>(
    '/suppliers/:code/proposal',
    { schema: { tags: ['suppliers'], summary: 'GIFT-4: propose a rejected supplier to the city again', params: codeParams }, config: { roles: WRITE } },
    async (request, reply) => ruled(reply, async () => ({ supplier: supplierView(await reproposeSupplier(em(), request.params.code, actorOf(request.principal!))) })),
  );
}
