import iconv from 'iconv-lite';

/**
 * Which characters a carrier label can print. B2クラウド accepts only JIS
 * X 0208 (JIS第一・第二水準) kanji (labocho/yamato_b2_cloud:writer.rb, citing
 * ヤマト FAQ a_id=406); CP932 also has the NEC row-13 symbols (①, ㈱), the
 * IBM extensions (髙, 﨑) and user-defined 外字, which B2 refuses. We hold every
 * carrier to the same rule: the other carriers' limits are not documented,
 * and 0208 is never wrong (髙橋 printed as 高橋 is what labels already show).
 *
 * Order of work on a value: NFC (folds CJK compatibility ideographs such as
 * U+FA10 塚), control characters to spaces, 半角ｶﾅ to full width, then the
 * substitution table below. Whatever is still outside ASCII + JIS X 0208 is
 * reported by the caller with the character; nothing becomes '?'.
 */

/**
 * The JIS X 0208 row and cell of a character, read from its CP932 bytes.
 * Undefined for ASCII, 半角ｶﾅ and anything CP932 cannot encode. CP932's rows
 * 1–8 and 16–84 are JIS X 0208; row 13 is NEC's, 89–92 and 115–119 IBM's,
 * 95–114 user-defined.
 */
export function jisRowCell(ch: string): { row: number; cell: number } | undefined {
  const bytes = iconv.encode(ch, 'cp932');
  if (bytes.length !== 2 || iconv.decode(bytes, 'cp932') !== ch) return undefined;
  const [b1, b2] = [bytes[0], bytes[1]];
  let row = b1 <= 0x9f ? (b1 - 0x81) * 2 + 1 : (b1 - 0xc1) * 2 + 1;
  let cell: number;
  if (b2 >= 0x9f) {
    row += 1;
    cell = b2 - 0x9e;
  } else cell = b2 - 0x40 + 1 - (b2 >= 0x80 ? 1 : 0);
  return { row, cell };
}

export function isJisX0208(ch: string): boolean {
  const rc = jisRowCell(ch);
  if (!rc) return false;
  // Row 84 has only 6 cells (堯 槇 遙 瑤 凜 熙); CP932 has nothing after them, but say so.
  return (rc.row >= 1 && rc.row <= 8) || (rc.row >= 16 && rc.row <= 83) || (rc.row === 84 && rc.cell <= 6);
}

export const isPrintableAscii = (ch: string): boolean => ch.length === 1 && ch >= ' ' && ch <= '~';
export const isHalfWidthKatakana = (ch: string): boolean => ch.length === 1 && ch >= '\uFF61' && ch <= '\uFF9F';

