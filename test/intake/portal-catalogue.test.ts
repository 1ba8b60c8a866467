import fs from 'node:fs';
import path from 'node:path';
import { MIGRATION_SOURCE, PORTAL_CATALOGUE, PORTALS_WITH_ADAPTERS, isPortalCode, portalName } from '../../domain/portals';

/**
 * One source per fact (issue 15): domain/portals/catalogue.ts declares each
 * portal once. The mapping files keep a `name` for the operators who copy and
 * correct them; it must be the declared display name. The ふるさと納税do value
 * map translates the old system's portal names into declared codes.
 */

const MAPPINGS = path.resolve(__dirname, '..', '..', 'domain', 'portals', 'mappings');
const read = (file: string): Record<string, unknown> => JSON.parse(fs.readFileSync(path.join(MAPPINGS, file), 'utf8'));

test('every mapping file is a declared portal with a built-in mapping (or the migration source), and its name is the declared one', () => {
  const problems: string[] = [];
  const files = fs.readdirSync(MAPPINGS).filter((f) => f.endsWith('.json'));
  for (const file of files) {
    const code = file.replace(/\.json$/, '');
    const m = read(file);
    if (!isPortalCode(code)) problems.push(`${file}: ${code} is not declared in domain/portals/catalogue.ts`);
    else if (code !== MIGRATION_SOURCE && !PORTALS_WITH_ADAPTERS.includes(code)) problems.push(`${file}: ${code} is not declared with builtInMapping: true`);
    if (code !== MIGRATION_SOURCE && m.portal !== code) problems.push(`${file}: portal is ${String(m.portal)}, not ${code}`);
    if (m.name !== undefined && m.name !== portalName(code)) problems.push(`${file}: name is ${String(m.name)} but domain/portals/catalogue.ts names ${code} ${portalName(code)}; change the file's name (or drop it)`);
  }
  for (const p of PORTALS_WITH_ADAPTERS) if (!files.includes(`${p}.json`)) problems.push(`${p} is declared with builtInMapping: true but domain/portals/mappings/${p}.json is missing`);
  expect(problems).toEqual([]);
});

test('the ふるさと納税do portal map names declared portals, and its declared names map to their own code', () => {
  const portals = (read(`${MIGRATION_SOURCE}.json`).values as { portal: Record<string, string> }).portal;
  const problems: string[] = [];
  for (const [text, code] of Object.entries(portals)) {
    if (!isPortalCode(code) || code === MIGRATION_SOURCE) problems.push(`"${text}" maps to ${code}, which is not a declared portal`);
    const named = PORTAL_CATALOGUE.find((p) => p.name === text);
    if (named && named.code !== code) problems.push(`"${text}" is the declared name of ${named.code} but maps to ${code}`);
  }
  for (const p of PORTAL_CATALOGUE) if (p.builtInMapping && portals[p.name] !== p.code) problems.push(`${p.name} (${p.code}) is missing from values.portal of ${MIGRATION_SOURCE}.json`);
  expect(problems).toEqual([]);
});
