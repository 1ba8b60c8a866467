// Client-side: the intake feature's registry (workflows/features.ts walks it). Not part of the workflow bundle.
import type { WorkflowFeature } from '../feature';
import { intakeSchedule } from './schedule';

export const intakeWorkflows: WorkflowFeature = { schedules: [intakeSchedule], searchAttributes: {} };
