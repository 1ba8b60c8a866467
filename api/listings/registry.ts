// The listings feature's routes (api/server.ts walks every feature's registry).
import type { ApiFeature } from '../feature';
import { listingRoutes } from './routes';

export const listingsApi: ApiFeature = async (app, deps) => {
  // The image upload parses multipart inside its own plugin scope.
  await app.register(listingRoutes, deps);
};
