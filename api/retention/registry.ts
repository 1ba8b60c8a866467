// The retention feature's routes (api/server.ts walks every feature's registry).
import type { ApiFeature } from '../feature';
import { registerRetentionRoutes } from './retention';

export const retentionApi: ApiFeature = (app, deps) => registerRetentionRoutes(app, deps);
