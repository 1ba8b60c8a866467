import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { ConfigError, DEV_TOKENS, loadConfig, requireMyNumberKeys } from '../config/env';
import { temporalDataConverter } from '../domain/onestop/payload-codec';
import { SEARCH_ATTRIBUTE_TYPES } from '../workflows/features';
import { buildApi } from '../api/server';
import { createOrm, migrate } from '../ledger/orm';
import { createWorker } from '../worker/create-worker';
import { activityDepsFromConfig } from '../activities/deps';
import { describePrepared, prepareNamespace } from '../worker/prepare-namespace';
import { ChildRegistry } from './stack/child-registry';
import { resolveTemporalCli } from './stack/tools';
import { startTemporalDevServer } from './stack/temporal-dev-server';
import { startEmbeddedPostgres } from './stack/embedded-postgres';
import { startSmtpSink } from './stack/smtp-sink';
import { seedDevAccounts } from './dev-accounts';
import { seedDevPrintHouse } from './dev-subcontractors';

/**
 * `npm start`: the whole system on one machine. External Temporal and
 * PostgreSQL are used when TEMPORAL_ADDRESS / DATABASE_URL are set; otherwise
 * the Temporal CLI dev server and embedded PostgreSQL keep their data under
 * FURUSATO_DATA_DIR, so a restart continues where the last run stopped.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  fs.mkdirSync(config.dataDir, { recursive: true });
  const stops: (() => Promise<unknown>)[] = [];
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping…');
    for (const stop of stops.reverse()) {
      await stop().catch((err) => console.error('while stopping:', err instanceof Error ? err.message : err));
    }
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  try {
    // A launcher killed with SIGKILL left its servers running: stop them before starting new ones.
    const children = await ChildRegistry.claim(config.dataDir, (line) => console.log(line));
    stops.push(async () => children.release());
    let temporalAddress = config.temporal.address;
    let uiUrl: string | undefined;
    if (!temporalAddress) {
      const cliPath = await resolveTemporalCli({ install: true });
      const server = await startTemporalDevServer({
        cliPath,
        port: config.temporal.devServerPort,
        uiPort: config.temporal.uiPort,
        dbFile: path.join(config.dataDir, 'temporal', 'temporal.sqlite'),
        namespace: config.temporal.namespace,
        searchAttributes: SEARCH_ATTRIBUTE_TYPES,
        logFile: path.join(config.dataDir, 'temporal', 'server.log'),
      });
      children.add('temporal dev server', server.pid);
      stops.push(() => server.stop());
      temporalAddress = server.address;
      uiUrl = server.uiUrl;
    }

    let databaseUrl = config.database.url;
    if (!databaseUrl) {
      const pg = await startEmbeddedPostgres({ dataDir: path.join(config.dataDir, 'postgres'), port: config.database.embeddedPort });
      children.add('postgres', pg.pid, 'SIGINT');
      stops.push(() => pg.stop());
      databaseUrl = pg.url;
    }

    const orm = await createOrm(databaseUrl);
    stops.push(() => orm.close());
    const applied = await migrate(orm, { myNumberKeys: config.myNumber });
    if (applied.length) console.log(`ledger migrations applied: ${applied.join(', ')}`);
    // Console accounts dev-operator, dev-city, dev-supplier, dev-admin: outside production only.
    const devAccounts = config.production ? undefined : await seedDevAccounts(orm.em.fork(), requireMyNumberKeys(config));
    // CONTRACT-3: the local print drop's print house, registered and approved: outside production only.
    if (!config.production) await seedDevPrintHouse(orm.em.getKnex(), config.documents.printHouse);

    const connection = await Connection.connect({ address: temporalAddress });
    stops.push(() => connection.close());
    // SEC-1: every payload the server stores is sealed; worker and client share the converter.
    const dataConverter = temporalDataConverter(requireMyNumberKeys(config));
    const temporal = new Client({ connection, namespace: config.temporal.namespace, dataConverter });

    // No SMTP_URL: mail goes to a local sink (nothing is delivered) and lands as .eml files.
    let mailLine = `  Mail (SMTP)    ${config.mail.smtpUrl ? config.mail.smtpUrl.replace(/:[^:@/]*@/, ':***@') : ''}`;
    if (!config.mail.smtpUrl) {
      const mailDir = path.join(config.dataDir, 'mail');
      const sink = await startSmtpSink({ port: config.mail.sinkPort, dir: mailDir });
      stops.push(() => sink.stop());
      mailLine = `  Mail (sink)    ${sink.url} → ${mailDir}/*.eml (nothing is delivered; set SMTP_URL to send)`;
    }

    const workerConnection = await NativeConnection.connect({ address: temporalAddress });
    const activityDeps = activityDepsFromConfig(config, orm, temporal);
    stops.push(() => activityDeps.close());
    const worker = await createWorker({ connection: workerConnection, namespace: config.temporal.namespace, taskQueue: config.temporal.taskQueue, deps: activityDeps.deps, options: { dataConverter } });
    const running = worker.run();
    stops.push(async () => {
      // The SDK's own signal handlers may already be draining the worker; wait for it either way.
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await workerConnection.close();
    });
    running.catch((err) => {
      console.error('worker stopped:', err);
      void shutdown(1);
    });

    // The same code the production worker runs at its start: search attributes and every schedule.
    console.log(describePrepared(await prepareNamespace(connection, temporal, config)));

    const api = await buildApi({ config, orm, temporal });
    stops.push(() => api.close());
    await api.listen({ host: config.api.host, port: config.api.port });

    const base = `http://${config.api.host}:${config.api.port}`;
    console.log(
      [
        '',
        'furusato-ops is running',
        `  Console        ${base}/console/`,
        `  API            ${base}   (OpenAPI docs: ${base}/docs)`,
        `  Temporal       ${temporalAddress}${uiUrl ? `   (Web UI: ${uiUrl})` : ''}`,
        `  Ledger         ${databaseUrl.replace(/:[^:@/]*@/, ':***@')}`,
        `  Data folder    ${config.dataDir}`,
        mailLine,
        config.api.tokens === DEV_TOKENS ? `  Dev tokens     ${DEV_TOKENS.map((t) => `${t.role}=${t.token}`).join('  ')}` : '',
        devAccounts ? `  Dev accounts   ${devAccounts}` : '',
        'Ctrl-C stops everything; data stays in the data folder.',
      ]
        .filter(Boolean)
        .join('\n'),
    );
  } catch (err) {
    console.error(err instanceof ConfigError ? `configuration error: ${err.message}` : err);
    await shutdown(1);
  }
}

void main();
