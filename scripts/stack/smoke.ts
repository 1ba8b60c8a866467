/**
 * Self-check of the stack helpers (not part of the test suite): installs the
 * Temporal binaries, then starts, uses, stops and restarts PostgreSQL and the
 * Temporal dev server, checking that data survives the restarts.
 *
 *   npx tsc -p tsconfig.build.json && node dist/scripts/stack/smoke.js
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { installTools } from './tools';
import { startEmbeddedPostgres } from './embedded-postgres';
import { findFreePort, startTemporalDevServer } from './temporal-dev-server';

interface PgClient {
  connect(): Promise<void>;
  query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  end(): Promise<void>;
}

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`smoke check failed: ${message}`);
}

async function timed<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const result = await fn();
  console.log(`${label} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return result;
}

async function withPg<T>(url: string, fn: (c: PgClient) => Promise<T>): Promise<T> {
  const { Client: PgClientCtor } = require('pg') as { Client: new (cfg: { connectionString: string }) => PgClient };
  const client = new PgClientCtor({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function smokePostgres(): Promise<void> {
  const dataDir = '/tmp/smoke-pg';
  fs.rmSync(dataDir, { recursive: true, force: true });
  const port = await findFreePort();

  const first = await timed('postgres: first start (initdb)', () => startEmbeddedPostgres({ dataDir, port }));
  console.log(`postgres: ${first.url}`);
  try {
    await withPg(first.url, async (c) => {
      const one = await c.query('select 1 as one');
      check(one.rows[0]?.one === 1, 'select 1');
      const enc = await c.query('show server_encoding');
      check(enc.rows[0]?.server_encoding === 'UTF8', `server_encoding is ${String(enc.rows[0]?.server_encoding)}`);
      await c.query('create table smoke (name text)');
      await c.query('insert into smoke values ($1)', ['柳川市']);
    });
  } finally {
    await first.stop();
  }

  const second = await timed('postgres: restart on the same data dir', () => startEmbeddedPostgres({ dataDir, port }));
  try {
    const rows = await withPg(second.url, (c) => c.query('select name from smoke'));
    check(rows.rows[0]?.name === '柳川市', 'row written before the restart is still there');
    console.log('postgres: data survived the restart');
  } finally {
    await second.stop();
  }

  // A killed run leaves postmaster.pid behind; neither a dead pid nor a live
  // unrelated one (pid reuse) may block the next start.
  for (const stalePid of [999_999, process.pid]) {
    fs.writeFileSync(path.join(dataDir, 'postmaster.pid'), `${stalePid}\n`);
    const server = await timed(`postgres: start over a stale postmaster.pid (${stalePid})`, () =>
      startEmbeddedPostgres({ dataDir, port }),
    );
    await server.stop();
  }

  // A server still running on the data directory is reported, or replaced on request.
  const leftover = await startEmbeddedPostgres({ dataDir, port });
  const refused = await startEmbeddedPostgres({ dataDir, port }).then(
    (s) => s.stop().then(() => undefined),
    (err: Error) => err.message,
  );
  check(refused?.includes(`pid ${leftover.pid}`), `second start on a live data dir was not refused: ${refused}`);
  const replaced = await timed('postgres: replace a leftover server', () =>
    startEmbeddedPostgres({ dataDir, port, replaceRunning: true }),
  );
  await leftover.stop();
  await replaced.stop();
}

async function smokeTemporal(cliPath: string): Promise<void> {
  const inMemory = await timed('temporal: in-memory dev server', () =>
    startTemporalDevServer({ cliPath, port: 0, uiPort: false, searchAttributes: { DonationStatus: 'Keyword' } }),
  );
  console.log(`temporal: ${inMemory.address} (in-memory)`);
  try {
    const connection = await Connection.connect({ address: inMemory.address });
    try {
      const attrs = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
      check(attrs.customAttributes?.DonationStatus !== undefined, 'DonationStatus registered');
    } finally {
      await connection.close();
    }
  } finally {
    await inMemory.stop();
  }

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smoke-temporal-'));
  const dbFile = path.join(dir, 'temporal.db');
  const opts = {
    cliPath,
    port: await findFreePort(),
    uiPort: 0,
    dbFile,
    namespace: 'furusato',
    searchAttributes: { DonationStatus: 'Keyword' as const },
    logFile: path.join(dir, 'temporal.log'),
  };
  try {
    const first = await timed('temporal: SQLite dev server, new file', () => startTemporalDevServer(opts));
    console.log(`temporal: ${first.address}, ui ${first.uiUrl}`);
    const workflowId = `smoke-${Date.now()}`;
    try {
      const connection = await Connection.connect({ address: first.address });
      try {
        const client = new Client({ connection, namespace: 'furusato' });
        // No worker: the execution just has to be recorded in the database.
        await client.workflow.start('smokeWorkflow', { taskQueue: 'smoke', workflowId });
      } finally {
        await connection.close();
      }
    } finally {
      await timed('temporal: stop', () => first.stop());
    }

    const second = await timed('temporal: SQLite dev server, existing file', () => startTemporalDevServer(opts));
    try {
      const connection = await Connection.connect({ address: second.address });
      try {
        const client = new Client({ connection, namespace: 'furusato' });
        const described = await client.workflow.getHandle(workflowId).describe();
        check(described.status.name === 'RUNNING', `workflow status ${described.status.name}`);
        console.log(`temporal: workflow ${workflowId} survived the restart`);
      } finally {
        await connection.close();
      }
    } finally {
      await second.stop();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const tools = await timed('tools: resolved', () => installTools());
  console.log(`tools: temporal=${tools.temporalCli}`);
  console.log(`tools: temporal-test-server=${tools.temporalTestServer}`);
  await smokePostgres();
  await smokeTemporal(tools.temporalCli);
  console.log('smoke: OK');
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
