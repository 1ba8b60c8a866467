import { Client, Connection } from '@temporalio/client';
import { ConfigError, loadConfig, requireMyNumberKeys } from '../config/env';
import { temporalDataConverter } from '../domain/onestop/payload-codec';
import { describeError, untilReachable } from '../domain/retry';
import { connectOrm } from '../ledger/orm';
import { buildApi } from './server';

const log = (line: string) => console.log(`[api] ${line}`);

/**
 * The API process for deployments. Migrations, search attributes and schedules
 * are the worker's (worker/prepare-namespace.ts), so API replicas never race on
 * them. It waits for PostgreSQL and Temporal at start; later outages are
 * answered 503 per request (api/errors.ts) and need no restart.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.temporal.address || !config.database.url) throw new ConfigError('the API needs TEMPORAL_ADDRESS and DATABASE_URL (npm start runs everything locally)');
  const { address, namespace } = config.temporal;
  const databaseUrl = config.database.url;
  const isFatal = (err: unknown) => err instanceof ConfigError;
  const orm = await untilReachable('PostgreSQL', () => connectOrm(databaseUrl), { log, isFatal });
  const connection = await untilReachable('Temporal', () => Connection.connect({ address }), { log, isFatal });
  const temporal = new Client({ connection, namespace, dataConverter: temporalDataConverter(requireMyNumberKeys(config)) });
  const app = await buildApi({ config, orm, temporal });
  const close = async () => {
    await app.close();
    await connection.close();
    await orm.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void close());
  process.on('SIGTERM', () => void close());
  await app.listen({ host: config.api.host, port: config.api.port });
}

main().catch((err) => {
  console.error(err instanceof ConfigError ? `configuration error: ${err.message}` : `[api] cannot start: ${describeError(err)}`);
  process.exit(1);
});
