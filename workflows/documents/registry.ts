// Client-side: the documents feature's registry (workflows/features.ts walks it). Not part of the workflow bundle.
import type { WorkflowFeature } from '../feature';
import { printSchedule } from './schedule';

export const documentsWorkflows: WorkflowFeature = { schedules: [printSchedule], searchAttributes: {} };
