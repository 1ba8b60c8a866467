import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { temporal } from '@temporalio/proto';
import { loadConfig } from '../../config/env';
import { temporalDataConverter } from '../../domain/onestop/payload-codec';
import { quietRuntime, required } from './context';

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

/** The saved histories (file names) in `dir` whose names match. */
export function savedHistories(match: RegExp, dir = HISTORY_DIR): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => match.test(f)) : [];
}

/**
 * Replays a saved history against today's workflow bundle, through the payload codec the server's
 * clients use (dev key; histories captured before the codec pass through it unchanged), so a
 * change that would break running executions fails. Returns the history as read.
 */
export async function replaySavedHistory(file: string, dir = HISTORY_DIR): Promise<unknown> {
  const history = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  await Worker.runReplayHistory({ workflowBundle: { codePath: required('TEST_WORKFLOW_BUNDLE') }, dataConverter: temporalDataConverter(loadConfig({}).myNumber!) }, history, file);
  return history;
}

/**
 * The replay suite's tests: each saved history in `files` replays against today's code (`check`, if
 * given, then looks at the history as read).
 */
export function replayEach(files: string[], dir = HISTORY_DIR, check?: (history: unknown) => void): void {
  beforeAll(() => quietRuntime());
  test.each(files)('%s replays without non-determinism', async (file) => {
    const history = await replaySavedHistory(file, dir);
    check?.(history);
  });
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
