import type { FastifyInstance } from 'fastify';
import type { Orm } from '../../ledger/orm';
import { CampaignConflictError, campaignEffectiveness, campaignErrors, decideCampaign, findCampaign, listCampaigns, proposeCampaign } from '../../ledger/promotions';
import { actorOf } from '../auth';
import { READ, WRITE, type Json } from '../roles';
import { badRequest, conflictOn, found } from '../errors';
import { isoDate, requiredWhen, yearMonth } from '../schema-fragments';

const month = yearMonth;
const code = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,49}$' } as const;
const codeParams = { type: 'object', required: ['code'], properties: { code: { type: 'string' } } } as const;

const proposalBody = {
  type: 'object',
  additionalProperties: false,
  required: ['code', 'name', 'startsOn', 'endsOn', 'costYen', 'billedMonth'],
  properties: {
    code,
    name: { type: 'string', minLength: 1, maxLength: 200 },
    medium: { type: 'string', maxLength: 100, description: 'e.g. ポータル内広告, 新聞, SNS' },
    // Checked against the ledger with the dates, in one answer (ledger/promotions.ts campaignErrors): each portal and gift once, and known.
    portalCodes: { type: 'array', maxItems: 20, default: [], items: { type: 'string', minLength: 1 }, description: 'empty = every portal' },
    giftCodes: { type: 'array', maxItems: 200, default: [], items: { type: 'string', minLength: 1 }, description: 'empty = every gift' },
    startsOn: isoDate,
    endsOn: isoDate,
    costYen: { type: 'integer', minimum: 0, maximum: 2_000_000_000 },
    billedMonth: { ...month, description: 'the month whose invoice carries the cost (BILL-5)' },
  },
} as const;

/**
 * PR-1 / BILL-5: promotion campaigns. Operators propose; the city approves or rejects (a note is
 * required to reject); only approved campaigns are billed and reported. Effectiveness: donations
 * applied in the period on the campaign's portals for its gifts, per yen of cost.
 */
export function registerPromotionRoutes(app: FastifyInstance, { orm }: { orm: Orm }): void {
  const knex = () => orm.em.getKnex();

  app.post<{ Body: Json }>(
    '/promotions',
    { schema: { tags: ['promotion'], summary: 'Propose a promotion campaign to the city (PR-1, BILL-5)', body: proposalBody }, config: { roles: WRITE } },
    async (request, reply) => {
      const b = request.body;
      const campaign = { code: b.code, name: b.name, medium: b.medium, portalCodes: b.portalCodes, giftCodes: b.giftCodes, startsOn: b.startsOn, endsOn: b.endsOn, costYen: b.costYen, billedMonth: b.billedMonth };
      const errors = await campaignErrors(knex(), campaign);
      if (errors.length) throw badRequest(errors);
      const proposed = await conflictOn(CampaignConflictError, () => proposeCampaign(knex(), campaign, actorOf(request.principal!)));
      return reply.code(201).send({ campaign: proposed });
    },
  );

  app.get<{ Querystring: Json }>(
    '/promotions',
    {
      schema: {
        tags: ['promotion'],
        summary: 'Promotion campaigns',
        querystring: { type: 'object', additionalProperties: false, properties: { status: { type: 'string', enum: ['proposed', 'approved', 'rejected'] }, billedMonth: month, activeIn: month } },
      },
      config: { roles: READ },
    },
    async (request) => ({ campaigns: await listCampaigns(knex(), request.query) }),
  );

  app.get<{ Params: { code: string } }>(
    '/promotions/:code',
    { schema: { tags: ['promotion'], summary: 'One campaign', params: codeParams }, config: { roles: READ } },
    async (request) => ({ campaign: found(await findCampaign(knex(), request.params.code), `campaign ${request.params.code}`) }),
  );

  app.post<{ Params: { code: string }; Body: Json }>(
    '/promotions/:code/decision',
    {
      schema: {
        tags: ['promotion'],
        summary: "The city's decision on a proposed campaign (a note is required to reject)",
        params: codeParams,
        body: { type: 'object', required: ['decision'], additionalProperties: false, properties: { decision: { type: 'string', enum: ['approved', 'rejected'] }, note: { type: 'string', minLength: 1, maxLength: 2000 } }, ...requiredWhen('decision', ['approved'], 'note', 'is required to reject a campaign') },
      },
      config: { roles: ['city', 'admin'] },
    },
    async (request) => {
      const { decision, note } = request.body;
      if (decision === 'rejected' && !note?.trim()) throw badRequest([{ field: 'note', reason: 'is required to reject a campaign' }]);
      const campaign = await conflictOn(CampaignConflictError, () => decideCampaign(knex(), request.params.code, decision, note ?? null, actorOf(request.principal!)));
      return { campaign: found(campaign, `campaign ${request.params.code}`) };
    },
  );

  app.get<{ Params: { code: string } }>(
    '/promotions/:code/effectiveness',
    { schema: { tags: ['promotion'], summary: "A campaign's donations over its period: count, amount, per yen of cost, by portal and new/repeat donor (PR-1)", params: codeParams }, config: { roles: READ } },
    async (request) => found(await campaignEffectiveness(knex(), request.params.code), `campaign ${request.params.code}`),
  );
}
