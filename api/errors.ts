import { WorkflowNotFoundError } from '@temporalio/client';
import type { FastifyError, FastifyInstance } from 'fastify';
import type { FieldError } from '../domain/donor';
import { describeError } from '../domain/retry';

export class HttpError extends Error {
  constructor(readonly statusCode: number, readonly code: string, message: string, readonly fields?: FieldError[]) {
    super(message);
  }
}

export const badRequest = (fields: FieldError[]) =>
  new HttpError(400, 'validation', fields.map((f) => `${f.field} ${f.reason}`).join('; '), fields);
export const notFound = (what: string) => new HttpError(404, 'not_found', `${what} not found`);
export const conflict = (message: string) => new HttpError(409, 'conflict', message);

/** Ajv reports "/donor/postalCode"; operators read "donor.postalCode". */
function fieldOf(instancePath: string, params: Record<string, unknown>): string {
  const base = instancePath.replace(/^\//, '').replace(/\/(\d+)(?=\/|$)/g, '[$1]').replace(/\//g, '.');
  const extra = (params.missingProperty ?? params.additionalProperty) as string | undefined;
  return [base, extra].filter(Boolean).join('.') || '(body)';
}

const PG_CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08006']);
const GRPC_UNAVAILABLE = 14;

/**
 * A request that failed because PostgreSQL or Temporal is away is the
 * infrastructure's fault, not the caller's and not a bug: 503 with Retry-After.
 * Nothing half-done is left behind — a ledger write is one transaction, and a
 * workflow signal that did not reach the server was not applied.
 */
function unavailableService(error: unknown): 'ledger database' | 'workflow engine' | undefined {
  for (let e: any = error, depth = 0; e && depth < 4; e = e.cause ?? e.previous, depth++) {
    if (e.name === 'ConnectionException' || e.name === 'KnexTimeoutError' || PG_CONNECTION_CODES.has(e.code) || /Connection terminated|connect ECONNREFUSED|Client has encountered a connection error/.test(String(e.message))) {
      return 'ledger database';
    }
    if (e.code === GRPC_UNAVAILABLE || e.name === 'ServiceError' && /UNAVAILABLE|Connection refused|DEADLINE_EXCEEDED/.test(String(e.message))) return 'workflow engine';
  }
  return undefined;
}

export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError & Partial<HttpError>, request, reply) => {
    if (error.validation) {
      const where = error.validationContext ?? 'body';
      const fields = error.validation.map((v) => ({
        field: `${where === 'body' ? '' : `${where}.`}${fieldOf(v.instancePath, v.params as Record<string, unknown>)}`,
        reason: v.keyword === 'additionalProperties' ? 'is not allowed' : v.keyword === 'required' ? 'is required' : (v.message ?? 'is invalid'),
      }));
      return reply.code(400).send({ error: 'validation', message: fields.map((f) => `${f.field} ${f.reason}`).join('; '), fields });
    }
    if (error instanceof HttpError) {
      return reply.code(error.statusCode).send({ error: error.code, message: error.message, ...(error.fields ? { fields: error.fields } : {}) });
    }
    // A signal to a donation whose workflow is not there: finished, or registered by a large import that
    // starts its workflows after every row is in the ledger. Either way the caller can act on it; it is not a fault.
    if ((error as unknown) instanceof WorkflowNotFoundError) {
      return reply.code(409).send({ error: 'conflict', message: `no running workflow ${(error as unknown as WorkflowNotFoundError).workflowId}: it has finished, or its import has not started it yet (try again in a minute)` });
    }
    const down = unavailableService(error);
    if (down) {
      request.log.warn(`${down} not reachable: ${describeError(error)}`);
      return reply
        .code(503)
        .header('retry-after', '15')
        .send({ error: 'unavailable', message: `the ${down} is not reachable just now; nothing was changed by this request, try again shortly` });
    }
    if (error.statusCode && error.statusCode < 500) {
      return reply.code(error.statusCode).send({ error: 'bad_request', message: error.message });
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.code(500).send({ error: 'internal', message: 'internal error; see the server log' });
  });
}
