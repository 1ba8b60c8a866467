import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { loadConfig, type AppConfig } from '../../config/env';
import { createOrm, migrate, type Orm } from '../../ledger/orm';
import { seedDevPrintHouse } from '../../scripts/dev-subcontractors';
import { createWorker } from '../../worker/create-worker';
import { activityDepsFromConfig } from '../../activities/deps';
import { createActivities, type Activities, type ActivityDeps } from '../../activities';
import { temporalDataConverter } from '../../domain/onestop/payload-codec';
import { startSmtpSink, type SmtpSink } from '../../scripts/stack/smtp-sink';

let runtimeInstalled = false;

/** Keeps the SDK's own logging to warnings so test output stays readable. */
export function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({ logger: new DefaultLogger('ERROR') });
}

export interface SuiteContext {
  config: AppConfig;
  orm: Orm;
  client: Client;
  connection: Connection;
  nativeConnection: NativeConnection;
  taskQueue: string;
  /** A prefix that makes this suite's portal order numbers unique in the shared database. */
  prefix: string;
  /** This suite's own SMTP sink (SMTP_URL points at it): messages(), clear(), setRejectRecipients(/re/). */
  mail: SmtpSink;
  /** A worker on the suite's queue; `deps` replaces some of its activities' dependencies (a failing mailer), `replace` some activities (one held back to force an ordering). */
  startWorker(opts?: { replace?: (activities: Activities) => Partial<Activities>; deps?: Partial<ActivityDeps> }): Promise<RunningWorker>;
  close(): Promise<void>;
}

export interface RunningWorker {
  worker: Worker;
  stop(): Promise<void>;
}

export function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests through jest (global setup starts the servers)`);
  return value;
}

/**
 * A database of its own, migrated, on the run's PostgreSQL: for a suite that works on "everything
 * due" in bulk (tens of thousands of rows), which in the shared database would take in, or be taken
 * in by, other suites' rows. Dropped by the returned function.
 */
export async function isolatedDatabase(label: string): Promise<{ url: string; drop(): Promise<void> }> {
  const base = required('TEST_DATABASE_URL');
  const name = `${label.replace(/[^a-z0-9]/gi, '_')}_${randomUUID().slice(0, 8)}`.toLowerCase();
  const admin = await createOrm(base, { poolMax: 1 });
  await admin.em.getKnex().raw(`create database ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  // Two connections: migrate() holds one for its advisory lock while the migrator uses another.
  const orm = await createOrm(url.toString(), { poolMax: 2 });
  await migrate(orm);
  await seedDevPrintHouse(orm.em.getKnex(), loadConfig({}).documents.printHouse);
  await orm.close();
  return {
    url: url.toString(),
    async drop() {
      await admin.em.getKnex().raw(`drop database if exists ${name} with (force)`);
      await admin.close();
    },
  };
}

/** A suite's own data directory, /tmp/furusato-<suite>-XXXXXX. */
export function suiteDataDir(suite: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `furusato-${suite}-`));
}

/** Runs `stop`, then removes the suite's data directory even when a step failed: a run leaves nothing in /tmp. */
export async function stopThenRemove(dataDir: string, stop: () => Promise<void>): Promise<void> {
  try {
    await stop();
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Each suite gets its own task queue and data in the run's shared Temporal server and database (or `databaseUrl`'s). */
export async function suiteContext(suite: string, env: Record<string, string> = {}, opts: { databaseUrl?: string } = {}): Promise<SuiteContext> {
  quietRuntime();
  const taskQueue = `test-${suite}-${randomUUID().slice(0, 8)}`;
  // Each suite prints into its own folders; returned mail is off unless a suite asks for it.
  const dataDir = suiteDataDir(suite);
  // Each suite mails into its own sink on a free port; what arrives is in ctx.mail and <dataDir>/mail.
  const mail = await startSmtpSink({ port: 0, dir: path.join(dataDir, 'mail') });
  const config = loadConfig({ TEMPORAL_TASK_QUEUE: taskQueue, FURUSATO_DATA_DIR: dataDir, DOCS_RETURN_WINDOW_DAYS: '0', SMTP_URL: mail.url, ...env });
  const orm = await createOrm(opts.databaseUrl ?? required('TEST_DATABASE_URL'), { poolMax: 5 });
  const address = required('TEST_TEMPORAL_ADDRESS');
  const connection = await Connection.connect({ address });
  const nativeConnection = await NativeConnection.connect({ address });
  // Same codec as production: suites see what the Temporal server would store.
  const dataConverter = temporalDataConverter(config.myNumber!);
  const client = new Client({ connection, dataConverter });
  const workers: RunningWorker[] = [];
  const activityDeps = activityDepsFromConfig(config, orm, client);
  return {
    config,
    orm,
    client,
    connection,
    nativeConnection,
    taskQueue,
    prefix: `${suite}-${randomUUID().slice(0, 6)}`,
    mail,
    async startWorker(opts = {}) {
      const deps = { ...activityDeps.deps, ...opts.deps };
      const own = opts.replace ? createActivities(deps) : undefined;
      const worker = await createWorker({
        connection: nativeConnection,
        namespace: 'default',
        taskQueue,
        deps,
        workflowBundle: { codePath: required('TEST_WORKFLOW_BUNDLE') },
        options: { dataConverter, ...(own && opts.replace ? { activities: { ...own, ...opts.replace(own) } } : {}) },
      });
      const running = worker.run();
      const handle = {
        worker,
        async stop() {
          if (worker.getState() === 'RUNNING') worker.shutdown();
          await running;
          workers.splice(workers.indexOf(handle), 1);
        },
      };
      workers.push(handle);
      return handle;
    },
    // Stops everything the suite started and removes its data directory (printed files, mail, carrier files).
    close: () =>
      stopThenRemove(dataDir, async () => {
        await Promise.all([...workers].map((w) => w.stop()));
        await activityDeps.close();
        await mail.stop();
        await nativeConnection.close();
        await connection.close();
        await orm.close();
      }),
  };
}

// A Fastify response or a handle is circular: say what it is rather than crash while reporting a timeout.
function describe(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/** Polls until the predicate holds; workflows and the ledger settle asynchronously. */
export async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T;
  for (;;) {
    last = await probe();
    if (accept(last)) return last;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms; last value: ${describe(last)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
