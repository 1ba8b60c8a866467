/**
 * End-to-end check of the production engine on this machine:
 * `npm run tools:temporal-server -- --check` (builds first if needed).
 *
 * Starts a throwaway embedded PostgreSQL, runs temporal-server on it (schema
 * set up by temporal-sql-tool), then asks the Temporal CLI for cluster health
 * and the search attributes, starts workflows (no worker needed), finds one
 * through SQL visibility by a custom search attribute, restarts the server
 * after a clean stop and after SIGKILL and checks the workflows' state
 * survived, and stops everything. Prints how long each step took.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { DonationStatusAttr } from '../../domain/search-attributes';
import { SEARCH_ATTRIBUTE_TYPES } from '../../workflows/features';
import { startEmbeddedPostgres } from './embedded-postgres';
import { findFreePort } from './temporal-dev-server';
import { installTemporalServer, startTemporalServer, TEMPORAL_SERVER_VERSION, type TemporalServer } from './temporal-server';
import { projectRoot, resolveTemporalCli } from './tools';

const run = promisify(execFile);

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function timed<T>(what: string, fn: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  const result = await fn();
  say(`${what}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return result;
}

/**
 * docker-compose.yml must run the server version built here, and its
 * namespace job must register the search attributes the code declares.
 */
function checkDeployFiles(): void {
  const root = projectRoot();
  const compose = fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');
  const tags = [...compose.matchAll(/image:\s*temporalio\/(server|admin-tools):(\d+\.\d+\.\d+)/g)].map((m) => `${m[1]}:${m[2]}`);
  const off = tags.filter((t) => !t.endsWith(`:${TEMPORAL_SERVER_VERSION}`));
  if (!tags.some((t) => t.startsWith('server:')) || off.length > 0) {
    throw new Error(`docker-compose.yml runs ${tags.join(', ') || 'no temporalio/server image'}; the build pins ${TEMPORAL_SERVER_VERSION}`);
  }
  say(`docker-compose.yml images match ${TEMPORAL_SERVER_VERSION}: ${tags.join(', ')}`);
  const script = fs.readFileSync(path.join(root, 'deploy', 'temporal', 'setup-namespace.sh'), 'utf8');
  const listed = /for attr in ([^;]+);/.exec(script)?.[1]?.trim().split(/\s+/).sort() ?? [];
  const declared = Object.entries(SEARCH_ATTRIBUTE_TYPES).map(([n, t]) => `${n}=${t}`).sort();
  if (listed.join(' ') !== declared.join(' ')) {
    throw new Error(`deploy/temporal/setup-namespace.sh registers ${listed.join(' ')}; domain/search-attributes.ts declares ${declared.join(' ')}`);
  }
  say(`deploy/temporal/setup-namespace.sh registers the ${declared.length} declared search attributes`);
}

/** Every listening socket of `pid` (from /proc), to show nothing listens beyond `ip`. */
async function listeners(pid: number): Promise<string[]> {
  try {
    const out = await run('ss', ['-Hltnp']);
    return out.stdout
      .split('\n')
      .filter((l) => l.includes(`pid=${pid},`))
      .map((l) => l.trim().split(/\s+/)[3] ?? '?');
  } catch {
    return ['(ss not available)'];
  }
}

