import { Client, Connection } from '@temporalio/client';
import { ConfigError, loadConfig, requireMyNumberKeys } from '../config/env';
import { temporalDataConverter } from '../domain/onestop/payload-codec';
import { SEARCH_ATTRIBUTE_CLI_TYPES } from '../domain/search-attributes';
import { createOrm } from '../ledger/orm';
import { ensureSearchAttributes } from '../scripts/stack/temporal-dev-server';
import { buildApi } from './server';

/** The API process for deployments; migrations are the worker's job, so API replicas never race on them. */
async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.temporal.address || !config.database.url) throw new ConfigError('the API needs TEMPORAL_ADDRESS and DATABASE_URL (npm start runs everything locally)');
  const orm = await createOrm(config.database.url);
  const connection = await Connection.connect({ address: config.temporal.address });
  await ensureSearchAttributes(connection, config.temporal.namespace, SEARCH_ATTRIBUTE_CLI_TYPES);
  const temporal = new Client({ connection, namespace: config.temporal.namespace, dataConverter: temporalDataConverter(requireMyNumberKeys(config)) });
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
  console.error(err instanceof ConfigError ? `configuration error: ${err.message}` : err);
  process.exit(1);
});
