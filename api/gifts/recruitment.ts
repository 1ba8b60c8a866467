import type { FastifyInstance } from 'fastify';
import { BRIEFING_KINDS, recruitmentReportCsv } from '../../domain/gifts/recruitment';
import { briefings, recordBriefing, recruitmentReport, unknownSupplierCodes, type NewBriefing } from '../../ledger/recruitment';
import { jstDate } from '../../domain/jst';
import type { Orm } from '../../ledger/orm';
import { actorOf } from '../auth';
import { READ, WRITE, type Json } from '../roles';
import { badRequest, notFound } from '../errors';
import { isoDate, line, REASON, recordCode } from '../schema-fragments';

const text = (max: number) => ({ type: 'string', minLength: 1, maxLength: max }) as const;
const orNull = (max: number) => ({ type: ['string', 'null'], maxLength: max }) as const;
const period = { type: 'object', additionalProperties: false, required: ['from', 'to'], properties: { from: isoDate, to: isoDate } } as const;
const kind = { type: 'string', enum: BRIEFING_KINDS, [REASON]: `must be one of ${BRIEFING_KINDS.join(', ')}` } as const;
const listQuery = { type: 'object', additionalProperties: false, properties: { from: isoDate, to: isoDate, kind } } as const;

/**
 * GIFT-6 (spec 7(9)ウ): supplier-recruitment briefings (説明会: date, place, who came — would-be and current
 * suppliers) and the recruitment report to the city over any period, as JSON or as the CSV the city files.
 * GIFT-3: the same briefings, of kind success_cases (成功事例報告会, with the cases presented) or
 * quality_training (品質向上研修・指導), which the supplier quality report lists instead.
 */
export function registerRecruitmentRoutes(app: FastifyInstance, { orm }: { orm: Orm }): void {
  const knex = () => orm.em.getKnex();
  const checkPeriod = (q: { from?: string; to?: string }) => {
    if (q.from && q.to && q.from > q.to) throw badRequest([{ field: 'querystring.to', reason: 'must not be before from' }]);
  };

  app.post<{ Body: Json }>(
    '/supplier-recruitment/briefings',
    {
      schema: {
        tags: ['suppliers'],
        summary:
          'GIFT-6 / GIFT-3: record a supplier briefing — a recruitment briefing (the default), a success-case meeting (with the cases presented) or a quality training: when, where, and who came (a current supplier by its code; would-be suppliers by name)',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['heldOn', 'place', 'title', 'attendees'],
          properties: {
            kind: { ...kind, default: 'recruitment' },
            heldOn: isoDate,
            place: text(300),
            title: text(300),
            notes: orNull(10_000),
            attendees: {
              type: 'array',
              maxItems: 500,
              items: {
                type: 'object',
                additionalProperties: false,
                required: ['name'],
                properties: { name: text(200), contactPerson: orNull(200), contact: orNull(200), supplierCode: orNull(50), interested: { type: 'boolean', default: false } },
              },
            },
            cases: {
              type: 'array',
              maxItems: 50,
              description: 'success_cases only: the cases presented, each a current supplier and a short title',
              items: { type: 'object', additionalProperties: false, required: ['supplierCode', 'title'], properties: { supplierCode: recordCode, title: line(200) } },
            },
          },
        },
      },
      config: { roles: WRITE },
    },
    async (request, reply) => {
      const b = request.body;
      if (b.heldOn > jstDate(new Date())) throw badRequest([{ field: 'heldOn', reason: 'is in the future: record a briefing once it was held' }]);
      const cases: { supplierCode: string }[] = b.cases ?? [];
      if (cases.length && b.kind !== 'success_cases') throw badRequest([{ field: 'cases', reason: 'only a success_cases meeting presents cases' }]);
      const unknown = await unknownSupplierCodes(knex(), cases.map((c) => c.supplierCode));
      const errors = cases.flatMap((c, i) => (unknown.has(c.supplierCode) ? [{ field: `cases[${i}].supplierCode`, reason: `supplier ${c.supplierCode} does not exist` }] : []));
      if (errors.length) throw badRequest(errors);
      return reply.code(201).send({ briefing: await recordBriefing(knex(), b as NewBriefing, actorOf(request.principal!)) });
    },
  );

  app.get<{ Querystring: Json }>(
    '/supplier-recruitment/briefings',
    { schema: { tags: ['suppliers'], summary: 'GIFT-6 / GIFT-3: briefings held between from and to (JST, inclusive), of one kind if given, with their attendees', querystring: listQuery }, config: { roles: READ } },
    async (request) => {
      checkPeriod(request.query);
      const { from, to, kind } = request.query;
      return { briefings: await briefings(knex(), { from, to, kinds: kind ? [kind] : undefined }) };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/supplier-recruitment/briefings/:id',
    { schema: { tags: ['suppliers'], summary: 'GIFT-6: one briefing with its attendees', params: { type: 'object', required: ['id'], properties: { id: { type: 'string', format: 'uuid' } } } }, config: { roles: READ } },
    async (request) => {
      const [briefing] = await briefings(knex(), { id: request.params.id });
      if (!briefing) throw notFound(`briefing ${request.params.id}`);
      return { briefing };
    },
  );

  app.get<{ Querystring: Json }>(
    '/supplier-recruitment/report',
    {
      schema: {
        tags: ['suppliers'],
        summary: "GIFT-6: the recruitment report to the city for a period: recruitment briefings (not success-case meetings or trainings) and their attendance, would-be suppliers' inquiries (CALL-4), suppliers proposed and the city's decisions (GIFT-4)",
        querystring: period,
      },
      config: { roles: READ },
    },
    async (request) => {
      checkPeriod(request.query);
      return { report: await recruitmentReport(knex(), request.query.from, request.query.to) };
    },
  );

  app.get<{ Querystring: Json }>(
    '/supplier-recruitment/report.csv',
    { schema: { tags: ['suppliers'], summary: 'GIFT-6: the recruitment report as CSV (UTF-8 with BOM, the monthly report’s block layout)', querystring: period }, config: { roles: READ } },
    async (request, reply) => {
      checkPeriod(request.query);
      const { from, to } = request.query;
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="supplier-recruitment-${from}-${to}.csv"`)
        .send(recruitmentReportCsv(await recruitmentReport(knex(), from, to)));
    },
  );
}
