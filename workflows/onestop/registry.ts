// Client-side: the onestop feature's registry (workflows/features.ts walks it). Not part of the workflow bundle.
import type { WorkflowFeature } from '../feature';
import { handlingReportSchedule, lateBounceSchedule, notificationReminderSchedule, notificationSchedule, retentionSchedule } from './schedule';

export const onestopWorkflows: WorkflowFeature = { schedules: [notificationSchedule, notificationReminderSchedule, retentionSchedule, handlingReportSchedule, lateBounceSchedule], searchAttributes: {} };
