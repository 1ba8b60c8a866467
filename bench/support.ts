/**
 * Plumbing for bench/intake.ts: command-line options, a private stack on free
 * ports, a bounded task pool, and memory / CPU sampling.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { loadConfig, type AppConfig } from '../config/env';
import { SEARCH_ATTRIBUTE_TYPES } from '../workflows/features';
import { buildApi } from '../api/server';
import { createOrm, migrate, type Orm } from '../ledger/orm';
import { createWorker } from '../worker/create-worker';
import { activityDepsFromConfig } from '../activities/deps';
import { resolveTemporalCli } from '../scripts/stack/tools';
import { findFreePort, startTemporalDevServer } from '../scripts/stack/temporal-dev-server';
import { startEmbeddedPostgres } from '../scripts/stack/embedded-postgres';

export interface BenchOptions {
  n: number;
  concurrency: number;
}

function positiveInt(name: string, raw: string | undefined): number {
  if (raw === undefined || !/^\d+$/.test(raw) || Number(raw) < 1) throw new Error(`${name} must be a positive whole number, got "${raw ?? ''}"`);
  return Number(raw);
}

/** `--n 500`, `--n=500`, `--concurrency 16`; BENCH_N / BENCH_CONCURRENCY when the flag is absent. */
export function parseOptions(argv: string[], env: NodeJS.ProcessEnv): BenchOptions {
  const flags = new Map<string, string | undefined>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m) throw new Error(`unexpected argument "${arg}" (usage: --n <count> --concurrency <count>)`);
    const [, name, inline] = m;
    if (name !== 'n' && name !== 'concurrency') throw new Error(`unknown option --${name} (known: --n, --concurrency)`);
    flags.set(name, inline ?? argv[++i]);
  }
  return {
    n: flags.has('n') ? positiveInt('--n', flags.get('n')) : env.BENCH_N ? positiveInt('BENCH_N', env.BENCH_N) : 2000,
    concurrency: flags.has('concurrency')
      ? positiveInt('--concurrency', flags.get('concurrency'))
      : env.BENCH_CONCURRENCY
        ? positiveInt('BENCH_CONCURRENCY', env.BENCH_CONCURRENCY)
        : 16,
  };
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/**
 * Runs task(0..count-1) with at most `concurrency` in flight. The first
 * failure stops new tasks from starting and is rethrown once the in-flight
 * ones have settled, so nothing is left running behind the caller's back.
 */
export async function runPool(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { err: unknown } | undefined;
  const lane = async (): Promise<void> => {
    while (!failure && next < count) {
      const i = next++;
      try {
        await task(i);
      } catch (err) {
        failure ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  if (failure) throw failure.err;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Peak memory of this process. heapUsed is the main isolate only (API,
 * activities, client); workflow code runs in the SDK's worker thread, whose
 * heap shows up in RSS but not here.
 */
export class MemorySampler {
  peakRss = 0;
  peakHeapUsed = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly intervalMs = 250) {}

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
  }

  stop(): void {
    this.sample();
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private sample(): void {
    const m = process.memoryUsage();
    this.peakRss = Math.max(this.peakRss, m.rss);
    this.peakHeapUsed = Math.max(this.peakHeapUsed, m.heapUsed);
  }
}

let clockTicks: number | undefined;
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number.parseInt(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }), 10) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** utime+stime of a process and, optionally, of its children (exited ones via cutime/cstime, live ones directly). */
function cpuSecondsOf(pid: number, withChildren: boolean): number {
  const fields = (p: number | string): string[] | undefined => {
    try {
      const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
      // The command name may contain spaces; everything after its closing paren is space-separated.
      return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    } catch {
      return undefined;
    }
  };
  // After ')' the fields start at "state" (field 3), so field k is at index k - 3.
  const own = fields(pid);
  if (!own) return Number.NaN;
  let ticks = Number(own[11]) + Number(own[12]);
  if (withChildren) {
    ticks += Number(own[13]) + Number(own[14]);
    for (const entry of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const f = fields(entry);
      if (f && Number(f[1]) === pid) ticks += Number(f[11]) + Number(f[12]);
    }
  }
  return ticks / ticksPerSecond();
}

/** Busy CPU seconds of the whole machine, all cores, including time the hypervisor stole. */
function machineBusySeconds(): number {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    return (user + nice + system + irq + softirq + (steal ?? 0)) / ticksPerSecond();
  } catch {
    return Number.NaN;
  }
}

