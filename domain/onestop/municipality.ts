import data from './municipalities.json';

/**
 * ONESTOP-4: the donor's residence municipality (団体コード), to which the
 * 申告特例通知書 goes, from the address. The table is generated from
 * maintained datasets (scripts/onestop-municipalities.ts): every 市町村 and
 * 東京都's 23 特別区 — they levy 個人住民税 themselves. The wards of a
 * 政令指定都市 are not local public bodies: the city levies the tax, so an
 * address in 福岡市中央区 resolves to 福岡市 (401307), not to the ward's
 * statistical code.
 */
export interface Municipality {
  /** 全国地方公共団体コード, 6 digits with the check digit. */
  code: string;
  name: string;
  prefecture: string;
  /** 郡 (or 東京都's 島) that addresses may write before the name. */
  county?: string;
}

interface RawMunicipality {
  code: string;
  name: string;
  county?: string;
  aliases?: string[];
  wards?: [string, string][];
}

interface RawPrefecture {
  code: string;
  name: string;
  municipalities: RawMunicipality[];
}

const PREFECTURES = (data as { prefectures: RawPrefecture[] }).prefectures;

/** JIS X 0402 check digit of a 5-digit code: weights 6,5,4,3,2; 11 − (sum mod 11), last digit. */
export function municipalityCheckDigit(code5: string): string {
  const sum = [...code5].reduce((s, d, i) => s + Number(d) * (6 - i), 0);
  return String((11 - (sum % 11)) % 10);
}

/** Glyph variants that addresses use for the same name (both sides are folded, so the table keeps the official glyph). */
const VARIANTS: Record<string, string> = {
  檮: '梼', 惠: '恵', 竃: '竈', 檜: '桧', 龍: '竜', 嶋: '島', 嶌: '島', 澤: '沢', 邊: '辺', 邉: '辺', 﨑: '崎', 髙: '高', 濱: '浜', 櫻: '桜', 舘: '館', 廣: '広', 國: '国', 與: '与',
  ヶ: 'ケ', ヵ: 'ケ', ノ: 'の',
};
const VARIANT_RE = new RegExp(`[${Object.keys(VARIANTS).join('')}]`, 'g');

/** NFKC (full/half width), no spaces, one glyph per variant. */
export function foldPlaceName(text: string): string {
  return text.normalize('NFKC').replace(/\s+/g, '').replace(VARIANT_RE, (c) => VARIANTS[c]);
}

interface Key {
  key: string;
  municipality: Municipality;
}

interface PrefectureIndex {
  name: string;
  folded: string;
  /** Longest first. */
  keys: Key[];
  /** Full names only (no ward-only aliases): for addresses whose prefecture is unknown. */
  nationwide: Key[];
}

const byCode = new Map<string, Municipality>();

const INDEX: PrefectureIndex[] = PREFECTURES.map((p) => {
  const keys: Key[] = [];
  const wardOnly = new Map<string, Municipality[]>();
  for (const m of p.municipalities) {
    const municipality: Municipality = { code: m.code, name: m.name, prefecture: p.name, ...(m.county ? { county: m.county } : {}) };
    byCode.set(m.code, municipality);
    for (const name of [m.name, ...(m.aliases ?? [])]) {
      keys.push({ key: foldPlaceName(name), municipality });
      if (m.county) keys.push({ key: foldPlaceName(m.county + name), municipality });
    }
    for (const [, ward] of m.wards ?? []) {
      const list = wardOnly.get(ward) ?? [];
      list.push(municipality);
      wardOnly.set(ward, list);
    }
  }
  const nationwide = [...keys];
  // A ward written without its city ("中央区天神…" in 福岡県) is accepted only where one city in the prefecture has that ward.
  for (const [ward, cities] of wardOnly) if (cities.length === 1) keys.push({ key: foldPlaceName(ward), municipality: cities[0] });
  const longestFirst = (a: Key, b: Key) => b.key.length - a.key.length;
  return { name: p.name, folded: foldPlaceName(p.name), keys: keys.sort(longestFirst), nationwide: nationwide.sort(longestFirst) };
});

export const MUNICIPALITY_COUNT = byCode.size;

export function municipalityByCode(code: string): Municipality | undefined {
  return byCode.get(code);
}

/** Every municipality's 6-digit code: the API's schema states the list (issue 21). */
export const MUNICIPALITY_CODES: readonly string[] = [...byCode.keys()];

/** 6-digit codes of every municipality (for validation of an operator's choice). */
export function isMunicipalityCode(code: string): boolean {
  return byCode.has(code);
}

function findPrefecture(name: string | undefined): PrefectureIndex | undefined {
  if (!name) return undefined;
  const folded = foldPlaceName(name);
  return INDEX.find((p) => p.folded === folded || (p.folded !== '北海道' && p.folded.slice(0, -1) === folded));
}

type Hit = { municipality: Municipality; length: number } | 'ambiguous' | undefined;

/** The longest key at the start of `text`; 'ambiguous' when two municipalities tie. */
function longest(keys: Key[], text: string): Hit {
  let found: Key | undefined;
  for (const k of keys) {
    if (found && k.key.length < found.key.length) break;
    if (!text.startsWith(k.key)) continue;
    if (found && found.municipality.code !== k.municipality.code) return 'ambiguous';
    found = k;
  }
  return found && { municipality: found.municipality, length: found.key.length };
}

/**
 * The municipality whose name starts the address: the prefecture written in
 * the address wins over the one given; 郡 may be written or left out
 * ("三潴郡大木町" / "大木町"); the longest name wins, so 小郡市 is not 小郡 + 市,
 * 市川三郷町 is not 市川市, 大和郡山市 is not a 郡. Without a prefecture the name
 * must be unique in Japan (府中市 is not). A name that does not match the
 * given prefecture (perhaps the donor's old one) is not looked for elsewhere.
 * Undefined when unsure: an operator decides, nothing is guessed.
 */
export function municipalityOf(prefecture: string | undefined, address: string): Municipality | undefined {
  let text = foldPlaceName(address).replace(/^〒?\d{3}-?\d{4}/, '');
  const written = INDEX.find((p) => text.startsWith(p.folded));
  if (written) {
    text = text.slice(written.folded.length);
    const hit = longest(written.keys, text);
    return typeof hit === 'object' ? hit.municipality : undefined;
  }
  const given = findPrefecture(prefecture);
  if (given) {
    const hit = longest(given.keys, text);
    return typeof hit === 'object' ? hit.municipality : undefined;
  }
  // No prefecture at all: accept a full name (no ward alone) that is unique in Japan.
  const hits = INDEX.map((p) => longest(p.nationwide, text));
  if (hits.includes('ambiguous')) return undefined;
  const found = hits.filter((h): h is { municipality: Municipality; length: number } => typeof h === 'object');
  if (found.length === 0) return undefined;
  const best = Math.max(...found.map((h) => h.length));
  const top = found.filter((h) => h.length === best);
  return top.length === 1 ? top[0].municipality : undefined;
}

/** The address as it goes into the notice: with its prefecture, which the application may have left out. */
export function addressWithPrefecture(address: string, municipality: Municipality): string {
  const trimmed = address.trim();
  return foldPlaceName(trimmed).startsWith(foldPlaceName(municipality.prefecture)) ? trimmed : `${municipality.prefecture}${trimmed}`;
}