export async function checkTemporalServer(): Promise<void> {
  checkDeployFiles();
  const install = await timed('install (build when missing)', () => installTemporalServer());
  const cli = await resolveTemporalCli();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'temporal-server-check-'));
  const pgPort = await findFreePort();
  const pg = await timed('embedded PostgreSQL start', () =>
    startEmbeddedPostgres({ dataDir: path.join(work, 'pg'), port: pgPort, persistent: false, user: 'temporal', password: 'temporal', database: 'postgres' }),
  );
  const start = (what: string): Promise<TemporalServer> =>
    timed(`temporal-server ${what}: schema + start + namespace + search attributes`, () =>
      startTemporalServer({ postgres: pg.url, dataDir: path.join(work, 'temporal'), port: 0, searchAttributes: SEARCH_ATTRIBUTE_TYPES, install }),
    );
  const withClient = async <T>(server: TemporalServer, fn: (client: Client) => Promise<T>): Promise<T> => {
    const connection = await Connection.connect({ address: server.address });
    try {
      return await fn(new Client({ connection, namespace: 'default' }));
    } finally {
      await connection.close();
    }
  };
  // Started without a worker: it stays RUNNING, which is all persistence and visibility need.
  const startWorkflow = (client: Client, workflowId: string) =>
    client.workflow.start('NoSuchWorkflow', {
      taskQueue: 'temporal-server-check',
      workflowId,
      typedSearchAttributes: new TypedSearchAttributes([{ key: DonationStatusAttr, value: 'check' }]),
    });
  const status = async (client: Client, workflowId: string): Promise<string> => (await client.workflow.getHandle(workflowId).describe()).status.name;

  const first = `temporal-server-check-${Date.now()}`;
  const second = `${first}-b`;
  let server: TemporalServer | undefined;
  try {
    // 1. Fresh databases.
    server = await start('first start');
    say(`temporal-server ${install.version} pid ${server.pid} at ${server.address}, log ${server.logFile}`);
    say(`listening on: ${(await listeners(server.pid)).join(' ')}`);
    const health = await run(cli, ['operator', 'cluster', 'health', '--address', server.address]);
    say(`temporal operator cluster health: ${health.stdout.trim()}`);
    if (!/SERVING/.test(health.stdout)) throw new Error('cluster is not SERVING');
    const sa = await run(cli, ['operator', 'search-attribute', 'list', '--address', server.address, '--namespace', 'default', '-o', 'json']);
    const names = Object.keys(SEARCH_ATTRIBUTE_TYPES).filter((n) => sa.stdout.includes(`"${n}"`));
    say(`search attributes present: ${names.join(', ')}`);
    if (names.length !== Object.keys(SEARCH_ATTRIBUTE_TYPES).length) throw new Error(`missing search attributes:\n${sa.stdout}`);
    await withClient(server, async (client) => {
      const handle = await startWorkflow(client, first);
      await timed('workflow visible by search attribute (SQL visibility)', async () => {
        const deadline = Date.now() + 30_000;
        for (;;) {
          const found: string[] = [];
          for await (const wf of client.workflow.list({ query: `DonationStatus = 'check' AND WorkflowId = '${first}'` })) found.push(wf.workflowId);
          if (found.includes(first)) return;
          if (Date.now() > deadline) throw new Error('workflow not found through visibility');
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      });
      await handle.terminate('temporal-server check');
      await startWorkflow(client, second);
    });
    say(`workflow ${first} started, found by DonationStatus, terminated; ${second} left running`);
    await timed('temporal-server stop (SIGTERM)', () => server!.stop());

    // 2. Same databases after a clean stop: schema already current, namespace exists.
    server = await start('restart after SIGTERM');
    const pid = server.pid;
    await withClient(server, async (client) => {
      const a = await status(client, first);
      const b = await status(client, second);
      say(`after restart: ${first} ${a}, ${second} ${b}`);
      if (a !== 'TERMINATED' || b !== 'RUNNING') throw new Error('workflow state did not survive the restart');
    });

    // 3. Same databases after a crash: stale membership rows and shard leases.
    process.kill(pid, 'SIGKILL');
    await server.stop();
    server = await start('restart after SIGKILL');
    await withClient(server, async (client) => {
      const b = await status(client, second);
      say(`after crash restart: ${second} ${b}`);
      if (b !== 'RUNNING') throw new Error('workflow state did not survive the crash');
      await client.workflow.getHandle(second).terminate('temporal-server check');
    });
    await timed('temporal-server stop (SIGTERM)', () => server!.stop());
    server = undefined;
  } finally {
    await server?.stop();
    await pg.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
  say('OK');
}
