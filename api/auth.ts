import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ROLES, type ApiToken, type Role } from '../config/env';

export interface Principal {
  name: string;
  role: Role;
  /**
   * Set only for a console person: the browser's address, which the console forwards because its
   * in-process call comes from the loopback (MYNUM-2 judges the terminal, not the console).
   */
  consoleTerminal?: string;
  /** A supplier's code, which scopes what it may see. A console person carries it beside their login; a supplier's API token is named by it. */
  supplierCode?: string;
}

/** The supplier whose data a principal is limited to; undefined for every other role. */
export const supplierScope = (p: Principal): string | undefined => (p.role === 'supplier' ? p.supplierCode ?? p.name : undefined);

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
  interface FastifyContextConfig {
    /** Roles allowed on the route; omitted means the route is public (health, docs). */
    roles?: Role[];
  }
}

const digest = (token: string) => createHash('sha256').update(token).digest();

/** "operator:tanaka": how a person appears in the event log. */
export const actorOf = (p: Principal) => `${p.role}:${p.name}`;

/**
 * The web console (api/console) asks the API's own routes in-process (fastify inject) as the signed-in
 * person, so a console action runs exactly the route's validation, rules and workflow calls and is
 * recorded with that person as actor. The header carries a secret made at start and never leaves the
 * process: a request from outside that sends it without the secret is an ordinary unauthenticated one.
 */
const INTERNAL_HEADER = 'x-furusato-console-principal';
const internalSecret = randomBytes(32).toString('hex');
const internalDigest = digest(internalSecret);

export function consolePrincipalHeaders(p: Principal & { consoleTerminal: string }): Record<string, string> {
  const scope = p.supplierCode ? ` #${encodeURIComponent(p.supplierCode)}` : '';
  return { [INTERNAL_HEADER]: `${internalSecret} ${p.role}:${p.name}${scope} @${p.consoleTerminal}` };
}

function internalPrincipal(header: string | string[] | undefined, roles: readonly Role[]): Principal | undefined {
  const match = typeof header === 'string' ? /^([0-9a-f]{64}) ([a-z]+):(\S+)(?: #(\S+))? @(\S+)$/.exec(header) : null;
  if (!match || !timingSafeEqual(digest(match[1]), internalDigest) || !roles.includes(match[2] as Role)) return undefined;
  const principal: Principal = { role: match[2] as Role, name: match[3], consoleTerminal: match[5] };
  if (match[4]) principal.supplierCode = decodeURIComponent(match[4]);
  return principal;
}

/**
 * SEC-2: every route except health and docs needs a bearer token; the token
 * names a person and a role. Only digests are kept in memory, compared in
 * constant time.
 */
export function registerAuth(app: FastifyInstance, tokens: ApiToken[]): void {
  const known = tokens.map((t) => ({ digest: digest(t.token), principal: { name: t.name, role: t.role } }));

  const identify = (header: string | undefined): Principal | undefined => {
    const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
    if (!match) return undefined;
    const presented = digest(match[1]);
    return known.find((k) => timingSafeEqual(k.digest, presented))?.principal;
  };

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const roles = request.routeOptions.config?.roles;
    if (!roles) return;
    const principal = internalPrincipal(request.headers[INTERNAL_HEADER], ROLES) ?? identify(request.headers.authorization);
    if (!principal) {
      reply.header('www-authenticate', 'Bearer realm="furusato-ops"');
      return reply.code(401).send({ error: 'unauthorized', message: 'a valid bearer token is required' });
    }
    request.principal = principal;
    if (!roles.includes(principal.role)) {
      return reply.code(403).send({ error: 'forbidden', message: `role ${principal.role} may not ${request.method} ${request.routeOptions.url}` });
    }
  });
}
