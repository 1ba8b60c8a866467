// Client-side: the scheduled portal collection (PORTAL-1). Not part of the workflow bundle.
import { ScheduleOverlapPolicy } from '@temporalio/client';
import { inJapan, startWorkflowAction, type ScheduleDefinition } from '../schedule-definition';
import { collectPortalFilesWorkflow } from './import-file-workflow';

export const INTAKE_SCHEDULE_ID = 'portal-intake';

/**
 * Every 30 minutes, around the clock, in Japan time: portals publish exports
 * at their own hours, and the next-business-day SLA leaves no room for a
 * once-a-day run that misses a file. A collection still running when the next
 * is due makes the next one unnecessary (SKIP).
 */
export const intakeSchedule: ScheduleDefinition = {
  id: INTAKE_SCHEDULE_ID,
  purpose: 'PORTAL-1 portal file collection every 30 minutes',
  shape: (config, scheduleId) => ({
    spec: inJapan({ hour: '*', minute: [5, 35], comment: 'collect portal files' }),
    action: startWorkflowAction(config, collectPortalFilesWorkflow, [], `${scheduleId}/collect`),
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' },
  }),
};
