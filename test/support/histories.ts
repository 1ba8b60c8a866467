import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';

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
