// Client-side: the donation feature's registry (workflows/features.ts walks it). Not part of the workflow bundle.
import type { WorkflowFeature } from '../feature';
import { DONATION_SEARCH_ATTRIBUTE_TYPES } from '../../domain/search-attributes';

export const donationWorkflows: WorkflowFeature = { schedules: [], searchAttributes: DONATION_SEARCH_ATTRIBUTE_TYPES };
