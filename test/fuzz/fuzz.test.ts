import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../api/server';
import type { Role } from '../../config/env';
import { isolatedDatabase, suiteContext, type SuiteContext } from '../support/context';
import { runSchemathesis, type FuzzOutcome } from './schemathesis';

/**
 * Issue 21: Schemathesis, driven by GET /docs/json, against the API on a real port with a worker,
 * PostgreSQL and Temporal behind it, once per role. Any server error, undocumented status, response
 * that breaks its schema, accepted invalid input or ignored auth fails the suite.
 * CI uses the fixed seed below; `npm run fuzz -- --seed N --examples N` runs it longer by hand.
 */
const TOKENS: Record<Role, string> = { operator: 'fuzz-operator-token-01', city: 'fuzz-city-token-0000001', supplier: 'fuzz-supplier-token-001', admin: 'fuzz-admin-token-000001' };
const NAMES: Record<Role, string> = { operator: 'fuzzer', city: 'shiyakusho', supplier: 'FUZZ-FARM', admin: 'root' };

const seed = Number(process.env.FUZZ_SEED ?? 2126);
const examples = Number(process.env.FUZZ_EXAMPLES ?? 3);
const roles = (process.env.FUZZ_ROLES?.split(',') ?? ['operator', 'city', 'supplier', 'admin']) as Role[];
/**
 * The stateful phase follows links the document does not declare; the others reach every operation. CI
 * must stay short on two cores, so there the coverage phase (boundary and negative values of every
 * keyword, slow to generate) runs for the operator, who passes auth on the most operations, and the other
 * roles are fuzzed. `npm run fuzz` gives every role every phase.
 */
const phasesOf = (role: Role): string[] => process.env.FUZZ_PHASES?.split(',') ?? (role === 'operator' ? ['examples', 'coverage', 'fuzzing'] : ['examples', 'fuzzing']);
const reportDir = process.env.FUZZ_REPORT_DIR ?? path.join(os.tmpdir(), `furusato-fuzz-${process.pid}`);

let ctx: SuiteContext;
let app: FastifyInstance;
let baseUrl: string;
let database: { url: string; drop(): Promise<void> };

jest.setTimeout(60 * 60 * 1000);

beforeAll(async () => {
  const apiTokens = roles.map((r) => `${r}:${NAMES[r]}:${TOKENS[r]}`).join(',');
  // A database of its own: the fuzzer creates donations, gifts and runs no other suite expects to see.
  database = await isolatedDatabase('fuzz');
  ctx = await suiteContext('fuzz', { API_TOKENS: apiTokens }, { databaseUrl: database.url });
  await ctx.startWorker();
  app = await buildApi({ config: ctx.config, orm: ctx.orm, temporal: ctx.client, logger: process.env.FUZZ_LOG ? { level: process.env.FUZZ_LOG } : false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await app?.close();
  await ctx?.close();
  await database?.drop();
});

// One role at a time: run side by side on two cores they took longer in all.
test.each(roles)('schemathesis finds nothing as %s', async (role) => {
  const phases = phasesOf(role);
  const outcome: FuzzOutcome = await runSchemathesis({ role, token: TOKENS[role], baseUrl, seed, examples, phases, reportDir: path.join(reportDir, role) });
  console.log(`fuzz ${role}: seed ${seed}, ${examples} examples/operation, phases ${phases.join('+')}, exit ${outcome.exitCode}, ${outcome.seconds.toFixed(1)} s, ${outcome.summary}; log ${path.join(reportDir, role, `${role}.log`)}`);
  expect({ role, exitCode: outcome.exitCode, output: outcome.exitCode === 0 ? '' : outcome.output.slice(-20_000) }).toEqual({ role, exitCode: 0, output: '' });
});