const circled = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [String.fromCodePoint(0x2460 + i), `(${i + 1})`]));
const ROMAN = ['I', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX', 'X'];
const roman = Object.fromEntries(ROMAN.flatMap((r, i) => [[String.fromCodePoint(0x2160 + i), r], [String.fromCodePoint(0x2170 + i), r.toLowerCase()]]));

/**
 * Substitutes, each to a JIS X 0208 (or ASCII) spelling. Kept short on
 * purpose: a character not listed is reported, and an operator decides.
 */
export const SUBSTITUTIONS: Readonly<Record<string, string>> = {
  // 異体字 in names and addresses: IBM extension or JIS X 0213 / beyond → the 0208 form.
  // 邉 and 邊 are NOT here: both are JIS X 0208 第二水準 and print as they are.
  '髙': '高', '﨑': '崎', '𠮷': '吉', '德': '徳', '繫': '繋', '濵': '濱', '槗': '橋', '瀨': '瀬',
  '栁': '柳', '桒': '桑', '靍': '鶴', '隝': '島', '昻': '昂', '黑': '黒', '淸': '清', '凞': '熙',
  '內': '内', '俱': '倶', '顚': '顛', '鷗': '鴎', '𡈽': '土', '䑓': '臺', '𠷡': '百合',
  // 2010 常用漢字 forms that are not in 0208 (their 0208 forms are what B2 takes).
  '剝': '剥', '𠮟': '叱', '塡': '填', '頰': '頬',
  // NEC row 13 and IBM extension symbols.
  ...circled,
  ...roman,
  '㈱': '(株)', '㈲': '(有)', '㈹': '(代)', '㊤': '(上)', '㊥': '(中)', '㊦': '(下)', '㊧': '(左)', '㊨': '(右)',
  '№': 'No.', '℡': 'TEL', '㏍': 'K.K.', '〝': '“', '〟': '”',
  '㍻': '平成', '㍼': '昭和', '㍽': '大正', '㍾': '明治', '㋿': '令和',
  '㍉': 'ミリ', '㌔': 'キロ', '㌢': 'センチ', '㍍': 'メートル', '㌘': 'グラム', '㌧': 'トン', '㌃': 'アール',
  '㌶': 'ヘクタール', '㍑': 'リットル', '㍗': 'ワット', '㌍': 'カロリー', '㌦': 'ドル', '㌣': 'セント',
  '㌫': 'パーセント', '㍊': 'ミリバール', '㌻': 'ページ',
  '㎜': 'mm', '㎝': 'cm', '㎞': 'km', '㎎': 'mg', '㎏': 'kg', '㏄': 'cc', '㎡': 'm2',
  '￤': '｜', '¦': '｜', '＇': '’', '＂': '”',
  // Unicode characters whose CP932 byte decodes to a different code point: we
  // write the code point CP932 decodes to, so the file reads back as written.
  // WAVE DASH 〜 (U+301C) → FULLWIDTH TILDE ～ (U+FF5E): CP932 0x8160 is ～ in
  // Windows' table (and iconv-lite's); 〜 does not encode at all.
  '〜': '～', '−': '－', '‖': '∥', '¢': '￠', '£': '￡', '¬': '￢', '—': '―', '¥': '￥', '‾': '￣',
  '–': '-', '\u00A0': ' ',
};

/** 半角ｶﾅ → 全角 (ｶﾞ → ガ): NFKC on the half-width run only, so nothing else is folded. */
export function toFullWidthKana(text: string): string {
  return text.replace(/[\uFF61-\uFF9F]+/g, (run) => run.normalize('NFKC'));
}

/** Everything a text field goes through before it is checked and written. */
export function substitute(text: string): string {
  const prepared = toFullWidthKana(text.normalize('NFC').replace(/[\u0000-\u001F\u007F]/g, ' '));
  let out = '';
  for (const ch of prepared) out += SUBSTITUTIONS[ch] ?? ch;
  return out;
}

/** Distinct characters of `text` that are neither printable ASCII nor JIS X 0208 (plus 半角ｶﾅ where allowed). */
export function unrepresentable(text: string, allowHalfWidthKana = false): string[] {
  const bad = new Set<string>();
  for (const ch of text) {
    if (isPrintableAscii(ch) || (allowHalfWidthKana && isHalfWidthKatakana(ch)) || isJisX0208(ch)) continue;
    bad.add(ch);
  }
  return [...bad];
}

// 全角 → 半角ｶﾅ, derived from NFKC of the half-width block so the two directions agree.
const HALF_KANA: Map<string, string> = (() => {
  const map = new Map<string, string>();
  for (let cp = 0xff61; cp <= 0xff9f; cp++) {
    const half = String.fromCodePoint(cp);
    map.set(half.normalize('NFKC'), half);
  }
  for (const base of 'ｳｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾊﾋﾌﾍﾎ') {
    for (const mark of 'ﾞﾟ') {
      const full = (base + mark).normalize('NFKC');
      if ([...full].length === 1) map.set(full, base + mark);
    }
  }
  // No half-width forms exist for these; the nearest reading is what カナ fields carry.
  map.set('ヮ', 'ﾜ').set('ヵ', 'ｶ').set('ヶ', 'ｹ').set('ヰ', 'ｲ').set('ヱ', 'ｴ').set('ヷ', 'ﾜﾞ').set('ヺ', 'ｦﾞ');
  map.set('\u3000', ' ').set('－', '-').set('‐', '-');
  return map;
})();

/**
 * For B2クラウド's お届け先名(ｶﾅ) (半角ｶﾅ): ひらがな and カタカナ to 半角ｶﾅ,
 * full-width ASCII to ASCII. Returns the characters that have no half-width
 * form (kanji, mostly) so the caller can report them.
 */
export function toHalfWidthKana(text: string): { text: string; unconvertible: string[] } {
  const source = substitute(text).replace(/[\u3041-\u3096]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0x60));
  let out = '';
  const bad = new Set<string>();
  for (const ch of source) {
    if (isPrintableAscii(ch) || isHalfWidthKatakana(ch)) out += ch;
    else if (ch >= '\uFF01' && ch <= '\uFF5E') out += String.fromCharCode(ch.charCodeAt(0) - 0xfee0);
    else if (HALF_KANA.has(ch)) out += HALF_KANA.get(ch);
    else bad.add(ch);
  }
  return { text: out, unconvertible: [...bad] };
}

/** Width in half-width units as the carriers count it ("16/32" = 全角16 or 半角32): the CP932 byte length. */
export function cp932Width(text: string): number {
  return iconv.encode(text, 'cp932').length;
}

/** Encodes checked text; a character that would become '?' here is a bug upstream, so it throws. */
export function encodeCp932(text: string): Buffer {
  const bytes = iconv.encode(text, 'cp932');
  if (iconv.decode(bytes, 'cp932') !== text) throw new Error('text contains characters CP932 cannot encode; they should have been reported as problems');
  return bytes;
}
