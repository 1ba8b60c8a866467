import { addDays, jstDate, jstStartOfDay, DAY_IN_MS } from './jst';

/**
 * DOCS-1: the thank-you letter and 寄附金受領証明書 go out within two weeks of
 * payment; payments received Dec 29-31 must be mailed by Jan 5 so donors have
 * the receipt in time for their tax return.
 */
export interface DocumentsDeadline {
  /** Japanese calendar date (YYYY-MM-DD) on which the documents must be posted at the latest. */
  dueOn: string;
  /** The instant the deadline passes: the end of dueOn in JST. */
  dueAt: string;
  rule: 'two-weeks' | 'year-end';
}

export const DOCUMENTS_WITHIN_DAYS = 14;

export function documentsDeadline(paidAt: Date): DocumentsDeadline {
  const paidOn = jstDate(paidAt);
  const [year, month, day] = paidOn.split('-').map(Number);
  const yearEnd = month === 12 && day >= 29;
  const dueOn = yearEnd ? `${year + 1}-01-05` : addDays(paidOn, DOCUMENTS_WITHIN_DAYS);
  return { dueOn, dueAt: jstStartOfDay(addDays(dueOn, 1)).toISOString(), rule: yearEnd ? 'year-end' : 'two-weeks' };
}

/** When the "deadline is close" reminder fires. Never before the payment itself. */
export function reminderAt(deadline: DocumentsDeadline, leadDays: number, paidAt: Date): string {
  const at = Date.parse(deadline.dueAt) - leadDays * DAY_IN_MS;
  return new Date(Math.max(at, paidAt.getTime())).toISOString();
}
