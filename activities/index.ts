import { FEATURES, type Feature } from '../domain/features';
import { createCalendarActivities } from './calendar/calendar';
import { noActivities, type ActivityDeps, type ActivityFeature } from './feature';
import { createMailActivities } from './mail/send-mail';
import { billingActivities } from './billing/registry';
import { documentsActivities } from './documents/registry';
import { donationActivities } from './donation/registry';
import { giftsActivities } from './gifts/registry';
import { intakeActivities } from './intake/registry';
import { onestopActivities } from './onestop/registry';
import { reportsActivities } from './reports/registry';
import { retentionActivities } from './retention/registry';
import { shippingActivities } from './shipping/registry';

export type { ActivityDeps, SharedActivities } from './feature';

/** Every feature's activity factory, walked by createActivities. */
export const ACTIVITY_FEATURES = {
  donation: donationActivities,
  intake: intakeActivities,
  documents: documentsActivities,
  shipping: shippingActivities,
  gifts: giftsActivities,
  onestop: onestopActivities,
  billing: billingActivities,
  reports: reportsActivities,
  callcentre: noActivities,
  subcontractors: noActivities,
  listings: noActivities,
  retention: retentionActivities,
  console: noActivities,
} satisfies Record<Feature, ActivityFeature>;

type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;
type FeatureActivities = UnionToIntersection<ReturnType<(typeof ACTIVITY_FEATURES)[Feature]>>;

/**
 * All activities the worker registers, built from their dependencies (samples' dependency-injection
 * pattern): the shared mail and calendar activities, then each feature's. Two features naming an
 * activity alike would make one silently replace the other, so that throws.
 */
export function createActivities(deps: ActivityDeps) {
  const mail = createMailActivities({ orm: deps.orm, mailer: deps.mailer, config: { mail: deps.mailConfig } });
  const all: Record<string, unknown> = { ...mail, ...createCalendarActivities() };
  for (const feature of FEATURES) {
    for (const [name, fn] of Object.entries(ACTIVITY_FEATURES[feature](deps, { sendMail: mail.sendMail }))) {
      if (name in all) throw new Error(`Activity ${name} of feature ${feature} is already registered`);
      all[name] = fn;
    }
  }
  return all as typeof mail & ReturnType<typeof createCalendarActivities> & FeatureActivities;
}

export type Activities = ReturnType<typeof createActivities>;
