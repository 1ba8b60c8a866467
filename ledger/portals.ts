import type { Knex } from '@mikro-orm/postgresql';
import { declaredPortals, type DeclaredPortal } from '../domain/portals/declared';

/**
 * PORTAL-6: the `portals` rows of the portals declared by a file in PORTAL_MAPPINGS_DIR, written from the
 * declarations where the processes start (the API and the worker): inserted, or brought in line when a
 * declaration changed (name, record_only, active, no_base_fee); a row that already matches is not written,
 * so starting again changes nothing. A declaration removed later leaves its row (donations reference it).
 * Answers the codes whose row was written.
 */
export async function writeDeclaredPortals(knex: Knex, portals: readonly DeclaredPortal[]): Promise<string[]> {
  if (!portals.length) return [];
  const rows = portals.map((p) => ({ code: p.code, name: p.name, record_only: p.recordOnly, active: p.active, no_base_fee: p.noBaseFee }));
  const written: { code: string }[] = await knex('portals')
    .insert(rows)
    .onConflict('code')
    .merge(['name', 'record_only', 'active', 'no_base_fee'])
    .whereRaw('(portals.name, portals.record_only, portals.active, portals.no_base_fee) is distinct from (excluded.name, excluded.record_only, excluded.active, excluded.no_base_fee)')
    .returning('code');
  return written.map((r) => r.code).sort();
}

/** Reads the declarations in `mappingsDir` (PortalDeclarationError naming the file and field when one is incomplete) and writes their rows. */
export async function connectDeclaredPortals(knex: Knex, mappingsDir: string | undefined): Promise<string[]> {
  return writeDeclaredPortals(knex, declaredPortals(mappingsDir));
}
