import type { Knex } from '@mikro-orm/postgresql';

/**
 * The console's sessions in the ledger (a store for @fastify/session): a restart or a second API
 * process keeps people signed in, and sign-out or an expired session is gone for every process.
 * A row's expires_at is the cookie's expiry (idle timeout from the last request); expired rows
 * are never answered and are swept as new sessions are written.
 */
type Callback<T = void> = (err?: unknown, value?: T) => void;

export interface SessionStore {
  get(sid: string, callback: Callback<any>): void;
  set(sid: string, session: any, callback: Callback): void;
  destroy(sid: string, callback: Callback): void;
}

export function consoleSessionStore(knex: Knex, idleMs: number): SessionStore {
  let writes = 0;
  return {
    get(sid, callback) {
      knex
        .raw('select data from console_sessions where sid = ? and expires_at > now()', [sid])
        .then((r: any) => callback(undefined, r.rows[0]?.data ?? null), callback);
    },
    set(sid, session, callback) {
      const expires = session?.cookie?.expires ? new Date(session.cookie.expires) : new Date(Date.now() + idleMs);
      const sweep = ++writes % 100 === 0 ? knex.raw('delete from console_sessions where expires_at < now()') : Promise.resolve();
      Promise.all([
        knex.raw(
          `insert into console_sessions (sid, data, expires_at) values (?, ?::jsonb, ?)
           on conflict (sid) do update set data = excluded.data, expires_at = excluded.expires_at`,
          [sid, JSON.stringify(session), expires],
        ),
        sweep,
      ]).then(() => callback(), callback);
    },
    destroy(sid, callback) {
      knex.raw('delete from console_sessions where sid = ?', [sid]).then(() => callback(), callback);
    },
  };
}
