/**
 * Japan Standard Time helpers. JST has had no daylight saving since 1951, so a
 * fixed +09:00 offset is exact and keeps this module free of time-zone data,
 * which matters because workflow code imports it too.
 */
const JST_OFFSET_MS = 9 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Calendar date in Japan (YYYY-MM-DD) of an instant. */
export function jstDate(instant: Date): string {
  return new Date(instant.getTime() + JST_OFFSET_MS).toISOString().slice(0, 10);
}

/** The instant at which a Japanese calendar date begins (00:00 JST). */
export function jstStartOfDay(date: string): Date {
  assertIsoDate(date);
  return new Date(Date.parse(`${date}T00:00:00.000Z`) - JST_OFFSET_MS);
}

export function addDays(date: string, days: number): string {
  assertIsoDate(date);
  return new Date(Date.parse(`${date}T00:00:00.000Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

export function isIsoDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const parsed = new Date(`${value}T00:00:00.000Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === value;
}

function assertIsoDate(value: string): void {
  if (!isIsoDate(value)) throw new RangeError(`not a calendar date: ${value}`);
}

export const DAY_IN_MS = DAY_MS;
