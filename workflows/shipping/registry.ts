// Client-side: the shipping feature's registry (workflows/features.ts walks it). Not part of the workflow bundle.
import type { WorkflowFeature } from '../feature';
import { supplierOrderSchedule } from './schedule';

export const shippingWorkflows: WorkflowFeature = { schedules: [supplierOrderSchedule], searchAttributes: {} };
