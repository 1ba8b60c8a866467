import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { activityDepsFromConfig } from '../activities/deps';
import { ConfigError, loadConfig, requireMyNumberKeys } from '../config/env';
import { temporalDataConverter } from '../domain/onestop/payload-codec';
import { createOrm, migrate } from '../ledger/orm';
import { createWorker } from './create-worker';

/**
 * A worker process for deployments (docker-compose runs several): external
 * Temporal and PostgreSQL are required, nothing is started here.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.temporal.address || !config.database.url) throw new ConfigError('the worker needs TEMPORAL_ADDRESS and DATABASE_URL (npm start runs everything locally)');
  const orm = await createOrm(config.database.url);
  await migrate(orm);
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  // Activities that signal other workflows (print batches) need a client; this is the process's only one.
  const clientConnection = await Connection.connect({ address: config.temporal.address });
  const dataConverter = temporalDataConverter(requireMyNumberKeys(config));
  const temporal = new Client({ connection: clientConnection, namespace: config.temporal.namespace, dataConverter });
  const activityDeps = activityDepsFromConfig(config, orm, temporal);
  const worker = await createWorker({ connection, namespace: config.temporal.namespace, taskQueue: config.temporal.taskQueue, deps: activityDeps.deps, options: { dataConverter } });
  // Worker.run() installs SIGINT/SIGTERM handlers that drain in-flight tasks before resolving.
  await worker.run();
  await activityDeps.close();
  await clientConnection.close();
  await connection.close();
  await orm.close();
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? `configuration error: ${err.message}` : err);
  process.exit(1);
});
