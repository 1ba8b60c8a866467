/**
 * The portals donations come through (PORTAL-1), declared once. Everything else
 * is derived from this list: the PortalCode type, the portals with a built-in
 * import mapping (PORTALS_WITH_ADAPTERS, the API's `portal` enum of
 * POST /intake/imports), the portals that pay no base fee (BILL-5, in
 * domain/billing/fees.ts) and the display names. The ledger's `portals` table
 * (seeded by the foundation and intake-extras migrations) holds one row per
 * declared portal with the same name, record_only and active;
 * test/ledger/declarations.test.ts fails when the table and this list differ,
 * and test/intake/portal-catalogue.test.ts when a mapping file's `name` does.
 *
 * Order is the order of the ledger's rows; lists derived for the API are sorted by code.
 * Adding a portal: docs/architecture.md, "Adding a portal".
 *
 * Pure data (its one import, domain/declarations.ts, imports nothing): workflow code (the deterministic sandbox) may read it too.
 */

import { deriveFromCatalogue } from '../declarations';

export interface PortalDeclaration {
  /** Stored in the ledger (portals.code, donations.portal_code, …) and used in the API. */
  readonly code: string;
  /** The portal as donors and operators know it: documents, reports, the `portals` table. */
  readonly name: string;
  /** Whether domain/portals/mappings/<code>.json is a built-in import mapping (an adapter for its order file). */
  readonly builtInMapping: boolean;
  /** The portal does its own intake and shipping; we only record its donations (PORTAL-1; portals.record_only). */
  readonly recordOnly: boolean;
  /** Donations can be registered on it (portals.active); the ふるさと納税do migration source is not. */
  readonly active: boolean;
  /** Its donations carry no base fee (BILL-5: さとふる is paid by the city under its own contract, the city's own site is the city's). */
  readonly noBaseFee: boolean;
}

export const PORTAL_CATALOGUE = [
  { code: 'choice', name: 'ふるさとチョイス', builtInMapping: true, recordOnly: false, active: true, noBaseFee: false },
  { code: 'satofull', name: 'さとふる', builtInMapping: true, recordOnly: true, active: true, noBaseFee: true },
  { code: 'furunavi', name: 'ふるなび', builtInMapping: true, recordOnly: false, active: true, noBaseFee: false },
  { code: 'rakuten', name: '楽天ふるさと納税', builtInMapping: true, recordOnly: false, active: true, noBaseFee: false },
  { code: 'ana', name: 'ANAのふるさと納税', builtInMapping: true, recordOnly: false, active: true, noBaseFee: false },
  { code: 'amazon', name: 'Amazonふるさと納税', builtInMapping: true, recordOnly: false, active: true, noBaseFee: false },
  { code: 'mynavi', name: 'マイナビふるさと納税', builtInMapping: true, recordOnly: false, active: true, noBaseFee: false },
  { code: 'city', name: '柳川市公式サイト', builtInMapping: true, recordOnly: true, active: true, noBaseFee: true },
  { code: 'direct', name: '電話・FAX・郵送・窓口', builtInMapping: false, recordOnly: false, active: true, noBaseFee: false },
  /** LEDGER-4: the ふるさと納税do migration source (domain/portals/furusato-do.ts, MIGRATION_SOURCE); its rows carry their own portals. */
  { code: 'furusato_do', name: 'ふるさと納税do（移行元）', builtInMapping: false, recordOnly: true, active: false, noBaseFee: false },
] as const satisfies readonly PortalDeclaration[];

type Declared = (typeof PORTAL_CATALOGUE)[number];

export type PortalCode = Declared['code'];
/** Portals with a built-in mapping file: domain/portals/index.ts must ship one for each (Record<…>). */
export type BuiltInMappingPortal = Extract<Declared, { builtInMapping: true }>['code'];
/** Portals whose donations pay no base fee: domain/billing/fees.ts must give each its exclusion reason (Record<…>). */
export type NoBaseFeePortal = Extract<Declared, { noBaseFee: true }>['code'];

/**
 * Derived from the catalogue (domain/declarations.ts): every portal code in declaration order, the
 * guard, one code's declaration, the display name of a code (ふるさとチョイス; anything else is returned as
 * given) and the display names by code.
 */
export const { codes: PORTAL_CODES, is: isPortalCode, declaration: portalDeclaration, name: portalName, names: PORTAL_NAMES } = deriveFromCatalogue<PortalDeclaration, PortalCode>(PORTAL_CATALOGUE);

/** Portals with a built-in import mapping, sorted by code (the API enum's order). */
export const BUILT_IN_MAPPING_PORTALS = PORTAL_CATALOGUE.filter((p) => p.builtInMapping)
  .map((p) => p.code)
  .sort() as readonly BuiltInMappingPortal[];

/** Portals whose donations carry no base fee, in declaration order. */
export const NO_BASE_FEE_PORTALS = PORTAL_CATALOGUE.filter((p) => p.noBaseFee).map((p) => p.code) as readonly NoBaseFeePortal[];
