import Fastify, { type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Client } from '@temporalio/client';
import { requireApiTokens, type AppConfig } from '../config/env';
import type { Orm } from '../ledger/orm';
import { registerAuth } from './auth';
import { registerErrorHandler } from './errors';
import { registerDonationRoutes } from './routes/donations';
import { intakeRoutes } from './routes/intake';
import { registerDocumentRoutes } from './routes/documents';
import { registerOneStopRoutes } from './routes/onestop';
import { registerGiftRoutes } from './routes/gifts';
import { registerSupplierRoutes } from './routes/suppliers';
import { registerShipmentRoutes } from './routes/shipments';
import { registerCatalogueRequestRoutes } from './routes/catalogue-requests';
import { registerCallCentreRoutes } from './routes/callcentre';
import { registerBillingRoutes } from './routes/billing';
import { registerReportRoutes } from './routes/reports';
import { registerPromotionRoutes } from './routes/promotions';
import { registerQualityRoutes } from './routes/quality';
import { registerDonorRoutes } from './routes/donors';
import { registerProgressRoutes } from './routes/progress';

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

  registerDonationRoutes(app, { config, orm, temporal });
  await app.register(intakeRoutes, { config, orm, temporal });
  registerDocumentRoutes(app, { config, orm, temporal });
  registerOneStopRoutes(app, { config, orm, temporal });
  registerShipmentRoutes(app, { config, orm, temporal });
  registerGiftRoutes(app, { orm });
  registerSupplierRoutes(app, { orm });
  registerCatalogueRequestRoutes(app, { orm });
  registerCallCentreRoutes(app, { config, orm, temporal });
  registerBillingRoutes(app, { config, orm, temporal });
  registerReportRoutes(app, { config, orm, temporal });
  registerPromotionRoutes(app, { orm });
  registerQualityRoutes(app, { config, orm, temporal });
  registerDonorRoutes(app, { orm });
  registerProgressRoutes(app, { orm });
  return app;
}
