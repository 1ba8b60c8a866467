import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compileErrors, validate } from '@readme/openapi-parser';
import type { FastifyInstance } from 'fastify';
import ts from 'typescript';
import { SUCCESS_RESPONSES } from '../../api/contract-responses';
import { buildApi } from '../../api/server';
import { generate } from '../../scripts/contract-responses';
import { suiteContext, type SuiteContext } from '../support/context';

/**
 * Issue 21: GET /docs/json is the contract. A maintained OpenAPI 3 validator accepts it, every operation
 * documents the statuses it can answer with the shared error body, and a client typed from it by
 * openapi-typescript compiles against responses the server really sent, success and refusal alike.
 */
const TOKENS = 'operator:tanaka:operator-token-0001,supplier:farm:supplier-token-0001';
const operator = { authorization: 'Bearer operator-token-0001' };
const supplier = { authorization: 'Bearer supplier-token-0001' };

let ctx: SuiteContext;
let app: FastifyInstance;
let doc: any;

beforeAll(async () => {
  ctx = await suiteContext('openapi', { API_TOKENS: TOKENS });
  app = await buildApi({ config: ctx.config, orm: ctx.orm, temporal: ctx.client, logger: false });
  doc = (await app.inject({ url: '/docs/json' })).json();
});

/** Folders the tests write into, removed at the end. */
const tempDirs: string[] = [];

afterAll(async () => {
  for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true });
  await app?.close();
  await ctx?.close();
});

const operations = () =>
  Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([p, item]) => Object.entries(item).map(([method, op]) => ({ name: `${method.toUpperCase()} ${p}`, method, op })));

test('the document passes an OpenAPI 3 validator', async () => {
  const result = await validate(structuredClone(doc));
  expect(result.valid ? 'valid' : compileErrors(result)).toBe('valid');
  expect(doc.openapi).toMatch(/^3\./);
});

test('every operation documents success and each refusal with the shared error body', () => {
  const missing: string[] = [];
  for (const { name, method, op } of operations()) {
    const expected = ['400', '404', '409', '500', '503', ...(op.security?.length === 0 ? [] : ['401', '403']), ...(['post', 'put', 'patch', 'delete'].includes(method) ? ['413', '415'] : [])];
    if (!Object.keys(op.responses).some((s) => s.startsWith('2'))) missing.push(`${name}: no 2XX`);
    for (const status of expected) {
      const body = op.responses[status]?.content?.['application/json']?.schema;
      if (!body || !body.required?.includes('error') || !body.properties?.fields) missing.push(`${name}: ${status}`);
    }
  }
  expect(missing).toEqual([]);
  expect(operations().length).toBeGreaterThan(100);
  // The console's HTML pages are not part of the JSON contract.
  expect(Object.keys(doc.paths).filter((p) => p.startsWith('/console'))).toEqual([]);
});

test('every operation documents its own success statuses and bodies', () => {
  const missing: string[] = [];
  for (const { name, op } of operations()) {
    const success = Object.entries(op.responses as Record<string, any>).filter(([s]) => s.startsWith('2'));
    if (!success.length || success.some(([s]) => !/^2[0-9][0-9]$/.test(s))) missing.push(`${name}: ${success.map(([s]) => s).join(',') || 'none'}`);
    for (const [status, response] of success) {
      if (status === '204') continue;
      const media = Object.entries(response.content ?? {}) as Array<[string, any]>;
      if (!media.length || media.some(([, m]) => !m.schema || !Object.keys(m.schema).length)) missing.push(`${name} ${status}: no body schema`);
    }
  }
  expect(missing).toEqual([]);
  // Files are documented as what they are.
  expect(Object.keys(doc.paths['/donations/export'].get.responses['200'].content)).toEqual(['text/csv']);
  expect(Object.keys(doc.paths['/reports/monthly/{month}/report.pdf'].get.responses['200'].content)).toEqual(['application/pdf']);
  // Both answers of a create-or-find route, and the workflow hand-offs as 202.
  expect(Object.keys(doc.paths['/donations'].post.responses).filter((s) => s.startsWith('2')).sort()).toEqual(['200', '201']);
  expect(Object.keys(doc.paths['/donations/{id}/payment'].post.responses).filter((s) => s.startsWith('2'))).toEqual(['202']);
});

test('the success bodies are the handlers’ own types: api/contract-responses.ts is current', () => {
  // A new or changed route: npm run contract:responses.
  const fresh = generate();
  expect(fresh === fs.readFileSync(path.join(__dirname, '..', '..', 'api', 'contract-responses.ts'), 'utf8') ? 'current' : 'stale: run npm run contract:responses').toBe('current');
  expect(Object.keys(SUCCESS_RESPONSES).length).toBeGreaterThan(100);
}, 180_000);

test('the request schemas carry the domain rules and bounds', () => {
  const donor = doc.paths['/donations'].post.requestBody.content['application/json'].schema.properties.donor.properties;
  expect(donor.nameKana.pattern).toBeDefined();
  expect(donor.postalCode.pattern).toBeDefined();
  expect(donor.prefecture.enum).toHaveLength(47);
  for (const upload of ['/intake/imports', '/intake/migration']) {
    expect(doc.paths[upload].post.requestBody.content['multipart/form-data'].schema.properties.file).toMatchObject({ type: 'string', format: 'binary' });
  }
  const month = doc.paths['/reports/monthly/{month}'].get.parameters.find((p: any) => p.name === 'month');
  expect(month.schema.pattern).toContain('2019');
  for (const { name, op } of operations()) {
    for (const p of op.parameters ?? []) {
      if (p.schema?.type === 'integer') expect({ name, p: p.name, max: p.schema.maximum !== undefined }).toEqual({ name, p: p.name, max: true });
      if (p.schema?.type === 'string' && !p.schema.enum && !p.schema.format) expect({ name, p: p.name, max: p.schema.maxLength !== undefined }).toEqual({ name, p: p.name, max: true });
    }
  }
});

