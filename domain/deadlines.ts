import { addDays, jstDate, jstStartOfDay, DAY_IN_MS } from './jst';
import { holidayName } from './intake/business-days';

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

/** The year-end closure of the print runs, MM-DD to MM-DD inclusive (it may wrap the year): PRINT_YEAR_END_CLOSURE. */
export interface YearEndClosure {
  from: string;
  to: string;
}

/** The city's closure, Dec 29 – Jan 3 (the same days isClosedDay counts for the desk and the import SLA). */
export const DEFAULT_YEAR_END_CLOSURE: YearEndClosure = { from: '12-29', to: '01-03' };

const inClosure = (date: string, c: YearEndClosure) => {
  const md = date.slice(5);
  return c.from <= c.to ? md >= c.from && md <= c.to : md >= c.from || md <= c.to;
};

/**
 * DOCS-1 at the year end: the scheduled print run happens on print days only (not weekends, holidays or
 * the year-end closure) unless PRINT_ON_CLOSED_DAYS. A document whose deadline comes before the next print
 * day must therefore go in today's run: the last run before a closed stretch. These are the days and
 * instants that rule works with.
 */
export function isPrintDay(date: string, closure: YearEndClosure = DEFAULT_YEAR_END_CLOSURE): boolean {
  const weekday = new Date(`${date}T00:00:00.000Z`).getUTCDay();
  return weekday !== 0 && weekday !== 6 && holidayName(date) === undefined && !inClosure(date, closure);
}

/** The first print day after `date`. */
export function nextPrintDay(date: string, closure: YearEndClosure = DEFAULT_YEAR_END_CLOSURE): string {
  let d = addDays(date, 1);
  while (!isPrintDay(d, closure)) d = addDays(d, 1);
  return d;
}

/** The last print day on or before dueOn: the run that must take a document due then. */
export function lastPrintDay(dueOn: string, closure: YearEndClosure = DEFAULT_YEAR_END_CLOSURE): string {
  let d = dueOn;
  while (!isPrintDay(d, closure)) d = addDays(d, -1);
  return d;
}

/**
 * Documents due (documents_due_at) at or before this instant cannot wait for the run after `today`:
 * no print day lies between that run and their deadline. Today's run takes all of them, whatever its
 * envelope limit; on a closed day they make the scheduled run happen anyway (a paid-in-the-closure
 * document whose Jan 5 falls on a weekend has no open day left).
 */
export function mustPrintBy(today: string, closure: YearEndClosure = DEFAULT_YEAR_END_CLOSURE): string {
  return jstStartOfDay(nextPrintDay(today, closure)).toISOString();
}

/**
 * The at-risk list's cutoff: documents due within `days`, or whose last print day (lastPrintDay) falls
 * within `days` — a deadline in a closed stretch is at risk from the day its last run comes into the window.
 */
export function atRiskCutoff(now: Date, days: number, closure: YearEndClosure = DEFAULT_YEAR_END_CLOSURE): string {
  return mustPrintBy(jstDate(new Date(now.getTime() + days * DAY_IN_MS)), closure);
}
