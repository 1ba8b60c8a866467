import fs from 'node:fs';
import path from 'node:path';

/**
 * Issue 15, "one source per fact": configuration is read only in config/ (loadConfig reads the
 * environment once and validates it); everything else receives an AppConfig or a slice of it.
 *
 * The rule is for the product code: api/, activities/, workflows/, ledger/, domain/, worker/.
 * Only the process entry points (worker/main.ts, api/main.ts) call loadConfig(), and nothing in the
 * product reads process.env. scripts/ and bench/ are entry points and harnesses: they call
 * loadConfig() for product settings, and may read process.env only for process plumbing that is not
 * product configuration (BENCH_* knobs and the like); the scripts take theirs from config/
 * (config/stack-env.ts, loadConfig). test/ sets up its own environment.
 * The import direction rules are in .dependency-cruiser.cjs (npm run deps).
 */
const root = path.resolve(__dirname, '..', '..');
const PRODUCT = ['api', 'activities', 'workflows', 'ledger', 'domain', 'worker'];
const ENTRY_POINTS = new Set(['worker/main.ts', 'api/main.ts']);

function sources(dir: string): string[] {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.posix.join(dir, e.name);
    if (e.isDirectory()) return sources(rel);
    return e.name.endsWith('.ts') ? [rel] : [];
  });
}

/** Code only: comments name variables (PORTAL_INBOX_DIR …) without reading them. */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

test('product code reads no process.env, and only the process entry points call loadConfig()', () => {
  const found: string[] = [];
  for (const file of PRODUCT.flatMap(sources)) {
    const text = code(fs.readFileSync(path.join(root, file), 'utf8'));
    if (/\bprocess\s*(\.\s*env\b|\[\s*['"`]env['"`]\s*\])/.test(text)) found.push(`${file}: reads process.env`);
    const calls = (text.match(/\bloadConfig\s*\(/g) ?? []).length;
    if (calls && !ENTRY_POINTS.has(file)) found.push(`${file}: calls loadConfig() (receive the AppConfig instead)`);
  }
  expect(found).toEqual([]);
});

test('the checks above see what they look for', () => {
  expect(code('const a = process.env.X; // process.env in a comment')).toMatch(/process\.env\.X/);
  expect(code('/* process.env */ const b = 1;')).not.toMatch(/process\.env/);
  expect(sources('worker')).toContain('worker/main.ts');
});

test('the scripts (the dev stack helpers, the launcher, npm run fuzz and the rest) take their environment from config/ (config/stack-env.ts) too', () => {
  const found = sources('scripts').filter((file) => /\bprocess\s*\.\s*env\b/.test(code(fs.readFileSync(path.join(root, file), 'utf8'))));
  expect(found).toEqual([]);
});
