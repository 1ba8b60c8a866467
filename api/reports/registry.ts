// The reports feature's routes (api/server.ts walks every feature's registry).
import type { ApiFeature } from '../feature';
import { registerReportRoutes } from './reports';
import { registerPromotionRoutes } from './promotions';
import { registerQualityRoutes } from './quality';
import { registerProgressRoutes } from './progress';
import { registerMeetingMinutesRoutes } from './meeting-minutes';

export const reportsApi: ApiFeature = (app, deps) => {
  registerReportRoutes(app, deps);
  registerPromotionRoutes(app, deps);
  registerQualityRoutes(app, deps);
  registerProgressRoutes(app, deps);
  registerMeetingMinutesRoutes(app, deps);
};
