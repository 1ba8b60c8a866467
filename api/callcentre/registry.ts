// The callcentre feature's routes (api/server.ts walks every feature's registry).
import type { ApiFeature } from '../feature';
import { registerCallCentreRoutes } from './callcentre';

export const callcentreApi: ApiFeature = registerCallCentreRoutes;
