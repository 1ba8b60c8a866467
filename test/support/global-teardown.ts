import fs from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const stops: (() => Promise<unknown>)[] = (globalThis as any).__furusatoStops ?? [];
  await Promise.allSettled(stops.map((stop) => stop()));
  const runDir: string | undefined = (globalThis as any).__furusatoRunDir;
  if (runDir) fs.rmSync(runDir, { recursive: true, force: true });
}
