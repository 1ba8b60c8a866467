import { Client, Connection } from '@temporalio/client';
import { InternalConnectionOptionsSymbol, type InternalConnectionOptions } from '@temporalio/client/lib/connection';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkerOptions } from '@temporalio/worker';
import type { AppConfig } from '../../config/env';
import { activityDepsFromConfig } from '../../activities/deps';
import { temporalDataConverter } from '../../domain/onestop/payload-codec';
import { createOrm, type Orm } from '../../ledger/orm';
import { startSmtpSink, type SmtpSink } from '../../scripts/stack/smtp-sink';
import { createWorker } from '../../worker/create-worker';
import { SEARCH_ATTRIBUTE_TYPES } from '../../workflows/features';
import { INDEXED_VALUE_TYPES } from '../../workflows/namespace';

/**
 * What a season runs on: a time-skipping Temporal test server (its clock moves only when the
 * rehearsal says so, or when everything is idle waiting for a timer), the ledger, a worker with
 * the real workflows and activities, and an SMTP sink that keeps every mail in memory.
 */
export interface SeasonContext {
  env: TestWorkflowEnvironment;
  /**
   * The rehearsal's own connection to the test server (its test service moves the clock). Its
   * keepalive pings are rare: the test server answers a ping every 30 s (the client's default)
   * with GOAWAY "too many pings", and a call in flight then may never return.
   */
  connection: Connection;
  /** A client that does not skip time by itself: the rehearsal moves the clock. */
  client: Client;
  orm: Orm;
  config: AppConfig;
  mail: SmtpSink;
  /** Rejects when the worker stops on its own. */
  workerFailure: Promise<never>;
  close(): Promise<void>;
}

export interface SeasonContextOptions {
  /** The time-skipping server's executable (scripts/stack/tools.ts resolveTemporalTestServer). */
  testServerPath: string;
  databaseUrl: string;
  /** Builds the configuration once the mail sink's URL is known (loadConfig with the season's settings). */
  config: (smtpUrl: string) => AppConfig;
  workflowBundle?: WorkerOptions['workflowBundle'];
}

export async function seasonContext(o: SeasonContextOptions): Promise<SeasonContext> {
  const mail = await startSmtpSink({ port: 0 });
  const config = o.config(mail.url);
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: o.testServerPath } } });
  // The time-skipping server cannot list search attributes, but it does accept new ones.
  await env.connection.operatorService.addSearchAttributes({
    namespace: 'default',
    searchAttributes: Object.fromEntries(Object.entries(SEARCH_ATTRIBUTE_TYPES).map(([name, type]) => [name, INDEXED_VALUE_TYPES[type]])),
  });
  const dataConverter = temporalDataConverter(config.myNumber!);
  const connectionOptions: InternalConnectionOptions = {
    address: env.address,
    channelArgs: { 'grpc.keepalive_time_ms': 600_000, 'grpc.keepalive_permit_without_calls': 0 },
    // As TestWorkflowEnvironment's own connection: the test service is how the clock is moved.
    [InternalConnectionOptionsSymbol]: { supportsTestService: true },
  };
  const connection = await Connection.connect(connectionOptions);
  const client = new Client({ connection, dataConverter });
  const orm = await createOrm(o.databaseUrl, { poolMax: 6 });
  const deps = activityDepsFromConfig(config, orm, client);
  const worker: Worker = await createWorker({
    connection: env.nativeConnection,
    namespace: 'default',
    taskQueue: config.temporal.taskQueue,
    deps: deps.deps,
    workflowBundle: o.workflowBundle,
    options: { dataConverter },
  });
  const running = worker.run();
  const workerFailure = running.then(
    () => Promise.reject(new Error('the season worker stopped before the season ended')),
    (err: unknown) => Promise.reject(err),
  );
  workerFailure.catch(() => undefined);
  return {
    env,
    connection,
    client,
    orm,
    config,
    mail,
    workerFailure,
    async close() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running.catch(() => undefined);
      await deps.close();
      await mail.stop();
      await orm.close();
      await connection.close();
      await env.teardown();
    },
  };
}