export interface CpuSnapshot {
  bench: number;
  temporal: number;
  postgres: number;
  /** Everything else on the machine: other users' work competes for the same cores and skews the result. */
  other: number;
}

/** CPU seconds used so far by this process, the Temporal dev server, PostgreSQL (all backends) and everything else; NaN where /proc is missing. */
export function cpuSnapshot(stack: Pick<Stack, 'temporalPid' | 'postgresPid'>): CpuSnapshot {
  const self = process.cpuUsage();
  const bench = (self.user + self.system) / 1e6;
  const temporal = cpuSecondsOf(stack.temporalPid, false);
  const postgres = cpuSecondsOf(stack.postgresPid, true);
  return { bench, temporal, postgres, other: machineBusySeconds() - bench - temporal - postgres };
}

export function cpuSince(before: CpuSnapshot, after: CpuSnapshot): CpuSnapshot {
  return {
    bench: after.bench - before.bench,
    temporal: after.temporal - before.temporal,
    postgres: after.postgres - before.postgres,
    other: Math.max(0, after.other - before.other),
  };
}

export interface ServerError {
  route: string;
  error: Error;
}

export interface Stack {
  config: AppConfig;
  orm: Orm;
  /** A separate one-connection ORM for the benchmark's own queries. */
  monitor: Orm;
  client: Client;
  nativeConnection: NativeConnection;
  worker: Worker;
  /** Rejects if the donation worker stops on its own; race long waits against it. */
  workerFailure: Promise<never>;
  api: FastifyInstance;
  apiBase: string;
  /** The first few errors thrown inside API routes. */
  serverErrors: ServerError[];
  temporalAddress: string;
  temporalPid: number;
  postgresPid: number;
  runDir: string;
  /** Extra shutdown steps (e.g. the bare-floor worker) run before the stack's own. */
  onStop(step: () => Promise<unknown>): void;
  stop(): Promise<void>;
}

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

/**
 * The same pieces as `npm start`, but private to this run: an in-memory
 * Temporal dev server and a throw-away PostgreSQL on free ports, the ledger
 * migrated, the donation worker and the API in this process.
 */
/**
 * Runs `worker` until the stack stops (the stop is registered with `onStop`). The returned promise
 * rejects if the worker stops first: race it against a benchmark's waits so a dead worker fails the
 * run instead of hanging it. Only a race that is lost surfaces the rejection.
 */
export function runWorker(worker: Worker, what: string, onStop: (step: () => Promise<unknown>) => void): Promise<never> {
  const running = worker.run();
  onStop(async () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running;
  });
  const failure = running.then(
    () => Promise.reject(new Error(`${what} stopped before the benchmark finished`)),
    (err: unknown) => Promise.reject(err),
  );
  failure.catch(() => undefined);
  return failure;
}

/** Runs a bench's main and exits with its code; a failure is printed and exits 1. */
export function runBench(name: string, main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`${name} failed:`, err);
      process.exit(1);
    },
  );
}

/** Interrupted (SIGINT/SIGTERM): the private servers go down with the bench, once. */
export function stopOnSignal(stack: { stop(): Promise<void> }, log: (message: string) => void): void {
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) return;
    interrupted = true;
    log('interrupted; stopping the stack …');
    void stack.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}

/**
 * Serves the bench's API on a free loopback port and returns its base URL. With the logger off, a
 * 500 would otherwise say only "see the server log": the first five server errors are recorded
 * (never altered: the API's own error handler still shapes the answer).
 */
export async function listenOnLoopback<E>(api: FastifyInstance, serverErrors: E[], entry: (route: string, error: Error) => E): Promise<string> {
  api.addHook('onError', async (request, _reply, error) => {
    if (serverErrors.length < 5) serverErrors.push(entry(`${request.method} ${request.url}`, error));
  });
  await api.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
}

