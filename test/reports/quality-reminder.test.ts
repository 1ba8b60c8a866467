import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { qualityDemandMailWorkflow } from '../../workflows';
import { jstDate, addDays } from '../../domain/jst';
import { quietRuntime, required } from '../support/context';
import { maybeCaptureHistory } from '../support/histories';

/**
 * CALL-3 on the clock: the demand's workflow reminds the party once, when the due day (JST) has
 * ended; a demand mailed after its due day gets no reminder. The mail activities are stubs here
 * (what they send and when they send nothing: quality.test.ts).
 */
let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
let plain: Client;
const taskQueue = `test-quality-reminder-${randomUUID().slice(0, 8)}`;
const dueOf = new Map<string, string>();
const reminded: { measureId: string; atMs: number }[] = [];

beforeAll(async () => {
  quietRuntime();
  env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: required('TEMPORAL_TEST_SERVER_PATH') } } });
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    activities: {
      async mailQualityDemand({ measureId }: { measureId: string }) {
        return { status: 'sent', dueOn: dueOf.get(measureId)! };
      },
      async remindQualityDemand({ measureId }: { measureId: string }) {
        reminded.push({ measureId, atMs: await env.currentTimeMs() });
        return { status: 'sent' };
      },
    },
    workflowBundle: { codePath: required('TEST_WORKFLOW_BUNDLE') },
  });
  running = worker.run();
  plain = new Client({ connection: env.connection });
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
});

test('unanswered at the end of the due day (JST): one reminder, not before', async () => {
  const now = await env.currentTimeMs();
  const dueOn = addDays(jstDate(new Date(now)), 2);
  const measureId = `m-${randomUUID()}`;
  dueOf.set(measureId, dueOn);
  const handle = await plain.workflow.start(qualityDemandMailWorkflow, { taskQueue, workflowId: `quality-demand/${measureId}`, args: [{ measureId }] });
  // Still the due day in Japan (23:00 JST): nothing yet.
  await env.sleep(Date.parse(`${dueOn}T23:00:00+09:00`) - now);
  expect(reminded.filter((r) => r.measureId === measureId)).toEqual([]);
  // 01:00 the next day.
  await env.sleep(2 * 3600_000);
  expect(await handle.result()).toEqual({ status: 'sent', reminder: 'sent' });
  const mine = reminded.filter((r) => r.measureId === measureId);
  expect(mine).toHaveLength(1);
  expect(mine[0].atMs).toBeGreaterThanOrEqual(Date.parse(`${dueOn}T24:00:00+09:00`));
  await maybeCaptureHistory(plain, 'report-v2-quality-demand-reminded', handle.workflowId);
});

test('mailed after the due day had ended: no reminder', async () => {
  const now = await env.currentTimeMs();
  const measureId = `m-${randomUUID()}`;
  dueOf.set(measureId, addDays(jstDate(new Date(now)), -1));
  expect(await plain.workflow.execute(qualityDemandMailWorkflow, { taskQueue, workflowId: `quality-demand/${measureId}`, args: [{ measureId }] })).toEqual({ status: 'sent' });
  expect(reminded.filter((r) => r.measureId === measureId)).toEqual([]);
});
