import { CHANNELS, type Channel } from '../donation-status';
import { bindColumns, orderCells, type ColumnSpec } from './mapping';
import { cleanCell, parseJstDateTime } from './normalize';
import { buildDonation, lookup, type RawOrder, type ValueMaps } from './shared';
import type { PortalCode } from './catalogue';
import type { MapResult, MigrationFacts, PortalAdapter, RowIssue, RowMapper } from './types';

/**
 * Migration from ふるさと納税do, the city's current 寄附管理システム (LEDGER-4,
 * SHIP-7). Its export layout is not public, so like the unpublished portal
 * layouts it is described by one declarative mapping (mappings/furusato_do.json):
 * the usual donation fields plus the donation's real portal and order number,
 * and where the old system had got to — payment date, 受領証明書 posting date,
 * gift shipment status and date — so each donation's workflow starts at the
 * right stage. The file is stored and imported by the portal-file machinery
 * under the pseudo-portal `furusato_do` (inactive: nothing is ever registered
 * on it); every donation enters the ledger under its own portal.
 */
export const MIGRATION_SOURCE = 'furusato_do' satisfies PortalCode;

export const MIGRATION_FIELDS = [
  'sourceId', 'portal', 'portalOrderId', 'appliedAt', 'amountYen', 'paymentMethod', 'paidAt', 'purpose', 'wantsOneStop', 'disasterRelief',
  'donor.name', 'donor.nameKana', 'donor.postalCode', 'donor.prefecture', 'donor.address', 'donor.phone', 'donor.email', 'donor.birthDate',
  'giftCode', 'giftQuantity', 'documentsSentAt', 'giftStatus', 'giftsShippedAt', 'cancelled',
] as const;
export type MigrationField = (typeof MIGRATION_FIELDS)[number];

const REQUIRED: MigrationField[] = ['portal', 'appliedAt', 'amountYen', 'paymentMethod', 'donor.name', 'donor.postalCode', 'donor.address'];

export type GiftState = MigrationFacts['gifts'];

export interface MigrationValueMaps extends ValueMaps {
  /** The old system's name of the application route → ledger portal code ("電話" → direct). */
  portal: Record<string, string>;
  /** For routes mapped to `direct`: the channel ("電話" → phone). */
  channel?: Record<string, string>;
  giftStatus?: Record<string, GiftState>;
  cancelled?: Record<string, boolean>;
}

export interface MigrationMapping {
  source: string;
  name: string;
  layout: 'published' | 'provisional';
  columns: Partial<Record<MigrationField, ColumnSpec>>;
  values: MigrationValueMaps;
}

export function validateMigrationMapping(m: unknown, file: string): MigrationMapping {
  const x = m as Partial<MigrationMapping>;
  if (!x || typeof x !== 'object') throw new Error(`${file}: not a JSON object`);
  const problems: string[] = [];
  if (x.layout !== 'published' && x.layout !== 'provisional') problems.push('layout must be "published" or "provisional"');
  if (!x.columns || typeof x.columns !== 'object') problems.push('columns must be an object');
  else {
    for (const key of Object.keys(x.columns)) if (!(MIGRATION_FIELDS as readonly string[]).includes(key)) problems.push(`columns.${key} is not a known field (known: ${MIGRATION_FIELDS.join(', ')})`);
    for (const key of REQUIRED) if (!x.columns[key]) problems.push(`columns.${key} is required`);
    if (!x.columns.portalOrderId && !x.columns.sourceId) problems.push('columns.portalOrderId or columns.sourceId is required');
  }
  if (!x.values?.paymentMethod) problems.push('values.paymentMethod is required');
  if (!x.values?.portal) problems.push('values.portal is required');
  for (const [k, v] of Object.entries(x.values?.channel ?? {})) if (!(CHANNELS as readonly string[]).includes(v)) problems.push(`values.channel.${k}: "${v}" is not a channel (${CHANNELS.join(', ')})`);
  for (const [k, v] of Object.entries(x.values?.giftStatus ?? {})) if (!['none', 'to_ship', 'shipped'].includes(v)) problems.push(`values.giftStatus.${k}: "${v}" must be none, to_ship or shipped`);
  if (problems.length) throw new Error(`${file}: ${problems.join('; ')}`);
  return x as MigrationMapping;
}

/** A date the old system wrote ("2026/03/15", "2026-03-15 10:00"); undefined when empty, null when unreadable. */
function optionalDate(text: string | undefined): string | undefined | null {
  const t = cleanCell(text);
  if (!t) return undefined;
  return parseJstDateTime(t) ?? null;
}

