import type { LogEntry } from '@temporalio/worker';
import { describeError } from '../domain/retry';

/**
 * One line per SDK log entry: during a PostgreSQL or Temporal outage every failing activity
 * attempt logs, and the SDK's default (the whole meta object with task tokens and stack traces)
 * buries the one thing an operator needs — what failed, for which workflow, and why.
 */
export function logLine(entry: LogEntry): string {
  const meta = (entry.meta ?? {}) as Record<string, unknown>;
  const what = [meta.activityType ?? meta.workflowType, meta.workflowId, meta.attempt ? `attempt ${meta.attempt}` : undefined].filter(Boolean).join(' ');
  const why = meta.error !== undefined ? `: ${describeError(meta.error)}` : '';
  const at = new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString();
  return `${at} [${entry.level}] ${entry.message}${what ? ` (${what})` : ''}${why}`;
}
