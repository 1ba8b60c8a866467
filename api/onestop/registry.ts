// The onestop feature's routes (api/server.ts walks every feature's registry).
import type { ApiFeature } from '../feature';
import { registerMyNumberHandlerRoutes } from './handlers';
import { registerHandlingReportRoutes } from './handling-report';
import { registerOnlineIntakeApprovalRoutes } from './online-approval';
import { registerOneStopRoutes } from './onestop';

export const onestopApi: ApiFeature = (app, deps) => {
  registerOneStopRoutes(app, deps);
  registerMyNumberHandlerRoutes(app, deps);
  registerHandlingReportRoutes(app, deps);
  registerOnlineIntakeApprovalRoutes(app, deps);
};
