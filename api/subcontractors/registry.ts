// The subcontractors feature's routes (api/server.ts walks every feature's registry).
import type { ApiFeature } from '../feature';
import { registerSubcontractorRoutes } from './routes';

export const subcontractorsApi: ApiFeature = registerSubcontractorRoutes;
