// Client-side: the gifts feature's registry (workflows/features.ts walks it). Not part of the workflow bundle.
import type { WorkflowFeature } from '../feature';
import { recruitmentReportSchedule } from './schedule';

export const giftsWorkflows: WorkflowFeature = { schedules: [recruitmentReportSchedule], searchAttributes: {} };
