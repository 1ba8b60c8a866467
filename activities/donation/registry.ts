// The donation feature's activities (activities/index.ts walks every feature's registry).
import type { ActivityFeature } from '../feature';
import { createLedgerActivities } from './ledger';

export const donationActivities = ((deps) => createLedgerActivities(deps)) satisfies ActivityFeature;
