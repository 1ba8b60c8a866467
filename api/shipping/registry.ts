// The shipping feature's routes (api/server.ts walks every feature's registry).
import type { ApiFeature } from '../feature';
import { registerShipmentRoutes } from './shipments';

export const shippingApi: ApiFeature = registerShipmentRoutes;
