// Client-side: every feature's workflow registry. Not part of the workflow bundle.
import { FEATURES, type Feature } from '../domain/features';
import { NO_WORKFLOWS, type WorkflowFeature } from './feature';
import type { SearchAttributeType } from './namespace';
import type { ScheduleDefinition } from './schedule-definition';
import { billingWorkflows } from './billing/registry';
import { documentsWorkflows } from './documents/registry';
import { donationWorkflows } from './donation/registry';
import { giftsWorkflows } from './gifts/registry';
import { intakeWorkflows } from './intake/registry';
import { onestopWorkflows } from './onestop/registry';
import { reportsWorkflows } from './reports/registry';
import { retentionWorkflows } from './retention/registry';
import { shippingWorkflows } from './shipping/registry';

/** Walked by the worker, the dev launcher and the test stacks (worker/prepare-namespace.ts). */
export const WORKFLOW_FEATURES: Readonly<Record<Feature, WorkflowFeature>> = {
  donation: donationWorkflows,
  intake: intakeWorkflows,
  documents: documentsWorkflows,
  shipping: shippingWorkflows,
  gifts: giftsWorkflows,
  onestop: onestopWorkflows,
  billing: billingWorkflows,
  reports: reportsWorkflows,
  callcentre: NO_WORKFLOWS,
  subcontractors: NO_WORKFLOWS,
  listings: NO_WORKFLOWS,
  retention: retentionWorkflows,
  console: NO_WORKFLOWS,
};

/** Every schedule of the system, in feature order. */
export const SCHEDULES: readonly ScheduleDefinition[] = FEATURES.flatMap((f) => WORKFLOW_FEATURES[f].schedules);

/** Every custom search attribute, name → type (a name declared twice with two types throws at load). */
export const SEARCH_ATTRIBUTE_TYPES: Readonly<Record<string, SearchAttributeType>> = FEATURES.reduce<Record<string, SearchAttributeType>>((all, f) => {
  for (const [name, type] of Object.entries(WORKFLOW_FEATURES[f].searchAttributes)) {
    if (all[name] && all[name] !== type) throw new Error(`Search attribute ${name} is declared as ${all[name]} and as ${type}`);
    all[name] = type;
  }
  return all;
}, {});
