import fs from 'node:fs';
import path from 'node:path';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';

export interface WorkerDeps {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** A pre-built bundle (production, tests that start several workers); otherwise the workflows are bundled at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  options?: Partial<WorkerOptions>;
}

/** dist/workflow-bundle.js is written by `npm run build`; using it spares every start the webpack step. */
export function prebuiltBundlePath(): string | undefined {
  const candidate = path.resolve(__dirname, '..', 'workflow-bundle.js');
  return fs.existsSync(candidate) ? candidate : undefined;
}

export function workflowsPath(): string {
  return require.resolve('../workflows');
}

export async function createWorker({ connection, namespace, taskQueue, deps, workflowBundle, options }: WorkerDeps): Promise<Worker> {
  const bundlePath = workflowBundle ? undefined : prebuiltBundlePath();
  return Worker.create({
    connection,
    namespace,
    taskQueue,
    activities: createActivities(deps),
    ...(workflowBundle ? { workflowBundle } : bundlePath ? { workflowBundle: { codePath: bundlePath } } : { workflowsPath: workflowsPath() }),
    // Bounded cache: December brings tens of thousands of open donations; the rest are replayed on demand.
    maxCachedWorkflows: 2000,
    shutdownGraceTime: '10 seconds',
    ...options,
  });
}
