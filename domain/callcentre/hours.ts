import { jstDate } from '../jst';
import { holidayName, isClosedDay } from '../intake/business-days';

export interface ClockTime {
  hour: number;
  minute: number;
}

export interface CallCentreHoursConfig {
  /** CALL-1: ordinary desk hours in Japan (CALL_HOURS, default 09:00-17:00). */
  hours: { from: ClockTime; to: ClockTime };
  /** Extended hours in the year-end period (CALL_YEAR_END_HOURS, default 09:00-19:00). */
  yearEndHours: { from: ClockTime; to: ClockTime };
  /** First day (December) of the year-end period, which runs to Dec 31 (CALL_YEAR_END_FROM, default 12-20). */
  yearEndFrom: { month: number; day: number };
}

export interface DeskDay {
  date: string;
  open: boolean;
  /** "09:00" – "17:00" Japan time, or null when closed. */
  hours: { from: string; to: string } | null;
  yearEnd: boolean;
  /** Why the desk is closed (or why it is open on a day the city is closed). */
  note: string | null;
}

const hhmm = (t: ClockTime) => `${String(t.hour).padStart(2, '0')}:${String(t.minute).padStart(2, '0')}`;
const minutes = (t: ClockTime) => t.hour * 60 + t.minute;

/**
 * CALL-1: the desk answers on weekdays (the city's business days) in CALL_HOURS; from
 * CALL_YEAR_END_FROM to Dec 31 it keeps CALL_YEAR_END_HOURS instead.
 *
 * Decision: Dec 29–31 (the city's year-end break) the desk is OPEN with the year-end hours, on
 * any day of the week, because the year's last donations (deadline Dec 31) bring the most calls.
 * Jan 1–3, weekends and public holidays otherwise: closed. Saturdays, Sundays and holidays
 * inside the year-end period before Dec 29 stay closed.
 */
export function deskDay(date: string, config: CallCentreHoursConfig): DeskDay {
  const [, m, d] = date.split('-').map(Number);
  const yearEnd = m === config.yearEndFrom.month && d >= config.yearEndFrom.day;
  const hours = yearEnd ? config.yearEndHours : config.hours;
  const open = { from: hhmm(hours.from), to: hhmm(hours.to) };
  if (m === 12 && d >= 29) return { date, open: true, hours: open, yearEnd, note: 'year-end peak: open although the city is closed' };
  if (isClosedDay(date)) {
    const weekday = new Date(`${date}T00:00:00.000Z`).getUTCDay();
    const note = m === 1 && d <= 3 ? 'new-year break' : (holidayName(date) ?? (weekday === 0 || weekday === 6 ? 'weekend' : 'closed day'));
    return { date, open: false, hours: null, yearEnd, note };
  }
  return { date, open: true, hours: open, yearEnd, note: null };
}

/** Whether an instant falls in the desk's hours (Japan time); calls outside them are flagged (voicemail, FAX, email). */
export function withinHours(at: Date, config: CallCentreHoursConfig): boolean {
  const date = jstDate(at);
  const day = deskDay(date, config);
  if (!day.open) return false;
  const hours = day.yearEnd ? config.yearEndHours : config.hours;
  const jst = new Date(at.getTime() + 9 * 3_600_000);
  const t = jst.getUTCHours() * 60 + jst.getUTCMinutes();
  return t >= minutes(hours.from) && t < minutes(hours.to);
}
