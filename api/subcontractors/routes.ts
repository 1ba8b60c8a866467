import type { FastifyInstance } from 'fastify';
import { DATA_KINDS, handoffClearance } from '../../domain/subcontractors/register';
import { jstDate } from '../../domain/jst';
import { approveSubcontractor, handoffRefusals, listSubcontractors, revokeSubcontractor, saveSubcontractor, type SubcontractorInput, type SubcontractorRow } from '../../ledger/subcontractors';
import { actorOf } from '../auth';
import { notFound } from '../errors';
import type { RouteDeps } from '../feature';
import { READ } from '../roles';
import { closedObject, line, text } from '../schema-fragments';

const codeParams = { type: 'object', required: ['code'], properties: { code: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]{1,39}$', description: 'e.g. print-house' } } } as const;

/** CONTRACT-3: the subcontractor register (admin), the city's prior written approval and its revocation (city). */
export function registerSubcontractorRoutes(app: FastifyInstance, { orm }: Pick<RouteDeps, 'orm'>): void {
  const knex = () => orm.em.getKnex();
  // What each entry may receive today, so the register answers the question a hand-off asks.
  const withClearance = (s: SubcontractorRow) => ({ ...s, clearance: Object.fromEntries(DATA_KINDS.map((k) => [k, handoffClearance(s.code, s, k, jstDate(new Date()))])) });
  const found = (code: string, s: SubcontractorRow | undefined) => {
    if (!s) throw notFound(`subcontractor ${code}`);
    return { subcontractor: withClearance(s) };
  };

  app.get(
    '/subcontractors',
    { schema: { tags: ['subcontractors'], summary: 'CONTRACT-3: the register of subcontractors (再委託先) with the city’s approval and what each may receive today' }, config: { roles: READ } },
    async () => ({ subcontractors: (await listSubcontractors(knex())).map(withClearance) }),
  );

  app.put<{ Params: { code: string }; Body: SubcontractorInput }>(
    '/subcontractors/:code',
    {
      schema: {
        tags: ['subcontractors'],
        summary: 'Register a subcontractor or update it; a change of work or data passed needs the city’s approval again',
        params: codeParams,
        body: closedObject(['name', 'reason', 'work', 'dataPassed', 'safeguards'], {
          name: line(200),
          reason: text(2000),
          work: text(2000),
          dataPassed: { type: 'array', maxItems: DATA_KINDS.length, uniqueItems: true, items: { type: 'string', enum: DATA_KINDS } },
          safeguards: text(4000),
        }),
      },
      config: { roles: ['admin'] },
    },
    async (request) => ({ subcontractor: withClearance(await saveSubcontractor(knex(), request.params.code, request.body, actorOf(request.principal!))) }),
  );

  app.post<{ Params: { code: string }; Body: { approvalDocument: string } }>(
    '/subcontractors/:code/approval',
    {
      schema: {
        tags: ['subcontractors'],
        summary: 'The city’s prior written approval (dated the day it is recorded), naming its document',
        params: codeParams,
        body: closedObject(['approvalDocument'], { approvalDocument: line(300) }),
      },
      config: { roles: ['city'] },
    },
    async (request) => found(request.params.code, await approveSubcontractor(knex(), request.params.code, request.body.approvalDocument, actorOf(request.principal!))),
  );

  app.post<{ Params: { code: string }; Body: { reason: string } }>(
    '/subcontractors/:code/revocation',
    {
      schema: { tags: ['subcontractors'], summary: 'The city revokes its approval; nothing personal goes to the subcontractor from today', params: codeParams, body: closedObject(['reason'], { reason: text(2000) }) },
      config: { roles: ['city'] },
    },
    async (request) => found(request.params.code, await revokeSubcontractor(knex(), request.params.code, request.body.reason, actorOf(request.principal!))),
  );

  app.get(
    '/subcontractors/handoff-refusals',
    { schema: { tags: ['subcontractors'], summary: 'Hand-offs of personal data refused because the recipient was not approved for it (one row per recipient and subject)' }, config: { roles: READ } },
    async () => ({ refusals: await handoffRefusals(knex()) }),
  );
}
