import { CARRIER_CODES, isCarrierCode, type CarrierCode } from '../carriers/catalogue';

/** Shipment vocabulary shared by the ShipmentWorkflow, its activities, the ledger and the API. */
export const SHIPMENT_STATUSES = ['planned', 'awaiting_order', 'ordered', 'shipped', 'delivered', 'trouble', 'escalated', 'cancelled', 'closed'] as const;
export type ShipmentStatus = (typeof SHIPMENT_STATUSES)[number];

/** The carriers, declared once in domain/carriers/catalogue. */
export const CARRIERS = CARRIER_CODES;
export type Carrier = CarrierCode;

/** SHIP-5: what can go wrong on the way. */
export const TROUBLE_KINDS = ['delay', 'damage', 'loss'] as const;
export type TroubleKind = (typeof TROUBLE_KINDS)[number];

/** How a gift line is fulfilled: by us through a supplier, by the portal itself, or not at all. */
export type Fulfilment = 'ship' | 'portal_ships' | 'no_gift_resident' | 'closed';

/** Statuses after which nothing more happens to a shipment unless someone reports trouble. */
export const SETTLED_SHIPMENT_STATUSES: readonly ShipmentStatus[] = ['delivered', 'cancelled', 'closed'];

export const isCarrier = isCarrierCode;
export const isTroubleKind = (value: string): value is TroubleKind => (TROUBLE_KINDS as readonly string[]).includes(value);
