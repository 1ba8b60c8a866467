import { addDays, isIsoDate, jstStartOfDay } from '../jst';

/**
 * Report months (月次業務報告書): 'YYYY-MM' in Japan time. Pure and free of time-zone data,
 * so workflow code uses it too.
 */
export function isReportMonth(value: string): boolean {
  return /^\d{4}-(0[1-9]|1[0-2])$/.test(value) && Number(value.slice(0, 4)) >= 2019;
}

export function assertReportMonth(value: string): void {
  if (!isReportMonth(value)) throw new RangeError(`not a report month (YYYY-MM from 2019): ${value}`);
}

/** First and last JST calendar day of the month. */
export function monthDays(month: string): { from: string; to: string } {
  assertReportMonth(month);
  const from = `${month}-01`;
  return { from, to: addDays(`${nextMonth(month)}-01`, -1) };
}

export function nextMonth(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

export function previousMonth(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
}

/** The same month a year earlier (前年同月). */
export function sameMonthLastYear(month: string): string {
  return `${Number(month.slice(0, 4)) - 1}${month.slice(4)}`;
}

/** The month a JST date (YYYY-MM-DD) lies in. */
export function monthOf(jstDate: string): string {
  if (!isIsoDate(jstDate)) throw new RangeError(`not a calendar date: ${jstDate}`);
  return jstDate.slice(0, 7);
}

/** The instants [start, end) of the month in Japan. */
export function monthRange(month: string): { start: Date; end: Date } {
  assertReportMonth(month);
  return { start: jstStartOfDay(`${month}-01`), end: jstStartOfDay(`${nextMonth(month)}-01`) };
}

/** REPORT-1: a month's report is due by the end (JST) of `dueDay` of the next month. */
export function reportDueOn(month: string, dueDay: number): string {
  return `${nextMonth(month)}-${String(dueDay).padStart(2, '0')}`;
}

export function reportDueAt(month: string, dueDay: number): Date {
  return jstStartOfDay(addDays(reportDueOn(month, dueDay), 1));
}

/** A month that has ended (in Japan) by `today` (JST date): only those can be reported. */
export function isPastMonth(month: string, today: string): boolean {
  return month < today.slice(0, 7);
}

/** `report-2026-11`: one workflow id per month, so a month never builds twice at once. */
export function monthlyReportWorkflowId(month: string): string {
  return `report-${month}`;
}

/** 2026年11月 */
export function monthLabel(month: string): string {
  const [y, m] = month.split('-').map(Number);
  return `${y}年${m}月`;
}
