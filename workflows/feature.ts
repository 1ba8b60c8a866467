// Client-side: what a feature declares to the namespace. Not part of the workflow bundle.
import type { ScheduleDefinition } from './schedule-definition';
import type { SearchAttributeType } from './namespace';

/**
 * A feature's workflow registry (workflows/<feature>/registry.ts). Its workflow functions
 * are exported by workflows/<feature>/workflows.ts, which the bundle entry re-exports.
 */
export interface WorkflowFeature {
  /** Temporal Schedules the worker creates or brings in line at every start. */
  readonly schedules: readonly ScheduleDefinition[];
  /** Custom search attributes its workflows set; registered on the namespace before any worker polls. */
  readonly searchAttributes: Readonly<Record<string, SearchAttributeType>>;
}

/** For a feature that runs no workflow of its own (its work happens in the API and the ledger). */
export const NO_WORKFLOWS: WorkflowFeature = { schedules: [], searchAttributes: {} };
