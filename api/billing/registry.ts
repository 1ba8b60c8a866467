// The billing feature's routes (api/server.ts walks every feature's registry).
import type { ApiFeature } from '../feature';
import { registerBillingRoutes } from './billing';
import { registerTransferRoutes } from './transfers';

export const billingApi: ApiFeature = (app, deps) => {
  registerBillingRoutes(app, deps);
  registerTransferRoutes(app, deps);
};
