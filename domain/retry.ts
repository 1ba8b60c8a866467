/**
 * Runs `attempt` until it succeeds, logging one line per failure and waiting
 * a little longer each time (1 s doubling to 30 s). A deployment's processes
 * start in any order and outlive restarts of PostgreSQL and Temporal: waiting
 * here replaces a crash, a stack trace and the orchestrator's restart loop.
 * Errors that waiting cannot fix (`isFatal`) are thrown at once.
 */
export async function untilReachable<T>(
  what: string,
  attempt: () => Promise<T>,
  opts: { log: (line: string) => void; isFatal?: (err: unknown) => boolean; sleep?: (ms: number) => Promise<void> },
): Promise<T> {
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let n = 0; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      if (opts.isFatal?.(err)) throw err;
      const waitMs = Math.min(30_000, 1_000 * 2 ** Math.min(n, 5));
      opts.log(`${what} not reachable (${describeError(err)}); trying again in ${waitMs / 1000} s`);
      await sleep(waitMs);
    }
  }
}

/** One line, no stack: what an operator reading the log needs. */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  const first = err.message.split('\n')[0];
  return code !== undefined && !first.includes(String(code)) ? `${first} [${code}]` : first;
}
