/**
 * 個人番号 (My Number) checks. The number itself never appears in a message
 * produced here: callers log and return these reasons, so they must be safe.
 */

export type MyNumberVerdict = 'valid' | 'missing' | 'bad_format' | 'bad_check_digit';

/** Full-width digits, spaces and hyphens are how people write it on paper; none of them are part of the number. */
export function normalizeMyNumber(raw: string): string {
  return raw.normalize('NFKC').replace(/[\s\-‐‑‒–—―−ー]/g, '');
}

/**
 * 行政手続における特定の個人を識別するための番号の利用等に関する法律施行令 第8条:
 * with Pn the n-th of the first 11 digits counted from the right (n = 1 … 11) and
 * Qn = n + 1 for n ≤ 6, n − 5 for n ≥ 7, let r = Σ Pn·Qn mod 11;
 * the check digit is 0 when r ≤ 1, else 11 − r.
 */
export function myNumberCheckDigit(first11: string): number {
  if (!/^\d{11}$/.test(first11)) throw new RangeError('the check digit needs exactly 11 digits');
  let sum = 0;
  for (let n = 1; n <= 11; n++) {
    const p = first11.charCodeAt(11 - n) - 48;
    const q = n <= 6 ? n + 1 : n - 5;
    sum += p * q;
  }
  const r = sum % 11;
  return r <= 1 ? 0 : 11 - r;
}

export function checkMyNumber(raw: string | undefined | null): MyNumberVerdict {
  if (raw === undefined || raw === null || normalizeMyNumber(raw) === '') return 'missing';
  const digits = normalizeMyNumber(raw);
  if (!/^\d{12}$/.test(digits)) return 'bad_format';
  return myNumberCheckDigit(digits.slice(0, 11)) === Number(digits[11]) ? 'valid' : 'bad_check_digit';
}
