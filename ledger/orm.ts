import { MikroORM } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';
import { setMigrationContext, type MigrationContext } from './migration-context';

export type Orm = MikroORM;

/** The ledger's ORM. Schema changes only ever come from committed migrations. */
export async function createOrm(databaseUrl: string, opts: { poolMax?: number } = {}): Promise<Orm> {
  return MikroORM.init({
    clientUrl: databaseUrl,
    entities: ENTITIES,
    extensions: [Migrator],
    discovery: { warnWhenNoEntities: true },
    pool: { min: 0, max: opts.poolMax ?? 10 },
    migrations: {
      migrationsList: MIGRATIONS,
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      silent: true,
    },
    debug: false,
    // Every unit of work gets its own fork: a shared identity map across requests would leak state.
    allowGlobalContext: false,
  });
}

/** An ORM whose database answered: MikroORM.init only logs a failed connection, so ask once before handing it out. */
export async function connectOrm(databaseUrl: string, opts: { poolMax?: number } = {}): Promise<Orm> {
  const orm = await createOrm(databaseUrl, opts);
  try {
    await orm.em.getKnex().raw('select 1');
    return orm;
  } catch (err) {
    await orm.close(true).catch(() => undefined);
    throw err;
  }
}

/** Several workers may start together: a session-level advisory lock lets exactly one migrate at a time. */
export async function migrate(orm: Orm, context: MigrationContext = {}): Promise<string[]> {
  const knex = orm.em.getKnex();
  setMigrationContext(context);
  const conn = await knex.client.acquireConnection();
  try {
    await conn.query('select pg_advisory_lock(5839201)');
    const applied = await orm.getMigrator().up();
    return applied.map((m) => m.name);
  } finally {
    await conn.query('select pg_advisory_unlock(5839201)').catch(() => undefined);
    await knex.client.releaseConnection(conn);
  }
}
