import type { FastifyInstance } from 'fastify';
import type { Orm } from '../../ledger/orm';
import { meetingMinutes, MinutesError, recordMeetingMinutes } from '../../ledger/meeting-minutes';
import { actorOf } from '../auth';
import { READ, WRITE, type Json } from '../roles';
import { badRequest } from '../errors';
import { bigintId, isoDate, nonBlank, saying, yearMonth } from '../schema-fragments';

const monthParams = { type: 'object', required: ['month'], properties: { month: yearMonth } } as const;

/**
 * REPORT-3 (spec 10(2) 戦略会議): the meeting's minutes (議事録) recorded against the month its meeting pack
 * is for — when it was held, who attended, the text; who recorded it and when. Append-only: a correction is
 * a new entry naming the one it corrects.
 */
export function registerMeetingMinutesRoutes(app: FastifyInstance, { orm }: { orm: Orm }): void {
  const knex = () => orm.em.getKnex();

  app.get<{ Params: { month: string } }>(
    '/reports/monthly/:month/meeting-minutes',
    { schema: { tags: ['reports'], summary: "REPORT-3: the minutes of the month's strategy meeting, oldest first (corrections name the entry they correct)", params: monthParams }, config: { roles: READ } },
    async (request) => ({ month: request.params.month, minutes: await meetingMinutes(knex(), request.params.month) }),
  );

  app.post<{ Params: { month: string }; Body: Json }>(
    '/reports/monthly/:month/meeting-minutes',
    {
      schema: {
        tags: ['reports'],
        summary: "REPORT-3: record the minutes of the month's strategy meeting (who attended, the text); a correction names the entry it corrects",
        params: monthParams,
        body: {
          type: 'object',
          required: ['heldOn', 'attendees', 'body'],
          additionalProperties: false,
          properties: { heldOn: isoDate, attendees: nonBlank(500), body: saying(20_000), corrects: bigintId },
        },
      },
      config: { roles: WRITE },
    },
    async (request, reply) => {
      const b = request.body;
      try {
        const minutes = await recordMeetingMinutes(knex(), { month: request.params.month, heldOn: b.heldOn, attendees: b.attendees, body: b.body, corrects: b.corrects, actor: actorOf(request.principal!) });
        return reply.code(201).send({ minutes });
      } catch (err) {
        if (err instanceof MinutesError) throw badRequest([{ field: err.field, reason: err.message }]);
        throw err;
      }
    },
  );
}
