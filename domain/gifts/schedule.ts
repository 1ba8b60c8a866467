import type { FieldError } from '../donor';
import { addDays, isIsoDate, jstDate } from '../jst';
import { MAX_DELIVERIES, MAX_DELIVERY_INTERVAL_DAYS } from './types';

/**
 * 定期便 (GIFT-1): the JST dates of each delivery, the first on `firstShipOn`
 * and the next ones `intervalDays` apart. A single delivery needs no interval.
 */
export function deliveryDates(firstShipOn: string, deliveries: number, intervalDays?: number | null): string[] {
  if (!isIsoDate(firstShipOn)) throw new RangeError(`not a calendar date: ${firstShipOn}`);
  if (!Number.isInteger(deliveries) || deliveries < 1 || deliveries > MAX_DELIVERIES) throw new RangeError(`deliveries must be 1–${MAX_DELIVERIES}, got ${deliveries}`);
  if (deliveries > 1 && (intervalDays == null || !Number.isInteger(intervalDays) || intervalDays < 1 || intervalDays > MAX_DELIVERY_INTERVAL_DAYS)) {
    throw new RangeError(`a 定期便 of ${deliveries} deliveries needs an interval of 1–${MAX_DELIVERY_INTERVAL_DAYS} days, got ${intervalDays}`);
  }
  return Array.from({ length: deliveries }, (_, i) => addDays(firstShipOn, i * (intervalDays ?? 0)));
}

/** SHIP-2: suppliers ship at least twice a week unless the city approved an exception. */
export const MIN_SHIPPING_DAYS_PER_WEEK = 2;

/** ISO weekday (1 = Monday … 7 = Sunday) of a JST calendar date. */
export function isoWeekday(date: string): number {
  if (!isIsoDate(date)) throw new RangeError(`not a calendar date: ${date}`);
  return new Date(`${date}T00:00:00.000Z`).getUTCDay() || 7;
}

/** Sorted, without duplicates. */
export function normalizeWeekdays(weekdays: readonly number[]): number[] {
  return [...new Set(weekdays)].sort((a, b) => a - b);
}

export function meetsTwiceAWeek(weekdays: readonly number[], exceptionApproved: boolean): boolean {
  return exceptionApproved ? normalizeWeekdays(weekdays).length >= 1 : normalizeWeekdays(weekdays).length >= MIN_SHIPPING_DAYS_PER_WEEK;
}

/**
 * The 400s for a supplier's shipping days: ISO weekdays only, and at least two
 * distinct days a week unless the city approved an exception (then at least one).
 */
export function shippingWeekdayErrors(weekdays: readonly number[], exceptionApproved: boolean, field = 'shippingWeekdays'): FieldError[] {
  if (weekdays.some((d) => !Number.isInteger(d) || d < 1 || d > 7)) return [{ field, reason: 'must be ISO weekdays, 1 (Monday) to 7 (Sunday)' }];
  const days = normalizeWeekdays(weekdays);
  if (!days.length) return [{ field, reason: 'must name at least one shipping day' }];
  if (!exceptionApproved && days.length < MIN_SHIPPING_DAYS_PER_WEEK) {
    return [{ field, reason: `must name at least ${MIN_SHIPPING_DAYS_PER_WEEK} shipping days a week (SHIP-2) unless the city approves an exception` }];
  }
  return [];
}

/**
 * The first day on or after `from` (a JST date, or an instant read as its
 * Japanese date) on which the supplier ships. Public holidays are not skipped:
 * the supplier's weekdays are what it agreed to.
 */
export function nextShippingDay(weekdays: readonly number[], from: string | Date): string {
  const days = normalizeWeekdays(weekdays).filter((d) => d >= 1 && d <= 7);
  if (!days.length) throw new RangeError('the supplier has no shipping days');
  let date = from instanceof Date ? jstDate(from) : from;
  if (!isIsoDate(date)) throw new RangeError(`not a calendar date: ${date}`);
  for (let i = 0; i < 7; i++) {
    if (days.includes(isoWeekday(date))) return date;
    date = addDays(date, 1);
  }
  throw new Error('unreachable: a week always contains a shipping day');
}
