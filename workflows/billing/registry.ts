// Client-side: the billing feature's registry (workflows/features.ts walks it). Not part of the workflow bundle.
import type { WorkflowFeature } from '../feature';
import { billingSchedule } from './schedule';

export const billingWorkflows: WorkflowFeature = { schedules: [billingSchedule], searchAttributes: {} };
