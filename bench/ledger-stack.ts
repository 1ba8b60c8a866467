/**
 * bench:ledger's own stack: a PERSISTENT embedded PostgreSQL in its own data directory (never the
 * test database, never the other benches' throw-away ones), so the million-row seed survives
 * between runs, and the real API in this process. Search and export never touch Temporal, so the
 * API gets a lazy client that is never dialled and no dev server is started.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Client, Connection } from '@temporalio/client';
import { loadConfig } from '../config/env';
import { buildApi } from '../api/server';
import { createOrm, type Orm } from '../ledger/orm';
import { findFreePort } from '../scripts/stack/temporal-dev-server';
import { startEmbeddedPostgres } from '../scripts/stack/embedded-postgres';
import { listenOnLoopback } from './support';

export interface LedgerStack {
  orm: Orm;
  api: FastifyInstance;
  apiBase: string;
  postgresPid: number;
  dataDir: string;
  serverErrors: string[];
  stop(): Promise<void>;
}

export function ledgerBenchDir(): string {
  return process.env.BENCH_LEDGER_DIR ?? path.join(os.tmpdir(), 'furusato-bench-ledger');
}

/** `prepare` runs before the API starts and migrates: a seed to rebuild is wiped first, so new migrations never run on data about to be dropped. */
export async function startLedgerStack(log: (m: string) => void, prepare: (orm: Orm) => Promise<void>): Promise<LedgerStack> {
  const dir = ledgerBenchDir();
  fs.mkdirSync(dir, { recursive: true });
  fs.chmodSync(dir, 0o755);
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'furusato-bench-ledger-run-'));
  const stops: (() => Promise<unknown>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch((err) => log(`while stopping: ${err instanceof Error ? err.message : String(err)}`));
    fs.rmSync(runDir, { recursive: true, force: true });
  };
  try {
    // replaceRunning: a bench killed mid-run leaves its postgres behind on this data directory.
    const pg = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port: await findFreePort(), persistent: true, database: 'furusato_bench', logFile: path.join(dir, 'pg.log'), replaceRunning: true });
    stops.push(() => pg.stop());
    log(`postgres pid ${pg.pid}, data ${path.join(dir, 'pg')}`);
    const orm = await createOrm(pg.url);
    stops.push(() => orm.close());
    await prepare(orm);
    const config = loadConfig({ FURUSATO_DATA_DIR: runDir });
    // Never dialled: the routes measured here read the ledger only.
    const temporal = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }), namespace: config.temporal.namespace });
    const api = await buildApi({ config, orm, temporal, logger: false });
    const serverErrors: string[] = [];
    stops.push(() => api.close());
    const apiBase = await listenOnLoopback(api, serverErrors, (route, error) => `${route}: ${error.message}`);
    return {
      orm,
      api,
      apiBase,
      postgresPid: pg.pid,
      dataDir: dir,
      serverErrors,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
