import { PAYMENT_METHODS, type PaymentMethod } from '../donation-status';
import { validateDonor, type DonorFields } from '../donor';
import { cleanAddress, cleanCell, cleanPhone, cleanPostalCode, parseJstDateTime, parseQuantity, parseYen, splitPrefecture, toKatakana } from './normalize';
import type { MapResult, PortalDonation, RowIssue, ShipTo } from './types';

/** Value maps an operator maintains per portal (JSON), e.g. "クレジットカード決済" → credit_card. */
export interface ValueMaps {
  paymentMethod: Record<string, string>;
  wantsOneStop?: Record<string, boolean>;
  purpose?: Record<string, string>;
  /** Portal gift code → ledger gift code; "" means "no gift" (寄附のみ). Codes not listed are used as they are. */
  giftCode?: Record<string, string>;
  disasterRelief?: Record<string, boolean>;
}

/** Payment methods that are settled at application: the donation is paid when it is made. */
const SETTLED_AT_APPLICATION: PaymentMethod[] = ['credit_card'];

export interface RawOrder {
  portalOrderId: string;
  appliedAt: string;
  amount: string;
  paymentMethod: string;
  paidAt?: string;
  purpose?: string;
  wantsOneStop?: string;
  disasterRelief?: string;
  name: string;
  nameKana: string;
  postalCode: string;
  prefecture?: string;
  address: string;
  phone?: string;
  email?: string;
  birthDate?: string;
  /** 送付先 as the portal wrote it; empty or the same as the donor's = the donor's address. */
  shipTo?: { name: string; nameKana?: string; postalCode: string; prefecture?: string; address: string; phone?: string };
  /** More than one 送付先 in one order (one per row). */
  shipToConflict?: boolean;
  gifts: { code: string; quantity: string }[];
}

/** Ledger field → the portal column it came from, for error messages. */
export type ColumnNames = Record<string, string | null>;

/**
 * Turns the raw strings of one order into a PortalDonation, or the list of
 * everything wrong with it (all problems at once, so one fix suffices).
 */
export function buildDonation(raw: RawOrder, values: ValueMaps, col: (field: string) => string | null): MapResult {
  const issues: RowIssue[] = [];
  const need = (field: string, value: string | undefined) => {
    if (!cleanCell(value)) issues.push({ column: col(field), reason: 'is required but empty' });
    return cleanCell(value);
  };

  const portalOrderId = need('portalOrderId', raw.portalOrderId);
  const appliedText = need('appliedAt', raw.appliedAt);
  const appliedAt = appliedText ? parseJstDateTime(appliedText) : undefined;
  if (appliedText && !appliedAt) issues.push({ column: col('appliedAt'), reason: `"${appliedText}" is not a date and time` });

  const amountText = need('amountYen', raw.amount);
  const amountYen = amountText ? parseYen(amountText) : undefined;
  if (amountText && (amountYen === undefined || amountYen < 1)) issues.push({ column: col('amountYen'), reason: `"${amountText}" is not an amount in yen` });

  const methodText = need('paymentMethod', raw.paymentMethod);
  const paymentMethod = methodText ? lookup(values.paymentMethod, methodText) : undefined;
  if (methodText && (paymentMethod === undefined || !(PAYMENT_METHODS as readonly string[]).includes(paymentMethod))) {
    issues.push({ column: col('paymentMethod'), reason: `unknown payment method "${methodText}" (add it to this portal's paymentMethod value map)` });
  }

  let paidAt: string | undefined;
  const paidText = cleanCell(raw.paidAt);
  if (paidText) {
    paidAt = parseJstDateTime(paidText);
    if (!paidAt) issues.push({ column: col('paidAt'), reason: `"${paidText}" is not a date` });
  } else if (appliedAt && SETTLED_AT_APPLICATION.includes(paymentMethod as PaymentMethod)) {
    paidAt = appliedAt;
  }

  let wantsOneStop = false;
  const oneStopText = cleanCell(raw.wantsOneStop);
  if (oneStopText) {
    const v = values.wantsOneStop ? lookup(values.wantsOneStop, oneStopText) : undefined;
    if (v === undefined) issues.push({ column: col('wantsOneStop'), reason: `"${oneStopText}" is neither yes nor no in this portal's wantsOneStop value map` });
    else wantsOneStop = v;
  }
  let disasterRelief = false;
  const reliefText = cleanCell(raw.disasterRelief);
  if (reliefText && values.disasterRelief) disasterRelief = lookup(values.disasterRelief, reliefText) ?? false;

  const purposeText = cleanCell(raw.purpose);
  const purpose = purposeText ? (values.purpose ? (lookup(values.purpose, purposeText) ?? purposeText) : purposeText) : undefined;

  const donor: DonorFields = {
    ...addressee(raw),
    email: cleanCell(raw.email) || undefined,
  };
  for (const e of validateDonor(donor, 'donor.')) {
    // Missing kana is a review flag (INTAKE-4), not a reason to refuse the row.
    if (e.field === 'donor.nameKana' && donor.nameKana === '') continue;
    const column = col(e.field) ?? (e.field === 'donor.prefecture' ? col('donor.address') : null);
    issues.push({ column, reason: e.field === 'donor.prefecture' && !donor.prefecture ? 'no prefecture found in the address' : e.reason });
  }

  const shipTo = raw.shipTo ? shipToOf(raw.shipTo, donor, col, issues) : undefined;
  if (raw.shipToConflict) issues.push({ column: col('shipTo.address'), reason: 'the rows of this order name different 送付先; one order is shipped to one address (split it into one order per address)' });

  // A birth date only helps 名寄せ; an unreadable one is dropped rather than refusing the donation.
  const birthText = cleanCell(raw.birthDate);
  const birthAt = birthText ? parseJstDateTime(birthText) : undefined;
  const donorBirthDate = birthAt ? new Date(Date.parse(birthAt) + 9 * 3600_000).toISOString().slice(0, 10) : undefined;

  const gifts: { code: string; quantity: number }[] = [];
  for (const g of raw.gifts) {
    const code = cleanCell(g.code);
    if (!code) continue;
    const mapped = values.giftCode && code in values.giftCode ? values.giftCode[code] : code;
    const quantity = parseQuantity(g.quantity);
    if (quantity === undefined) issues.push({ column: col('giftQuantity'), reason: `"${g.quantity}" is not a quantity` });
    if (!mapped) continue;
    const same = gifts.find((x) => x.code === mapped);
    if (same) same.quantity += quantity ?? 1;
    else gifts.push({ code: mapped, quantity: quantity ?? 1 });
  }

  if (issues.length) return { ok: false, portalOrderId: portalOrderId || undefined, issues };
  const donation: PortalDonation = {
    portalOrderId,
    appliedAt: appliedAt as string,
    paidAt,
    amountYen: amountYen as number,
    paymentMethod: paymentMethod as PaymentMethod,
    purpose,
    wantsOneStop,
    disasterRelief,
    donor,
    ...(shipTo ? { shipTo } : {}),
    gifts,
    ...(donorBirthDate ? { donorBirthDate } : {}),
  };
  return { ok: true, donation };
}

