import type { FieldError } from '../donor';
import { isIsoDate } from '../jst';
import { CARRIER_CODES_MESSAGE } from '../carriers/catalogue';
import { CARRIER_CODES, MAX_DELIVERIES, MAX_DELIVERY_INTERVAL_DAYS, TEMPERATURES, isOneOf, type DeliveryConstraints } from './types';

/** A gift's catalogue fields as they will be after a proposal or change (GIFT-1, GIFT-5). */
export interface GiftFields {
  name: string;
  priceYen: number;
  costYen: number;
  shippingCostYen: number;
  temperature: string;
  deliveries: number;
  deliveryIntervalDays: number | null;
  acceptFrom: string | null;
  acceptUntil: string | null;
  carrier: string | null;
  deliveryConstraints: DeliveryConstraints;
  lowStockThreshold: number;
}

const int = (v: unknown) => typeof v === 'number' && Number.isInteger(v);

/** The rules a JSON schema cannot say (combinations of fields), each as a 400 naming the field. */
export function giftFieldErrors(g: GiftFields): FieldError[] {
  const errors: FieldError[] = [];
  if (!g.name?.trim()) errors.push({ field: 'name', reason: 'is required' });
  if (!int(g.priceYen) || g.priceYen <= 0) errors.push({ field: 'priceYen', reason: 'must be a positive whole number of yen' });
  if (!int(g.costYen) || g.costYen < 0) errors.push({ field: 'costYen', reason: 'must be a whole number of yen, 0 or more' });
  if (!int(g.shippingCostYen) || g.shippingCostYen < 0) errors.push({ field: 'shippingCostYen', reason: 'must be a whole number of yen, 0 or more' });
  if (!isOneOf(TEMPERATURES, g.temperature)) errors.push({ field: 'temperature', reason: `must be one of ${TEMPERATURES.join(', ')}` });
  if (g.carrier !== null && !isOneOf(CARRIER_CODES, g.carrier)) errors.push({ field: 'carrier', reason: CARRIER_CODES_MESSAGE });
  if (!int(g.deliveries) || g.deliveries < 1 || g.deliveries > MAX_DELIVERIES) errors.push({ field: 'deliveries', reason: `must be 1–${MAX_DELIVERIES}` });
  if (g.deliveryIntervalDays !== null && (!int(g.deliveryIntervalDays) || g.deliveryIntervalDays < 1 || g.deliveryIntervalDays > MAX_DELIVERY_INTERVAL_DAYS)) {
    errors.push({ field: 'deliveryIntervalDays', reason: `must be 1–${MAX_DELIVERY_INTERVAL_DAYS} days` });
  } else if (g.deliveries > 1 && g.deliveryIntervalDays === null) {
    errors.push({ field: 'deliveryIntervalDays', reason: 'is required for a 定期便 (more than one delivery)' });
  }
  for (const key of ['acceptFrom', 'acceptUntil'] as const) {
    if (g[key] !== null && !isIsoDate(g[key] as string)) errors.push({ field: key, reason: 'must be a date (YYYY-MM-DD)' });
  }
  if (g.acceptFrom && g.acceptUntil && isIsoDate(g.acceptFrom) && isIsoDate(g.acceptUntil) && g.acceptFrom > g.acceptUntil) {
    errors.push({ field: 'acceptUntil', reason: `must not be before acceptFrom (${g.acceptFrom})` });
  }
  const c = g.deliveryConstraints ?? {};
  if (c.shipMonths !== undefined && (!Array.isArray(c.shipMonths) || c.shipMonths.some((m) => !int(m) || m < 1 || m > 12))) {
    errors.push({ field: 'deliveryConstraints.shipMonths', reason: 'must be months 1–12' });
  }
  if (c.leadTimeDays !== undefined && (!int(c.leadTimeDays) || c.leadTimeDays < 0)) errors.push({ field: 'deliveryConstraints.leadTimeDays', reason: 'must be 0 or more days' });
  if (!int(g.lowStockThreshold) || g.lowStockThreshold < 0) errors.push({ field: 'lowStockThreshold', reason: 'must be 0 or more' });
  return errors;
}
