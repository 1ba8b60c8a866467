// The donation feature's activities (activities/index.ts walks every feature's registry).
import type { ActivityFeature } from '../feature';
import { createCancellationMailActivities } from './cancellation-mail';
import { createLedgerActivities } from './ledger';

export const donationActivities = ((deps, { sendMail }) => ({
  ...createLedgerActivities(deps),
  // CALL-5: the city is told of a cancellation after the receipt at the address its reports go to.
  ...createCancellationMailActivities({ orm: deps.orm, sendMail, cityEmail: deps.reports.cityEmail }),
})) satisfies ActivityFeature;
