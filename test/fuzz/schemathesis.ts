import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Role } from '../../config/env';
import { resolveSchemathesis } from '../../scripts/stack/tools';


/** The checks issue 21 asks for; a finding in any of them fails the run. */
export const FUZZ_CHECKS = ['not_a_server_error', 'status_code_conformance', 'response_schema_conformance', 'negative_data_rejection', 'ignored_auth'] as const;

export interface FuzzRun {
  role: Role;
  token: string;
  baseUrl: string;
  seed: number;
  examples: number;
  reportDir: string;
  /** Worker count for schemathesis; the API and its stack share the same two cores. */
  workers?: number;
  /** Schemathesis phases; the coverage phase (boundary and negative values of every keyword) is the slow, thorough one. */
  phases: string[];
}

export interface FuzzOutcome {
  role: Role;
  exitCode: number | null;
  seconds: number;
  /**
   * One line from Schemathesis' summary ("542 generated, 542 passed, 98 skipped"). Its own closing
   * lines are pytest-shaped ("=== 3 warnings in 22.23s ==="), which a CI log reader takes for a
   * pytest run that ran no test, so they stay in the log file and never reach the suite's output.
   */
  summary: string;
  output: string;
}

export async function runSchemathesis(run: FuzzRun): Promise<FuzzOutcome> {
  fs.mkdirSync(run.reportDir, { recursive: true });
  const args = [
    '--config-file', path.join(__dirname, 'schemathesis.toml'),
    'run',
    `${run.baseUrl}/docs/json`,
    '--url', run.baseUrl,
    '--checks', FUZZ_CHECKS.join(','),
    '--seed', String(run.seed),
    '--max-examples', String(run.examples),
    '--workers', String(run.workers ?? 2),
    '--header', `Authorization: Bearer ${run.token}`,
    '--phases', run.phases.join(','),
    '--suppress-health-check', 'all',
    // No example database: a run is reproduced by its seed alone and leaves nothing in the checkout.
    '--generation-database', 'none',
    '--request-timeout', '60',
    '--report', 'junit',
    '--report-dir', run.reportDir,
    '--no-color',
  ];
  const started = process.hrtime.bigint();
  // Pinned with the other PyPI tools (scripts/stack/schemathesis-requirements.txt); installed on first use like them.
  const child = spawn(await resolveSchemathesis(), args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SCHEMATHESIS_HOOKS: '', NO_COLOR: '1' } });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exitCode = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  fs.writeFileSync(path.join(run.reportDir, `${run.role}.log`), output);
  const cases = /Test cases:\s*\n\s*(.+)/.exec(output)?.[1]?.trim() ?? 'no summary';
  return { role: run.role, exitCode, seconds, summary: `test cases ${cases.replace(/,/g, ';')}`, output };
}
