import fs from 'node:fs';
import path from 'node:path';

/**
 * docs/configuration.md cannot drift from config/: every environment variable that config/ reads is
 * documented, the "Read by config/" tables list nothing config/ no longer reads, and every other
 * variable the page lists is still read somewhere in the code.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const DOC = path.join(ROOT, 'docs', 'configuration.md');
const ENV_NAME = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/;

function tsFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : tsFiles(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** Names config/ reads: `env.X`, `env['X']`, `process.env.X`, and the key passed to a helper such as `int(env, 'X', …)` or `email('X', …)`. */
function variablesReadBy(source: string): Set<string> {
  const names = new Set<string>();
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  for (const m of code.matchAll(/\benv\??\.([A-Z][A-Z0-9_]*)\b/g)) names.add(m[1]);
  for (const m of code.matchAll(/\benv\[\s*['"`]([A-Z][A-Z0-9_]*)['"`]\s*\]/g)) names.add(m[1]);
  // A string literal that is nothing but an environment-variable-shaped name is a key handed to a reader.
  for (const m of code.matchAll(/['"`]([A-Z][A-Z0-9_]*)['"`]/g)) if (ENV_NAME.test(m[1])) names.add(m[1]);
  return names;
}

/** Backticked names in the first column of every table row between two level-2 headings. */
function documented(markdown: string): { config: Set<string>; elsewhere: Set<string> } {
  const config = new Set<string>();
  const elsewhere = new Set<string>();
  let section: Set<string> | undefined;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('## ')) {
      section = /^## Read by `?config\/`?/.test(line) ? config : /^## Read outside `?config\/`?/.test(line) ? elsewhere : undefined;
      continue;
    }
    if (!section || !line.startsWith('| `')) continue;
    const first = line.split('|')[1];
    for (const m of first.matchAll(/`([A-Z][A-Z0-9_]*)`/g)) section.add(m[1]);
  }
  return { config, elsewhere };
}

describe('docs/configuration.md', () => {
  const doc = documented(fs.readFileSync(DOC, 'utf8'));
  const configFiles = tsFiles(path.join(ROOT, 'config'));
  const readByConfig = new Set(configFiles.flatMap((f) => [...variablesReadBy(fs.readFileSync(f, 'utf8'))]));

  it('finds the variables on both sides', () => {
    expect(configFiles.length).toBeGreaterThan(0);
    expect(readByConfig.has('DATABASE_URL')).toBe(true);
    expect(readByConfig.has('BILL_OPERATOR_EMAIL')).toBe(true);
    expect(doc.config.size).toBeGreaterThan(40);
  });

  it('documents every variable that config/ reads', () => {
    const missing = [...readByConfig].filter((v) => !doc.config.has(v) && !doc.elsewhere.has(v)).sort();
    expect({ missingFromDocsConfigurationMd: missing }).toEqual({ missingFromDocsConfigurationMd: [] });
  });

  it('lists under "Read by config/" only variables config/ still reads', () => {
    const gone = [...doc.config].filter((v) => !readByConfig.has(v)).sort();
    expect({ notReadByConfig: gone }).toEqual({ notReadByConfig: [] });
  });

  it('lists under "Read outside config/" only variables some code still reads', () => {
    const sources = ['activities', 'api', 'bench', 'config', 'domain', 'ledger', 'scripts', 'test', 'worker', 'workflows']
      .flatMap((d) => tsFiles(path.join(ROOT, d)))
      .filter((f) => f !== __filename)
      .map((f) => fs.readFileSync(f, 'utf8'))
      .join('\n');
    const gone = [...doc.elsewhere].filter((v) => !new RegExp(`\\b${v}\\b`).test(sources)).sort();
    expect({ readNowhere: gone }).toEqual({ readNowhere: [] });
  });
});
