// The gifts feature's activities (activities/index.ts walks every feature's registry).
import type { ActivityFeature } from '../feature';
import { createRecruitmentReportActivities } from './recruitment-report';

/** GIFT-6: the recruitment report goes to the address the city's reports go to (REPORT_CITY_EMAIL). */
export const giftsActivities = ((deps, { sendMail }) => createRecruitmentReportActivities({ orm: deps.orm, sendMail, cityEmail: deps.reports.cityEmail })) satisfies ActivityFeature;
