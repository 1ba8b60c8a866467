import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { SEARCH_ATTRIBUTE_TYPES } from '../../workflows/features';
import { FAILURE_CONVERTER_PATH } from '../../domain/onestop/payload-codec';
import { createOrm, migrate } from '../../ledger/orm';
import { loadConfig } from '../../config/env';
import { seedDevPrintHouse } from '../../scripts/dev-subcontractors';
import { resolveTemporalCli, resolveTemporalTestServer } from '../../scripts/stack/tools';
import { findFreePort, startTemporalDevServer } from '../../scripts/stack/temporal-dev-server';
import { startEmbeddedPostgres } from '../../scripts/stack/embedded-postgres';

/**
 * Starts the real servers once for the whole run and hands their addresses to
 * the test workers through the environment: a Temporal CLI dev server, an
 * embedded PostgreSQL with the ledger migrated, and a pre-built workflow bundle.
 */
export default async function globalSetup(): Promise<void> {
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'furusato-test-'));
  fs.chmodSync(runDir, 0o755);
  const stops: (() => Promise<unknown>)[] = [];
  (globalThis as any).__furusatoStops = stops;
  (globalThis as any).__furusatoRunDir = runDir;

  const [cliPath, testServerPath] = await Promise.all([resolveTemporalCli({ install: true }), resolveTemporalTestServer({ install: true })]);
  process.env.TEMPORAL_TEST_SERVER_PATH = testServerPath;

  const [temporal, pg, bundle] = await Promise.all([
    process.env.TEST_TEMPORAL_ADDRESS
      ? Promise.resolve({ address: process.env.TEST_TEMPORAL_ADDRESS, stop: async () => undefined })
      : startTemporalDevServer({ cliPath, port: await findFreePort(), uiPort: false, searchAttributes: SEARCH_ATTRIBUTE_TYPES, logLevel: 'error' }),
    process.env.TEST_DATABASE_URL
      ? Promise.resolve({ url: process.env.TEST_DATABASE_URL, stop: async () => undefined })
      : startEmbeddedPostgres({ dataDir: path.join(runDir, 'pg'), port: await findFreePort() }),
    bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), failureConverterPath: FAILURE_CONVERTER_PATH(), logger: quietLogger }),
  ]);
  stops.push(() => temporal.stop(), () => pg.stop());

  const bundlePath = path.join(runDir, 'workflow-bundle.js');
  fs.writeFileSync(bundlePath, bundle.code);

  const orm = await createOrm(pg.url);
  await migrate(orm);
  // The suites' print drop goes to the default print house, approved as npm start approves it (CONTRACT-3).
  await seedDevPrintHouse(orm.em.getKnex(), loadConfig({}).documents.printHouse);
  await orm.close();

  process.env.TEST_TEMPORAL_ADDRESS = temporal.address;
  process.env.TEST_DATABASE_URL = pg.url;
  process.env.TEST_WORKFLOW_BUNDLE = bundlePath;
}

const quietLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: (message: string, meta?: unknown) => console.error(message, meta),
};
