// The shipping feature's routes (api/server.ts walks every feature's registry).
import type { ApiFeature } from '../feature';
import { registerShipmentRoutes } from './shipments';
import { registerSupplierFileRoutes } from './supplier-files';

export const shippingApi: ApiFeature = async (app, deps) => {
  registerShipmentRoutes(app, deps);
  // Its own scope: the multipart parser applies to the issued-label upload only.
  await app.register(async (scope) => registerSupplierFileRoutes(scope, deps));
};
