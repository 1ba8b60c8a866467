import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildApi, type ApiDeps } from '../../api/server';
import { suiteContext, type SuiteContext } from './context';

/**
 * The one API harness: tokens for every role, a Fastify instance on the suite's context, and
 * calls made as a named caller. Suites that need the API start it with `apiSuite`.
 */
export const STAFF_TOKENS = { operator: 'operator-token-0001', city: 'city-token-00000001', admin: 'admin-token-00000001' } as const;
export type Staff = keyof typeof STAFF_TOKENS;

/** Supplier code → token; the first is the caller named 'supplier'. */
export type SupplierTokens = Record<string, string>;
export const DEFAULT_SUPPLIERS: SupplierTokens = { farm: 'supplier-token-0001' };

/** A caller: a staff role, 'supplier' (the first supplier) or a supplier's code. */
export type Caller = Staff | 'supplier' | (string & {});

/** API_TOKENS naming operator tanaka, city shiyakusho, admin root and each supplier by its code. */
export function apiTokens(suppliers: SupplierTokens = DEFAULT_SUPPLIERS): string {
  return [
    `operator:tanaka:${STAFF_TOKENS.operator}`,
    `city:shiyakusho:${STAFF_TOKENS.city}`,
    `admin:root:${STAFF_TOKENS.admin}`,
    ...Object.entries(suppliers).map(([code, token]) => `supplier:${code}:${token}`),
  ].join(',');
}

/** A multipart/form-data body holding one file, as a browser or curl sends it. */
export function multipartFile(fileName: string, bytes: Buffer, field = 'file'): { payload: Buffer; headers: Record<string, string> } {
  const boundary = '----furusato-test-boundary';
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${fileName}"\r\nContent-Type: text/csv\r\n\r\n`),
    bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

export interface TestApi {
  app: FastifyInstance;
  headers(as?: Caller): { authorization: string };
  get(url: string, as?: Caller): Promise<LightMyRequestResponse>;
  post(url: string, payload?: unknown, as?: Caller): Promise<LightMyRequestResponse>;
  patch(url: string, payload?: unknown, as?: Caller): Promise<LightMyRequestResponse>;
  put(url: string, payload?: unknown, as?: Caller): Promise<LightMyRequestResponse>;
  delete(url: string, payload?: unknown, as?: Caller): Promise<LightMyRequestResponse>;
  upload(url: string, fileName: string, bytes: Buffer, as?: Caller): Promise<LightMyRequestResponse>;
  /** Closes the API and the suite's context. */
  close(): Promise<void>;
}

/** What the API runs on: a suite's context, or a time-skipping one with the client the API should use. */
export type ApiContext = Pick<SuiteContext, 'config' | 'orm' | 'client' | 'close'>;

/** The API on an existing context (for suites with their own context, e.g. time-skipping). */
export async function startApi(ctx: ApiContext, suppliers: SupplierTokens = DEFAULT_SUPPLIERS, logger: ApiDeps['logger'] = false): Promise<TestApi> {
  const app = await buildApi({ config: ctx.config, orm: ctx.orm, temporal: ctx.client, logger });
  const tokenOf = (as: Caller): string => {
    if (as in STAFF_TOKENS) return STAFF_TOKENS[as as Staff];
    const token = as === 'supplier' ? Object.values(suppliers)[0] : suppliers[as];
    if (!token) throw new Error(`no test token for caller ${as}`);
    return token;
  };
  const headers = (as: Caller = 'operator') => ({ authorization: `Bearer ${tokenOf(as)}` });
  const send = (method: InjectOptions['method'], url: string, payload: unknown, as: Caller = 'operator') =>
    app.inject({ method, url, headers: headers(as), ...(payload === undefined ? {} : { payload: payload as InjectOptions['payload'] }) });
  return {
    app,
    headers,
    get: (url, as) => send('GET', url, undefined, as),
    post: (url, payload = {}, as) => send('POST', url, payload, as),
    patch: (url, payload = {}, as) => send('PATCH', url, payload, as),
    put: (url, payload = {}, as) => send('PUT', url, payload, as),
    delete: (url, payload, as) => send('DELETE', url, payload, as),
    upload: (url, fileName, bytes, as = 'operator') => {
      const body = multipartFile(fileName, bytes);
      return app.inject({ method: 'POST', url, payload: body.payload, headers: { ...body.headers, ...headers(as) } });
    },
    async close() {
      await app.close();
      await ctx.close();
    },
  };
}

/** A suite's context (its own task queue, mail sink and folders), optionally a worker, and the API with every role's token. */
export async function apiSuite(
  suite: string,
  opts: { env?: Record<string, string>; suppliers?: SupplierTokens; worker?: boolean; logger?: ApiDeps['logger'] } = {},
): Promise<{ ctx: SuiteContext; api: TestApi }> {
  const suppliers = opts.suppliers ?? DEFAULT_SUPPLIERS;
  const ctx = await suiteContext(suite, { API_TOKENS: apiTokens(suppliers), ...opts.env });
  if (opts.worker) await ctx.startWorker();
  return { ctx, api: await startApi(ctx, suppliers, opts.logger) };
}
