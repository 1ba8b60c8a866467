// Client-side: the retention feature's registry (workflows/features.ts walks it). Not part of the workflow bundle.
import type { WorkflowFeature } from '../feature';
import { recordsRetentionSchedule } from './schedule';

export const retentionWorkflows: WorkflowFeature = { schedules: [recordsRetentionSchedule], searchAttributes: {} };
