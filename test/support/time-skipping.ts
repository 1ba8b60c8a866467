import { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import { activityDepsFromConfig } from '../../activities/deps';
import { loadConfig, type AppConfig } from '../../config/env';
import { SEARCH_ATTRIBUTE_TYPES } from '../../workflows/features';
import { createOrm, type Orm } from '../../ledger/orm';
import { quietRuntime, required, stopThenRemove, suiteDataDir } from './context';
import { startSmtpSink, type SmtpSink } from '../../scripts/stack/smtp-sink';
import { INDEXED_VALUE_TYPES } from '../../workflows/namespace';
import { apiTokens, startApi, type SupplierTokens, type TestApi } from './api';


export interface TimeSkippingContext {
  env: TestWorkflowEnvironment;
  orm: Orm;
  config: AppConfig;
  taskQueue: string;
  /** The suite's own SMTP sink: activities that mail reach it. */
  mail: SmtpSink;
  close(): Promise<void>;
}

export interface TimeSkippingOptions {
  /** The worker's activities from the real ones (e.g. one that fails on demand). */
  activities?: (real: ReturnType<typeof createActivities>) => object;
}

/**
 * A suite whose deadlines are weeks away: its own time-skipping test server
 * (time skipping is global to a server, so it cannot be shared), the run's
 * database, and a worker with the real activities (or the suite's, see TimeSkippingOptions).
 */
export async function timeSkippingContext(suite: string, extraEnv: Record<string, string> = {}, options: TimeSkippingOptions = {}): Promise<TimeSkippingContext> {
  quietRuntime();
  const taskQueue = `test-${suite}-${Date.now()}`;
  // The suite's own data directory (not /tmp itself), removed by close().
  const dataDir = suiteDataDir(suite);
  const mail = await startSmtpSink({ port: 0 });
  const config = loadConfig({ FURUSATO_DATA_DIR: dataDir, TEMPORAL_TASK_QUEUE: taskQueue, SMTP_URL: mail.url, ...extraEnv });
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: required('TEMPORAL_TEST_SERVER_PATH') } },
  });
  // The time-skipping server cannot list search attributes, but it does accept new ones.
  await env.connection.operatorService.addSearchAttributes({
    namespace: 'default',
    searchAttributes: Object.fromEntries(
      Object.entries(SEARCH_ATTRIBUTE_TYPES).map(([name, type]) => [name, INDEXED_VALUE_TYPES[type]]),
    ),
  });
  const orm = await createOrm(required('TEST_DATABASE_URL'), { poolMax: 3 });
  const deps = activityDepsFromConfig(config, orm, env.client);
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    activities: (options.activities ?? ((real) => real))(createActivities(deps.deps)),
    workflowBundle: { codePath: required('TEST_WORKFLOW_BUNDLE') },
  });
  const running = worker.run();
  return {
    env,
    orm,
    config,
    taskQueue,
    mail,
    close: () =>
      stopThenRemove(dataDir, async () => {
        worker.shutdown();
        await running;
        await deps.close();
        await mail.stop();
        await orm.close();
        await env.teardown();
      }),
  };
}

/**
 * A time-skipping suite with the API (every role's token and the suppliers', test/support/api.ts).
 * The API and `plain` use a client that does not skip time by itself: the test moves the clock.
 */
export async function timeSkippingApi(suite: string, suppliers: SupplierTokens, extraEnv: Record<string, string> = {}): Promise<{ ctx: TimeSkippingContext; plain: Client; api: TestApi }> {
  const ctx = await timeSkippingContext(suite, { API_TOKENS: apiTokens(suppliers), ...extraEnv });
  const plain = new Client({ connection: ctx.env.connection });
  return { ctx, plain, api: await startApi({ ...ctx, client: plain }, suppliers) };
}

export interface TimeSkippingApiSuite {
  ctx: TimeSkippingContext;
  plain: Client;
  api: TestApi;
  /** One request as `who`: a GET, or a POST of `payload`. */
  call(method: 'GET' | 'POST', url: string, who: string, payload?: object): ReturnType<TestApi['get']>;
}

/**
 * A {@link timeSkippingApi} suite set up before the tests and closed after them (jest's beforeAll / afterAll,
 * registered here, so a suite's own beforeAll, registered later, runs after and finds it set up).
 */
export function timeSkippingApiSuite(suite: string, suppliers: SupplierTokens, extraEnv: Record<string, string> = {}): TimeSkippingApiSuite {
  const s = {
    call: (method, url, who, payload) => (method === 'GET' ? s.api.get(url, who) : s.api.post(url, payload, who)),
  } as TimeSkippingApiSuite;
  beforeAll(async () => {
    Object.assign(s, await timeSkippingApi(suite, suppliers, extraEnv));
  });
  afterAll(async () => {
    await (s.api ?? s.ctx)?.close();
  });
  return s;
}
