import { isClosedDay } from '../intake/business-days';
import { addDays, jstStartOfDay } from '../jst';

/**
 * 申告特例申請書 (and 変更届出書) are due on January 10 of the year after the
 * donation (地方税法附則第7条). 地方税法第20条の5第2項 moves a deadline that falls on
 * a 民法第142条 holiday or a day fixed by 政令 to the following day. Our reading:
 * - 民法第142条 holidays: Sundays, 国民の祝日に関する法律 holidays (incl. 振替休日,
 *   国民の休日) and customary closing days (年始 Jan 1–3);
 * - 地方税法施行令第6条の18 adds Saturdays and Dec 29–31.
 * That is exactly the city's closed-day calendar (isClosedDay: weekends,
 * national holidays, Dec 29 – Jan 3), so we reuse it and keep moving until an
 * open day — Jan 10 itself is often 成人の日 or a weekend (2026 → Jan 13).
 */
export function oneStopDeadline(donationYear: number): string {
  let day = `${donationYear + 1}-01-10`;
  while (isClosedDay(day)) day = addDays(day, 1);
  return day;
}

/** 必着: an application is in time when it arrives (書類到着日, JST) on or before the deadline day. */
export function arrivedInTime(arrivedOn: string, deadline: string): boolean {
  return arrivedOn <= deadline;
}

/** The instant the deadline day ends in Japan: when timers stop waiting for corrections. */
export function deadlineEndsAt(deadline: string): Date {
  return jstStartOfDay(addDays(deadline, 1));
}

/** Whole days from today (JST) to the deadline day; 0 on the day itself, negative after it. */
export function daysUntil(today: string, deadline: string): number {
  return Math.round((Date.parse(`${deadline}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000);
}
