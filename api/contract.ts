import type { FastifySchema, RouteOptions } from 'fastify';
import { SUCCESS_RESPONSES } from './contract-responses';

/** The one error body every refusal and failure answers with (api/errors.ts, api/auth.ts). */
export const errorBody = {
  type: 'object',
  required: ['error', 'message'],
  properties: {
    error: { type: 'string', description: 'Machine-readable kind: validation, not_found, conflict, unauthorized, forbidden, too_large, unsupported_media_type, unavailable, internal, …' },
    message: { type: 'string', description: 'What went wrong, naming the field or row and the reason' },
    fields: {
      type: 'array',
      items: { type: 'object', required: ['field', 'reason'], properties: { field: { type: 'string' }, reason: { type: 'string' } } },
    },
    requestId: { type: 'string', description: 'On 500: the id of the server log line that holds the cause' },
  },
} as const;

const ERROR_STATUS: Record<number, string> = {
  400: 'The request is malformed or a field breaks a rule; fields[] names each',
  401: 'No valid bearer token',
  403: 'The token’s role may not use this operation, or the resource is not the caller’s',
  404: 'The resource named in the path does not exist',
  409: 'The request conflicts with the resource’s state or a unique rule',
  413: 'The body is larger than this operation accepts',
  415: 'The body’s content type is not one this operation accepts',
  422: 'The request is well-formed but its content cannot be processed',
  500: 'A fault in the server; requestId names the log line',
  503: 'PostgreSQL or Temporal is not reachable; nothing was changed, retry after Retry-After seconds',
};

/**
 * An upload route reads its multipart body itself (no body schema for the validator); the document still
 * says what to send, so clients and the fuzzer send a file. A route whose file is not a portal export says
 * what it is in `x-file`.
 */
function uploadBody(schema: (FastifySchema & { consumes?: string[]; 'x-file'?: string }) | undefined): { body?: unknown } {
  if (schema?.body || !schema?.consumes?.includes('multipart/form-data')) return {};
  return { body: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary', description: schema['x-file'] ?? 'The portal export: CSV or TSV, UTF-8 or Shift_JIS (CP932)' } } } };
}

const SUCCESS_STATUS: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  202: 'Accepted: a workflow carries on with it',
  204: 'Done; no body',
};

/**
 * The success statuses and bodies of a route: api/contract-responses.ts, generated from what its handler
 * returns or sends (npm run contract:responses). A route not yet in it says only `2XX`, and
 * test/api/openapi-contract.test.ts names it.
 */
function successOf(method: string, url: string): Record<string, unknown> {
  const known = SUCCESS_RESPONSES[`${method} ${url}`];
  if (!known) return { '2xx': { description: 'Success' } };
  return Object.fromEntries(Object.entries(known).map(([status, body]) => [status, { description: SUCCESS_STATUS[Number(status)] ?? 'Success', ...body }]));
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

interface SwaggerTransformInput {
  schema: FastifySchema;
  url: string;
  route: RouteOptions;
}

/**
 * @fastify/swagger transform: each operation documents every status the API can answer: its success statuses
 * and bodies, and the shared error body for each refusal. Done in the document only (no route declares a
 * `response` schema), so Fastify serializes what the handler sends with JSON.stringify and drops nothing.
 */
export function documentStatuses({ schema: given, url, route }: SwaggerTransformInput): { schema: FastifySchema; url: string } {
  const schema = given as (FastifySchema & { hide?: boolean; consumes?: string[]; response?: Record<string, unknown> }) | undefined;
  if (schema?.hide) return { schema, url };
  const methods = ([] as string[]).concat(route.method);
  const roles = (route.config as { roles?: unknown } | undefined)?.roles;
  const statuses = [400, 404, 409, 500, 503];
  if (roles) statuses.push(401, 403);
  if (methods.some((m) => BODY_METHODS.has(m))) statuses.push(413, 415);
  const response: Record<string, unknown> = { ...successOf(methods[0], url), ...schema?.response };
  for (const status of statuses.sort()) {
    if (!(String(status) in response)) response[String(status)] = { description: ERROR_STATUS[status], ...errorBody };
  }
  return { schema: { ...schema, ...uploadBody(schema), response }, url };
}
