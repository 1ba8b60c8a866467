// The shipping feature's activities (activities/index.ts walks every feature's registry).
import type { ActivityFeature } from '../feature';
import { createShippingActivities } from './shipping';

export const shippingActivities = ((deps, { sendMail }) => createShippingActivities({ orm: deps.orm, temporal: deps.temporal, shipping: deps.shipping, sendMail })) satisfies ActivityFeature;
