import { addDays, jstDate, jstStartOfDay } from '../jst';

/**
 * Billing months and their deadlines, in Japan time. Pure and free of time-zone
 * data (JST is a fixed +09:00), so workflow code imports it too.
 */

/** A billing month, YYYY-MM. */
export type BillingMonth = string;

export function isBillingMonth(value: unknown): value is BillingMonth {
  return typeof value === 'string' && /^\d{4}-(0[1-9]|1[0-2])$/.test(value);
}

function parts(month: BillingMonth): [number, number] {
  if (!isBillingMonth(month)) throw new RangeError(`not a billing month (YYYY-MM): ${month}`);
  return [Number(month.slice(0, 4)), Number(month.slice(5, 7))];
}

const fmt = (y: number, m: number) => `${y}-${String(m).padStart(2, '0')}`;

export function nextMonth(month: BillingMonth): BillingMonth {
  const [y, m] = parts(month);
  return m === 12 ? fmt(y + 1, 1) : fmt(y, m + 1);
}

export function previousMonth(month: BillingMonth): BillingMonth {
  const [y, m] = parts(month);
  return m === 1 ? fmt(y - 1, 12) : fmt(y, m - 1);
}

/** The month a JST date (YYYY-MM-DD) falls in. */
export const monthOf = (jstDate: string): BillingMonth => jstDate.slice(0, 7);

/** The month a scheduled billing run at `instant` bills: the one before it, in Japan time. */
export const monthBefore = (instant: Date): BillingMonth => previousMonth(monthOf(jstDate(instant)));

/** YYYY-MM-01: how the ledger stores a month (promotion_campaigns.billed_month, billing_runs.month). */
export function firstDay(month: BillingMonth): string {
  parts(month);
  return `${month}-01`;
}

export function lastDay(month: BillingMonth): string {
  return addDays(firstDay(nextMonth(month)), -1);
}

/** The instant the month ends: 00:00 JST on the 1st of the next month. */
export const monthEndsAt = (month: BillingMonth): Date => jstStartOfDay(firstDay(nextMonth(month)));

/** BILL-3: the day of the following month by which the invoice is due (YYYY-MM-DD). */
export const invoiceDueOn = (month: BillingMonth, day: number): string => `${nextMonth(month)}-${String(day).padStart(2, '0')}`;

/** The 会計年度 (April–March) a month belongs to: its first month. */
export function fiscalYearStart(month: BillingMonth): BillingMonth {
  const [y, m] = parts(month);
  return fmt(m >= 4 ? y : y - 1, 4);
}

/** An instant at HH:MM Japan time on a JST date. */
export function atJst(date: string, hour: number, minute = 0): Date {
  return new Date(jstStartOfDay(date).getTime() + (hour * 60 + minute) * 60_000);
}

/** billing-2026-11, or billing-2026-11/<label> for a run limited to some suppliers (a partial run, a test). */
export function billingRunId(month: BillingMonth, scopeLabel?: string | null): string {
  parts(month);
  return scopeLabel ? `billing-${month}/${scopeLabel}` : `billing-${month}`;
}
