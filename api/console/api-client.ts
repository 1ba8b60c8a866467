import type { FastifyInstance, InjectOptions } from 'fastify';
import { consolePrincipalHeaders } from '../auth';
import type { ConsoleUser } from './plugin';

/**
 * The console asks the JSON API's own routes, in-process, as the signed-in person: the route's
 * schema, rules, workflow calls and actor recording are the API's, never a second copy. A 400's
 * `fields` ([{ field, reason }]) become the messages shown at the form's fields.
 */
export interface ApiAnswer<T = any> {
  status: number;
  body: T;
  /** The answer's bytes as sent (files: PDF, Shift_JIS CSV). */
  raw: Buffer;
}

export type ApiCall = <T = any>(user: ConsoleUser, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown, headers?: Record<string, string>) => Promise<ApiAnswer<T>>;

export function apiClient(root: FastifyInstance): ApiCall {
  return async (user, method, url, payload, headers = {}) => {
    // The person is the actor; a supplier's code travels beside the login and scopes what the routes show.
    const person = { role: user.role, name: user.login, consoleTerminal: user.terminal, ...(user.role === 'supplier' && user.supplierCode ? { supplierCode: user.supplierCode } : {}) };
    const res = await root.inject({ method, url, payload: payload as InjectOptions['payload'], headers: { ...headers, ...consolePrincipalHeaders(person) } });
    let body: unknown = res.body;
    if (String(res.headers['content-type'] ?? '').includes('application/json')) body = res.json();
    return { status: res.statusCode, body: body as any, raw: res.rawPayload };
  };
}

/** The API's field errors as { field: message }; a field like "donor.name" or "body.donor.name" is keyed by its last path. */
export function fieldErrors(body: { fields?: { field: string; reason: string }[] } | undefined, prefix: string | RegExp = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of body?.fields ?? []) {
    const key = f.field.replace(/^(body|querystring)\./, '').replace(prefix, '');
    out[key] = out[key] ? `${out[key]}; ${f.reason}` : f.reason;
  }
  return out;
}

/** Query string from a form's fields, dropping empty values; arrays repeat the key. */
export function queryString(params: Record<string, unknown>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    for (const one of Array.isArray(v) ? v : [v]) if (one !== undefined && one !== null && one !== '') q.append(k, String(one));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** A queue page's lists: for each status, the first 100 donations whose `filter` has it and their total (an answer other than 200 is an empty list). */
export async function donationQueues(api: ApiCall, user: ConsoleUser, filter: 'onestopStatus' | 'shipmentStatus', statuses: string[]): Promise<{ total: number; rows: Record<string, any>[] }[]> {
  return Promise.all(
    statuses.map(async (status) => {
      const res = await api(user, 'GET', `/donations?${filter}=${status}&limit=100`);
      return res.status === 200 ? { total: res.body.total as number, rows: res.body.rows as Record<string, any>[] } : { total: 0, rows: [] };
    }),
  );
}
