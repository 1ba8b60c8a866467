// The documents feature's routes (api/server.ts walks every feature's registry).
import type { ApiFeature } from '../feature';
import { registerDocumentRoutes } from './documents';

export const documentsApi: ApiFeature = registerDocumentRoutes;
