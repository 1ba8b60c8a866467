import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';

export const ONESTOP_HISTORY_DIR = path.join(__dirname, 'histories');

/**
 * With CAPTURE_HISTORIES=1 the suites save the one-stop workflows' histories
 * for onestop-replay.test.ts. They are sealed by the PayloadCodec under the
 * public development key and hold only made-up data.
 */
export async function captureOneStopHistory(client: Client, name: string, workflowId: string): Promise<void> {
  if (process.env.CAPTURE_HISTORIES !== '1') return;
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  fs.mkdirSync(ONESTOP_HISTORY_DIR, { recursive: true });
  fs.writeFileSync(path.join(ONESTOP_HISTORY_DIR, `${name}.json`), historyToJSON(history));
}
