import fs from 'node:fs';
import path from 'node:path';
import { MIGRATION_SOURCE } from './furusato-do';
import { validateMapping } from './mapping';
import { isPortalCode, portalName } from './catalogue';

/**
 * PORTAL-6: a portal the city contracts later is declared by one file, `<code>.json` in PORTAL_MAPPINGS_DIR —
 * its layout mapping (as domain/portals/mappings/*.json) and what its `portals` row needs: the name donors and
 * operators know it by, whether it is record-only (the scope of our work: the portal does its own intake and
 * shipping, we only record its donations), whether its donations pay no base fee (BILL-5) and whether
 * donations can be registered on it. The processes write the row from it when they start
 * (ledger/portals.ts connectDeclaredPortals); no SQL, no code. A file named after a catalogue portal is an
 * operator's corrected mapping of that portal, not a declaration: its row is the catalogue's.
 */
export interface DeclaredPortal {
  code: string;
  name: string;
  recordOnly: boolean;
  active: boolean;
  noBaseFee: boolean;
  /** The file it was read from (for messages). */
  file: string;
}

/** An incomplete or malformed declaration: the file and every field at fault, each with what it must be. */
export class PortalDeclarationError extends Error {
  override name = 'PortalDeclarationError';
  constructor(
    readonly file: string,
    readonly fields: { field: string; reason: string }[],
  ) {
    super(`${file}: ${fields.map((f) => `${f.field} ${f.reason}`).join('; ')}`);
  }
}

const CODE = /^[a-z][a-z0-9_]*$/;
const MAX_NAME = 100;

/** A declaration file's content checked field by field: the portal's row, then its layout mapping. */
export function validatePortalDeclaration(raw: unknown, file: string, code: string): DeclaredPortal {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new PortalDeclarationError(file, [{ field: '(file)', reason: 'must be a JSON object' }]);
  const x = raw as Record<string, unknown>;
  const problems: { field: string; reason: string }[] = [];
  if (x.portal !== code) problems.push({ field: 'portal', reason: `must be the portal's code, "${code}" (the file's name)` });
  if (typeof x.name !== 'string' || !x.name.trim()) problems.push({ field: 'name', reason: 'is required: the portal as donors and operators know it (documents, reports, the portals table)' });
  else if (x.name.length > MAX_NAME) problems.push({ field: 'name', reason: `must be at most ${MAX_NAME} characters` });
  if (typeof x.recordOnly !== 'boolean') problems.push({ field: 'recordOnly', reason: 'is required, true or false: true when the portal does its own intake and shipping and we only record its donations' });
  if (typeof x.noBaseFee !== 'boolean') problems.push({ field: 'noBaseFee', reason: 'is required, true or false: true when its donations pay no base fee (BILL-5)' });
  if (x.active !== undefined && typeof x.active !== 'boolean') problems.push({ field: 'active', reason: 'must be true or false (default true: donations can be registered on it)' });
  try {
    validateMapping(raw, file);
  } catch (err) {
    // The mapping's own check names each field at fault after the file name.
    for (const reason of (err as Error).message.replace(`${file}: `, '').split('; ')) {
      const field = reason.split(' ')[0];
      if (field !== 'portal') problems.push({ field, reason: reason.slice(field.length + 1) });
    }
  }
  if (problems.length) throw new PortalDeclarationError(file, problems);
  return { code, name: (x.name as string).trim(), recordOnly: x.recordOnly as boolean, active: (x.active as boolean | undefined) ?? true, noBaseFee: x.noBaseFee as boolean, file };
}

/**
 * The portals declared in `mappingsDir` (PORTAL_MAPPINGS_DIR), by code: every `<code>.json` whose code is not a
 * catalogue portal (those are corrected mappings) nor the ふるさと納税do migration source. Throws
 * PortalDeclarationError for the first incomplete one, naming its fields.
 */
export function declaredPortals(mappingsDir?: string): DeclaredPortal[] {
  if (!mappingsDir || !fs.existsSync(mappingsDir)) return [];
  return fs
    .readdirSync(mappingsDir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => ({ f, code: f.slice(0, -'.json'.length) }))
    .filter(({ code }) => CODE.test(code) && !isPortalCode(code) && code !== MIGRATION_SOURCE)
    .sort((a, b) => a.code.localeCompare(b.code))
    .map(({ f, code }) => {
      const file = path.join(mappingsDir, f);
      let raw: unknown;
      try {
        raw = JSON.parse(fs.readFileSync(file, 'utf8'));
      } catch (err) {
        throw new PortalDeclarationError(file, [{ field: '(file)', reason: `is not JSON: ${(err as Error).message}` }]);
      }
      return validatePortalDeclaration(raw, file, code);
    });
}

/** A portal's name by its code: what documents, reports and pages show for it. */
export type PortalNamer = (code: string) => string;

/**
 * PORTAL-6: names portals as the ledger's `portals` rows do — a catalogue portal by its catalogue name, a portal
 * declared in `mappingsDir` (PORTAL_MAPPINGS_DIR) by its declared name, any other code as itself. Reads the
 * declarations once, where a process starts (the console's pages when they are registered).
 */
export function portalNamer(mappingsDir?: string): PortalNamer {
  const declared = new Map(declaredPortals(mappingsDir).map((p) => [p.code, p.name]));
  return (code) => declared.get(code) ?? portalName(code);
}
