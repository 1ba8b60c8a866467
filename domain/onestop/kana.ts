/**
 * Notation-insensitive comparison of names, kana and addresses. Donors write
 * シヨウヘイ for ショウヘイ, half-width kana, full-width digits and any
 * spacing; the ledger holds what the portal sent. Only a difference that
 * survives normalisation is a real mismatch.
 */

const SMALL_TO_LARGE: Record<string, string> = {
  ァ: 'ア', ィ: 'イ', ゥ: 'ウ', ェ: 'エ', ォ: 'オ', ッ: 'ツ', ャ: 'ヤ', ュ: 'ユ', ョ: 'ヨ', ヮ: 'ワ', ヵ: 'カ', ヶ: 'ケ',
};

const SPACES = /[\s\u3000]/g;

function hiraganaToKatakana(s: string): string {
  return s.replace(/[\u3041-\u3096]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0x60));
}

/** NFKC makes half-width kana full-width and full-width Latin/digits half-width. */
export function normalizeKana(s: string): string {
  return hiraganaToKatakana(s.normalize('NFKC').replace(SPACES, '')).replace(/[ァィゥェォッャュョヮヵヶ]/g, (c) => SMALL_TO_LARGE[c]);
}

// Old and variant forms (異体字) that registries and portals print differently for the same person.
const VARIANTS: Record<string, string> = { 髙: '高', 﨑: '崎', 嵜: '崎', 德: '徳', 邉: '辺', 邊: '辺', 濱: '浜', 澤: '沢', 齋: '斎', 齊: '斉', 櫻: '桜', 廣: '広', 國: '国', 眞: '真' };

export function normalizeName(s: string): string {
  return Array.from(s.normalize('NFKC').replace(SPACES, ''))
    .map((c) => VARIANTS[c] ?? c)
    .join('');
}

const KANJI_DIGITS: Record<string, string> = { 一: '1', 二: '2', 三: '3', 四: '4', 五: '5', 六: '6', 七: '7', 八: '8', 九: '9' };

/** 1丁目2番地3号, 一丁目2-3 and １－２－３ are the same place. */
export function normalizeAddress(s: string): string {
  return s
    .normalize('NFKC')
    .replace(SPACES, '')
    .replace(/([一二三四五六七八九])丁目/g, (_m, k: string) => `${KANJI_DIGITS[k]}丁目`)
    .replace(/(\d)[‐‑‒–—―−ーｰ\-](?=\d)/g, '$1-')
    .replace(/(\d+)丁目/g, '$1-')
    .replace(/(\d+)番地?/g, '$1-')
    .replace(/(\d+)号/g, '$1')
    .replace(/-+$/g, '')
    .replace(/-+/g, '-');
}

export type Comparison = 'same' | 'notation' | 'different';

export function compareWith(normalize: (s: string) => string, written: string, recorded: string): Comparison {
  if (written.trim() === recorded.trim()) return 'same';
  return normalize(written) === normalize(recorded) ? 'notation' : 'different';
}
