import { WorkflowNotFoundError } from '@temporalio/client';
import type { FastifyError, FastifyInstance } from 'fastify';
import type { FieldError } from '../domain/donor';
import { describeError } from '../domain/retry';
import { REASON } from './schema-fragments';

export class HttpError extends Error {
  constructor(readonly statusCode: number, readonly code: string, message: string, readonly fields?: FieldError[]) {
    super(message);
  }
}

export const badRequest = (fields: FieldError[]) =>
  new HttpError(400, 'validation', fields.map((f) => `${f.field} ${f.reason}`).join('; '), fields);
export const notFound = (what: string) => new HttpError(404, 'not_found', `${what} not found`);
export const conflict = (message: string) => new HttpError(409, 'conflict', message);
type ErrorClass = abstract new (...args: never[]) => Error;

/** Runs a ledger call answering its refusal (`errorClass`) as 409 with the ledger's message. */
export async function conflictOn<R>(errorClass: ErrorClass, run: () => Promise<R>): Promise<R> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof errorClass) throw conflict(err.message);
    throw err;
  }
}

/** The ledger's answer, or 404 naming `what` when there is none. */
export function found<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw notFound(what);
  return value;
}

/** Runs a ledger call answering its not-found error as 404 and its conflict error as 409 (the message is the ledger's). */
export const ledgerAnswers =
  (notFoundError: ErrorClass, conflictError: ErrorClass) =>
  async <R>(run: () => Promise<R>): Promise<R> => {
    try {
      return await run();
    } catch (err) {
      if (err instanceof notFoundError) throw new HttpError(404, 'not_found', err.message);
      if (err instanceof conflictError) throw conflict(err.message);
      throw err;
    }
  };

/** The keywords a fragment's own reason explains; a length or type error keeps the validator's words. */
const RULE_KEYWORDS = new Set(['pattern', 'enum', 'format', 'minItems']);

interface AjvError {
  keyword: string;
  instancePath: string;
  schemaPath: string;
  params: Record<string, unknown>;
  message?: string;
  schema?: unknown;
  parentSchema?: Record<string, unknown>;
}

/**
 * A rule between fields is an anyOf (api/schema-fragments.ts requiredWhen, oneOfRequired): what the caller
 * must fix is in the branches that state the requirement, not in the "otherwise" branch (marked
 * x-otherwise) nor in the anyOf's own "must match a schema in anyOf".
 */
function withoutRuleNoise(errors: AjvError[]): AjvError[] {
  const noise = new Set<string>();
  const rules: AjvError[] = [];
  for (const e of errors) {
    if (e.keyword !== 'anyOf' || !Array.isArray(e.schema)) continue;
    (e.schema as Array<Record<string, unknown>>).forEach((branch, i) => branch?.['x-otherwise'] && noise.add(`${e.schemaPath}/${i}/`));
    // oneOfRequired: one error in the domain's words instead of each alternative's "is required".
    const rule = e.parentSchema?.['x-rule'] as { field: string; reason: string } | undefined;
    if (rule) {
      noise.add(`${e.schemaPath}/`);
      rules.push({ ...e, keyword: 'rule', instancePath: `${e.instancePath}/${rule.field}`, params: {}, message: rule.reason });
    }
  }
  const kept = [...errors.filter((e) => ![...noise].some((prefix) => e.schemaPath.startsWith(prefix))), ...rules];
  const named = kept.filter((e) => e.keyword !== 'anyOf');
  return named.length ? named : kept;
}

/** Ajv reports "/donor/postalCode"; operators read "donor.postalCode". */
function fieldOf(instancePath: string, params: Record<string, unknown>): string {
  const base = instancePath.replace(/^\//, '').replace(/\/(\d+)(?=\/|$)/g, '[$1]').replace(/\//g, '.');
  const extra = (params.missingProperty ?? params.additionalProperty) as string | undefined;
  return [base, extra].filter(Boolean).join('.') || '(body)';
}

/** Fastify's own refusals (body too large, media type, timeouts) named as the other error bodies are. */
const CLIENT_ERRORS: Record<number, string> = { 408: 'timeout', 413: 'too_large', 415: 'unsupported_media_type' };

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

interface DatabaseRefusal {
  status: 400 | 409;
  error: string;
  message: string;
  fields: FieldError[];
}

/** The PostgreSQL error under a MikroORM/knex wrapper, if any: SQLSTATE codes are five characters. */
function postgresError(error: unknown): { code: string; message: string; column?: string; constraint?: string; detail?: string } | undefined {
  for (let e: any = error, depth = 0; e && depth < 4; e = e.cause ?? e.previous, depth++) {
    if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) return e;
  }
  return undefined;
}

/**
 * Class 22 (data exception: out of range, invalid text, NUL byte, bad date) and class 23 (integrity
 * constraint) are the caller's input meeting a column's rule the schema did not catch. The write was one
 * transaction and is rolled back, so the answer is the caller's: 400, or 409 for a duplicate.
 */
function databaseRefusal(error: unknown): DatabaseRefusal | undefined {
  const pg = postgresError(error);
  if (!pg || !/^2[23]/.test(pg.code)) return undefined;
  const field = pg.column ?? pg.constraint ?? '(request)';
  // knex prefixes the statement ("select … - value … is out of range"); the caller gets PostgreSQL's words only.
  const said = pg.message.split('\n')[0];
  const cut = said.lastIndexOf(' - ');
  const words = cut < 0 ? said : said.slice(cut + 3);
  const reason = pg.code.startsWith('22') ? `is not a value the ledger can hold (${words})` : `breaks the ledger's rule ${pg.constraint ?? pg.code}${pg.detail ? ` (${pg.detail})` : ''}`;
  const duplicate = pg.code === '23505' || pg.code === '23P01';
  return { status: duplicate ? 409 : 400, error: duplicate ? 'conflict' : 'validation', message: `${field} ${reason}; nothing was changed`, fields: [{ field, reason }] };
}

export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError & Partial<HttpError>, request, reply) => {
    if (error.validation) {
      const where = error.validationContext ?? 'body';
      const fields = withoutRuleNoise(error.validation as unknown as AjvError[]).map((v) => ({
        field: `${where === 'body' ? '' : `${where}.`}${fieldOf(v.instancePath, v.params as Record<string, unknown>)}`,
        reason: v.keyword === 'additionalProperties' ? 'is not allowed' : v.keyword === 'required' ? ((v.parentSchema?.[REASON] as string | undefined) ?? 'is required') : (RULE_KEYWORDS.has(v.keyword) && v.parentSchema?.[REASON]) || (v.message ?? 'is invalid'),
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
    const refused = databaseRefusal(error);
    if (refused) {
      request.log.info({ err: error }, 'input refused by the ledger');
      return reply.code(refused.status).send({ error: refused.error, message: refused.message, fields: refused.fields });
    }
    if (error.statusCode && error.statusCode < 500) {
      return reply.code(error.statusCode).send({ error: CLIENT_ERRORS[error.statusCode] ?? 'bad_request', message: error.message });
    }
    // The request id is on this log line (reqId) and in the body, so a caller's report finds the cause.
    request.log.error({ err: error }, 'unhandled error');
    return reply.code(500).send({ error: 'internal', message: `internal error; see the server log for request ${request.id}`, requestId: request.id });
  });
}
