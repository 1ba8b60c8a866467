/**
 * The production Temporal engine on this machine: `temporal-server` built from
 * its Go module (go.temporal.io/server), with PostgreSQL persistence and SQL
 * visibility, the same engine docker-compose.yml runs from temporalio/server.
 * The dev server (`temporal server start-dev`, SQLite) stays the default for
 * `npm start` and the tests; this one is for testing against what production
 * runs (`npm run test:faults -- --server production`).
 *
 * `npm run tools:temporal-server` (this file run directly) builds
 * .tools/bin/temporal-server and .tools/bin/temporal-sql-tool with the Go
 * toolchain and copies the server's PostgreSQL schema into
 * .tools/temporal-server-schema/. Everything Go downloads or caches stays under
 * .tools/go. See docs/deploy.md.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { pollUntilReady, type StartingServer } from './temporal-ready';
import { msToTs } from '@temporalio/common/lib/time';
import { ensureSearchAttributes, SearchAttributeConflictError, type SearchAttributeType } from '../../workflows/namespace';
import { readFileTail } from './file-tail';
import { spawnServer } from './server-process';
import type { TemporalDevServer } from './temporal-dev-server';
import { run as runTool, toolsDir, type RunResult } from './tools';
import { stackEnv } from '../../config/stack-env';

/**
 * The server version, the one pin for everything built here. docker-compose.yml
 * runs temporalio/server and temporalio/admin-tools of the same version; keep
 * them in step (`npm run tools:temporal-server -- --check` fails when they
 * differ).
 */
export const TEMPORAL_SERVER_VERSION = '1.29.1';

const GO_MODULE = 'go.temporal.io/server';
/** Copied out of the module source to `<schemaDir>/postgresql/v12/…` (without the leading schema/). */
const SCHEMA_FOLDERS = ['schema/postgresql/v12/temporal', 'schema/postgresql/v12/visibility'];

export interface TemporalServerInstall {
  version: string;
  server: string;
  sqlTool: string;
  /** Holds postgresql/v12/{temporal,visibility}/versioned/… */
  schemaDir: string;
}

export interface InstallTemporalServerOptions {
  /** Where bin/, go/ and the schema go. Default: the project's .tools/. */
  toolsDir?: string;
  version?: string;
  /** Print the go command's output. Default true. */
  echo?: boolean;
  /** `go build -p`: packages compiled at once. Default 1 (the machine is shared). */
  jobs?: number;
  /** Fail instead of building when the binaries are missing. Default false. */
  noBuild?: boolean;
}

function log(message: string): void {
  process.stderr.write(`[temporal-server] ${message}\n`);
}

/** Paths of a server install at `version` under `dir`; nothing is checked. */
export function temporalServerPaths(dir = toolsDir(), version = TEMPORAL_SERVER_VERSION): TemporalServerInstall {
  return {
    version,
    server: path.join(dir, 'bin', 'temporal-server'),
    sqlTool: path.join(dir, 'bin', 'temporal-sql-tool'),
    schemaDir: path.join(dir, 'temporal-server-schema', version),
  };
}

function stampFile(dir: string): string {
  return path.join(dir, 'bin', 'temporal-server.version');
}

