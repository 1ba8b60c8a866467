import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { stackEnv } from '../config/stack-env';

/**
 * `npm run fuzz -- --seed N --examples N [--roles operator,admin] [--phases examples,coverage,fuzzing]`:
 * the CI fuzz suite (test/fuzz/fuzz.test.ts: the API on a real stack, Schemathesis once per role) with a
 * seed and a depth of one's choosing. By hand every role gets every phase unless --phases says otherwise.
 */
function main(): number {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string' },
      examples: { type: 'string', default: '100' },
      roles: { type: 'string' },
      phases: { type: 'string', default: 'examples,coverage,fuzzing' },
      report: { type: 'string', description: 'directory for the JUnit reports and each role’s log' },
    },
  });
  const seed = values.seed ?? String(Math.floor(Math.random() * 1_000_000));
  for (const [name, value] of [['seed', seed], ['examples', values.examples]] as const) {
    if (!/^[1-9][0-9]*$/.test(String(value))) throw new Error(`--${name} must be a positive integer, not "${value}"`);
  }
  const root = path.resolve(__dirname, '..', '..');
  const env = {
    // The child jest run needs the whole environment (PATH, the test servers' tools); config/ hands it over.
    ...stackEnv().inherited(),
    FUZZ_SEED: seed,
    FUZZ_EXAMPLES: String(values.examples),
    FUZZ_PHASES: values.phases,
    ...(values.roles && { FUZZ_ROLES: values.roles }),
    ...(values.report && { FUZZ_REPORT_DIR: path.resolve(values.report) }),
  };
  console.log(`fuzz: seed ${seed}, ${values.examples} examples per operation, phases ${values.phases}, roles ${values.roles ?? 'all'}`);
  const jest = spawnSync(process.execPath, [require.resolve('jest/bin/jest'), '--runTestsByPath', 'test/fuzz/fuzz.test.ts'], { cwd: root, env, stdio: 'inherit' });
  return jest.status ?? 1;
}

process.exitCode = main();
