/**
 * What the dev stack's helpers (scripts/stack: the embedded PostgreSQL, the Temporal servers, the
 * tool installer) take from the environment, read here once like the rest of the configuration:
 * where programs are found (PATH, TEMPORAL_CLI, TEMPORAL_TEST_SERVER, GO), the Go toolchain policy,
 * the time zone, and the environment a child server inherits.
 */
export interface StackEnv {
  /** PATH entries, for finding a program. */
  path: string;
  tz?: string;
  go: string;
  goToolchain: string;
  /** Explicit tool paths by variable name (TEMPORAL_CLI, TEMPORAL_TEST_SERVER). */
  tool(envVar: string): string | undefined;
  /** The whole environment, for a child that needs it (a Go build). */
  inherited(): NodeJS.ProcessEnv;
  /** The environment of a child Temporal server: ours without TEMPORAL_* (those override the server's own flags). */
  withoutTemporal(): NodeJS.ProcessEnv;
}

export function stackEnv(env: NodeJS.ProcessEnv = process.env): StackEnv {
  const tools: Record<string, string | undefined> = { TEMPORAL_CLI: env.TEMPORAL_CLI, TEMPORAL_TEST_SERVER: env.TEMPORAL_TEST_SERVER };
  return {
    path: env.PATH ?? '',
    tz: env.TZ || undefined,
    go: env.GO ?? 'go',
    goToolchain: env.GOTOOLCHAIN ?? 'local',
    tool: (envVar) => tools[envVar] || undefined,
    inherited: () => ({ ...env }),
    withoutTemporal: () => Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith('TEMPORAL_'))),
  };
}
