// The onestop feature's routes (api/server.ts walks every feature's registry).
import type { ApiFeature } from '../feature';
import { registerMyNumberHandlerRoutes } from './handlers';
import { registerHandlerRegisterRoutes } from './handler-register';
import { registerHandlingReportRoutes } from './handling-report';
import { registerHandoverRoutes } from './handovers';
import { registerMyNumberExportRoutes } from './exports';
import { registerIncidentFollowUpRoutes } from './incident-followup';
import { registerOnlineIntakeApprovalRoutes } from './online-approval';
import { registerOneStopRoutes } from './onestop';
import { registerContractEndRoutes } from './contract-end';

export const onestopApi: ApiFeature = (app, deps) => {
  registerOneStopRoutes(app, deps);
  registerMyNumberHandlerRoutes(app, deps);
  registerHandlerRegisterRoutes(app, deps);
  registerHandlingReportRoutes(app, deps);
  registerHandoverRoutes(app, deps);
  registerMyNumberExportRoutes(app, deps);
  registerIncidentFollowUpRoutes(app, deps);
  registerOnlineIntakeApprovalRoutes(app, deps);
  registerContractEndRoutes(app, deps);
};
