// The intake feature's routes (api/server.ts walks every feature's registry).
import type { ApiFeature } from '../feature';
import { intakeRoutes } from './imports';
import { registerCatalogueRequestRoutes } from './catalogue-requests';
import { connectDeclaredPortals } from '../../ledger/portals';

export const intakeApi: ApiFeature = async (app, deps) => {
  // PORTAL-6: a portal declared by a file in PORTAL_MAPPINGS_DIR has its ledger row before its uploads are accepted
  // (an incomplete declaration stops the start, naming the file and field).
  await connectDeclaredPortals(deps.orm.em.getKnex(), deps.config.intake.mappingsDir);
  // Uploads parse multipart inside their own plugin scope.
  await app.register(intakeRoutes, deps);
  registerCatalogueRequestRoutes(app, deps);
};
