import type { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';

/** The time-skipping server's clock. */
export async function serverNow(connection: Connection): Promise<Date> {
  const { time } = await connection.testService!.getCurrentTime({});
  return new Date(Number(time?.seconds ?? 0) * 1000 + Math.floor((time?.nanos ?? 0) / 1e6));
}

/**
 * Moves the server's clock to `at` (never back): every timer due on the way fires, in order, as the
 * workers keep up. The test server skips only while nobody holds its time lock (workflow and
 * activity tasks in flight hold it, and the sleep call releases the caller's): the clock is
 * watched rather than the sleep call's answer, which the server may send long after its clock has
 * arrived. Returns the milliseconds of real time the clock merely walked (a lock held): a step
 * that walks for long points at a lock nobody releases (see the import step in run.ts).
 */
export async function advanceTo(connection: Connection, at: Date): Promise<number> {
  const target = at.getTime();
  let now = (await serverNow(connection)).getTime();
  if (target <= now) return 0;
  void connection.testService!.unlockTimeSkippingWithSleep({ duration: msToTs(target - now) }).catch(() => undefined);
  const t0 = Date.now();
  let walked = 0;
  for (;;) {
    const before = now;
    const t = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 20));
    now = (await serverNow(connection)).getTime();
    if (now >= target) return walked;
    // Moving no faster than real time: the clock walks.
    if (now - before <= (Date.now() - t) * 2 && Date.now() - t0 > 1_000) walked += Date.now() - t;
  }
}

/** `day` (YYYY-MM-DD) at `hh:mm` in Japan. */
export const jstAt = (day: string, hour: number, minute = 0): Date => new Date(`${day}T${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00+09:00`);

/** The first year whose December 1 (JST) is still ahead of the server's clock: a season can only be rehearsed forward. */
export function seasonYear(now: Date): number {
  let y = Number(new Date(now.getTime() + 9 * 3_600_000).toISOString().slice(0, 4));
  while (jstAt(`${y}-12-01`, 0).getTime() <= now.getTime()) y += 1;
  return y;
}