/** Name, kana, postal code and address as a label needs them, from a portal's cells (donor or 送付先). */
function addressee(raw: { name: string; nameKana?: string; postalCode: string; prefecture?: string; address: string; phone?: string }): ShipTo {
  const split = raw.prefecture && cleanCell(raw.prefecture) ? { prefecture: cleanCell(raw.prefecture), rest: cleanAddress(raw.address) } : splitPrefecture(raw.address);
  return {
    name: cleanCell(raw.name).replace(/[\s\u3000]+/g, ' '),
    nameKana: toKatakana(raw.nameKana ?? ''),
    postalCode: cleanPostalCode(raw.postalCode),
    prefecture: split.prefecture ?? '',
    address: split.rest,
    phone: cleanPhone(raw.phone ?? '') || undefined,
  };
}

/**
 * The 送付先, checked like the donor's address. None when the portal left it empty or wrote the donor's
 * own address again (RMS fills 送付先 for every order): then the gifts go to the donor.
 */
function shipToOf(raw: NonNullable<RawOrder['shipTo']>, donor: DonorFields, col: (field: string) => string | null, issues: RowIssue[]): ShipTo | undefined {
  if (![raw.name, raw.postalCode, raw.address].some((v) => cleanCell(v))) return undefined;
  const shipTo = addressee(raw);
  const same = (a: string, b: string) => a.normalize('NFKC').replace(/[\s\u3000]/g, '') === b.normalize('NFKC').replace(/[\s\u3000]/g, '');
  if (same(shipTo.name, donor.name) && shipTo.postalCode === donor.postalCode && same(shipTo.prefecture + shipTo.address, donor.prefecture + donor.address)) return undefined;
  for (const e of validateDonor(shipTo, 'shipTo.')) {
    // A label needs no kana.
    if (e.field === 'shipTo.nameKana' && shipTo.nameKana === '') continue;
    const column = col(e.field) ?? (e.field === 'shipTo.prefecture' ? col('shipTo.address') : null);
    issues.push({ column, reason: `送付先: ${e.field === 'shipTo.prefecture' && !shipTo.prefecture ? 'no prefecture found in the address' : e.reason}` });
  }
  return shipTo;
}

/** Exact match first, then ignoring width and spaces: "クレジットカード" = "ｸﾚｼﾞｯﾄｶｰﾄﾞ". */
export function lookup<T>(map: Record<string, T>, text: string): T | undefined {
  if (text in map) return map[text];
  const key = (s: string) => s.normalize('NFKC').replace(/[\s\u3000]/g, '').toLowerCase();
  const wanted = key(text);
  for (const [k, v] of Object.entries(map)) if (key(k) === wanted) return v;
  return undefined;
}
