// The onestop feature's routes (api/server.ts walks every feature's registry).
import type { ApiFeature } from '../feature';
import { registerOneStopRoutes } from './onestop';

export const onestopApi: ApiFeature = registerOneStopRoutes;
