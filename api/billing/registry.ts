// The billing feature's routes (api/server.ts walks every feature's registry).
import type { ApiFeature } from '../feature';
import { registerBillingRoutes } from './billing';

export const billingApi: ApiFeature = registerBillingRoutes;
