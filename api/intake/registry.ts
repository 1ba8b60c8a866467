// The intake feature's routes (api/server.ts walks every feature's registry).
import type { ApiFeature } from '../feature';
import { intakeRoutes } from './imports';
import { registerCatalogueRequestRoutes } from './catalogue-requests';

export const intakeApi: ApiFeature = async (app, deps) => {
  // Uploads parse multipart inside their own plugin scope.
  await app.register(intakeRoutes, deps);
  registerCatalogueRequestRoutes(app, deps);
};
