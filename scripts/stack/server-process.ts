/**
 * What the stack helpers share about a server they run as a child process:
 * the exit hook that stops it when Node exits (an uncaught error, process.exit
 * in a test runner) and would otherwise leave its ports and data files busy,
 * the record of how it exited, and a stop that escalates signal by signal.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const live = new Map<ChildProcess, NodeJS.Signals>();
let exitHookInstalled = false;

/** Stops `child` with `signal` if Node exits first (only a synchronous signal is possible in an 'exit' handler). */
export function stopOnExit(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): void {
  live.set(child, signal);
  child.once('exit', () => live.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const [c, s] of live) c.kill(s);
    });
  }
}

export interface WatchedExit {
  /** Resolves when the child has exited or could not be spawned. */
  exited: Promise<void>;
  /** `code N`, `signal X` or `spawn error: …`; undefined while it runs. */
  info(): string | undefined;
  /** Sends each signal in turn, waiting its grace for the exit before the next; ends with SIGKILL. */
  stop(steps: [NodeJS.Signals, number][]): Promise<void>;
}

export function watchExit(child: ChildProcess): WatchedExit {
  let info: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      info = signal ? `signal ${signal}` : `code ${code}`;
      resolve();
    });
    child.once('error', (err) => {
      info = `spawn error: ${err.message}`;
      resolve();
    });
  });
  const exitedWithin = async (ms: number): Promise<boolean> => {
    let timer: NodeJS.Timeout | undefined;
    const done = await Promise.race([exited.then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)))]);
    // A pending grace timer would keep a finished script alive.
    clearTimeout(timer);
    return done;
  };
  let stopping: Promise<void> | undefined;
  return {
    exited,
    info: () => info,
    stop(steps) {
      stopping ??= (async () => {
        for (const [signal, graceMs] of steps) {
          if (info !== undefined) return;
          child.kill(signal);
          if (await exitedWithin(graceMs)) return;
        }
        if (info === undefined) {
          child.kill('SIGKILL');
          await exited;
        }
      })();
      return stopping;
    },
  };
}

/**
 * Spawns a server that runs until stopped: stdout and stderr appended to `logFile` (or, without one,
 * stderr piped for the caller to keep a tail of), stopped when Node exits, and its exit watched.
 */
export function spawnServer(command: string, args: string[], opts: { env: NodeJS.ProcessEnv; cwd?: string; logFile?: string }): { child: ChildProcess; watched: WatchedExit } {
  let logFd: number | undefined;
  if (opts.logFile) {
    fs.mkdirSync(path.dirname(path.resolve(opts.logFile)), { recursive: true });
    logFd = fs.openSync(opts.logFile, 'a');
  }
  let child: ChildProcess;
  try {
    child = spawn(command, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', logFd ?? 'ignore', logFd ?? 'pipe'] });
  } finally {
    // The child holds its own copy of the descriptor.
    if (logFd !== undefined) fs.closeSync(logFd);
  }
  stopOnExit(child);
  return { child, watched: watchExit(child) };
}
