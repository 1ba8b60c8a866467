import { buildDonation, type RawOrder, type ValueMaps } from './shared';
import type { MapResult, PortalAdapter, RowMapper } from './types';

/**
 * A portal whose export layout is not published is described by data, not
 * code: one JSON file per portal (mappings/*.json) names the header of each
 * column and the value maps. When a real file disagrees, an operator corrects
 * the JSON; the importer reports the header it expected and did not find.
 */
export type ColumnSpec = string | string[] | { join: (string | string[])[]; separator?: string };

export const MAPPED_FIELDS = [
  'portalOrderId', 'appliedAt', 'amountYen', 'paymentMethod', 'paidAt', 'purpose', 'wantsOneStop', 'disasterRelief',
  'donor.name', 'donor.nameKana', 'donor.postalCode', 'donor.prefecture', 'donor.address', 'donor.phone', 'donor.email', 'donor.birthDate',
  'shipTo.name', 'shipTo.nameKana', 'shipTo.postalCode', 'shipTo.prefecture', 'shipTo.address', 'shipTo.phone',
  'giftCode', 'giftQuantity',
] as const;
export type MappedField = (typeof MAPPED_FIELDS)[number];

const REQUIRED: MappedField[] = ['portalOrderId', 'appliedAt', 'amountYen', 'paymentMethod', 'donor.name', 'donor.postalCode', 'donor.address'];

export interface PortalMapping {
  portal: string;
  name: string;
  layout: 'published' | 'provisional';
  source: string;
  columns: Partial<Record<MappedField, ColumnSpec>>;
  values: ValueMaps;
}

/** Checks a mapping file's shape, so a typo in an operator's correction is reported by name instead of failing rows. */
export function validateMapping(m: unknown, file: string): PortalMapping {
  const problems: string[] = [];
  const x = m as Partial<PortalMapping>;
  if (!x || typeof x !== 'object') throw new Error(`${file}: not a JSON object`);
  if (typeof x.portal !== 'string' || !x.portal) problems.push('portal must be the ledger portal code');
  if (x.layout !== 'published' && x.layout !== 'provisional') problems.push('layout must be "published" or "provisional"');
  if (!x.columns || typeof x.columns !== 'object') problems.push('columns must be an object');
  else {
    for (const key of Object.keys(x.columns)) if (!(MAPPED_FIELDS as readonly string[]).includes(key)) problems.push(`columns.${key} is not a known field (known: ${MAPPED_FIELDS.join(', ')})`);
    for (const key of REQUIRED) if (!x.columns[key] && !(key === 'donor.address' && x.columns['donor.prefecture'])) problems.push(`columns.${key} is required`);
  }
  if (!x.values?.paymentMethod) problems.push('values.paymentMethod is required');
  if (problems.length) throw new Error(`${file}: ${problems.join('; ')}`);
  return x as PortalMapping;
}

type Resolved = { indexes: number[][]; separator: string; label: string };

function resolve(spec: ColumnSpec, header: string[]): Resolved | { missing: string } {
  const normalized = header.map((h) => h.replace(/^\uFEFF/, '').trim());
  const find = (alts: string | string[]) => {
    const names = Array.isArray(alts) ? alts : [alts];
    for (const n of names) {
      const i = normalized.indexOf(n);
      if (i >= 0) return { index: i, name: n };
    }
    return undefined;
  };
  if (typeof spec === 'string' || Array.isArray(spec)) {
    const hit = find(spec);
    return hit ? { indexes: [[hit.index]], separator: '', label: hit.name } : { missing: [spec].flat().join(' / ') };
  }
  const parts = spec.join.map(find);
  const firstMissing = spec.join.find((_, i) => !parts[i]);
  // Optional parts of a join (e.g. 建物名) may be absent; the first part may not.
  if (!parts[0]) return { missing: [firstMissing ?? spec.join[0]].flat().join(' / ') };
  const present = parts.filter(Boolean) as { index: number; name: string }[];
  return { indexes: [present.map((p) => p.index)], separator: spec.separator ?? '', label: present.map((p) => p.name).join('+') };
}

/** A declarative mapping's columns bound to one file's header. */
export interface BoundColumns<F extends string> {
  /** "field ← header" for each required field the header lacks. */
  missing: string[];
  get(cells: string[], field: F): string | undefined;
  columnOf(field: string): string | null;
}

