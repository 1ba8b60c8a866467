import type { PortalNamer } from '../../domain/portals/declared';
import type { RouteDeps } from '../feature';

/** What the console's pages are registered with: the API's dependencies and the portals' names, read once at start (PORTAL-6). */
export interface ConsoleDeps extends RouteDeps {
  portalLabel: PortalNamer;
}
