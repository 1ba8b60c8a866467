import { CARRIER_CATALOGUE } from '../../domain/carriers/catalogue';
import { loadConfig } from '../../config/env';
import { PORTAL_CATALOGUE } from '../../domain/portals/catalogue';
import { declaredPortals } from '../../domain/portals/declared';
import { ROLES } from '../../domain/roles';
import { createOrm, migrate, type Orm } from '../../ledger/orm';
import { required } from '../support/context';

/**
 * One source per fact (issue 15, ADR 0004): the carriers declared in
 * domain/carriers/catalogue.ts are the rows of the ledger's `carriers` table,
 * and every carrier column references that table instead of repeating the
 * codes in a CHECK constraint. A carrier added to (or renamed in) the
 * declaration without a migration fails here, saying what to write. The same
 * holds for the portals declared in domain/portals/catalogue.ts and the rows
 * of the `portals` table their columns reference.
 */

let orm: Orm;

beforeAll(async () => {
  orm = await createOrm(required('TEST_DATABASE_URL'), { poolMax: 2 });
  await migrate(orm);
});

afterAll(async () => {
  await orm?.close();
});

/** Every CHECK constraint of the ledger's schema, as table.name and its definition. */
const checkConstraints = (): Promise<{ name: string; definition: string }[]> =>
  orm.em
    .fork()
    .getConnection()
    .execute(`select conrelid::regclass::text || '.' || conname as name, pg_get_constraintdef(oid) as definition from pg_constraint where contype = 'c' and connamespace = 'public'::regnamespace`);

const HOW = 'add a migration in ledger/migrations (and list it in index.ts) that inserts or updates the carriers row — see docs/architecture.md, "Adding a carrier"';

test('the carriers table holds exactly the declared carriers, with their display names', async () => {
  const rows: { code: string; name: string }[] = await orm.em.fork().getConnection().execute(`select code, name from carriers`);
  const inDb = new Map(rows.map((r) => [r.code, r.name]));
  const problems: string[] = [];
  for (const c of CARRIER_CATALOGUE) {
    if (!inDb.has(c.code)) problems.push(`carrier ${c.code} (${c.name}) is declared in domain/carriers/catalogue.ts but has no row in the carriers table: ${HOW}`);
    else if (inDb.get(c.code) !== c.name) problems.push(`carrier ${c.code} is named ${c.name} in domain/carriers/catalogue.ts but ${inDb.get(c.code)} in the carriers table: ${HOW}`);
  }
  const declared = new Set<string>(CARRIER_CATALOGUE.map((c) => c.code));
  for (const code of inDb.keys()) {
    if (!declared.has(code)) problems.push(`the carriers table has ${code}, which domain/carriers/catalogue.ts does not declare: declare it, or add a migration that removes the row`);
  }
  expect(problems).toEqual([]);
});

test('carrier columns reference the carriers table; no CHECK constraint repeats the carrier codes', async () => {
  const conn = orm.em.fork().getConnection();
  const fks: { column: string }[] = await conn.execute(
    `select c.conrelid::regclass::text || '.' || a.attname as column
       from pg_constraint c join pg_attribute a on a.attrelid = c.conrelid and a.attnum = any (c.conkey)
      where c.contype = 'f' and c.confrelid = 'carriers'::regclass`,
  );
  expect(fks.map((f) => f.column).sort()).toEqual(['gifts.carrier', 'quality_measures.carrier', 'suppliers.default_carrier']);

  const checks = await checkConstraints();
  const listing = checks.filter((c) => CARRIER_CATALOGUE.some((d) => c.definition.includes(`'${d.code}'`)));
  expect(listing.map((c) => `${c.name}: ${c.definition} — reference carriers (code) instead`)).toEqual([]);
});

const PORTAL_HOW = 'add a migration in ledger/migrations (and list it in index.ts) that inserts or updates the portals row — see docs/architecture.md, "Adding a portal"';

test('the portals table holds exactly the declared portals, with their display names, record_only, active and no_base_fee', async () => {
  const rows: { code: string; name: string; record_only: boolean; active: boolean; no_base_fee: boolean }[] = await orm.em
    .fork()
    .getConnection()
    .execute(`select code, name, record_only, active, no_base_fee from portals`);
  const inDb = new Map(rows.map((r) => [r.code, r]));
  // The catalogue in code, and the portals declared by a file in this run's PORTAL_MAPPINGS_DIR (PORTAL-6; none unless set),
  // whose rows the processes write when they start.
  const catalogue = [
    ...PORTAL_CATALOGUE.map((p) => ({ ...p, where: 'domain/portals/catalogue.ts', how: PORTAL_HOW })),
    ...declaredPortals(loadConfig().intake.mappingsDir).map((p) => ({ ...p, where: p.file, how: 'start the API or a worker with this PORTAL_MAPPINGS_DIR: they write the row' })),
  ];
  const problems: string[] = [];
  for (const p of catalogue) {
    const row = inDb.get(p.code);
    if (!row) {
      problems.push(`portal ${p.code} (${p.name}) is declared in ${p.where} but has no row in the portals table: ${p.how}`);
      continue;
    }
    if (row.name !== p.name) problems.push(`portal ${p.code} is named ${p.name} in ${p.where} but ${row.name} in the portals table: ${p.how}`);
    if (row.record_only !== p.recordOnly) problems.push(`portal ${p.code} has recordOnly ${p.recordOnly} in ${p.where} but record_only ${row.record_only} in the portals table: ${p.how}`);
    if (row.active !== p.active) problems.push(`portal ${p.code} has active ${p.active} in ${p.where} but ${row.active} in the portals table: ${p.how}`);
    if (row.no_base_fee !== p.noBaseFee) problems.push(`portal ${p.code} has noBaseFee ${p.noBaseFee} in ${p.where} but no_base_fee ${row.no_base_fee} in the portals table: ${p.how}`);
  }
  const declared = new Set<string>(catalogue.map((p) => p.code));
  for (const code of inDb.keys()) {
    if (!declared.has(code)) problems.push(`the portals table has ${code}, which neither domain/portals/catalogue.ts nor a declaration file in PORTAL_MAPPINGS_DIR declares: declare it, or add a migration that removes the row`);
  }
  expect(problems).toEqual([]);
});

test('no CHECK constraint lists the portal codes (portal columns reference the portals table)', async () => {
  const checks = await checkConstraints();
  // A list of portal codes, not one that happens to share a word with another vocabulary (the 'city' role).
  const listing = checks.filter((c) => PORTAL_CATALOGUE.filter((p) => c.definition.includes(`'${p.code}'`)).length > 1);
  expect(listing.map((c) => `${c.name}: ${c.definition} — reference portals (code) instead`)).toEqual([]);
});

test('the console accounts\' role constraint allows exactly the roles declared in domain/roles.ts', async () => {
  const [check]: { definition: string }[] = await orm.em
    .fork()
    .getConnection()
    .execute(`select pg_get_constraintdef(oid) as definition from pg_constraint where conname = 'console_accounts_role_valid'`);
  const allowed = [...check.definition.matchAll(/'([a-z_]+)'::text/g)].map((m) => m[1]);
  // A role added to domain/roles.ts needs a migration that replaces this constraint (and its console label in domain/console/accounts.ts).
  expect(allowed.sort()).toEqual([...ROLES].sort());
});
