// The gifts feature's routes (api/server.ts walks every feature's registry).
import type { ApiFeature } from '../feature';
import { registerGiftRoutes } from './gifts';
import { registerSupplierRoutes } from './suppliers';
import { registerRecruitmentRoutes } from './recruitment';

export const giftsApi: ApiFeature = (app, deps) => {
  registerGiftRoutes(app, deps);
  registerSupplierRoutes(app, deps);
  registerRecruitmentRoutes(app, deps);
};
