import { createOrm, migrate, type Orm } from '../../ledger/orm';
import { registerDonation } from '../../ledger/donations';
import { required } from '../support/context';
import { newDonation } from '../support/factory';

let orm: Orm;
const prefix = `schema-${Date.now()}`;

beforeAll(async () => {
  orm = await createOrm(required('TEST_DATABASE_URL'), { poolMax: 2 });
});

afterAll(async () => {
  await orm?.close();
});

test('committed migrations match the entities: every mapped column exists with the nullability the entity expects', async () => {
  expect(await migrate(orm)).toEqual([]);
  const columns: { table_name: string; column_name: string; is_nullable: string }[] = await orm.em
    .fork()
    .getConnection()
    .execute(`select table_name, column_name, is_nullable from information_schema.columns where table_schema = 'public'`);
  const actual = new Map(columns.map((c) => [`${c.table_name}.${c.column_name}`, c.is_nullable === 'YES']));
  const expected: [string, boolean][] = [];
  for (const meta of Object.values(orm.getMetadata().getAll())) {
    for (const prop of meta.props) {
      if (!prop.fieldNames?.length || prop.persist === false || prop.kind === '1:m') continue;
      for (const field of prop.fieldNames) expected.push([`${meta.tableName}.${field}`, Boolean(prop.nullable)]);
    }
  }
  expect(expected.length).toBeGreaterThan(40);
  const mismatches = expected.filter(([column, nullable]) => actual.get(column) !== nullable).map(([column, nullable]) => `${column} (entity nullable=${nullable}, db=${actual.get(column)})`);
  expect(mismatches).toEqual([]);
});

test('the donation event log is append-only, even for the application', async () => {
  const { donation } = await registerDonation(orm.em.fork(), newDonation(prefix), 'operator:test');
  const conn = orm.em.fork().getConnection();
  await expect(conn.execute(`update donation_events set actor = 'someone else' where donation_id = ?`, [donation.id])).rejects.toThrow(/append-only/);
  await expect(conn.execute(`delete from donation_events where donation_id = ?`, [donation.id])).rejects.toThrow(/append-only/);
  const [{ count }] = await conn.execute(`select count(*)::int as count from donation_events where donation_id = ? and actor = 'operator:test'`, [donation.id]);
  expect(count).toBe(1);
});

test('money is whole yen and positive; one row per portal order', async () => {
  const conn = orm.em.fork().getConnection();
  const { donation } = await registerDonation(orm.em.fork(), newDonation(prefix), 'operator:test');
  await expect(conn.execute(`update donations set amount_yen = 0 where id = ?`, [donation.id])).rejects.toThrow(/check/);
  await expect(conn.execute(`update donations set amount_yen = 1000.5 where id = ?`, [donation.id])).resolves.toBeDefined();
  const [{ amount_yen }] = await conn.execute(`select amount_yen from donations where id = ?`, [donation.id]);
  expect(amount_yen).toBe(1001);
  await expect(
    conn.execute(
      `insert into donations (id, portal_code, portal_order_id, donor_id, channel, amount_yen, payment_method, applied_at, workflow_id, intake_fingerprint, created_by)
       select gen_random_uuid(), portal_code, portal_order_id, donor_id, channel, amount_yen, payment_method, applied_at, workflow_id || '-copy', 'x', 'test' from donations where id = ?`,
      [donation.id],
    ),
  ).rejects.toThrow(/donations_portal_order_unique/);
});
