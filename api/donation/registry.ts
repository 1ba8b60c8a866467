// The donation feature's routes (api/server.ts walks every feature's registry).
import type { ApiFeature } from '../feature';
import { registerDonationRoutes } from './donations';
import { registerDonorRoutes } from './donors';

export const donationApi: ApiFeature = (app, deps) => {
  registerDonationRoutes(app, deps);
  registerDonorRoutes(app, deps);
};
