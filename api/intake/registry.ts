// The intake feature's routes (api/server.ts walks every feature's registry).
import type { ApiFeature } from '../feature';
import { intakeRoutes } from './imports';
import { registerCatalogueRequestRoutes } from './catalogue-requests';
import { connectDeclaredPortals } from '../../ledger/portals';
import { PortalDeclarationError } from '../../domain/portals/declared';
import { untilReachable } from '../../domain/retry';

export const intakeApi: ApiFeature = async (app, deps) => {
  // PORTAL-6: a portal declared by a file in PORTAL_MAPPINGS_DIR has its ledger row before its uploads are accepted.
  // An incomplete declaration stops the start, naming the file and field; a ledger the worker has not migrated yet
  // (the processes start in any order) is waited for, as the worker waits for PostgreSQL.
  await untilReachable('PostgreSQL', () => connectDeclaredPortals(deps.orm.em.getKnex(), deps.config.intake.mappingsDir), {
    log: (line) => app.log.warn(`declared portals: ${line}`),
    isFatal: (err) => err instanceof PortalDeclarationError,
  });
  // Uploads parse multipart inside their own plugin scope.
  await app.register(intakeRoutes, deps);
  registerCatalogueRequestRoutes(app, deps);
};
