import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { jstDate } from '../../domain/jst';
import { ROLES } from '../../domain/roles';
import { inForce, onlineIntakeApprovalHistory, openOnlineIntakeApproval, recordOnlineIntakeApproval, revokeOnlineIntakeApproval, type OnlineIntakeApproval } from '../../ledger/online-intake-approval';
import { actorOf } from '../auth';
import { errorBody } from '../contract';
import { badRequest, conflict } from '../errors';
import type { RouteDeps } from '../feature';
import { isoDate, REASON, text } from '../schema-fragments';

/** The services an approval names: the `service` codes of POST /onestop/applications/online. */
const serviceCode = { type: 'string', pattern: '^[a-z0-9-]{2,40}$', [REASON]: 'must be a service code of 2–40 lower-case letters, digits or hyphens' } as const;

/** What the online intake answers when the city's approval is missing, revoked, past its end date, or does not name the service. */
export const ONLINE_INTAKE_REFUSAL = {
  409: {
    description: 'No approval (承認) by the city of electronic one-stop applications is in force, or it does not name this service (ONESTOP-3); checked before the body. Also: a second application for the donation',
    ...errorBody,
  },
} as const;

function missingApproval(open: OnlineIntakeApproval | undefined): string {
  const base = '電子申請の受付には市の承認が必要です (ONESTOP-3)';
  if (!open) return `${base}: the city's approval (承認) of electronic one-stop applications has not been recorded`;
  if (open.endedAt) return `${base}: the city's approval (承認) was revoked`;
  return `${base}: the city's approval (承認) ended on ${open.validUntil}`;
}

declare module 'fastify' {
  interface FastifyRequest {
    onlineIntakeApproval?: OnlineIntakeApproval;
  }
}

/**
 * ONESTOP-3 as route hooks for POST /onestop/applications/online: before the body is even parsed, an
 * approval must be in force today (409 naming the missing 承認); once the body is valid, it must name
 * the application's service. Paper intake has no such hook.
 */
export function onlineIntakeGate({ orm }: Pick<RouteDeps, 'orm'>) {
  return {
    onRequest: async (request: FastifyRequest, reply: FastifyReply) => {
      const open = await openOnlineIntakeApproval(orm.em.getKnex());
      if (!inForce(open, jstDate(new Date()))) return reply.code(409).send({ error: 'conflict', message: missingApproval(open) });
      request.onlineIntakeApproval = open;
    },
    preHandler: async (request: FastifyRequest) => {
      const service = (request.body as { service?: string } | undefined)?.service;
      const approval = request.onlineIntakeApproval!;
      if (service && !approval.services.includes(service)) {
        throw conflict(`電子申請の受付には市の承認が必要です (ONESTOP-3): the city's approval (承認) does not cover service ${service} (approved: ${approval.services.join(', ')})`);
      }
    },
  };
}

const approvalJson = (a: OnlineIntakeApproval | undefined, today: string) => (a ? { ...a, inForce: inForce(a, today) } : null);

/** ONESTOP-3: the city records, reads and revokes its approval of electronic one-stop applications. */
export function registerOnlineIntakeApprovalRoutes(app: FastifyInstance, { orm }: Pick<RouteDeps, 'orm'>): void {
  const knex = () => orm.em.getKnex();

  app.get(
    '/onestop/online-intake/approval',
    { schema: { tags: ['onestop'], summary: 'The city’s approval (承認) of electronic one-stop applications (ONESTOP-3): the open one, whether it is in force today, and every earlier one' }, config: { roles: [...ROLES] } },
    async () => {
      const today = jstDate(new Date());
      const open = await openOnlineIntakeApproval(knex());
      return { approval: approvalJson(open, today), accepting: inForce(open, today), history: (await onlineIntakeApprovalHistory(knex())).map((a) => approvalJson(a, today)) };
    },
  );

  app.post<{ Body: { services: string[]; validUntil?: string | null; note?: string } }>(
    '/onestop/online-intake/approval',
    {
      schema: {
        tags: ['onestop'],
        summary: 'The city approves electronic one-stop applications for the named services, optionally until a date (inclusive); replaces an approval in force',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['services'],
          properties: {
            services: { type: 'array', minItems: 1, maxItems: 20, items: serviceCode, description: 'The service codes sent as `service` by the online intake' },
            validUntil: { anyOf: [isoDate, { type: 'null' }], description: 'Last day (JST) applications are taken; none: until revoked' },
            note: text(500),
          },
        },
      },
      config: { roles: ['city'] },
    },
    async (request, reply) => {
      const today = jstDate(new Date());
      if (request.body.validUntil && request.body.validUntil < today) {
        throw badRequest([{ field: 'validUntil', reason: 'must not be before today (JST)' }]);
      }
      const approval = await recordOnlineIntakeApproval(knex(), request.body, actorOf(request.principal!));
      return reply.code(201).send({ approval: approvalJson(approval, today) });
    },
  );

  app.post<{ Body: { reason: string } }>(
    '/onestop/online-intake/approval/revocation',
    {
      schema: {
        tags: ['onestop'],
        summary: 'The city revokes its approval: electronic applications are refused (409) from now on; paper intake goes on',
        body: { type: 'object', additionalProperties: false, required: ['reason'], properties: { reason: text(500) } },
      },
      config: { roles: ['city'] },
    },
    async (request) => {
      const revoked = await revokeOnlineIntakeApproval(knex(), request.body.reason, actorOf(request.principal!));
      if (!revoked) throw conflict('no approval (承認) of electronic one-stop applications is open to revoke');
      return { approval: approvalJson(revoked, jstDate(new Date())) };
    },
  );
}
