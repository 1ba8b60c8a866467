import { PREFECTURES } from '../donor';

/**
 * Cell-level clean-up shared by every portal adapter. Portals write the same
 * value many ways (全角数字, "10,000円", "2026/11/20 9:05", ﾊﾝｶｸｶﾅ, ひらがな);
 * the ledger stores one form.
 */

/** Full-width ASCII to half-width (digits, letters, hyphen-likes), leaving kanji and kana alone. */
export function toHalfWidthAscii(value: string): string {
  return value
    .replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[\u2010-\u2015\u2212\u30FC\uFF70](?=\d)|(?<=\d)[\u2010-\u2015\u2212\u30FC\uFF70]/g, '-')
    .replace(/\u3000/g, ' ');
}

export function cleanCell(value: string | undefined): string {
  return (value ?? '').replace(/^[\s\u3000]+|[\s\u3000]+$/g, '');
}

/** "10,000", "１０，０００円", "¥10000" → 10000; anything else is not an amount. */
export function parseYen(value: string): number | undefined {
  const v = toHalfWidthAscii(cleanCell(value)).replace(/[,，¥￥\\円\s]/g, '');
  if (!/^\d+$/.test(v)) return undefined;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : undefined;
}

export function parseQuantity(value: string): number | undefined {
  const v = toHalfWidthAscii(cleanCell(value));
  if (v === '') return 1;
  if (!/^\d{1,2}$/.test(v) || Number(v) < 1) return undefined;
  return Number(v);
}

/**
 * A portal's local date-time, always Japan time: "2026-11-20 10:15:30",
 * "2026/11/20 9:05", "2026年11月20日", "20261120". Returns an ISO instant.
 */
export function parseJstDateTime(value: string): string | undefined {
  const v = toHalfWidthAscii(cleanCell(value));
  const m =
    /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$/.exec(v) ??
    /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?$/.exec(v);
  if (!m) return undefined;
  const [Y, M, D, H, Mi, S] = [m[1], m[2], m[3], m[4] ?? '0', m[5] ?? '0', m[6] ?? '0'].map(Number);
  if (M < 1 || M > 12 || D < 1 || D > 31 || H > 23 || Mi > 59 || S > 59) return undefined;
  const utc = Date.UTC(Y, M - 1, D, H - 9, Mi, S);
  const check = new Date(Date.UTC(Y, M - 1, D));
  if (check.getUTCMonth() !== M - 1 || check.getUTCDate() !== D) return undefined;
  return new Date(utc).toISOString();
}

/** Half-width kana and hiragana to full-width katakana, which is what the ledger and 受領証明書 use. */
export function toKatakana(value: string): string {
  return cleanCell(value)
    .normalize('NFKC')
    .replace(/[\u3041-\u3096]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0x60))
    .replace(/[\s\u3000]+/g, ' ');
}

export function cleanPostalCode(value: string): string {
  return toHalfWidthAscii(cleanCell(value)).replace(/^〒\s*/, '').replace(/\s/g, '');
}

export function cleanPhone(value: string): string {
  return toHalfWidthAscii(cleanCell(value)).replace(/[()（）\s]/g, (c) => (c === '(' || c === '（' ? '-' : c === ')' || c === '）' ? '-' : '')).replace(/--+/g, '-').replace(/^-|-$/g, '');
}

/** Address numbers in half-width (番地 matching and carrier labels both want them), the rest untouched. */
export function cleanAddress(value: string): string {
  return toHalfWidthAscii(cleanCell(value)).replace(/\s+/g, ' ');
}

/** Some portals put the whole address in one column: "福岡県柳川市本町87-1". */
export function splitPrefecture(address: string): { prefecture?: string; rest: string } {
  const a = cleanAddress(address);
  const prefecture = PREFECTURES.find((p) => a.startsWith(p));
  return prefecture ? { prefecture, rest: a.slice(prefecture.length).trim() } : { rest: a };
}
