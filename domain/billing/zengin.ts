import iconv from 'iconv-lite';

/**
 * BILL-2: the 全銀協 (Zengin) 総合振込 file (種別コード 21) for payments to suppliers and carriers:
 * fixed-length 120-byte records — one header (1), a data record (2) per payee, the trailer (8) and
 * the end record (9) — in half-width characters, encoded Shift_JIS (コード区分 0). Bank and branch
 * codes and their kana names come from the `zengin-code` package (the banks' own register as
 * published by the zengin-code project); names are written in the characters the format allows.
 */

export const RECORD_BYTES = 120;

/** 預金種目: 1 普通, 2 当座, 4 貯蓄. */
export const ACCOUNT_TYPES = ['1', '2', '4'] as const;
export type AccountType = (typeof ACCOUNT_TYPES)[number];

export interface BankAccount {
  bankCode: string;
  branchCode: string;
  accountType: AccountType;
  accountNumber: string;
  /** 口座名義 as the bank holds it, in kana (full- or half-width; written half-width). */
  holderKana: string;
}

export interface TransferPayer {
  /** 依頼人コード given by the payer's bank (10 digits). */
  requesterCode: string;
  /** 依頼人名 (half-width kana, up to 40). */
  requesterName: string;
  bankCode: string;
  branchCode: string;
  accountType: AccountType;
  accountNumber: string;
}

export interface Transfer {
  account: BankAccount;
  amountYen: number;
  /** 顧客コード1 (up to 10 characters of the allowed set): which payee this is, for the statement. */
  customerCode?: string;
}

interface ZenginBank {
  code: string;
  name: string;
  kana: string;
  branches: Record<string, { code: string; name: string; kana: string }>;
}

let banks: Record<string, ZenginBank> | undefined;
/** The register is 5 MB of JavaScript: read on first use, not at start. */
function register(): Record<string, ZenginBank> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  banks ??= require('zengin-code') as Record<string, ZenginBank>;
  return banks;
}

export interface BankBranch {
  bankCode: string;
  bankName: string;
  bankKana: string;
  branchCode: string;
  branchName: string;
  branchKana: string;
}

/** The bank and branch as the register has them, or which of the two codes is unknown. */
export function lookupBranch(bankCode: string, branchCode: string): BankBranch | { unknown: 'bankCode' | 'branchCode' } {
  const bank = register()[bankCode];
  if (!bank) return { unknown: 'bankCode' };
  const branch = bank.branches[branchCode];
  if (!branch) return { unknown: 'branchCode' };
  return { bankCode, bankName: bank.name, bankKana: bank.kana, branchCode, branchName: branch.name, branchKana: branch.kana };
}

const FULL_KANA = 'アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲンァィゥェォャュョッヮヰヱ';
const HALF_KANA = 'ｱｲｳｴｵｶｷｸｹｺｻｼｽｾｿﾀﾁﾂﾃﾄﾅﾆﾇﾈﾉﾊﾋﾌﾍﾎﾏﾐﾑﾒﾓﾔﾕﾖﾗﾘﾙﾚﾛﾜｵﾝｱｲｳｴｵﾔﾕﾖﾂﾜｲｴ';
const VOICED = 'ガギグゲゴザジズゼゾダヂヅデドバビブベボ';
const VOICED_BASE = 'カキクケコサシスセソタチツテトハヒフヘホ';
const SEMI = 'パピプペポ';
const SEMI_BASE = 'ハヒフヘホ';
const HALF_SMALL: Record<string, string> = { ｧ: 'ｱ', ｨ: 'ｲ', ｩ: 'ｳ', ｪ: 'ｴ', ｫ: 'ｵ', ｬ: 'ﾔ', ｭ: 'ﾕ', ｮ: 'ﾖ', ｯ: 'ﾂ', ｦ: 'ｵ', ｰ: '-' };
const SYMBOLS: Record<string, string> = { 'ー': '-', '－': '-', '‐': '-', '−': '-', '（': '(', '）': ')', '．': '.', '・': '.', '／': '/', '，': ',', '、': ',', '「': '｢', '」': '｣', '　': ' ' };

/** The characters a 全銀 name field may hold: digits, upper-case letters, half-width kana with ﾞ ﾟ, space and ( ) - . / , ｢ ｣. */
export const ZENGIN_TEXT = /^[0-9A-Zｱ-ﾝﾞﾟ ()\-./,｢｣]*$/;

/**
 * A name in the characters the format allows: hiragana and katakana to half-width katakana (small kana
 * written large, ヲ as ｵ, ー as -), full-width letters and digits to ASCII, letters upper case.
 * Returns undefined when something else remains (kanji, other symbols): a name is never guessed.
 */
export function toZenginKana(text: string): string | undefined {
  let out = '';
  for (const ch of text.normalize('NFKC').normalize('NFC')) {
    let c = ch;
    const code = c.charCodeAt(0);
    if (code >= 0x3041 && code <= 0x3096) c = String.fromCharCode(code + 0x60); // hiragana → katakana
    if (SYMBOLS[c]) out += SYMBOLS[c];
    else if (c === 'ヴ') out += 'ｳﾞ';
    else if (VOICED.includes(c)) out += HALF_KANA[FULL_KANA.indexOf(VOICED_BASE[VOICED.indexOf(c)])] + 'ﾞ';
    else if (SEMI.includes(c)) out += HALF_KANA[FULL_KANA.indexOf(SEMI_BASE[SEMI.indexOf(c)])] + 'ﾟ';
    else if (FULL_KANA.includes(c)) out += HALF_KANA[FULL_KANA.indexOf(c)];
    else if (HALF_SMALL[c]) out += HALF_SMALL[c];
    else if (c === '゛') out += 'ﾞ';
    else if (c === '゜') out += 'ﾟ';
    else out += c.toUpperCase();
  }
  return ZENGIN_TEXT.test(out) ? out : undefined;
}

