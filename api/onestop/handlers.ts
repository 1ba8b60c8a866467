import type { FastifyInstance } from 'fastify';
import { HANDLER_KINDS, handlerClearance } from '../../domain/onestop/handlers';
import { jstDate } from '../../domain/jst';
import { approveResponsible, listHandlers, myNumberRefusals, saveHandler, type HandlerInput } from '../../ledger/mynumber-handlers';
import { actorOf } from '../auth';
import { conflict, notFound } from '../errors';
import type { RouteDeps } from '../feature';
import { idParams } from '../schemas';
import { closedObject, isoDate, line } from '../schema-fragments';

const actorParams = { type: 'object', required: ['actor'], properties: { actor: line(200) } } as const;
const optionalDate = { anyOf: [isoDate, { type: 'null' }] } as const;

/** MYNUM-1: the register of 作業責任者 and 作業従事者 kept by the contractor's admin, approved by the city. */
export function registerMyNumberHandlerRoutes(app: FastifyInstance, { orm }: Pick<RouteDeps, 'orm'>): void {
  const knex = () => orm.em.getKnex();
  const withClearance = <T extends Parameters<typeof handlerClearance>[0]>(h: T) => ({ ...h, clearance: handlerClearance(h, jstDate(new Date())) });

  app.get(
    '/mynumber/handlers',
    { schema: { tags: ['onestop'], summary: '特定個人情報の取扱者名簿 (MYNUM-1) with each person’s clearance today' }, config: { roles: ['admin', 'city'] } },
    async () => ({ handlers: (await listHandlers(knex())).map(withClearance) }),
  );

  app.put<{ Params: { actor: string }; Body: HandlerInput }>(
    '/mynumber/handlers/:actor',
    {
      schema: {
        tags: ['onestop'],
        summary: 'Register a handler or update the entry (actor as the API or console names the person, e.g. admin:root)',
        params: actorParams,
        body: closedObject(['name', 'kind'], {
          name: line(100),
          kind: { type: 'string', enum: HANDLER_KINDS },
          dispatched: { type: 'boolean', description: '派遣労働者' },
          cityNotifiedOn: optionalDate,
          pledgeSignedOn: optionalDate,
          pledgeFile: { anyOf: [line(300), { type: 'null' }] },
          trainedOn: optionalDate,
          validUntil: optionalDate,
          removedOn: optionalDate,
        }),
      },
      config: { roles: ['admin'] },
    },
    async (request) => ({ handler: withClearance(await saveHandler(knex(), request.params.actor, request.body, actorOf(request.principal!))) }),
  );

  app.post<{ Params: { actor: string } }>(
    '/mynumber/handlers/:actor/approval',
    { schema: { tags: ['onestop'], summary: 'The city approves a 作業責任者 (dated the day it is recorded)', params: actorParams }, config: { roles: ['city'] } },
    async (request) => {
      const result = await approveResponsible(knex(), request.params.actor, actorOf(request.principal!));
      if (result === 'not_found') throw notFound(`handler ${request.params.actor}`);
      if (result === 'not_responsible') throw conflict(`${request.params.actor} is a 作業従事者: only a 作業責任者 is approved by the city`);
      return { handler: withClearance(result) };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/onestop/applications/:id/my-number/refusals',
    { schema: { tags: ['onestop'], summary: 'Refused attempts to read this 個人番号: who, when, why refused', params: idParams }, config: { roles: ['admin', 'city'] } },
    async (request) => ({ applicationId: request.params.id, refusals: await myNumberRefusals(knex(), request.params.id) }),
  );
}
