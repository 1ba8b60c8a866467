import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Client } from '@temporalio/client';
import { requireApiTokens, type AppConfig } from '../config/env';
import type { Orm } from '../ledger/orm';
import { registerAuth } from './auth';
import { registerErrorHandler } from './errors';
import { documentStatuses } from './contract';
import { hardenRoute, validatorCompiler } from './validation';
import { FEATURES } from '../domain/features';
import { API_FEATURES } from './features';
import { registerDonationRoutes } from './donation/donations';
import { intakeRoutes } from './intake/imports';
import { registerDocumentRoutes } from './documents/documents';
import { registerOneStopRoutes } from './onestop/onestop';
import { registerGiftRoutes } from './gifts/gifts';
import { registerSupplierRoutes } from './gifts/suppliers';
import { registerShipmentRoutes } from './shipping/shipments';
import { registerCatalogueRequestRoutes } from './intake/catalogue-requests';
import { registerCallCentreRoutes } from './callcentre/callcentre';
import { registerBillingRoutes } from './billing/billing';
import { registerReportRoutes } from './reports/reports';
import { registerPromotionRoutes } from './reports/promotions';
import { registerQualityRoutes } from './reports/quality';
import { registerDonorRoutes } from './donation/donors';
import { registerProgressRoutes } from './reports/progress';

export interface ApiDeps {
  config: AppConfig;
  orm: Orm;
  temporal: Client;
  logger?: boolean | { level: string };
}

/** JSON bodies are forms and row lists (at most 10,000 carrier statuses); uploads set their own limit. */
const JSON_BODY_LIMIT = 2 * 1024 * 1024;
/**
 * A client that trickles its headers or body is cut off instead of holding a socket: the longest honest
 * request is an upload that then waits up to a minute for its import report.
 */
const SLOW_CLIENT_TIMEOUTS = { connectionTimeout: 2 * 60_000, requestTimeout: 5 * 60_000, keepAliveTimeout: 10_000 } as const;

/** The thin HTTP face of the system: it validates, then signals, updates or queries workflows and reads the ledger. */
export async function buildApi({ config, orm, temporal, logger }: ApiDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: logger ?? { level: config.logLevel },
    // Unique across processes: a 500's requestId finds its log line in any API replica's log.
    genReqId: () => randomUUID(),
    bodyLimit: JSON_BODY_LIMIT,
    // request.ip is the client behind a declared proxy, never one an X-Forwarded-For header claims by itself (MYNUM-2 judges terminals by it).
    trustProxy: config.api.trustProxy.length ? config.api.trustProxy : false,
    // Longer than any bounded path parameter, so an overlong one is a 400 naming it rather than a bare 414.
    routerOptions: { maxParamLength: 4_096 },
    ...SLOW_CLIENT_TIMEOUTS,
  });
  app.setValidatorCompiler(validatorCompiler());
  // Before any route: every route's request schema gets the shared bounds (api/schema-fragments.ts).
  app.addHook('onRoute', hardenRoute);

  await app.register(swagger, {
    openapi: {
      info: { title: 'furusato-ops API', version: '0.1.0', description: '柳川市ふるさと納税 back office. Bearer tokens carry a role: operator, city, supplier, admin.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: documentStatuses,
    // The document is the JSON API's contract; the console's HTML pages (session cookies, forms) carry no tag and stay out.
    hideUntagged: true,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  registerErrorHandler(app);
  registerAuth(app, requireApiTokens(config));

  app.get('/health', { schema: { tags: ['system'], security: [] } }, async () => {
    await orm.em.fork().getConnection().execute('select 1');
    return { ok: true };
  });

  for (const feature of FEATURES) await API_FEATURES[feature](app, { config, orm, temporal });
  return app;
}