export function migrationAdapter(mapping: MigrationMapping): PortalAdapter {
  const values = mapping.values;
  return {
    portal: MIGRATION_SOURCE,
    layout: mapping.layout,
    source: `${mapping.name}: domain/portals/mappings/furusato_do.json`,
    begin(header: string[]): RowMapper | { error: string } {
      const bound = bindColumns<MigrationField>(mapping.columns, header, REQUIRED);
      if (bound.missing.length) {
        return { error: `the header lacks columns the ふるさと納税do mapping requires: ${bound.missing.join(', ')}. Correct domain/portals/mappings/furusato_do.json (or PORTAL_MAPPINGS_DIR) to the real export` };
      }
      const { get, columnOf } = bound;
      const orderIdOf = (cells: string[]) => {
        const id = cleanCell(get(cells, 'portalOrderId')) || cleanCell(get(cells, 'sourceId'));
        return id ? `${cleanCell(get(cells, 'portal'))}\t${id}` : '';
      };

      return {
        orderIdOf,
        columnOf,
        map(rows: string[][]): MapResult {
          const first = rows[0];
          const issues: RowIssue[] = [];

          const portalText = cleanCell(get(first, 'portal'));
          const portal = portalText ? lookup(values.portal, portalText) : undefined;
          if (!portalText) issues.push({ column: columnOf('portal'), reason: 'is required but empty' });
          else if (!portal) issues.push({ column: columnOf('portal'), reason: `unknown portal "${portalText}" (add it to the migration mapping's portal value map)` });
          let channel: Channel = 'portal';
          if (portal === 'direct') {
            const c = values.channel ? lookup(values.channel, portalText) : undefined;
            if (!c) issues.push({ column: columnOf('portal'), reason: `"${portalText}" is a donation outside the portals but the mapping's channel value map has no channel for it` });
            else channel = c as Channel;
          }

          const sourceId = cleanCell(get(first, 'sourceId')) || undefined;
          const orderText = cleanCell(get(first, 'portalOrderId'));
          // Hand-entered donations had no portal order number; the old system's id stands in for it.
          const portalOrderId = orderText || (portal === 'direct' && sourceId ? `do-${sourceId}` : '');

          const cancelledText = cleanCell(get(first, 'cancelled'));
          if (cancelledText && values.cancelled && lookup(values.cancelled, cancelledText)) {
            issues.push({ column: columnOf('cancelled'), reason: `"${cancelledText}": cancelled in ふるさと納税do, so not migrated (dismiss this row, or correct it if the cancellation is wrong)` });
          }

          const raw: RawOrder = { ...orderCells(get, rows), portalOrderId };
          const built = buildDonation(raw, values, columnOf);
          if (!built.ok) issues.push(...built.issues);

          // Documents: posted by the old system means paid before.
          const docs = optionalDate(get(first, 'documentsSentAt'));
          if (docs === null) issues.push({ column: columnOf('documentsSentAt'), reason: `"${cleanCell(get(first, 'documentsSentAt'))}" is not a date` });

          // Gifts: one shipment state per donation (the workflow plans per donation); gift lines that disagree are for an operator.
          const giftRows = rows.filter((cells) => {
            const code = cleanCell(get(cells, 'giftCode'));
            return code && !(values.giftCode && code in values.giftCode && values.giftCode[code] === '');
          });
          const states = new Set<'to_ship' | 'shipped'>();
          let shippedAt: string | undefined;
          for (const cells of giftRows) {
            const statusText = cleanCell(get(cells, 'giftStatus'));
            const dateText = cleanCell(get(cells, 'giftsShippedAt'));
            const date = optionalDate(dateText);
            if (date === null) {
              issues.push({ column: columnOf('giftsShippedAt'), reason: `"${dateText}" is not a date` });
              continue;
            }
            let state: GiftState | undefined;
            if (statusText) {
              state = values.giftStatus ? lookup(values.giftStatus, statusText) : undefined;
              if (!state) {
                issues.push({ column: columnOf('giftStatus'), reason: `unknown shipment status "${statusText}" (add it to the migration mapping's giftStatus value map)` });
                continue;
              }
            } else state = date ? 'shipped' : 'to_ship';
            if (state === 'none') continue;
            if (state === 'shipped' && !date) {
              issues.push({ column: columnOf('giftsShippedAt'), reason: `shipment status "${statusText}" says shipped but the shipping date is empty` });
              continue;
            }
            if (state === 'to_ship' && date) {
              issues.push({ column: columnOf('giftStatus'), reason: `"${statusText}" says not shipped but a shipping date (${dateText}) is given` });
              continue;
            }
            states.add(state);
            if (date && (!shippedAt || date > shippedAt)) shippedAt = date;
          }
          if (states.size > 1) issues.push({ column: columnOf('giftStatus'), reason: 'some gift lines of this donation are shipped and others not; the ledger records one shipment state per migrated donation — split or correct the rows' });

          if (built.ok) {
            const paidAt = built.donation.paidAt;
            if (docs && !paidAt) issues.push({ column: columnOf('documentsSentAt'), reason: 'the 受領証明書 was sent but the donation has no payment date' });
            else if (docs && paidAt && docs < paidAt) issues.push({ column: columnOf('documentsSentAt'), reason: `the 受領証明書 was sent (${docs.slice(0, 10)}) before the payment (${paidAt.slice(0, 10)})` });
          }

          if (issues.length) return { ok: false, portalOrderId: portalOrderId || undefined, issues };
          if (!built.ok) return built;
          const gifts: GiftState = built.donation.gifts.length === 0 ? 'none' : states.has('shipped') ? 'shipped' : 'to_ship';
          const facts: MigrationFacts = {
            sourceId,
            documentsSentAt: docs ?? undefined,
            gifts,
            giftsShippedAt: gifts === 'shipped' ? shippedAt : undefined,
          };
          return { ok: true, donation: { ...built.donation, portal, channel, migration: facts } };
        },
      };
    },
  };
}
