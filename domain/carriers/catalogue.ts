/**
 * The carriers we hand gifts to (SHIP-3), declared once. Everything else is
 * derived from this list: the CarrierCode type and the code lists of
 * domain/carriers, domain/shipping and domain/gifts, the API's JSON-schema
 * enums, the "must be one of …" messages, the display names in mails and
 * reports, and — through a migration that inserts a row — the ledger's
 * `carriers` lookup table the carrier columns reference (ADR 0004;
 * test/ledger/declarations.test.ts fails when the table and this list differ).
 *
 * Order matters: it is the order of the API enums and of the messages.
 * Adding a carrier: docs/architecture.md, "Adding a carrier".
 *
 * Pure data (its one import, domain/declarations.ts, imports nothing): workflow code (the deterministic sandbox) reads it too.
 */

import { deriveFromCatalogue } from '../declarations';

/** 常温 / 冷蔵 / 冷凍, as in gifts.temperature. */
export const TEMPERATURE_CLASSES = ['ambient', 'chilled', 'frozen'] as const;
export type TemperatureClass = (typeof TEMPERATURE_CLASSES)[number];

export interface CarrierDeclaration {
  /** Stored in the ledger (suppliers.default_carrier, gifts.carrier, shipments.carrier, quality_measures.carrier) and used in the API. */
  readonly code: string;
  /** The company as donors and operators know it: mails, reports, the `carriers` table. */
  readonly name: string;
  /** The carrier's system the import file is uploaded to. */
  readonly system: string;
  /** Temperature classes the service carries; another one is a row problem in the file. */
  readonly temperatures: readonly TemperatureClass[];
  /** The import file we write: CP932 CSV, its columns fixed by the carrier or registered by the operator (ゆうプリR's 取り込み用フィルタ); `rowsPerFile` when one upload takes at most that many rows. */
  readonly file: { readonly encoding: 'CP932'; readonly columns: 'fixed' | 'operator mapping'; readonly rowsPerFile?: number };
  /** Whether the system exports issued labels (tracking numbers) we can read back (parseIssuedLabels). */
  readonly issuedLabelExport: boolean;
}

/**
 * One carrier: its code, name and system, on the common terms (a CP932 file with fixed columns, every
 * temperature class, issued labels exported back) unless `differs` says otherwise — so each entry
 * states only what sets it apart.
 */
function carrier<const C extends string>(code: C, name: string, system: string, differs: Partial<Pick<CarrierDeclaration, 'temperatures' | 'file' | 'issuedLabelExport'>> = {}): CarrierDeclaration & { readonly code: C } {
  return { code, name, system, temperatures: TEMPERATURE_CLASSES, file: { encoding: 'CP932', columns: 'fixed' }, issuedLabelExport: true, ...differs };
}

export const CARRIER_CATALOGUE = [
  carrier('yamato_b2', 'ヤマト運輸', 'B2クラウド'),
  carrier('sagawa_ehiden', '佐川急便', 'e飛伝Ⅲ'),
  carrier('japanpost_clickpost', '日本郵便（クリックポスト）', 'クリックポスト', { temperatures: ['ambient'], file: { encoding: 'CP932', columns: 'fixed', rowsPerFile: 40 }, issuedLabelExport: false }),
  carrier('japanpost_yupri', '日本郵便（ゆうパック）', 'ゆうパックプリントR', { temperatures: ['ambient', 'chilled'], file: { encoding: 'CP932', columns: 'operator mapping' } }),
] as const;

export type CarrierCode = (typeof CARRIER_CATALOGUE)[number]['code'];

/**
 * Derived from the catalogue (domain/declarations.ts): every carrier code in declaration order, the
 * guard, one code's declaration, the display name of a code (ヤマト運輸; anything else is returned as
 * given) and the display names by code.
 */
export const { codes: CARRIER_CODES, is: isCarrierCode, declaration: carrierDeclaration, name: carrierName, names: CARRIER_NAMES } = deriveFromCatalogue<CarrierDeclaration, CarrierCode>(CARRIER_CATALOGUE);

/** "must be one of yamato_b2, sagawa_ehiden, japanpost_clickpost, japanpost_yupri" */
export const CARRIER_CODES_MESSAGE = `must be one of ${CARRIER_CODES.join(', ')}`;