function installed(paths: TemporalServerInstall, dir: string): boolean {
  try {
    return (
      fs.readFileSync(stampFile(dir), 'utf8').trim() === paths.version &&
      fs.statSync(paths.server).isFile() &&
      fs.statSync(paths.sqlTool).isFile() &&
      SCHEMA_FOLDERS.every((f) => fs.statSync(path.join(paths.schemaDir, f.replace(/^schema\//, ''), 'versioned')).isDirectory())
    );
  } catch {
    return false;
  }
}

/** A build step: the Go toolchain's output is long, so more of it is kept. */
const run = (cmd: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv; echo: boolean }): Promise<RunResult> => runTool(cmd, args, { ...opts, keepChars: 16_000 });

/** Copies a tree from the module cache, whose files and folders are read-only. */
function copyWritable(from: string, to: string): void {
  fs.cpSync(from, to, { recursive: true });
  const fix = (p: string): void => {
    const st = fs.statSync(p);
    fs.chmodSync(p, st.isDirectory() ? 0o755 : 0o644);
    if (st.isDirectory()) for (const e of fs.readdirSync(p)) fix(path.join(p, e));
  };
  fix(to);
}

/** Removes a tree that may contain read-only module-cache folders. */
function removeTree(p: string): void {
  if (!fs.existsSync(p)) return;
  const unlock = (q: string): void => {
    const st = fs.lstatSync(q);
    if (!st.isDirectory()) return;
    fs.chmodSync(q, 0o755);
    for (const e of fs.readdirSync(q)) unlock(path.join(q, e));
  };
  unlock(p);
  fs.rmSync(p, { recursive: true, force: true });
}

/**
 * Builds temporal-server and temporal-sql-tool at TEMPORAL_SERVER_VERSION
 * (unless already built at that version) and copies the PostgreSQL schema.
 * Needs Go (the server's go.mod decides the minimum; GOTOOLCHAIN=local unless
 * set, so no toolchain is downloaded) and the Go module proxy. Takes long on
 * a small machine: the build is niced and compiles one package at a time.
 */
export async function installTemporalServer(opts: InstallTemporalServerOptions = {}): Promise<TemporalServerInstall> {
  const dir = path.resolve(opts.toolsDir ?? toolsDir());
  const version = opts.version ?? TEMPORAL_SERVER_VERSION;
  const paths = temporalServerPaths(dir, version);
  if (installed(paths, dir)) return paths;
  if (opts.noBuild) {
    throw new Error(`temporal-server ${version} is not built in ${dir}/bin: run npm run tools:temporal-server (needs Go).`);
  }
  const echo = opts.echo ?? true;
  const goDir = path.join(dir, 'go');
  fs.mkdirSync(path.join(dir, 'bin'), { recursive: true });
  fs.mkdirSync(path.join(goDir, 'tmp'), { recursive: true });

  const lock = await acquireLock(path.join(dir, 'temporal-server.build.lock'));
  try {
    // Another process may have finished the build while we waited.
    if (installed(paths, dir)) return paths;
    const env: NodeJS.ProcessEnv = {
      ...stackEnv().inherited(),
      GOPATH: goDir,
      GOMODCACHE: path.join(goDir, 'pkg', 'mod'),
      GOCACHE: path.join(goDir, 'cache'),
      GOTMPDIR: path.join(goDir, 'tmp'),
      GOENV: 'off',
      GOFLAGS: '-mod=mod',
      GOTOOLCHAIN: stackEnv().goToolchain,
      // A static binary: no C toolchain needed, as in the official images.
      CGO_ENABLED: '0',
      GOWORK: 'off',
    };
    const go = stackEnv().go;
    const goVersion = await run(go, ['version'], { cwd: dir, env, echo: false });
    if (goVersion.code !== 0) {
      throw new Error(`Go is needed to build temporal-server (${goVersion.output.trim()}). Install Go (https://go.dev/dl/) or set GO.`);
    }
    log(`building ${GO_MODULE}@v${version} with ${goVersion.output.trim()} (this takes a while) ...`);

    const work = fs.mkdtempSync(path.join(goDir, 'build-'));
    const started = Date.now();
    try {
      const step = async (what: string, args: string[], niced = false): Promise<void> => {
        // nice keeps other work on the machine responsive during the long compile.
        const [cmd, argv] = niced && process.platform !== 'win32' ? ['nice', ['-n', '10', go, ...args]] : [go, args];
        const r = await run(cmd, argv, { cwd: work, env, echo });
        if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}): go ${args.join(' ')}\n${r.output.trim().slice(-4000)}`);
      };
      await step('go mod init', ['mod', 'init', 'furusato-ops/temporal-server-build']);
      await step('go get', ['get', `${GO_MODULE}@v${version}`]);
      const jobs = String(opts.jobs ?? 1);
      const ldflags = '-s -w';
      for (const [pkg, target] of [
        [`${GO_MODULE}/cmd/server`, paths.server],
        [`${GO_MODULE}/cmd/tools/sql`, paths.sqlTool],
      ] as const) {
        const partial = `${target}.partial-${process.pid}`;
        await step(`building ${pkg}`, ['build', '-p', jobs, '-trimpath', '-ldflags', ldflags, '-o', partial, pkg], true);
        fs.renameSync(partial, target);
      }

      const modDir = await run(go, ['list', '-m', '-f', '{{.Dir}}', GO_MODULE], { cwd: work, env, echo: false });
      const src = modDir.output.trim();
      if (modDir.code !== 0 || !fs.existsSync(src)) throw new Error(`could not locate ${GO_MODULE} in the module cache: ${src}`);
      removeTree(paths.schemaDir);
      for (const folder of SCHEMA_FOLDERS) {
        copyWritable(path.join(src, folder), path.join(paths.schemaDir, folder.replace(/^schema\//, '')));
      }
      fs.writeFileSync(stampFile(dir), `${version}\n`);
      log(`built ${paths.server} and ${paths.sqlTool} in ${Math.round((Date.now() - started) / 1000)} s`);
    } finally {
      removeTree(work);
    }
    return paths;
  } finally {
    lock.release();
  }
}

/** A lock file holding the builder's pid; a dead holder's lock is taken over. */
async function acquireLock(file: string): Promise<{ release(): void }> {
  let warned = false;
  for (;;) {
    try {
      fs.writeFileSync(file, `${process.pid}\n`, { flag: 'wx' });
      return { release: () => fs.rmSync(file, { force: true }) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = Number.parseInt(fs.readFileSync(file, 'utf8'), 10);
    let alive = false;
    try {
      if (holder > 0) process.kill(holder, 0);
      alive = holder > 0;
    } catch (err) {
      alive = (err as NodeJS.ErrnoException).code === 'EPERM';
    }
    if (!alive) {
      fs.rmSync(file, { force: true });
      continue;
    }
    if (!warned) log(`waiting for the build running in pid ${holder} ...`);
    warned = true;
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
}

// ---------------------------------------------------------------------------
// Running it

export interface PostgresConnection {
  /** Default 127.0.0.1. */
  host?: string;
  port: number;
  /** Needs CREATE DATABASE unless both databases exist already. */
  user: string;
  password: string;
}

export interface TemporalServerOptions {
  /** The PostgreSQL to persist to: a connection or a postgres:// URL (its database name is ignored). */
  postgres: PostgresConnection | string;
  /** Where the generated config, dynamic config and the server log go. */
  dataDir: string;
  /** Default 'temporal'. */
  database?: string;
  /** Default 'temporal_visibility'. */
  visibilityDatabase?: string;
  /** Address every service binds to (frontend, history, matching, worker, membership). Default 127.0.0.1. */
  ip?: string;
  /** Frontend gRPC port, below 32768. Default 7233; 0 picks a free one. The internal ports are always picked free (20000–32767). */
  port?: number;
  /** Registered when missing. Default 'default'. */
  namespace?: string;
  /** Retention of closed workflows in a namespace this call registers. Default 1 day. */
  namespaceRetentionDays?: number;
  searchAttributes?: Record<string, SearchAttributeType>;
  /** Fixed when the cluster's databases are first set up; must not change later. Default 4. */
  numHistoryShards?: number;
  /** Server log level (debug, info, warn, error). Default 'warn'. */
  logLevel?: string;
  /** Default `<dataDir>/temporal-server.log` (appended). */
  logFile?: string;
  /** Extra dynamic config, merged over the defaults below: key → value (global, no constraints). */
  dynamicConfig?: Record<string, unknown>;
  /** Build the binaries when missing (about 6 min on 2 cores). Default false: fail and say how. */
  build?: boolean;
  /** An install other than the project's .tools/ (its paths as installTemporalServer returns them). */
  install?: TemporalServerInstall;
  /** Schema setup plus start-up. Default 90 s. */
  startTimeoutMs?: number;
}

/** Same shape as the dev server's handle, so callers can take either. */
export type TemporalServer = Omit<TemporalDevServer, 'uiUrl'> & {
  /** The log file the server writes. */
  logFile: string;
};

/**
 * What the dev server allows and the fault suite relies on. Update and its
 * async "accepted" stage are on by default in 1.29, but stated so a server
 * default changing does not silently change behaviour; schedules likewise.
 */
const DEFAULT_DYNAMIC_CONFIG: Record<string, unknown> = {
  'frontend.enableUpdateWorkflowExecution': true,
  'frontend.enableUpdateWorkflowExecutionAsyncAccepted': true,
  'frontend.enableExecuteMultiOperation': true,
  'frontend.enableSchedules': true,
  'worker.enableScheduler': true,
  // A search attribute added at runtime is visible at once (as start-dev does).
  'system.forceSearchAttributesCacheRefreshOnRead': true,
  // A namespace registered here becomes usable in about a second instead of ten.
  'system.namespaceCacheRefreshInterval': '1s',
};

const STOP_GRACE_MS = 15_000;
const LOG_TAIL_BYTES = 8 * 1024;
const ALREADY_EXISTS = 6; // gRPC status

export function parsePostgresUrl(url: string): PostgresConnection {
  const u = new URL(url);
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') throw new Error(`not a postgres:// URL: ${u.protocol}`);
  return {
    host: u.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1',
    port: u.port ? Number(u.port) : 5432,
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
  };
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

// A server left running when Node exits keeps its ports and its shard leases: stopOnExit.

/**
 * Creates the two databases (when missing) and brings their schema to this
 * server version with the server's own temporal-sql-tool: create-database,
 * setup-schema -v 0.0 (version tables only), update-schema from the copied
 * versioned folders. All three are idempotent, so this runs on every start.
 */
export async function setupTemporalSchema(
  install: TemporalServerInstall,
  pg: Required<PostgresConnection>,
  databases: { database: string; visibilityDatabase: string },
  logFile: string,
): Promise<void> {
  // The password goes through the environment, not argv (visible in ps).
  const env: NodeJS.ProcessEnv = { PATH: stackEnv().path, SQL_PASSWORD: pg.password };
  for (const [db, schema] of [
    [databases.database, 'temporal'],
    [databases.visibilityDatabase, 'visibility'],
  ] as const) {
    const common = ['--plugin', 'postgres12', '--endpoint', pg.host, '--port', String(pg.port), '--user', pg.user, '--database', db];
    const versioned = path.join(install.schemaDir, 'postgresql', 'v12', schema, 'versioned');
    for (const cmd of [['create-database'], ['setup-schema', '-v', '0.0'], ['update-schema', '-d', versioned]]) {
      const r = await run(install.sqlTool, [...common, ...cmd], { cwd: path.dirname(logFile), env, echo: false });
      fs.appendFileSync(logFile, r.output);
      if (r.code !== 0) {
        throw new Error(`temporal-sql-tool ${cmd[0]} on ${db} failed (exit ${r.code}):\n${r.output.trim().slice(-3000)}`);
      }
    }
  }
}

interface Ports {
  frontend: number;
  frontendMembership: number;
  history: number;
  historyMembership: number;
  matching: number;
  matchingMembership: number;
  worker: number;
  workerMembership: number;
}

/**
 * The cluster_membership table keeps ports as smallint, so every port of the
 * server must be below 32768; the kernel's ephemeral ports (findFreePort) are
 * mostly above. Random ports of 20000–32767 are tried until one binds.
 */
function portFree(ip: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host: ip, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

const PORT_RANGE = { min: 20_000, max: 32_767 };

async function pickPorts(ip: string, frontend: number | undefined): Promise<Ports> {
  const picked = new Set<number>();
  const next = async (): Promise<number> => {
    for (let attempt = 0; attempt < 200; attempt++) {
      const p = PORT_RANGE.min + Math.floor(Math.random() * (PORT_RANGE.max - PORT_RANGE.min + 1));
      if (!picked.has(p) && (await portFree(ip, p))) {
        picked.add(p);
        return p;
      }
    }
    throw new Error(`no free port in ${PORT_RANGE.min}-${PORT_RANGE.max} on ${ip}`);
  };
  if (frontend !== undefined) {
    if (frontend > PORT_RANGE.max) throw new Error(`temporal-server ports must be below 32768 (cluster_membership stores them as smallint): ${frontend}`);
    picked.add(frontend);
  }
  return {
    frontend: frontend ?? (await next()),
    frontendMembership: await next(),
    history: await next(),
    historyMembership: await next(),
    matching: await next(),
    matchingMembership: await next(),
    worker: await next(),
    workerMembership: await next(),
  };
}

/**
 * The server configuration. Written as JSON, which YAML parsers read as
 * YAML, so no YAML writer is needed and no value needs escaping. Every
 * service and its membership (ringpop) listener binds to `ip`; no HTTP API,
 * no metrics listener and no pprof (all off when unset).
 */
function serverConfig(p: {
  ip: string;
  ports: Ports;
  pg: Required<PostgresConnection>;
  database: string;
  visibilityDatabase: string;
  numHistoryShards: number;
  logLevel: string;
  dynamicConfigFile: string;
}): unknown {
  const store = (databaseName: string, maxConns: number): unknown => ({
    sql: {
      pluginName: 'postgres12',
      databaseName,
      connectAddr: hostPort(p.pg.host, p.pg.port),
      connectProtocol: 'tcp',
      user: p.pg.user,
      password: p.pg.password,
      maxConns,
      maxIdleConns: maxConns,
      maxConnLifetime: '1h',
    },
  });
  const rpc = (grpcPort: number, membershipPort: number): unknown => ({ rpc: { grpcPort, membershipPort, bindOnIP: p.ip } });
  const frontendAddress = hostPort(p.ip, p.ports.frontend);
  return {
    log: { stdout: true, level: p.logLevel },
    persistence: {
      numHistoryShards: p.numHistoryShards,
      defaultStore: 'default',
      visibilityStore: 'visibility',
      datastores: { default: store(p.database, 20), visibility: store(p.visibilityDatabase, 10) },
    },
    global: {
      membership: { maxJoinDuration: '30s', broadcastAddress: p.ip },
    },
    services: {
      frontend: rpc(p.ports.frontend, p.ports.frontendMembership),
      history: rpc(p.ports.history, p.ports.historyMembership),
      matching: rpc(p.ports.matching, p.ports.matchingMembership),
      worker: rpc(p.ports.worker, p.ports.workerMembership),
    },
    clusterMetadata: {
      enableGlobalNamespace: false,
      failoverVersionIncrement: 10,
      masterClusterName: 'active',
      currentClusterName: 'active',
      clusterInformation: {
        active: { enabled: true, initialFailoverVersion: 1, rpcName: 'frontend', rpcAddress: frontendAddress },
      },
    },
    dcRedirectionPolicy: { policy: 'noop' },
    archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } },
    namespaceDefaults: { archival: { history: { state: 'disabled' }, visibility: { state: 'disabled' } } },
    publicClient: { hostPort: frontendAddress },
    dynamicConfigClient: { filepath: p.dynamicConfigFile, pollInterval: '10s' },
  };
}

function dynamicConfig(extra: Record<string, unknown> | undefined): unknown {
  const all = { ...DEFAULT_DYNAMIC_CONFIG, ...(extra ?? {}) };
  return Object.fromEntries(Object.entries(all).map(([k, value]) => [k, [{ value }]]));
}

/**
 * Starts temporal-server (frontend, history, matching and worker in one
 * process) on PostgreSQL: sets up the schema, writes the config under
 * dataDir, starts the server, registers the namespace and the search
 * attributes, and resolves once a client can use the namespace.
 */
export async function startTemporalServer(opts: TemporalServerOptions): Promise<TemporalServer> {
  const started = Date.now();
  const timeoutMs = opts.startTimeoutMs ?? 90_000;
  const install = opts.install ?? (await installTemporalServer({ noBuild: !opts.build }));
  const given = typeof opts.postgres === 'string' ? parsePostgresUrl(opts.postgres) : opts.postgres;
  const pg: Required<PostgresConnection> = { ...given, host: given.host ?? '127.0.0.1' };
  const database = opts.database ?? 'temporal';
  const visibilityDatabase = opts.visibilityDatabase ?? 'temporal_visibility';
  const ip = opts.ip ?? '127.0.0.1';
  if (ip === '0.0.0.0' || ip === '::') throw new Error('bind temporal-server to one address (membership broadcasts it), not a wildcard');
  const namespace = opts.namespace ?? 'default';
  const dataDir = path.resolve(opts.dataDir);
  const configDir = path.join(dataDir, 'config');
  const logFile = path.resolve(opts.logFile ?? path.join(dataDir, 'temporal-server.log'));
  fs.mkdirSync(configDir, { recursive: true });
  fs.mkdirSync(path.dirname(logFile), { recursive: true });

  await setupTemporalSchema(install, pg, { database, visibilityDatabase }, logFile);

  const ports = await pickPorts(ip, opts.port === 0 ? undefined : (opts.port ?? 7233));
  const address = hostPort(ip, ports.frontend);
  const dynamicConfigFile = path.join(configDir, 'dynamicconfig.yaml');
  fs.writeFileSync(dynamicConfigFile, `${JSON.stringify(dynamicConfig(opts.dynamicConfig), null, 2)}\n`);
  // `--env production` reads <root>/<config>/production.yaml; it holds the database password.
  const config = serverConfig({
    ip,
    ports,
    pg,
    database,
    visibilityDatabase,
    numHistoryShards: opts.numHistoryShards ?? 4,
    logLevel: opts.logLevel ?? 'warn',
    dynamicConfigFile,
  });
  const configFile = path.join(configDir, 'production.yaml');
  fs.writeFileSync(configFile, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  fs.chmodSync(configFile, 0o600);

  const args = ['--root', dataDir, '--config', 'config', '--env', 'production', '--allow-no-auth', 'start'];
  // TEMPORAL_* variables (TEMPORAL_ROOT, TEMPORAL_ENVIRONMENT, ...) override flags in this CLI.
  const env = stackEnv().withoutTemporal();
  const logStart = fs.existsSync(logFile) ? fs.statSync(logFile).size : 0;
  const { child, watched } = spawnServer(install.server, args, { cwd: dataDir, env, logFile });

  const stop = () => watched.stop([['SIGTERM', STOP_GRACE_MS]]);

  try {
    await waitUntilUsable({
      address,
      namespace,
      retentionSeconds: Math.round((opts.namespaceRetentionDays ?? 1) * 86_400),
      searchAttributes: opts.searchAttributes ?? {},
      deadline: started + timeoutMs,
      hasExited: () => watched.info() !== undefined,
    });
  } catch (err) {
    const died = watched.info() !== undefined;
    await stop();
    if (err instanceof SearchAttributeConflictError) throw err;
    const reason = died ? `temporal-server exited early (${watched.info()})` : `temporal-server was not usable at ${address} within ${timeoutMs} ms`;
    const detail = err instanceof Error && !died ? `\nlast error: ${err.message}` : '';
    const size = fs.existsSync(logFile) ? fs.statSync(logFile).size : 0;
    const tail = readFileTail(logFile, Math.min(LOG_TAIL_BYTES, Math.max(0, size - logStart))).trim();
    throw new Error(`${reason}${detail}\ncommand: ${install.server} ${args.join(' ')}\nlog ${logFile}, tail:\n${tail}`);
  }
  return { address, pid: child.pid ?? -1, logFile, stop };
}

/** Frontend up, namespace registered and served from the registry, search attributes present. */
async function waitUntilUsable(p: StartingServer & { namespace: string; retentionSeconds: number; searchAttributes: Record<string, SearchAttributeType> }): Promise<void> {
  let registered = false;
  await pollUntilReady({ ...p, intervalMs: 250 }, async (connection, call) => {
    await call(() => connection.workflowService.getSystemInfo({}));
    if (!registered) {
      try {
        await call(() => connection.workflowService.registerNamespace({ namespace: p.namespace, workflowExecutionRetentionPeriod: msToTs(p.retentionSeconds * 1000) }));
      } catch (err) {
        if ((err as { code?: number }).code !== ALREADY_EXISTS) throw err;
      }
      registered = true;
    }
    // Both go through the frontend's namespace registry, which learns of a
    // new namespace only on its next refresh.
    if (Object.keys(p.searchAttributes).length > 0) await call(() => ensureSearchAttributes(connection, p.namespace, p.searchAttributes));
    await call(() => connection.workflowService.listWorkflowExecutions({ namespace: p.namespace, pageSize: 1 }));
  });
}
