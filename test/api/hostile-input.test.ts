import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { registerErrorHandler } from '../../api/errors';
import type { SuiteContext } from '../support/context';
import { apiSuite, multipartFile, type TestApi } from '../support/api';

/**
 * Issue 21: every input a client can send answers 2xx or a 4xx naming the field or the reason, and a
 * refused request leaves nothing behind. The examples are the fuzzer's findings on the old main.
 */
let ctx: SuiteContext;
let api: TestApi;

beforeAll(async () => {
  // A 1 MiB upload limit here, so a file over it is small enough for a test (the default: config/env.ts UPLOAD_LIMIT).
  ({ ctx, api } = await apiSuite('hostile-input', { env: { INTAKE_UPLOAD_MAX_MIB: '1' } }));
});

afterAll(() => api?.close());

const fieldsOf = (res: { json(): any }) => res.json().fields.map((f: { field: string }) => f.field);

describe('the edge refuses what the ledger cannot hold, naming the field', () => {
  test('months and dates outside the system years', async () => {
    for (const url of ['/reports/monthly/0000-01', '/reports/monthly/0000-01/report.csv', '/reports/alerts?month=0000-01', '/promotions?billedMonth=0000-01', '/quality/report?from=0000-01', '/donations?appliedFrom=0000-01-01']) {
      const res = await api.get(url);
      expect({ url, status: res.statusCode }).toEqual({ url, status: 400 });
    }
    const month = await api.get('/reports/monthly/1999-12');
    expect(month.json().fields).toEqual([{ field: 'params.month', reason: 'must be a month YYYY-MM from 2019-01 to 2100-12' }]);
  });

  test('NUL characters, integers past their column and offsets past any list', async () => {
    expect(fieldsOf(await api.get('/donations/export?portal=%00'))).toEqual(['querystring.portal[0]']);
    expect(fieldsOf(await api.get('/donors/match-reviews?offset=49024321097098608640'))).toEqual(['querystring.offset']);
    const incident = await api.post('/incidents', { content: '漏えい', affectedPeople: 2_512_729_192, affectedRecords: 1, place: '庁舎', circumstances: '-', discoveredAt: '2026-04-01T09:00:00+09:00' });
    expect(incident.statusCode).toBe(400);
    expect(fieldsOf(incident)).toContain('affectedPeople');
    // A NUL in a code with its own pattern (fuzz seed 31877): the ORM inlined it into SQL and PostgreSQL refused the message (500).
    const supplier = await api.post('/suppliers', { code: '\u0014\u00d25\u00e3\u00006>W', name: '事業者', shippingWeekdays: [3, 5] });
    expect(supplier.statusCode).toBe(400);
    expect(fieldsOf(supplier)).toEqual(['code']);
    expect(supplier.json().fields[0].reason).toBe('must be one word without slashes, spaces or control characters');
    expect(fieldsOf(await api.get('/gifts/A%00B'))).toEqual(['params.code']);
  });

  test('a JSON body keeps its types: null is not "" and false is not "false"', async () => {
    const res = await api.post('/carrier-status', { rows: [{ trackingNumber: null, status: 'delivered', at: '2026-04-01T09:00:00Z' }] });
    expect(res.statusCode).toBe(400);
    expect(fieldsOf(res)).toEqual(['rows[0].trackingNumber']);
  });

  test('donor rules are in the schema with the words operators know', async () => {
    const res = await api.post('/donations', { channel: 'phone', donor: { name: '佐藤', nameKana: 'さとう', postalCode: '81-2', prefecture: '福岡', address: '博多' }, amountYen: 10_000, paymentMethod: 'postal_transfer' });
    expect(res.json().fields).toEqual([
      { field: 'donor.nameKana', reason: 'must be written in full-width katakana' },
      { field: 'donor.postalCode', reason: 'must be a 7-digit postal code (e.g. 832-8601)' },
      { field: 'donor.prefecture', reason: 'must be one of the 47 prefectures, written in full (e.g. 福岡県)' },
    ]);
  });

  test('a JSON body over the limit is 413', async () => {
    const res = await api.post('/carrier-status', { rows: [{ trackingNumber: 'x'.repeat(3 * 1024 * 1024), status: 'delivered', at: '2026-04-01T09:00:00Z' }] });
    expect(res.statusCode).toBe(413);
    expect(res.json().error).toBe('too_large');
  });
});

