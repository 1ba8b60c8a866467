/** Catalogue vocabulary (GIFT-1…5, SHIP-2, SHIP-8), matching the check constraints of Migration20261126500000_gifts_shipping. */

export const APPROVAL_STATUSES = ['proposed', 'approved', 'rejected'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

export const TEMPERATURES = ['ambient', 'chilled', 'frozen'] as const;
/** 常温 / 冷蔵 / 冷凍: decides the carrier service and the supplier's packing. */
export type Temperature = (typeof TEMPERATURES)[number];

/** The carrier systems a gift or supplier can be handed to (SHIP-3), declared once in domain/carriers/catalogue. */
export { CARRIER_CODES, type CarrierCode } from '../carriers/catalogue';

/** 定期便: at most 24 deliveries, at most a year apart (the schema's limits). */
export const MAX_DELIVERIES = 24;
export const MAX_DELIVERY_INTERVAL_DAYS = 366;

/**
 * When and how a gift can ship, kept in `gifts.delivery_constraints` (jsonb).
 * `shipMonths` is what ShipmentWorkflow reads (e.g. あまおう: [1,2,3,4]).
 */
export interface DeliveryConstraints {
  /** Months (1–12) in which the gift can ship at all; absent or empty = any month. */
  shipMonths?: number[];
  /** Days the supplier needs between the order and the shipment. */
  leadTimeDays?: number;
  /** Free text for the supplier and the operators, e.g. 「お届け日指定不可」. */
  note?: string;
}

/**
 * How a stock movement changes the numbers; `delta` is always in units of stock:
 * total_set: change of gifts.total_stock (null counts as 0);
 * allocated: change of a portal's allocation (null counts as 0);
 * sale: −quantity sold on a portal; sale_released: +quantity given back by a cancellation;
 * moved: +quantity moved from portal_code (null = the unallocated pool) to to_portal_code.
 */
export const STOCK_MOVEMENT_KINDS = ['total_set', 'allocated', 'sale', 'sale_released', 'moved'] as const;
export type StockMovementKind = (typeof STOCK_MOVEMENT_KINDS)[number];

export const STOCK_ALERT_KINDS = ['low', 'sold_out', 'oversold'] as const;
export type StockAlertKind = (typeof STOCK_ALERT_KINDS)[number];

/** ISO weekdays: 1 = Monday … 7 = Sunday. */
export const ISO_WEEKDAYS = [1, 2, 3, 4, 5, 6, 7] as const;

export const isOneOf = <T extends string>(values: readonly T[], value: unknown): value is T => typeof value === 'string' && (values as readonly string[]).includes(value);
