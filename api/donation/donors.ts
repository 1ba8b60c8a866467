import type { FastifyInstance } from 'fastify';
import { decideMatchReview, donorHistory, listMatchReviews, MatchReviewError, sqlOn } from '../../ledger/donor-matching';
import type { Orm } from '../../ledger/orm';
import { actorOf } from '../auth';
import { HttpError, notFound } from '../errors';
import { READ, WRITE } from '../roles';

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', format: 'uuid' } } } as const;
const reviewParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[0-9]{1,18}$' } } } as const;

/**
 * 名寄せ (INTAKE-4, LEDGER-4): a donor's one history across portals, and the
 * queue of records an operator must decide (same kana, conflicting identifiers).
 */
export function registerDonorRoutes(app: FastifyInstance, { orm }: { orm: Orm }): void {
  app.get<{ Params: { id: string } }>(
    '/donors/:id',
    {
      schema: {
        tags: ['donors'],
        summary: "名寄せ: the donor's person — every donor record linked to it (portal spellings) and their donations across portals, plus match reviews",
        params: idParams,
      },
      config: { roles: READ },
    },
    async (request) => {
      const history = await donorHistory(sqlOn(orm.em.fork().getKnex()), request.params.id);
      if (!history) throw notFound(`donor ${request.params.id}`);
      return history;
    },
  );

  app.get<{ Querystring: { status?: 'open' | 'merged' | 'separate'; limit: number; offset: number } }>(
    '/donors/match-reviews',
    {
      schema: {
        tags: ['donors'],
        summary: '名寄せ: records not merged because their identifiers conflict (same kana, different birth date, or fitting two donors)',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            status: { type: 'string', enum: ['open', 'merged', 'separate'] },
            limit: { type: 'integer', minimum: 1, maximum: 1000, default: 200 },
            offset: { type: 'integer', minimum: 0, default: 0 },
          },
        },
      },
      config: { roles: READ },
    },
    async (request) => ({ reviews: await listMatchReviews(sqlOn(orm.em.fork().getKnex()), request.query) }),
  );

  app.post<{ Params: { id: string }; Body: { decision: 'merge' | 'separate'; personId?: string; note: string } }>(
    '/donors/match-reviews/:id/decision',
    {
      schema: {
        tags: ['donors'],
        summary: "名寄せ: an operator's decision — merge into one of the candidate persons, or keep separate; who, when and why are kept",
        params: reviewParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['decision', 'note'],
          properties: {
            decision: { type: 'string', enum: ['merge', 'separate'] },
            personId: { type: 'string', format: 'uuid' },
            note: { type: 'string', minLength: 1, maxLength: 500 },
          },
        },
      },
      config: { roles: WRITE },
    },
    async (request) => {
      try {
        return await orm.em.fork().getKnex().transaction((trx) => decideMatchReview(sqlOn(trx), request.params.id, request.body, actorOf(request.principal!)));
      } catch (err) {
        if (err instanceof MatchReviewError) throw /not found/.test(err.message) ? notFound(`match review ${request.params.id}`) : new HttpError(409, 'conflict', err.message);
        throw err;
      }
    },
  );
}
