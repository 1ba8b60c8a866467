// The onestop feature's activities (activities/index.ts walks every feature's registry).
import type { ActivityFeature } from '../feature';
import { createHandlingReportActivities } from './handling-report';
import { createHandlerRegisterActivities } from './handler-register';
import { createLateBounceActivities } from './late-bounces';
import { createMyNumberExportActivities } from './mynumber-export';
import { createOneStopActivities } from './onestop';

export const onestopActivities = ((deps, { sendMail }) => ({
  ...createOneStopActivities({ orm: deps.orm, onestop: deps.onestop, sendMail }),
  ...createHandlingReportActivities({ orm: deps.orm, onestop: deps.onestop }),
  ...createLateBounceActivities({ orm: deps.orm }),
  ...createMyNumberExportActivities({ orm: deps.orm, onestop: deps.onestop }),
  ...createHandlerRegisterActivities({ orm: deps.orm, renderer: deps.documents.renderer, workDir: deps.documents.workDir }),
})) satisfies ActivityFeature;
