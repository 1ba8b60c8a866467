import { NativeConnection } from '@temporalio/worker';
import { ConfigError, loadConfig } from '../config/env';
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
  const worker = await createWorker({ connection, namespace: config.temporal.namespace, taskQueue: config.temporal.taskQueue, orm });
  // Worker.run() installs SIGINT/SIGTERM handlers that drain in-flight tasks before resolving.
  await worker.run();
  await connection.close();
  await orm.close();
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? `configuration error: ${err.message}` : err);
  process.exit(1);
});
