// The billing feature's activities (activities/index.ts walks every feature's registry).
import type { ActivityFeature } from '../feature';
import { createBillingActivities } from './billing';

export const billingActivities = ((deps) =>
  createBillingActivities({ orm: deps.orm, mailer: deps.mailer, mailConfig: deps.mailConfig, billing: deps.billing, renderer: deps.documents.renderer, workDir: deps.documents.workDir })) satisfies ActivityFeature;
