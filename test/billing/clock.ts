import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { jstDate } from '../../domain/jst';

/**
 * The billing suites' November: the next one that has not begun in Japan. The time-skipping
 * server starts at the real time and only moves forward; billing deadlines are calendar
 * arithmetic (no weekdays or holidays), so every year plays out the same.
 */
export function nextNovember(): { Y0: string; Y1: string } {
  const jst = jstDate(new Date());
  const year = Number(jst.slice(0, 4));
  const y = jst < `${year}-11-01` ? year : year + 1;
  return { Y0: String(y), Y1: String(y + 1) };
}

/** The time-skipping server's clock: read it, and move it to an instant (JST given as +09:00). */
export function serverClock(env: () => TestWorkflowEnvironment) {
  async function now(): Promise<number> {
    const { time } = await env().connection.testService!.getCurrentTime({});
    return Number(time?.seconds ?? 0) * 1000 + Math.floor((time?.nanos ?? 0) / 1e6);
  }
  return {
    now,
    async advanceTo(iso: string): Promise<void> {
      const ms = Date.parse(iso) - (await now());
      if (ms > 0) await env().sleep(ms);
    },
  };
}
