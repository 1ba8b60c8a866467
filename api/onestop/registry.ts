// The onestop feature's routes (api/server.ts walks every feature's registry).
import type { ApiFeature } from '../feature';
import { registerMyNumberHandlerRoutes } from './handlers';
import { registerHandlingReportRoutes } from './handling-report';
import { registerIncidentFollowUpRoutes } from './incident-followup';
import { registerOnlineIntakeApprovalRoutes } from './online-approval';
import { registerOneStopRoutes } from './onestop';

export const onestopApi: ApiFeature = (app, deps) => {
  registerOneStopRoutes(app, deps);
  registerMyNumberHandlerRoutes(app, deps);
  registerHandlingReportRoutes(app, deps);
  registerIncidentFollowUpRoutes(app, deps);
  registerOnlineIntakeApprovalRoutes(app, deps);
};
