import holidayJp from '@holiday-jp/holiday_jp';
import { addDays, jstDate, jstStartOfDay } from '../jst';

/**
 * PORTAL-1: a portal donation must be in the ledger by the next business day
 * after its application. The city is closed on Saturdays, Sundays, national
 * holidays (祝日, 振替休日, 国民の休日 — from @holiday-jp/holiday_jp, a
 * maintained dataset; update the package when the Cabinet Office announces
 * changes) and the year-end break Dec 29 – Jan 3.
 */
export function isClosedDay(date: string): boolean {
  const [, m, d] = date.split('-').map(Number);
  if ((m === 12 && d >= 29) || (m === 1 && d <= 3)) return true;
  const weekday = new Date(`${date}T00:00:00.000Z`).getUTCDay();
  if (weekday === 0 || weekday === 6) return true;
  return holidayName(date) !== undefined;
}

// Looked up by calendar date: the package's isHoliday() reads the machine's local time zone.
const HOLIDAYS = holidayJp.holidays as Record<string, { name: string } | undefined>;

export function holidayName(date: string): string | undefined {
  return HOLIDAYS[date]?.name;
}

export function nextBusinessDay(date: string): string {
  let d = addDays(date, 1);
  while (isClosedDay(d)) d = addDays(d, 1);
  return d;
}

export interface ImportSla {
  /** JST date by which the donation had to be in the ledger. */
  dueOn: string;
  /** The end of dueOn in Japan. */
  dueBy: string;
  late: boolean;
}

export function importSla(appliedAt: Date, importedAt: Date): ImportSla {
  const dueOn = nextBusinessDay(jstDate(appliedAt));
  const dueBy = jstStartOfDay(addDays(dueOn, 1));
  return { dueOn, dueBy: dueBy.toISOString(), late: importedAt.getTime() >= dueBy.getTime() };
}
