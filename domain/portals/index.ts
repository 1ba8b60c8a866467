import fs from 'node:fs';
import path from 'node:path';
import { MIGRATION_SOURCE, migrationAdapter, validateMigrationMapping } from './furusato-do';
import { mappingAdapter, validateMapping, type PortalMapping } from './mapping';
import { rakutenAdapter, type RakutenSettings } from './rakuten';
import type { PortalAdapter } from './types';
import { BUILT_IN_MAPPING_PORTALS, type BuiltInMappingPortal } from './catalogue';
import amazon from './mappings/amazon.json';
import ana from './mappings/ana.json';
import choice from './mappings/choice.json';
import city from './mappings/city.json';
import furunavi from './mappings/furunavi.json';
import mynavi from './mappings/mynavi.json';
import rakuten from './mappings/rakuten.json';
import satofull from './mappings/satofull.json';
import furusatoDo from './mappings/furusato_do.json';

export * from './types';
export { MIGRATION_SOURCE } from './furusato-do';
export * from './catalogue';

/**
 * One adapter per portal declared with a built-in mapping in ./catalogue.ts
 * (a mapping file here, or a coded adapter where the layout is published);
 * the Record makes a declared portal without its file fail to compile. An operator's corrected copy
 * of a mapping in PORTAL_MAPPINGS_DIR (same file name) takes precedence over
 * the shipped one, so a renamed column needs no release.
 */
const SHIPPED: Record<BuiltInMappingPortal, unknown> = { amazon, ana, choice, city, furunavi, mynavi, rakuten, satofull };

/** Portals with a built-in import adapter, sorted by code: the catalogue's built-in mappings. */
export const PORTALS_WITH_ADAPTERS: string[] = [...BUILT_IN_MAPPING_PORTALS];

/**
 * PORTAL-6: the portals files can be imported for — the built-in ones and those a city contracts later,
 * declared by a mapping file `<code>.json` in PORTAL_MAPPINGS_DIR (with the portal's catalogue row).
 * Read once where a process starts (the upload route's enum, the inbox collector, the console's list).
 */
export function portalsWithAdapters(mappingsDir?: string): string[] {
  const declared = mappingsDir && fs.existsSync(mappingsDir)
    ? fs.readdirSync(mappingsDir).filter((f) => /^[a-z][a-z0-9_]*\.json$/.test(f)).map((f) => f.slice(0, -'.json'.length)).filter((code) => code !== MIGRATION_SOURCE)
    : [];
  return [...new Set([...PORTALS_WITH_ADAPTERS, ...declared])].sort();
}

function mappingFor(portal: string, dir: string | undefined): unknown {
  if (dir) {
    const file = path.join(dir, `${portal}.json`);
    if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8'));
  }
  return portal === MIGRATION_SOURCE ? furusatoDo : (SHIPPED as Record<string, unknown>)[portal];
}

export class UnknownPortalError extends Error {
  override name = 'UnknownPortalError';
}

/** `mappingsDir`: the operators' corrected mappings (AppConfig.intake.mappingsDir, PORTAL_MAPPINGS_DIR). */
export function adapterFor(portal: string, options: { mappingsDir?: string } = {}): PortalAdapter {
  const raw = mappingFor(portal, options.mappingsDir);
  if (!raw) throw new UnknownPortalError(`no import adapter for portal "${portal}" (known: ${PORTALS_WITH_ADAPTERS.join(', ')})`);
  if (portal === 'rakuten') return rakutenAdapter(raw as RakutenSettings);
  // LEDGER-4: the ふるさと納税do migration file (not a portal: its rows carry their own portals).
  if (portal === MIGRATION_SOURCE) return migrationAdapter(validateMigrationMapping(raw, `${portal}.json`));
  return mappingAdapter(validateMapping(raw, `${portal}.json`) as PortalMapping);
}
