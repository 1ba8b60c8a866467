// The donation feature's routes (api/server.ts walks every feature's registry).
import type { ApiFeature } from '../feature';
import { registerDonationRoutes } from './donations';
import { registerDonorRoutes } from './donors';
import { registerDonorStatusRoutes } from './donor-status';

export const donationApi: ApiFeature = async (app, deps) => {
  registerDonationRoutes(app, deps);
  registerDonorRoutes(app, deps);
  await registerDonorStatusRoutes(app, deps);
};
