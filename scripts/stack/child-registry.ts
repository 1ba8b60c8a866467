/**
 * The dev launcher's record of the servers it started, in <dataDir>/run/launcher.json.
 * A launcher killed with SIGKILL runs no exit handler, so its Temporal and
 * PostgreSQL children outlive it and hold the ports and data files. The next
 * launcher reads this record and stops them (by pid, checked against the
 * process's start time so a reused pid is never signalled), instead of
 * refusing to start until a person kills them by hand.
 */
import fs from 'node:fs';
import path from 'node:path';

interface Entry {
  name: string;
  pid: number;
  /** /proc/<pid>/stat field 22: distinguishes the process from a later one with the same pid. */
  startTicks: string | null;
  /** How this server stops cleanly: postgres takes SIGINT (fast shutdown), the rest SIGTERM. */
  signal: NodeJS.Signals;
}

interface Record_ {
  launcher: Entry;
  children: Entry[];
}

function startTicks(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses: count from the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

/** The same process that was recorded, still running. */
export function isSameProcess(entry: Pick<Entry, 'pid' | 'startTicks'>): boolean {
  try {
    process.kill(entry.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const now = startTicks(entry.pid);
  // Without /proc the pid alone is all there is.
  return entry.startTicks === null || now === null || now === entry.startTicks;
}

async function waitGone(entry: Entry, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!isSameProcess(entry)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return !isSameProcess(entry);
}

export class LauncherAlreadyRunning extends Error {
  override name = 'LauncherAlreadyRunning';
}

export class ChildRegistry {
  private readonly file: string;
  private record: Record_;

  private constructor(dataDir: string) {
    this.file = path.join(dataDir, 'run', 'launcher.json');
    this.record = { launcher: { name: 'launcher', pid: process.pid, startTicks: startTicks(process.pid), signal: 'SIGTERM' }, children: [] };
  }

  /**
   * Claims dataDir for this process. A launcher still running on it is an
   * error (two launchers would share one database); the servers of a dead one
   * are stopped first. Returns what was stopped, for the log.
   */
  static async claim(dataDir: string, log: (line: string) => void = () => undefined): Promise<ChildRegistry> {
    const registry = new ChildRegistry(dataDir);
    const previous = registry.read();
    if (previous && previous.launcher.pid !== process.pid && isSameProcess(previous.launcher)) {
      throw new LauncherAlreadyRunning(`furusato-ops is already running on ${dataDir} (pid ${previous.launcher.pid}); stop it first`);
    }
    for (const child of previous?.children ?? []) {
      if (!isSameProcess(child)) continue;
      log(`stopping ${child.name} (pid ${child.pid}) left by a launcher that did not stop cleanly`);
      process.kill(child.pid, child.signal);
      if (!(await waitGone(child, 15_000))) {
        process.kill(child.pid, 'SIGKILL');
        await waitGone(child, 5_000);
      }
    }
    registry.write();
    return registry;
  }

  add(name: string, pid: number, signal: NodeJS.Signals = 'SIGTERM'): void {
    this.record.children.push({ name, pid, startTicks: startTicks(pid), signal });
    this.write();
  }

  /** After a clean stop nothing is left to reap. */
  release(): void {
    fs.rmSync(this.file, { force: true });
  }

  private read(): Record_ | undefined {
    try {
      return JSON.parse(fs.readFileSync(this.file, 'utf8')) as Record_;
    } catch {
      return undefined;
    }
  }

  private write(): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(this.record, null, 2));
    fs.renameSync(tmp, this.file);
  }
}
