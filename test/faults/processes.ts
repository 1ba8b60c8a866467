/**
 * The fault suite's moving parts: the product's own production entry points
 * (dist/worker/main.js, dist/api/main.js, dist/scripts/start.js) as separate
 * OS processes, each logging to its own file, that the suite can SIGKILL and
 * start again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface NodeProcess {
  name: string;
  pid: number;
  child: ChildProcess;
  logFile: string;
  exited: Promise<number | null>;
}

const DIST = path.resolve(__dirname, '..', '..');

export function startNode(name: string, script: string, env: Record<string, string>, logDir: string): NodeProcess {
  fs.mkdirSync(logDir, { recursive: true });
  const logFile = path.join(logDir, `${name}.log`);
  const fd = fs.openSync(logFile, 'a');
  const child = spawn(process.execPath, [path.join(DIST, script)], { env: { ...process.env, ...env }, stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { name, pid: child.pid ?? -1, child, logFile, exited };
}

export async function sigkill(p: NodeProcess): Promise<void> {
  p.child.kill('SIGKILL');
  await p.exited;
}

export async function stopGracefully(p: NodeProcess, graceMs = 20_000): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill('SIGTERM');
  const timer = setTimeout(() => p.child.kill('SIGKILL'), graceMs);
  await p.exited;
  clearTimeout(timer);
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls until `probe` returns a value `accept`s; names what it waited for when it gives up. */
export async function until<T>(what: string, probe: () => Promise<T>, accept: (v: T) => boolean, timeoutMs = 180_000, everyMs = 500): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      last = await probe();
      if (accept(last)) return last;
    } catch (err) {
      lastError = err;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out waiting for ${what}; last value ${JSON.stringify(last)?.slice(0, 400)}${lastError ? `; last error ${String(lastError)}` : ''}`);
}

export function tail(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
