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

const KATAKANA = /^[\u30A0-\u30FF\u3000 ・ー]+$/;

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
      else if (!KATAKANA.test(v)) errors.push({ field: at, reason: 'must be written in full-width katakana' });
      break;
    case 'postalCode':
      if (!/^\d{3}-\d{4}$/.test(normalizePostalCode(v))) errors.push({ field: at, reason: 'must be a 7-digit postal code (e.g. 832-8601)' });
      break;
    case 'prefecture':
      if (!(PREFECTURES as readonly string[]).includes(v)) errors.push({ field: at, reason: 'must be one of the 47 prefectures, written in full (e.g. 福岡県)' });
      break;
    case 'address':
      if (!v) errors.push({ field: at, reason: 'is required' });
      else if (v.length > 200) errors.push({ field: at, reason: 'must be at most 200 characters' });
      break;
    case 'phone':
      if (!/^0\d{9,10}$/.test(v.replace(/[-‐－ ]/g, ''))) errors.push({ field: at, reason: 'must be a Japanese phone number of 10 or 11 digits starting with 0' });
      break;
    case 'email':
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v) || v.length > 254) errors.push({ field: at, reason: 'must be an email address' });
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
