import Fastify, { type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Client } from '@temporalio/client';
import { requireApiTokens, type AppConfig } from '../config/env';
import type { Orm } from '../ledger/orm';
import { registerAuth } from './auth';
import { registerErrorHandler } from './errors';
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

/** The thin HTTP face of the system: it validates, then signals, updates or queries workflows and reads the ledger. */
export async function buildApi({ config, orm, temporal, logger }: ApiDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: logger ?? { level: config.logLevel },
    ajv: { customOptions: { allErrors: true, coerceTypes: 'array', useDefaults: true, removeAdditional: false } },
  });

  await app.register(swagger, {
    openapi: {
      info: { title: 'furusato-ops API', version: '0.1.0', description: '柳川市ふるさと納税 back office. Bearer tokens carry a role: operator, city, supplier, admin.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
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