export async function startStack(): Promise<Stack> {
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'furusato-bench-'));
  // As root, postgres runs as the postgres user and must reach its data directory.
  fs.chmodSync(runDir, 0o755);
  const stops: (() => Promise<unknown>)[] = [];
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      for (const step of stops.reverse()) {
        await step().catch((err) => log(`while stopping: ${err instanceof Error ? err.message : String(err)}`));
      }
      fs.rmSync(runDir, { recursive: true, force: true });
    })();
    return stopped;
  };

  try {
    // Dev tokens as with loadConfig({}); the data folder (print outbox, work files) stays inside the run directory.
    const config = loadConfig({ FURUSATO_DATA_DIR: runDir });
    const cliPath = await resolveTemporalCli({ install: true });
    const [temporalStarted, pgStarted] = await Promise.allSettled([
      startTemporalDevServer({
        cliPath,
        port: 0,
        uiPort: false,
        namespace: config.temporal.namespace,
        searchAttributes: SEARCH_ATTRIBUTE_TYPES,
        logLevel: 'error',
        logFile: path.join(runDir, 'temporal.log'),
      }),
      findFreePort().then((port) => startEmbeddedPostgres({
          dataDir: path.join(runDir, 'pg'), port, persistent: false, logFile: path.join(runDir, 'pg.log'),
          // BENCH_PG_STATEMENTS=1: the bench can print where PostgreSQL's time went (pg_stat_statements).
          settings: process.env.BENCH_PG_STATEMENTS === '1' ? { shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track': 'all' } : undefined,
        })),
    ]);
    // Whichever of the two came up must come down again if the other failed.
    if (temporalStarted.status === 'fulfilled') stops.push(() => temporalStarted.value.stop());
    if (pgStarted.status === 'fulfilled') stops.push(() => pgStarted.value.stop());
    if (temporalStarted.status === 'rejected') throw temporalStarted.reason;
    if (pgStarted.status === 'rejected') throw pgStarted.reason;
    const temporal = temporalStarted.value;
    const pg = pgStarted.value;
    log(`temporal ${temporal.address} (pid ${temporal.pid}), postgres ${pg.url.replace(/:[^:@/]*@/, ':***@')} (pid ${pg.pid})`);

    const orm = await createOrm(pg.url);
    stops.push(() => orm.close());
    await migrate(orm);
    // The bench's own progress queries must neither take connections from the product's pool nor queue behind it.
    const monitor = await createOrm(pg.url, { poolMax: 1 });
    stops.push(() => monitor.close());

    const connection = await Connection.connect({ address: temporal.address });
    stops.push(() => connection.close());
    const client = new Client({ connection, namespace: config.temporal.namespace });

    const nativeConnection = await NativeConnection.connect({ address: temporal.address });
    stops.push(() => nativeConnection.close());
    const activityDeps = activityDepsFromConfig(config, orm, client);
    stops.push(() => activityDeps.close());
    const worker = await createWorker({ connection: nativeConnection, namespace: config.temporal.namespace, taskQueue: config.temporal.taskQueue, deps: activityDeps.deps });
    const workerFailure = runWorker(worker, 'donation worker', (step) => stops.push(step));

    // In production the API and the worker are separate processes, each with its own pool (api/main.ts,
    // worker/main.ts); here they share a process, so the API gets its own ORM to mirror that.
    const apiOrm = await createOrm(pg.url);
    stops.push(() => apiOrm.close());
    const api = await buildApi({ config, orm: apiOrm, temporal: client, logger: false });
    const serverErrors: ServerError[] = [];
    stops.push(() => api.close());
    const apiBase = await listenOnLoopback(api, serverErrors, (route, error) => ({ route, error }));

    return {
      config,
      orm,
      monitor,
      client,
      nativeConnection,
      worker,
      workerFailure,
      api,
      apiBase,
      serverErrors,
      temporalAddress: temporal.address,
      temporalPid: temporal.pid,
      postgresPid: pg.pid,
      runDir,
      onStop: (step) => stops.push(step),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * With BENCH_PG_STATEMENTS=1: the statements PostgreSQL spent most time on since `reset`,
 * so a figure that grows with the data can be traced to a statement instead of guessed.
 */
export async function pgStatements(knex: { raw(sql: string): Promise<{ rows: Record<string, any>[] }> }, mode: 'reset' | 'print', top = 10): Promise<void> {
  if (process.env.BENCH_PG_STATEMENTS !== '1') return;
  await knex.raw('create extension if not exists pg_stat_statements');
  if (mode === 'reset') {
    await knex.raw('select pg_stat_statements_reset()');
    return;
  }
  const { rows } = await knex.raw(
    `select calls, round(total_exec_time::numeric, 0) as ms, round(mean_exec_time::numeric, 2) as mean_ms, rows, shared_blks_hit + shared_blks_read as blocks,
            regexp_replace(left(query, 160), '\\s+', ' ', 'g') as query
       from pg_stat_statements order by total_exec_time desc limit ${top}`,
  );
  console.log('  postgres top statements (total ms, calls, mean ms, rows, blocks):');
  for (const r of rows) console.log(`    ${r.ms} ms  ${r.calls}×  ${r.mean_ms} ms  ${r.rows} rows  ${r.blocks} blocks  ${r.query}`);
}
