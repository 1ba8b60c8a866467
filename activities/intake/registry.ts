// The intake feature's activities (activities/index.ts walks every feature's registry).
import type { ActivityFeature } from '../feature';
import { createIntakeActivities } from './intake';

export const intakeActivities = ((deps) => createIntakeActivities({ orm: deps.orm, temporal: deps.temporal, startImportedDonation: deps.workflows.startImportedDonation, intake: deps.intake })) satisfies ActivityFeature;
