import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { temporal } from '@temporalio/proto';

export const HISTORY_DIR = path.join(__dirname, '..', 'replay', 'histories');

/**
 * With CAPTURE_HISTORIES=1, suites save the histories of their finished
 * workflows for the replay test. Do this once per shipped workflow version
 * and commit the files: they are what old executions look like.
 */
export async function maybeCaptureHistory(client: Client, name: string, workflowId: string): Promise<void> {
  if (process.env.CAPTURE_HISTORIES !== '1') return;
  // A saved history is what an old execution looks like: never replace it with today's.
  if (fs.existsSync(path.join(HISTORY_DIR, `${name}.json`))) return;
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  fs.mkdirSync(HISTORY_DIR, { recursive: true });
  // The same proto3 JSON that `temporal workflow show --output json` and the UI download produce.
  fs.writeFileSync(path.join(HISTORY_DIR, `${name}.json`), historyToJSON(history));
}

/** Every Payloads in an event (inputs, results, heartbeat details, failure details), by its encoded size. */
export function payloadSizes(value: unknown, at: string, out: { at: string; bytes: number }[]): void {
  if (!value || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    value.forEach((v, i) => payloadSizes(v, `${at}[${i}]`, out));
    return;
  }
  const o = value as Record<string, unknown>;
  if (Array.isArray(o.payloads) && o.payloads.every((p) => p && typeof p === 'object' && 'data' in (p as object))) {
    out.push({ at, bytes: temporal.api.common.v1.Payloads.encode(o as temporal.api.common.v1.IPayloads).finish().length });
    return;
  }
  for (const [k, v] of Object.entries(o)) payloadSizes(v, at ? `${at}.${k}` : k, out);
}
