import { createOrm, type Orm } from '../../ledger/orm';
import { decideDestruction } from '../../ledger/onestop';
import { executeRecordsDestruction, proposeRecordsDestruction } from '../../ledger/retention';
import { loadConfig } from '../../config/env';
import { isolatedDatabase } from '../support/context';

/**
 * REC-1 at a year's volume: more records in one proposal than PostgreSQL takes parameters in a
 * statement (65,535), in a ledger of its own. The destruction passes ids as one array, inserts its
 * marks a slice at a time, and a second proposal while the first waits finds the pending ids by one
 * hashed lookup, not by searching the proposal once per row.
 */
let db: { url: string; drop(): Promise<void> };
let orm: Orm;
const N = 70_000;
const AS_OF = '2026-12-01';
const years = loadConfig({}).retention.years;

beforeAll(async () => {
  db = await isolatedDatabase('records_retention_volume');
  orm = await createOrm(db.url, { poolMax: 2 });
  await orm.em.getKnex().raw(
    `insert into mail_log (idempotency_key, template, recipient, subject, status, created_at)
     select 'volume-' || g, 'receipt', 'donor' || g || '@example.jp', '受領証明書', 'sent', timestamptz '2019-04-01 00:00:00+09' + g * interval '1 second'
       from generate_series(1, ?) g`,
    [N],
  );
});

afterAll(async () => {
  await orm?.close();
  await db?.drop();
});

test(`a proposal of ${N.toLocaleString('en')} mail log rows is proposed once, and destroyed in one transaction`, async () => {
  const knex = orm.em.getKnex();
  const first = await proposeRecordsDestruction(knex, { asOf: AS_OF, years }, 'test:admin');
  expect(first.counts.mail_log).toBe(N);
  const started = Date.now();
  const second = await proposeRecordsDestruction(knex, { asOf: AS_OF, years }, 'test:admin');
  expect(second.count).toBe(0);
  expect(Date.now() - started).toBeLessThan(20_000);

  await decideDestruction(knex, first.id!, true, 'city:shiyakusho', '決裁済み', undefined, 'records');
  const report = await executeRecordsDestruction(knex, first.id!, 'system:retention');
  expect(report.count.mail_log).toBe(N);
  expect(await knex('mail_log').whereNotNull('recipient').count('* as n').first()).toMatchObject({ n: '0' });
  expect(await knex('retention_purged').where('record_class', 'mail_log').count('* as n').first()).toMatchObject({ n: String(N) });
  expect((await proposeRecordsDestruction(knex, { asOf: AS_OF, years }, 'test:admin')).count).toBe(0);
}, 300_000);
