import { Connection } from '@temporalio/client';
import { SearchAttributeConflictError } from '../../workflows/namespace';

/** A call bounded by the attempt's deadline. */
export type Bounded = <T>(fn: () => Promise<T>) => Promise<T>;

/** A starting frontend to wait for: where, until when, and how to tell that its process has gone. */
export interface StartingServer {
  address: string;
  deadline: number;
  hasExited: () => boolean;
}

/**
 * Polls a Temporal frontend that is starting until `check` succeeds on it, the process exits, or
 * the deadline passes (then the last error is thrown). Each attempt uses a fresh lazy connection:
 * ensureConnected() memoises its first failure, and closing it frees the channel. A search
 * attribute of the wrong type is final and thrown at once.
 */
export async function pollUntilReady(
  p: StartingServer & { intervalMs: number },
  check: (connection: Connection, call: Bounded) => Promise<void>,
): Promise<void> {
  let lastError: unknown = new Error('not attempted');
  while (Date.now() < p.deadline) {
    if (p.hasExited()) throw new Error('process exited');
    const connection = Connection.lazy({ address: p.address, connectTimeout: 2_000 });
    try {
      await connection.ensureConnected();
      const deadline = Math.min(p.deadline, Date.now() + 5_000);
      await check(connection, (fn) => connection.withDeadline(deadline, fn));
      return;
    } catch (err) {
      if (err instanceof SearchAttributeConflictError) throw err;
      lastError = err;
    } finally {
      await connection.close();
    }
    await new Promise((resolve) => setTimeout(resolve, p.intervalMs));
  }
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}