describe('uploads that cannot be a portal export import nothing', () => {
  const importFiles = async () => Number((await ctx.orm.em.fork().getKnex()('import_files').count({ n: '*' }))[0].n);
  const post = (payload: Buffer | string, contentType: string) =>
    api.app.inject({ method: 'POST', url: '/intake/imports?portal=rakuten&wait=false', payload, headers: { ...api.headers('operator'), 'content-type': contentType } });

  test('each refusal says why, and the ledger has no new file', async () => {
    const before = await importFiles();
    const noBoundary = await post('', 'multipart/form-data');
    expect([noBoundary.statusCode, noBoundary.json().fields[0].reason]).toEqual([400, 'multipart/form-data needs a boundary parameter in Content-Type']);
    const notMultipart = await post('{}', 'application/json');
    expect([notMultipart.statusCode, notMultipart.json().error]).toEqual([415, 'unsupported_media_type']);
    const broken = await post('--x\r\nnonsense', 'multipart/form-data; boundary=x');
    expect(broken.statusCode).toBe(400);

    const file = (bytes: Buffer) => {
      const body = multipartFile('orders.csv', bytes);
      return post(body.payload, body.headers['content-type']);
    };
    const empty = await file(Buffer.alloc(0));
    expect([empty.statusCode, empty.json().fields]).toEqual([400, [{ field: 'file', reason: 'is empty; nothing was imported' }]]);
    const binary = await file(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0xff, 0x10]));
    expect([binary.statusCode, binary.json().fields[0].reason]).toEqual([415, 'is a binary file (it contains NUL bytes), not a CSV/TSV export']);
    const encoding = await file(Buffer.from([0x41, 0x2c, 0x82, 0x20, 0xff, 0xfe, 0x0d, 0x0a]));
    expect([encoding.statusCode, encoding.json().fields[0].reason]).toEqual([415, 'is neither UTF-8 nor Shift_JIS (CP932) text']);
    const header = '注文番号,注文日時,寄附者氏名\r\n';
    const tooLarge = await file(Buffer.from(header + 'R-1,2026-12-31 23:59,柳川 花子\r\n'.repeat(40_000)));
    expect([tooLarge.statusCode, tooLarge.json().error, tooLarge.json().message]).toEqual([413, 'too_large', 'the file exceeds 1048576 bytes (INTAKE_UPLOAD_MAX_MIB); nothing was imported']);

    expect(await importFiles()).toBe(before);
  });
});

describe('the safety net below the schema', () => {
  const table = `hostile_probe_${randomUUID().slice(0, 8)}`;
  const lines: any[] = [];
  const app = Fastify({ logger: { level: 'info', stream: new Writable({ write: (chunk, _enc, done) => (lines.push(JSON.parse(String(chunk))), done()) }) }, genReqId: () => randomUUID() });

  beforeAll(async () => {
    const knex = ctx.orm.em.fork().getKnex();
    await knex.raw(`create table ${table} (k integer primary key, n smallint)`);
    registerErrorHandler(app);
    app.get('/overflow', async () => knex.raw('select ?::integer as v', [9_104_317_803_363]));
    app.get('/nul', async () => knex.raw('select ?::text as v', ['a\u0000b']));
    // Two rows in one transaction, the second a duplicate: the first must not stay.
    app.get('/duplicate', async () => knex.transaction(async (trx) => {
      await trx(table).insert({ k: 1, n: 1 });
      await trx(table).insert({ k: 1, n: 2 });
    }));
    app.get('/bug', async () => {
      throw new Error('a bug, not the caller');
    });
  });

  afterAll(async () => {
    await app.close();
    await ctx.orm.em.fork().getKnex().raw(`drop table if exists ${table}`);
  });

  test('data exceptions (22xxx) are 400 and say what the ledger refused', async () => {
    const overflow = await app.inject({ url: '/overflow' });
    expect(overflow.statusCode).toBe(400);
    expect(overflow.json().message).toBe('(request) is not a value the ledger can hold (value "9104317803363" is out of range for type integer); nothing was changed');
    const nul = await app.inject({ url: '/nul' });
    expect(nul.statusCode).toBe(400);
    expect(nul.json().fields[0].reason).toMatch(/0x00/);
  });

  test('a unique violation (23505) is 409 naming the constraint, and the transaction is rolled back', async () => {
    const res = await app.inject({ url: '/duplicate' });
    expect(res.statusCode).toBe(409);
    expect(res.json().fields[0].field).toBe(`${table}_pkey`);
    expect(await ctx.orm.em.fork().getKnex()(table).count({ n: '*' })).toEqual([{ n: '0' }]);
  });

  test('a real fault stays 500, with the request id of its log line', async () => {
    const res = await app.inject({ url: '/bug' });
    expect(res.statusCode).toBe(500);
    const { requestId } = res.json();
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const logged = lines.find((l) => l.msg === 'unhandled error');
    expect([logged.reqId, logged.err.message]).toEqual([requestId, 'a bug, not the caller']);
    expect(res.json().message).not.toMatch(/a bug/);
  });
});
