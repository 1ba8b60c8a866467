// The retention feature's activities (activities/index.ts walks every feature's registry).
import type { ActivityFeature } from '../feature';
import { createRetentionActivities } from './retention';

export const retentionActivities = ((deps) =>
  createRetentionActivities({ orm: deps.orm, folders: () => ({ print: deps.documents.workDir, carriers: deps.shipping.carrierDir, reports: deps.reports.dir }) })) satisfies ActivityFeature;
