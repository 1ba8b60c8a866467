// Client-side: the reports feature's registry (workflows/features.ts walks it). Not part of the workflow bundle.
import type { WorkflowFeature } from '../feature';
import { reportSchedule } from './schedule';

export const reportsWorkflows: WorkflowFeature = { schedules: [reportSchedule], searchAttributes: {} };