test('a client generated by openapi-typescript type-checks against real responses', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'furusato-openapi-'));
  tempDirs.push(dir);
  fs.writeFileSync(path.join(dir, 'openapi.json'), JSON.stringify(doc));
  // The CLI, not the library: openapi-typescript is an ES module and jest here runs CommonJS.
  execFileSync(process.execPath, [path.join(__dirname, '..', '..', 'node_modules', 'openapi-typescript', 'bin', 'cli.js'), path.join(dir, 'openapi.json'), '-o', path.join(dir, 'api.d.ts')], { stdio: 'pipe' });

  const real = async (url: string, method: 'GET' | 'POST', headers: Record<string, string>, payload?: string | object) => (await app.inject({ url, method, headers, payload })).json();
  /** A success response, checked to carry the status the document names for it. */
  const ok = async (status: number, url: string, method: 'GET' | 'POST' = 'GET', payload?: object) => {
    const res = await app.inject({ url, method, headers: operator, payload });
    expect({ url, status: res.statusCode }).toEqual({ url, status });
    return res.headers['content-type']?.toString().startsWith('application/json') ? res.json() : res.body;
  };
  const json = (p: string, method: string, status: number) => `paths['${p}']['${method}']['responses']['${status}']['content']['application/json']`;
  const created = await ok(201, '/donations', 'POST', {
    channel: 'phone',
    donor: { name: '佐藤 一郎', nameKana: 'サトウ イチロウ', postalCode: '812-0011', prefecture: '福岡県', address: '福岡市博多区博多駅前1-1', phone: '092-000-0000' },
    amountYen: 20_000,
    paymentMethod: 'postal_transfer',
  });
  const samples = {
    health: [json('/health', 'get', 200), await ok(200, '/health')],
    createdDonation: [json('/donations', 'post', 201), created],
    search: [json('/donations', 'get', 200), await ok(200, '/donations?limit=5')],
    events: [json('/donations/{id}/events', 'get', 200), await ok(200, `/donations/${created.donation.id}/events`)],
    receipts: [json('/donations/{id}/receipts', 'get', 200), await ok(200, `/donations/${created.donation.id}/receipts`)],
    csvExport: ["paths['/donations/export']['get']['responses']['200']['content']['text/csv']", await ok(200, '/donations/export')],
    gifts: [json('/gifts', 'get', 200), await ok(200, '/gifts')],
    suppliers: [json('/suppliers', 'get', 200), await ok(200, '/suppliers')],
    imports: [json('/intake/imports', 'get', 200), await ok(200, '/intake/imports')],
    sla: [json('/intake/sla', 'get', 200), await ok(200, '/intake/sla')],
    reports: [json('/reports/monthly', 'get', 200), await ok(200, '/reports/monthly')],
    hours: [json('/call-centre/hours', 'get', 200), await ok(200, '/call-centre/hours')],
    progress: [json('/progress', 'get', 200), await ok(200, '/progress')],
    printBatches: [json('/print-batches', 'get', 200), await ok(200, '/print-batches')],
    calls: [json('/calls', 'get', 200), await ok(200, '/calls')],
    badMonth: ["paths['/reports/monthly/{month}']['get']['responses']['400']['content']['application/json']", await real('/reports/monthly/0000-01', 'GET', operator)],
    badQuery: ["paths['/donations']['get']['responses']['400']['content']['application/json']", await real('/donations?limit=0', 'GET', operator)],
    noToken: ["paths['/donations']['get']['responses']['401']['content']['application/json']", await real('/donations', 'GET', {})],
    wrongRole: ["paths['/donations']['get']['responses']['403']['content']['application/json']", await real('/donations', 'GET', supplier)],
    notFound: ["paths['/donations/{id}']['get']['responses']['404']['content']['application/json']", await real('/donations/00000000-0000-4000-8000-000000000000', 'GET', operator)],
    notMultipart: ["paths['/intake/imports']['post']['responses']['415']['content']['application/json']", await real('/intake/imports?portal=rakuten', 'POST', { ...operator, 'content-type': 'application/json' }, '{}')],
  } as const;
  expect(samples.badMonth[1].fields[0].field).toBe('params.month');
  expect(samples.notMultipart[1].error).toBe('unsupported_media_type');

  const lines = [`import type { paths } from './api';`, ...Object.entries(samples).map(([name, [type, body]]) => `export const ${name}: ${type} = ${JSON.stringify(body)};`)];
  fs.writeFileSync(path.join(dir, 'responses.ts'), lines.join('\n'));
  // A wrong shape is caught: the same check must fail on a body without `message`, and on a donation without its id.
  fs.writeFileSync(path.join(dir, 'wrong.ts'), `import type { paths } from './api';\nexport const wrong: ${samples.noToken[0]} = { error: 'unauthorized' };\n`);
  const { id: _id, ...withoutId } = created.donation;
  fs.writeFileSync(path.join(dir, 'wrong-success.ts'), `import type { paths } from './api';\nexport const wrong: ${samples.createdDonation[0]} = ${JSON.stringify({ donation: withoutId })};\n`);

  const diagnostics = (file: string) =>
    ts.getPreEmitDiagnostics(ts.createProgram([path.join(dir, file)], { strict: true, noEmit: true, skipLibCheck: true, types: [] })).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
  expect(diagnostics('responses.ts')).toEqual([]);
  expect(diagnostics('wrong.ts').join('\n')).toMatch(/message/);
  expect(diagnostics('wrong-success.ts').join('\n')).toMatch(/'id'/);
}, 120_000);
