/**
 * Donor fields and their validation, shared by the API (for 400s naming each
 * field) and by DonationWorkflow's correctDonor validator (so an invalid
 * correction is rejected before it reaches history).
 */
export const PREFECTURES = [
  '北海道', '青森県', '岩手県', '宮城県', '秋田県', '山形県', '福島県', '茨城県', '栃木県', '群馬県',
  '埼玉県', '千葉県', '東京都', '神奈川県', '新潟県', '富山県', '石川県', '福井県', '山梨県', '長野県',
  '岐阜県', '静岡県', '愛知県', '三重県', '滋賀県', '京都府', '大阪府', '兵庫県', '奈良県', '和歌山県',
  '鳥取県', '島根県', '岡山県', '広島県', '山口県', '徳島県', '香川県', '愛媛県', '高知県', '福岡県',
  '佐賀県', '長崎県', '熊本県', '大分県', '宮崎県', '鹿児島県', '沖縄県',
] as const;

export interface DonorFields {
  name: string;
  nameKana: string;
  postalCode: string;
  prefecture: string;
  address: string;
  phone?: string;
  email?: string;
}

export const DONOR_FIELDS: readonly (keyof DonorFields)[] = ['name', 'nameKana', 'postalCode', 'prefecture', 'address', 'phone', 'email'];

export interface FieldError {
  field: string;
  reason: string;
}

/** フリガナ: full-width katakana, spaces and ・ー. A string so the API's JSON schemas carry the same rule. */
export const KATAKANA_PATTERN = '^[\\u30A0-\\u30FF\\u3000 ・ー]+$';
/** 7 digits, half- or full-width, with or without one hyphen, as operators and portals write them. */
export const POSTAL_CODE_PATTERN = '^\\s*[0-9０-９]{3}[‐－-]?[0-9０-９]{4}\\s*$';
/** What an operator reads when a donor field breaks its rule; the API's schemas answer with the same words. */
export const DONOR_REASONS = {
  nameKana: 'must be written in full-width katakana',
  postalCode: 'must be a 7-digit postal code (e.g. 832-8601)',
  prefecture: 'must be one of the 47 prefectures, written in full (e.g. 福岡県)',
  phone: 'must be a Japanese phone number of 10 or 11 digits starting with 0',
  email: 'must be an email address',
} as const;
const KATAKANA = new RegExp(KATAKANA_PATTERN);
const POSTAL_CODE = new RegExp(POSTAL_CODE_PATTERN);

export function normalizePostalCode(value: string): string {
  const digits = value.replace(/[‐－-]/g, '').replace(/[０-９]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
  return /^\d{7}$/.test(digits) ? `${digits.slice(0, 3)}-${digits.slice(3)}` : value;
}

function check(field: keyof DonorFields, value: unknown, errors: FieldError[], prefix: string): void {
  const at = `${prefix}${field}`;
  if (typeof value !== 'string') {
    errors.push({ field: at, reason: 'must be a string' });
    return;
  }
  const v = value.trim();
  switch (field) {
    case 'name':
      if (!v) errors.push({ field: at, reason: 'is required' });
      else if (v.length > 100) errors.push({ field: at, reason: 'must be at most 100 characters' });
      break;
    case 'nameKana':
      if (!v) errors.push({ field: at, reason: 'is required' });
      else if (!KATAKANA.test(v)) errors.push({ field: at, reason: DONOR_REASONS.nameKana });
      break;
    case 'postalCode':
      if (!POSTAL_CODE.test(v)) errors.push({ field: at, reason: DONOR_REASONS.postalCode });
      break;
    case 'prefecture':
      if (!(PREFECTURES as readonly string[]).includes(v)) errors.push({ field: at, reason: DONOR_REASONS.prefecture });
      break;
    case 'address':
      if (!v) errors.push({ field: at, reason: 'is required' });
      else if (v.length > 200) errors.push({ field: at, reason: 'must be at most 200 characters' });
      break;
    case 'phone':
      if (!/^0\d{9,10}$/.test(v.replace(/[-‐－ ]/g, ''))) errors.push({ field: at, reason: DONOR_REASONS.phone });
      break;
    case 'email':
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v) || v.length > 254) errors.push({ field: at, reason: DONOR_REASONS.email });
      break;
  }
}

/** A complete donor record, as entered with a new donation. */
export function validateDonor(donor: Partial<Record<keyof DonorFields, unknown>>, prefix = 'donor.'): FieldError[] {
  const errors: FieldError[] = [];
  for (const field of DONOR_FIELDS) {
    const optional = field === 'phone' || field === 'email';
    if (optional && (donor[field] === undefined || donor[field] === '')) continue;
    check(field, donor[field], errors, prefix);
  }
  return errors;
}

/** A partial change: only the fields present are checked; at least one must be. */
export function validateDonorChanges(changes: Partial<Record<string, unknown>>, prefix = 'changes.'): FieldError[] {
  const errors: FieldError[] = [];
  const keys = Object.keys(changes ?? {});
  if (keys.length === 0) return [{ field: prefix.replace(/\.$/, ''), reason: 'must change at least one field' }];
  for (const key of keys) {
    if (!(DONOR_FIELDS as readonly string[]).includes(key)) errors.push({ field: `${prefix}${key}`, reason: 'is not a donor field' });
    else check(key as keyof DonorFields, changes[key], errors, prefix);
  }
  return errors;
}

/** Canonical form stored in the ledger: trimmed, postal code hyphenated. */
export function normalizeDonorFields<T extends Partial<DonorFields>>(fields: T): T {
  const out: Partial<DonorFields> = {};
  for (const [key, value] of Object.entries(fields) as [keyof DonorFields, string | undefined][]) {
    if (value === undefined) continue;
    out[key] = key === 'postalCode' ? normalizePostalCode(value.trim()) : value.trim();
  }
  return out as T;
}

export function formatFieldErrors(errors: FieldError[]): string {
  return errors.map((e) => `${e.field} ${e.reason}`).join('; ');
}
