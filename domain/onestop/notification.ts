import { addDays, jstDate } from '../jst';

/**
 * ONESTOP-4: the yearly 申告特例通知書 delivery — dates, file names and the
 * manifest. Pure and deterministic: the workflows import it.
 */

/** 柳川市's own 団体コード: the sender of every notice. */
export const SENDER_CODE = '402079';

export interface MonthDay {
  month: number;
  day: number;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** The city's delivery date for a donation year: MM-DD of the following year. */
export function notificationDueOn(donationYear: number, date: MonthDay): string {
  return `${donationYear + 1}-${pad(date.month)}-${pad(date.day)}`;
}

/**
 * The donation year whose notices are due next, seen from an instant: the
 * first delivery date on or after that day (JST), minus one year. Used by the
 * reminder, which may fire in the December before the date.
 */
export function donationYearDueNext(now: Date, date: MonthDay): number {
  const today = jstDate(now);
  const year = Number(today.slice(0, 4));
  return (notificationDueOn(year - 1, date) >= today ? year : year + 1) - 1;
}

/**
 * The donation year of a scheduled delivery: the delivery date lies in
 * January–March (config), so it is the year before the one it runs in (JST).
 * A run caught up a day late still delivers the right year.
 */
export function donationYearOfDelivery(now: Date): number {
  return Number(jstDate(now).slice(0, 4)) - 1;
}

/** Whole days from one calendar date to another. */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/**
 * The reminder's month and day: `days` before the delivery date, counted in a
 * common year (so a reminder across February 29 comes one day early in a leap
 * year — a schedule has one fixed calendar date).
 */
export function reminderMonthDay(date: MonthDay, days: number): MonthDay {
  const d = addDays(`2027-${pad(date.month)}-${pad(date.day)}`, -days);
  return { month: Number(d.slice(5, 7)), day: Number(d.slice(8, 10)) };
}

/** One file per receiving municipality: eLTAX sends to each 団体 separately, and each file is that 団体's business only. */
export function notificationFileName(donationYear: number, recipientCode: string): string {
  return `onestop-${donationYear}-${recipientCode}.txt`;
}

export const NOTIFICATION_FILE_RE = /^onestop-(\d{4})-(\d{6})\.txt$/;
export const MANIFEST_FILE = 'manifest.csv';

/** 整理番号 of an application in a year's notices; stable across re-runs. */
export function referenceNumber(donationYear: number, serial: number): string {
  return `${donationYear}-${pad(serial, 6)}`;
}

export interface ManifestRow {
  code: string;
  name: string;
  count: number;
  totalYen: number;
  file: string;
  sha256: string;
}

const csvCell = (v: string | number) => (/[",\r\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));

/**
 * manifest.csv, written last: one row per file (UTF-8 with BOM, CRLF, like the
 * print manifest). No names of donors — only municipalities, counts and sums.
 */
export function manifestCsv(rows: ManifestRow[]): Buffer {
  const lines = [
    ['団体コード', '団体名', '件数', '寄附金額合計', 'ファイル名', 'sha256'],
    ...rows.map((r) => [r.code, r.name, r.count, r.totalYen, r.file, r.sha256]),
  ].map((cells) => cells.map(csvCell).join(','));
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8')]);
}

/** REC-1: the fields of an application (and of its history rows) that name or locate a person. */
export const PERSONAL_FIELDS = ['name', 'nameKana', 'address', 'postalCode', 'phone', 'email', 'birthDate', 'gender'] as const;
export const PURGED = '(REC-1 削除済)';

/** A copy with every personal field (`fields`, by default the application's) replaced (at any depth); everything else — dates, amounts, checkboxes, document kinds — kept. */
export function purgePersonalData<T>(value: T, fields: readonly string[] = PERSONAL_FIELDS): T {
  if (Array.isArray(value)) return value.map((v) => purgePersonalData(v, fields)) as T;
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, fields.includes(k) && v !== null && v !== undefined ? PURGED : purgePersonalData(v, fields)]),
  ) as T;
}