/** Binds field → column specs to a header; shared by the portal mappings and the migration mapping. */
export function bindColumns<F extends string>(columns: Partial<Record<F, ColumnSpec>>, header: string[], required: readonly F[]): BoundColumns<F> {
  const resolved = new Map<F, Resolved>();
  const missing: string[] = [];
  for (const [field, spec] of Object.entries(columns) as [F, ColumnSpec][]) {
    const r = resolve(spec, header);
    if ('missing' in r) {
      if (required.includes(field)) missing.push(`${field} ← "${r.missing}"`);
    } else resolved.set(field, r);
  }
  return {
    missing,
    get(cells, field) {
      const r = resolved.get(field);
      if (!r) return undefined;
      return r.indexes[0].map((i) => (cells[i] ?? '').trim()).filter(Boolean).join(r.separator);
    },
    columnOf(field) {
      const f = field === 'amount' ? 'amountYen' : field;
      return resolved.get(f as F)?.label ?? null;
    },
  };
}

/** The donation fields every file layout names alike (a portal's mapping, the ふるさと納税do migration): the first row's, and each row's gift. */
type OrderField = Extract<MappedField, 'appliedAt' | 'amountYen' | 'paymentMethod' | 'paidAt' | 'purpose' | 'wantsOneStop' | 'disasterRelief' | 'giftCode' | 'giftQuantity' | `donor.${string}`>;

export function orderCells(get: (cells: string[], field: OrderField) => string | undefined, rows: string[][]): Omit<RawOrder, 'portalOrderId'> {
  const first = rows[0];
  return {
    appliedAt: get(first, 'appliedAt') ?? '',
    amount: get(first, 'amountYen') ?? '',
    paymentMethod: get(first, 'paymentMethod') ?? '',
    paidAt: get(first, 'paidAt'),
    purpose: get(first, 'purpose'),
    wantsOneStop: get(first, 'wantsOneStop'),
    disasterRelief: get(first, 'disasterRelief'),
    name: get(first, 'donor.name') ?? '',
    nameKana: get(first, 'donor.nameKana') ?? '',
    postalCode: get(first, 'donor.postalCode') ?? '',
    prefecture: get(first, 'donor.prefecture'),
    address: get(first, 'donor.address') ?? '',
    phone: get(first, 'donor.phone'),
    email: get(first, 'donor.email'),
    birthDate: get(first, 'donor.birthDate'),
    gifts: rows.map((cells) => ({ code: get(cells, 'giftCode') ?? '', quantity: get(cells, 'giftQuantity') ?? '' })),
  };
}

export function mappingAdapter(mapping: PortalMapping): PortalAdapter {
  return {
    portal: mapping.portal,
    layout: mapping.layout,
    source: mapping.source,
    begin(header: string[]): RowMapper | { error: string } {
      const bound = bindColumns<MappedField>(mapping.columns, header, REQUIRED);
      if (bound.missing.length) {
        return { error: `the header lacks columns this portal's mapping requires: ${bound.missing.join(', ')}. Correct domain/portals/mappings/${mapping.portal}.json (or PORTAL_MAPPINGS_DIR) if the portal renamed them` };
      }
      const get = bound.get;
      const columnOf = bound.columnOf;
      return {
        orderIdOf: (cells) => (get(cells, 'portalOrderId') ?? '').trim(),
        columnOf,
        map(rows: string[][]): MapResult {
          const first = rows[0];
          // 送付先 only where the mapping names its columns.
          const shipToOf = (cells: string[]) =>
            get(cells, 'shipTo.address') === undefined && get(cells, 'shipTo.name') === undefined
              ? undefined
              : {
                  name: get(cells, 'shipTo.name') ?? '', nameKana: get(cells, 'shipTo.nameKana') ?? '', postalCode: get(cells, 'shipTo.postalCode') ?? '',
                  prefecture: get(cells, 'shipTo.prefecture'), address: get(cells, 'shipTo.address') ?? '', phone: get(cells, 'shipTo.phone'),
                };
          const raw: RawOrder = {
            ...orderCells(get, rows),
            portalOrderId: get(first, 'portalOrderId') ?? '',
            shipTo: shipToOf(first),
            // One order goes to one address: rows that name different 送付先 are refused with the column.
            shipToConflict: rows.some((cells) => JSON.stringify(shipToOf(cells)) !== JSON.stringify(shipToOf(first))),
          };
          return buildDonation(raw, mapping.values, columnOf);
        },
      };
    },
  };
}
