import type { FastifyInstance } from 'fastify';
import { confirmHandover, designateHandover, listHandovers, recordHandedOver } from '../../ledger/mynumber-handovers';
import { actorOf } from '../auth';
import { badRequest, conflict, notFound } from '../errors';
import type { RouteDeps } from '../feature';
import { idParams } from '../schemas';
import { isoDate, line } from '../schema-fragments';
import { WRITE } from '../roles';

/**
 * MYNUM-4 (特記11): the ONESTOP-4 package goes to the city only by the means, on the date and at the
 * place the city designates. ONESTOP_DELIVERY_DIR is where the package is prepared; sharing that folder
 * with the city is one means the city may designate, not the default.
 */
export function registerHandoverRoutes(app: FastifyInstance, { orm }: Pick<RouteDeps, 'orm'>): void {
  const knex = () => orm.em.getKnex();

  app.get(
    '/mynumber/handovers',
    { schema: { tags: ['onestop'], summary: 'MYNUM-4: the designated handovers of 特定個人情報 to the city and how far each has gone' }, config: { roles: ['operator', 'admin', 'city'] } },
    async () => ({ handovers: await listHandovers(knex()) }),
  );

  app.post<{ Body: { donationYear: number; means: string; plannedOn: string; place: string } }>(
    '/mynumber/handovers',
    {
      schema: {
        tags: ['onestop'],
        summary: 'MYNUM-4: the city designates how, when and where a donation year’s 申告特例通知書 package is handed to it',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['donationYear', 'means', 'plannedOn', 'place'],
          properties: { donationYear: { type: 'integer', minimum: 2008, maximum: 2100 }, means: line(200), plannedOn: isoDate, place: line(300) },
        },
      },
      config: { roles: ['city'] },
    },
    async (request, reply) => reply.code(201).send({ handover: await designateHandover(knex(), request.body, actorOf(request.principal!)) }),
  );

  app.post<{ Params: { id: string }; Body: { receiver: string; exportId?: string } }>(
    '/mynumber/handovers/:id/handed-over',
    {
      schema: {
        tags: ['onestop'],
        summary: 'MYNUM-4: the contractor records the package handed over by the designated means (its checksum and size from the year’s ONESTOP-4 run), who received it and the MYNUM-2 export it left as',
        params: idParams,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['receiver'],
          properties: { receiver: line(200), exportId: { type: 'string', format: 'uuid', description: 'the MYNUM-2 export (POST /mynumber/exports) the package left as; an export of the same donation year' } },
        },
      },
      config: { roles: WRITE },
    },
    async (request) => {
      const r = await recordHandedOver(knex(), request.params.id, request.body.receiver, actorOf(request.principal!), request.body.exportId);
      if (r === 'not_found') throw notFound(`handover ${request.params.id}`);
      if (r === 'not_this_export') throw badRequest([{ field: 'exportId', reason: 'must be a MYNUM-2 export of this handover’s donation year' }]);
      if (r === 'no_package') throw conflict('the donation year has no 申告特例通知書 package yet: run ONESTOP-4 first (POST /onestop/notifications)');
      if (r === 'already') throw conflict('this handover is already recorded as handed over');
      return { handover: r };
    },
  );

  app.post<{ Params: { id: string }; Body: { packageSha256: string } }>(
    '/mynumber/handovers/:id/confirmation',
    {
      schema: {
        tags: ['onestop'],
        summary: 'MYNUM-4: the city confirms receipt, quoting the SHA-256 of the manifest it verified',
        params: idParams,
        body: { type: 'object', additionalProperties: false, required: ['packageSha256'], properties: { packageSha256: { type: 'string', pattern: '^[0-9a-f]{64}$' } } },
      },
      config: { roles: ['city'] },
    },
    async (request) => {
      const r = await confirmHandover(knex(), request.params.id, request.body.packageSha256, actorOf(request.principal!));
      if (r === 'not_found') throw notFound(`handover ${request.params.id}`);
      if (r === 'not_handed_over') throw conflict('nothing has been handed over yet for this handover');
      if (r === 'already') throw conflict('this handover is already confirmed');
      if (r === 'mismatch') throw conflict('the checksum does not match the package handed over: do not accept it; ask the contractor');
      return { handover: r };
    },
  );
}
