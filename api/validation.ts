import Ajv, { type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchema, FastifySchemaCompiler, RouteOptions } from 'fastify';
import { hardenSchema, OPEN_STRING_MAX } from './schema-fragments';

// verbose: errors carry their schema, so a 400 can give the fragment's own reason (x-reason).
const common: Options = { allErrors: true, useDefaults: true, removeAdditional: false, strict: false, verbose: true };

/**
 * Query strings, path parameters and headers arrive as text, so they are read into the declared type; a
 * JSON body already has types, and reading `null` as "" or `false` as "false" would let through what the
 * schema refuses (issue 21: Schemathesis's negative cases were accepted).
 */
export function validatorCompiler(): FastifySchemaCompiler<unknown> {
  const text = addFormats(new Ajv({ ...common, coerceTypes: 'array' }));
  const json = addFormats(new Ajv({ ...common, coerceTypes: false }));
  return ({ schema, httpPart }) => (httpPart === 'body' ? json : text).compile(schema as object);
}

const REQUEST_PARTS = ['body', 'querystring', 'params', 'headers'] as const;

/** onRoute hook: the route's request schemas, on a copy, with the shared bounds (hardenSchema). */
export function hardenRoute(route: RouteOptions): void {
  if (!route.schema) return;
  const schema: FastifySchema = { ...route.schema };
  for (const part of REQUEST_PARTS) if (schema[part]) schema[part] = hardenSchema(schema[part], part === 'body' ? OPEN_STRING_MAX.body : OPEN_STRING_MAX.url);
  route.schema = schema;
}