export class ZenginError extends Error {
  constructor(readonly field: string, message: string) {
    super(message);
  }
}

/** Left-aligned text padded with spaces; longer than the field is an error unless `clip` (bank and branch names only). */
function alpha(value: string, width: number, field: string, clip = false): string {
  if (!ZENGIN_TEXT.test(value)) throw new ZenginError(field, `${field} has characters the 全銀 format does not allow`);
  if (value.length > width && !clip) throw new ZenginError(field, `${field} is longer than ${width} characters`);
  return value.slice(0, width).padEnd(width, ' ');
}

/** Right-aligned digits padded with zeros. */
function num(value: number | string, width: number, field: string): string {
  const s = String(value);
  if (!/^\d+$/.test(s) || s.length > width) throw new ZenginError(field, `${field} must be at most ${width} digits`);
  return s.padStart(width, '0');
}

const kanaName = (full: string, field: string) => {
  const k = toZenginKana(full);
  if (k === undefined) throw new ZenginError(field, `${field} cannot be written in 全銀 characters`);
  return k;
};

function branchOf(bankCode: string, branchCode: string, field: string): BankBranch {
  const b = lookupBranch(bankCode, branchCode);
  if ('unknown' in b) throw new ZenginError(`${field}.${b.unknown}`, `${field}.${b.unknown} ${b.unknown === 'bankCode' ? bankCode : branchCode} is not in the Zengin register`);
  return b;
}

/** The records (each exactly 120 characters, all single-byte in Shift_JIS) of one 総合振込 file. */
export function zenginRecords(payer: TransferPayer, transferOn: string, transfers: Transfer[]): string[] {
  const own = branchOf(payer.bankCode, payer.branchCode, 'payer');
  const header =
    '1' + '21' + '0' +
    num(payer.requesterCode, 10, 'payer.requesterCode') +
    alpha(kanaName(payer.requesterName, 'payer.requesterName'), 40, 'payer.requesterName') +
    transferOn.slice(5, 7) + transferOn.slice(8, 10) +
    num(payer.bankCode, 4, 'payer.bankCode') + alpha(kanaName(own.bankKana, 'payer.bankName'), 15, 'payer.bankName', true) +
    num(payer.branchCode, 3, 'payer.branchCode') + alpha(kanaName(own.branchKana, 'payer.branchName'), 15, 'payer.branchName', true) +
    payer.accountType + num(payer.accountNumber, 7, 'payer.accountNumber') +
    ' '.repeat(17);
  const data = transfers.map((t, i) => {
    const field = `transfers[${i}]`;
    const b = branchOf(t.account.bankCode, t.account.branchCode, field);
    if (!Number.isInteger(t.amountYen) || t.amountYen <= 0) throw new ZenginError(`${field}.amountYen`, `${field}.amountYen must be a positive whole number of yen`);
    return (
      '2' +
      num(t.account.bankCode, 4, `${field}.bankCode`) + alpha(kanaName(b.bankKana, `${field}.bankName`), 15, `${field}.bankName`, true) +
      num(t.account.branchCode, 3, `${field}.branchCode`) + alpha(kanaName(b.branchKana, `${field}.branchName`), 15, `${field}.branchName`, true) +
      ' '.repeat(4) +
      t.account.accountType + num(t.account.accountNumber, 7, `${field}.accountNumber`) +
      alpha(kanaName(t.account.holderKana, `${field}.holderKana`), 30, `${field}.holderKana`) +
      num(t.amountYen, 10, `${field}.amountYen`) +
      '0' +
      alpha(t.customerCode ?? '', 10, `${field}.customerCode`) + ' '.repeat(10) +
      '7' + ' ' + ' '.repeat(7)
    );
  });
  const total = transfers.reduce((s, t) => s + t.amountYen, 0);
  const trailer = '8' + num(transfers.length, 6, 'count') + num(total, 12, 'totalYen') + ' '.repeat(101);
  const end = '9' + ' '.repeat(119);
  const records = [header, ...data, trailer, end];
  for (const r of records) if (r.length !== RECORD_BYTES) throw new Error(`全銀 record of ${r.length} characters: ${r[0]}`);
  return records;
}

/** The file's bytes: Shift_JIS, each record followed by CRLF unless `lineBreaks` is false (then 120-byte records back to back). */
export function zenginFile(records: string[], lineBreaks = true): Buffer {
  const bytes = iconv.encode(records.join(lineBreaks ? '\r\n' : '') + (lineBreaks ? '\r\n' : ''), 'Shift_JIS');
  if (bytes.length !== records.length * (RECORD_BYTES + (lineBreaks ? 2 : 0))) throw new Error('a 全銀 record encoded to more than one byte per character');
  return bytes;
}
