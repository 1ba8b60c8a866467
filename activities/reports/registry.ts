// The reports feature's activities (activities/index.ts walks every feature's registry).
import type { ActivityFeature } from '../feature';
import { createReportActivities } from './reports';

export const reportsActivities = ((deps, { sendMail }) => createReportActivities({ orm: deps.orm, temporal: deps.temporal, sendMail, reports: deps.reports })) satisfies ActivityFeature;
