// The documents feature's activities (activities/index.ts walks every feature's registry).
import type { ActivityFeature } from '../feature';
import { createDocumentActivities } from './print-batch';

export const documentsActivities = ((deps) => createDocumentActivities({ orm: deps.orm, temporal: deps.temporal, ...deps.documents })) satisfies ActivityFeature;
