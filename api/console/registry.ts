// The console feature (issue 16): server-rendered pages under /console, in an encapsulated
// plugin of their own (sessions, CSRF, security headers, templates), so the JSON API's bearer
// tokens and JSON errors are untouched. docs/features/console.md.
import type { ApiFeature } from '../feature';
import { consoleFoundation } from './plugin';
import { registerSignInRoutes } from './sign-in';
import { registerHomeRoutes } from './home';
import { registerAccountRoutes } from './accounts';
import { apiClient } from './api-client';
import { portalNamer } from '../../domain/portals/declared';
import { registerDonationPages } from './donations';
import { registerHandEntry } from './hand-entry';
import { registerImportPages } from './imports';
import { registerPrintBatchPages } from './print-batches';
import { registerBillingPages } from './billing';
import { registerOneStopPages } from './onestop';
import { registerShipmentPages } from './shipments';
import { registerCallPages } from './calls';
import { registerGiftPages } from './gifts';
import { registerCityAndSupplierPages } from './city-pages';

export const consoleApi: ApiFeature = async (app, routeDeps) => {
  const deps = { ...routeDeps, portalLabel: portalNamer(routeDeps.config.intake.mappingsDir) };
  app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/console/', 302));
  const api = apiClient(app);
  await app.register(
    async (scope) => {
      await consoleFoundation(scope, deps);
      registerSignInRoutes(scope, deps);
      registerHomeRoutes(scope, deps, api);
      registerAccountRoutes(scope, deps);
      registerHandEntry(scope, deps, api);
      registerDonationPages(scope, deps, api);
      registerImportPages(scope, deps, api);
      registerPrintBatchPages(scope, deps, api);
      registerBillingPages(scope, deps, api);
      registerOneStopPages(scope, deps, api);
      registerShipmentPages(scope, deps, api);
      registerCallPages(scope, deps, api);
      registerGiftPages(scope, deps, api);
      registerCityAndSupplierPages(scope, deps, api);
    },
    { prefix: '/console' },
  );
};
