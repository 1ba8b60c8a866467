/**
 * Runs `temporal server start-dev` as a child process for local development,
 * the API's end-to-end tests and CI.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { ensureSearchAttributes, SearchAttributeConflictError, type SearchAttributeType } from '../../workflows/namespace';
import { pollUntilReady, type StartingServer } from './temporal-ready';
import { readFileTail } from './file-tail';
import { spawnServer } from './server-process';
import { stackEnv } from '../../config/stack-env';


export interface TemporalDevServerOptions {
  cliPath: string;
  /** Address the frontend binds to. Default 127.0.0.1. */
  ip?: string;
  /** Frontend gRPC port. Default 7233; 0 picks a free port. */
  port?: number;
  /** Web UI port; false runs headless; 0 picks a free port. Default: the CLI's own (port + 1000). */
  uiPort?: number | false;
  /** SQLite file to persist to; omitted means in-memory. */
  dbFile?: string;
  /** Namespace that must exist and be usable before this resolves. Default 'default'. */
  namespace?: string;
  searchAttributes?: Record<string, SearchAttributeType>;
  /** Server log level (debug, info, warn, error, never). Default 'warn'. */
  logLevel?: string;
  extraArgs?: string[];
  codecEndpoint?: string;
  /** Append the server's stdout and stderr here; otherwise only a stderr tail is kept for errors. */
  logFile?: string;
  /** How long to wait for the frontend and namespace. Default 30 s. */
  startTimeoutMs?: number;
}

export interface TemporalDevServer {
  /** host:port for `Connection.connect({ address })`. */
  address: string;
  uiUrl?: string;
  pid: number;
  stop(): Promise<void>;
}

const STDERR_TAIL_BYTES = 8 * 1024;
const STOP_GRACE_MS = 10_000;

export function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const addr = server.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('could not determine a free port'))));
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** A wildcard bind address is not something a client can dial. */
function dialableHost(ip: string): string {
  if (ip === '0.0.0.0') return '127.0.0.1';
  if (ip === '::') return '::1';
  return ip;
}

function buildArgs(opts: TemporalDevServerOptions, port: number, uiPort: number | false | undefined): string[] {
  const args = ['server', 'start-dev', '--ip', opts.ip ?? '127.0.0.1', '--port', String(port)];
  if (uiPort === false) args.push('--headless');
  else if (uiPort !== undefined) args.push('--ui-port', String(uiPort));
  if (opts.codecEndpoint) args.push('--ui-codec-endpoint', opts.codecEndpoint);
  if (opts.dbFile) {
    // WAL lets readers (the UI, visibility queries) run alongside the writer;
    // synchronous=NORMAL is still crash-safe under WAL and much faster on
    // slow disks. Both only matter when persisting.
    args.push('--db-filename', opts.dbFile, '--sqlite-pragma', 'journal_mode=WAL', '--sqlite-pragma', 'synchronous=NORMAL');
  }
  const namespace = opts.namespace ?? 'default';
  if (namespace !== 'default') args.push('--namespace', namespace);
  for (const [name, type] of Object.entries(opts.searchAttributes ?? {})) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`Invalid search attribute name: ${name}`);
    args.push('--search-attribute', `${name}=${type}`);
  }
  args.push(
    // Workflow update (used for the synchronous API calls) and the async
    // "accepted" stage are gated behind dynamic config on some server builds.
    '--dynamic-config-value', 'frontend.enableUpdateWorkflowExecution=true',
    '--dynamic-config-value', 'frontend.enableUpdateWorkflowExecutionAsyncAccepted=true',
    // Without this, a search attribute added at runtime is invisible to the
    // frontend until its cache expires, which makes tests flaky.
    '--dynamic-config-value', 'system.forceSearchAttributesCacheRefreshOnRead=true',
    '--log-level', opts.logLevel ?? 'warn',
    ...(opts.extraArgs ?? []),
  );
  return args;
}

/** Starts the dev server and resolves once the frontend answers and the namespace is usable. */
export async function startTemporalDevServer(opts: TemporalDevServerOptions): Promise<TemporalDevServer> {
  const ip = opts.ip ?? '127.0.0.1';
  const host = dialableHost(ip);
  const port = opts.port === 0 ? await findFreePort(host) : (opts.port ?? 7233);
  const uiPort = opts.uiPort === 0 ? await findFreePort(host) : opts.uiPort;
  const namespace = opts.namespace ?? 'default';
  const address = formatHostPort(host, port);
  const timeoutMs = opts.startTimeoutMs ?? 30_000;

  if (!fs.existsSync(opts.cliPath)) throw new Error(`Temporal CLI not found at ${opts.cliPath}`);
  if (opts.dbFile) fs.mkdirSync(path.dirname(path.resolve(opts.dbFile)), { recursive: true });
  const args = buildArgs(opts, port, uiPort);

  // The CLI reads TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_ENV and a
  // config file; values meant for our clients must not reshape the server.
  const env = stackEnv().withoutTemporal();

  const { child, watched } = spawnServer(opts.cliPath, args, { env, logFile: opts.logFile });

  let stderrTail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES);
  });
  const outputTail = (): string => (opts.logFile ? readFileTail(opts.logFile, STDERR_TAIL_BYTES) : stderrTail).trim();

  const stop = () => watched.stop([['SIGTERM', STOP_GRACE_MS]]);

  try {
    await waitUntilReady({
      address,
      namespace,
      searchAttributes: opts.searchAttributes ?? {},
      deadline: Date.now() + timeoutMs,
      hasExited: () => watched.info() !== undefined,
    });
  } catch (err) {
    const died = watched.info() !== undefined;
    await stop();
    const reason = died
      ? `temporal server start-dev exited early (${watched.info()})`
      : `temporal server start-dev did not become ready at ${address} within ${timeoutMs} ms`;
    if (err instanceof SearchAttributeConflictError) throw err;
    const detail = err instanceof Error && !died ? `\nlast error: ${err.message}` : '';
    throw new Error(`${reason}${detail}\ncommand: ${opts.cliPath} ${args.join(' ')}\noutput tail:\n${outputTail()}`);
  }

  return {
    address,
    uiUrl: uiPort === false ? undefined : `http://${formatHostPort(host, uiPort ?? port + 1000)}`,
    pid: child.pid ?? -1,
    stop,
  };
}

async function waitUntilReady(p: StartingServer & { namespace: string; searchAttributes: Record<string, SearchAttributeType> }): Promise<void> {
  await pollUntilReady({ ...p, intervalMs: 200 }, async (connection, call) => {
    await call(() => connection.workflowService.getSystemInfo({}));
    // The frontend answers before the namespace registry has loaded,
    // especially when reopening an existing SQLite file.
    await call(() => connection.workflowService.describeNamespace({ namespace: p.namespace }));
    // start-dev registers these itself; this covers an older CLI or a
    // database file created before an attribute was added to the list.
    if (Object.keys(p.searchAttributes).length > 0) await ensureSearchAttributes(connection, p.namespace, p.searchAttributes);
  });
}
