import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { activityDepsFromConfig } from '../activities/deps';
import { ConfigError, loadConfig, requireMyNumberKeys } from '../config/env';
import { temporalDataConverter } from '../domain/onestop/payload-codec';
import { describeError, untilReachable } from '../domain/retry';
import { connectOrm, migrate } from '../ledger/orm';
import { connectDeclaredPortals } from '../ledger/portals';
import { PortalDeclarationError } from '../domain/portals/declared';
import { SearchAttributeConflictError } from '../workflows/namespace';
import { createWorker } from './create-worker';
import { logLine } from './log-line';
import { describePrepared, prepareNamespace } from './prepare-namespace';

const log = (line: string) => console.log(`[worker] ${line}`);
const isFatal = (err: unknown) => err instanceof ConfigError || err instanceof SearchAttributeConflictError || err instanceof PortalDeclarationError;

/**
 * A worker process for deployments (docker-compose runs several): external
 * Temporal and PostgreSQL are required, nothing is started here. At start it
 * migrates the ledger and brings the namespace's search attributes and every
 * schedule in line (worker/prepare-namespace.ts), so a deployment of workers
 * alone runs the whole system. It waits for PostgreSQL and Temporal rather than
 * exiting, and runs its worker again if the worker stops on a lost server.
 */
async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('INFO', (entry) => console.log(logLine(entry))) });
  const config = loadConfig();
  if (!config.temporal.address || !config.database.url) throw new ConfigError('the worker needs TEMPORAL_ADDRESS and DATABASE_URL (npm start runs everything locally)');
  const { address, namespace, taskQueue } = config.temporal;
  const databaseUrl = config.database.url;
  const dataConverter = temporalDataConverter(requireMyNumberKeys(config));

  const orm = await untilReachable('PostgreSQL', () => connectOrm(databaseUrl), { log, isFatal });
  const applied = await untilReachable('PostgreSQL', () => migrate(orm, { myNumberKeys: config.myNumber }), { log, isFatal });
  if (applied.length) log(`ledger migrations applied: ${applied.join(', ')}`);
  // PORTAL-6: the portals declared by a file in PORTAL_MAPPINGS_DIR get their rows (the inbox collector imports for them).
  const declared = await untilReachable('PostgreSQL', () => connectDeclaredPortals(orm.em.getKnex(), config.intake.mappingsDir), { log, isFatal });
  if (declared.length) log(`declared portals written: ${declared.join(', ')}`);
  // Activities that signal other workflows (print batches) need a client; this is the process's only one.
  const clientConnection = await untilReachable('Temporal', () => Connection.connect({ address }), { log, isFatal });
  const temporal = new Client({ connection: clientConnection, namespace, dataConverter });
  const prepared = await untilReachable('Temporal', () => prepareNamespace(clientConnection, temporal, config), { log, isFatal });
  log(describePrepared(prepared));

  const activityDeps = activityDepsFromConfig(config, orm, temporal);
  const connection = await untilReachable('Temporal', () => NativeConnection.connect({ address }), { log, isFatal });
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => (stopping = true));
  for (;;) {
    const worker: Worker = await untilReachable(
      'Temporal',
      () => createWorker({ connection, namespace, taskQueue, deps: activityDeps.deps, options: { dataConverter } }),
      { log, isFatal },
    );
    log(`polling task queue ${taskQueue} on ${address} (namespace ${namespace})`);
    try {
      // Worker.run() installs SIGINT/SIGTERM handlers that drain in-flight tasks before resolving.
      await worker.run();
      break;
    } catch (err) {
      if (stopping) break;
      log(`worker stopped (${describeError(err)}); starting it again in 5 s`);
      await new Promise((resolve) => setTimeout(resolve, 5_000));
    }
  }
  await activityDeps.close();
  await clientConnection.close();
  await connection.close();
  await orm.close();
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? `configuration error: ${err.message}` : `[worker] cannot start: ${describeError(err)}`);
  process.exit(1);
});
